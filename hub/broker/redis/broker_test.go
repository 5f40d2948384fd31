package redis_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/hub/broker/brokertest"
	"github.com/tandemhq/tandem/hub/broker/redis"
	"github.com/tandemhq/tandem/room"
)

// TestBroker runs the conformance suite on two instances of a deployment:
// two brokers, each with a client of its own, on one prefix.
func TestBroker(t *testing.T) {
	brokertest.Run(t, func(tb testing.TB) (hub.Broker, hub.Broker) {
		prefix := newPrefix()
		ca, _ := newClient(tb)
		cb, _ := newClient(tb)
		return newBroker(tb, ca, redis.Options{Prefix: prefix}), newBroker(tb, cb, redis.Options{Prefix: prefix})
	})
}

func TestPrefixesKeepDeploymentsApart(t *testing.T) {
	t.Parallel()
	client, _ := newClient(t)
	mine, other := newBroker(t, client, redis.Options{Prefix: newPrefix()}), newBroker(t, client, redis.Options{Prefix: newPrefix()})
	id := room.NewID("rm")
	topic := hub.RoomTopic(id)
	got, elsewhere := brokertest.NewRecorder(), brokertest.NewRecorder()
	brokertest.Subscribe(t, mine, topic, got)
	brokertest.Subscribe(t, other, topic, elsewhere)
	brokertest.Publish(t, mine, topic, brokertest.Event(id, 1))
	brokertest.Publish(t, other, topic, brokertest.Event(id, 2))
	// Each event reached its own deployment; had one crossed over, it
	// would have arrived first on its channel.
	if evs := got.WaitFor(t, 1); evs[0].Seq != 1 {
		t.Fatalf("a subscriber of one prefix received event #%d of the other", evs[0].Seq)
	}
	if evs := elsewhere.WaitFor(t, 1); evs[0].Seq != 2 {
		t.Fatalf("a subscriber of one prefix received event #%d of the other", evs[0].Seq)
	}
}

func TestMalformedMessagesAreDropped(t *testing.T) {
	t.Parallel()
	client, _ := newClient(t)
	prefix := newPrefix()
	b := newBroker(t, client, redis.Options{Prefix: prefix})
	other := newBroker(t, client, redis.Options{Prefix: prefix})
	id := room.NewID("rm")
	topic := hub.RoomTopic(id)
	r := brokertest.NewRecorder()
	brokertest.Subscribe(t, b, topic, r)
	ctx := context.Background()
	channel := prefix + topic
	malformed := []string{
		`not json`,
		`{"origin":"x","topic":"room:rm_other","event":{"room":"rm_other","seq":1}}`, // another topic's
		`{"origin":"x","event":{"room":"` + id + `","seq":1}}`,                       // no topic
	}
	for _, payload := range malformed {
		if err := client.Publish(ctx, channel, payload).Err(); err != nil {
			t.Fatalf("publish %q: %v", payload, err)
		}
	}
	brokertest.Publish(t, other, topic, brokertest.Event(id, 2))
	if evs := r.WaitFor(t, 1); len(evs) != 1 || evs[0].Seq != 2 {
		t.Fatalf("received %+v, want only event #2", evs)
	}
	waitUntil(t, "the publish is counted", func() bool { return other.Stats().Published == 1 })
	if s := b.Stats(); s.Malformed != uint64(len(malformed)) || s.Received != 1 {
		t.Fatalf("stats %+v, want %d malformed, 1 received", s, len(malformed))
	}
}

// unreachable returns a client of a Redis that never answers: its
// address refuses connections, or, if silent, accepts them and stays
// silent until stop is called. The client's own timeouts are a minute, so
// only the broker's Timeout can end a call sooner.
func unreachable(t *testing.T, silent bool) (client *goredis.Client, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop = func() { _ = ln.Close() }
	if silent {
		done := make(chan struct{})
		go func() {
			defer close(done)
			var conns []net.Conn
			defer func() {
				for _, c := range conns {
					_ = c.Close()
				}
			}()
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				conns = append(conns, c) // never read nor answered
			}
		}()
		stop = func() { _ = ln.Close(); <-done }
	} else {
		stop()
	}
	t.Cleanup(stop)
	client = goredis.NewClient(&goredis.Options{
		Addr: ln.Addr().String(), ContextTimeoutEnabled: true,
		DialTimeout: time.Minute, ReadTimeout: time.Minute, WriteTimeout: time.Minute,
	})
	t.Cleanup(func() { _ = client.Close() })
	return client, stop
}

// TestUnreachable checks that Publish never waits on a Redis that does not
// answer, that the publish is given up after Options.Timeout rather than
// the client's own timeouts, and that Subscribe fails when Redis refuses
// connections.
func TestUnreachable(t *testing.T) {
	for _, tc := range []struct {
		name   string
		silent bool
	}{{"ClosedPort", false}, {"SilentServer", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client, stop := unreachable(t, tc.silent)
			// Stopping the server ends the broker's own connection attempt,
			// which the client's timeouts alone would make last a minute.
			defer stop()
			b := newBroker(t, client, redis.Options{Prefix: newPrefix(), Timeout: 300 * time.Millisecond})
			id := room.NewID("rm")
			errs := make(chan error, 1)
			go func() { errs <- b.Publish(context.Background(), hub.RoomTopic(id), brokertest.Event(id, 1)) }()
			select {
			case err := <-errs:
				if err != nil {
					t.Fatalf("Publish: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Publish waits on an unreachable Redis")
			}
			// The bound only tells a failure bounded by Timeout from one
			// bounded by the client's one-minute timeouts.
			waitUntil(t, "the publish has failed", func() bool { return b.Stats().PublishErrors == 1 })
			if s := b.Stats(); s.Published != 0 {
				t.Fatalf("stats %+v, want nothing published", s)
			}
			if tc.silent {
				// Subscribe waits for the broker's connection attempt,
				// which only the client's timeouts bound (see the package
				// documentation).
				return
			}
			unsub, err := b.Subscribe(context.Background(), hub.RoomTopic(id), brokertest.NewRecorder())
			if err == nil {
				unsub()
				t.Fatal("subscribed to an unreachable Redis")
			}
			t.Logf("subscribe failed as expected: %v", err)
		})
	}
}

// TestPublishEndedNeverWaits checks that an Ended signal goes to Redis in
// the background: on a Redis that never answers, PublishEnded returns at
// once, not after Options.Timeout (the hub calls it under a room's lock);
// after Close, it fails with ErrClosed.
func TestPublishEndedNeverWaits(t *testing.T) {
	t.Parallel()
	client, stop := unreachable(t, true)
	const timeout = 5 * time.Second
	b := newBroker(t, client, redis.Options{Prefix: newPrefix(), Timeout: timeout})
	start := time.Now()
	if err := b.PublishEnded(context.Background(), hub.Ended{Keys: []string{room.NewID("tk")}}); err != nil {
		t.Fatalf("PublishEnded: %v", err)
	}
	if d := time.Since(start); d > timeout/2 {
		t.Fatalf("PublishEnded took %v on a Redis that never answers: it waits on Redis", d)
	}
	// The broker's own connection attempt, on a silent Redis, ends with
	// the server (see unreachable).
	stop()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.PublishEnded(context.Background(), hub.Ended{Keys: []string{room.NewID("tk")}}); !errors.Is(err, redis.ErrClosed) {
		t.Fatalf("PublishEnded after Close: %v, want ErrClosed", err)
	}
}

func TestClose(t *testing.T) {
	client, _ := newClient(t)
	// Whatever go-redis starts with its first connection is not the broker's.
	if err := client.Ping(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	before := goleak.IgnoreCurrent()

	b, err := redis.New(client, redis.Options{Prefix: newPrefix(), ProbeInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	id := room.NewID("rm")
	topic := hub.RoomTopic(id)
	r := brokertest.NewRecorder()
	unsub := brokertest.Subscribe(t, b, topic, r)
	brokertest.Publish(t, b, topic, brokertest.Event(id, 1))
	r.WaitFor(t, 1)
	if err := b.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	unsub() // harmless after Close
	goleak.VerifyNone(t, before)

	if err := b.Publish(context.Background(), topic, brokertest.Event(id, 2)); !errors.Is(err, redis.ErrClosed) {
		t.Fatalf("publish after close: %v, want ErrClosed", err)
	}
	if _, err := b.Subscribe(context.Background(), topic, r); !errors.Is(err, redis.ErrClosed) {
		t.Fatalf("subscribe after close: %v, want ErrClosed", err)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	if _, err := redis.New(nil, redis.Options{}); err == nil {
		t.Error("New accepted a nil client")
	}
	client := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1"})
	defer client.Close()
	if _, err := redis.New(client, redis.Options{ProbeTimeout: -time.Second}); err == nil {
		t.Error("New accepted a negative ProbeTimeout")
	}
}
