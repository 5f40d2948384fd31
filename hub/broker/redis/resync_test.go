package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/hub/broker/brokertest"
	"github.com/tandemhq/tandem/hub/broker/redis"
	"github.com/tandemhq/tandem/room"
)

// topicsOf subscribes recorders to a few topics of b, two rooms' (two
// recorders in the first) and an account's, and checks that events
// published on pub reach them.
type topicsOf struct {
	topics    []string
	rooms     map[string]string // the room of the events published on each topic
	recorders map[string][]*brokertest.Recorder
}

func subscribeTopics(t *testing.T, b, pub *redis.Broker) *topicsOf {
	t.Helper()
	ts := &topicsOf{rooms: map[string]string{}, recorders: map[string][]*brokertest.Recorder{}}
	for i := range 3 {
		id := room.NewID("rm")
		topic := hub.RoomTopic(id)
		if i == 2 {
			topic = hub.AccountTopic(room.NewID("ac"))
		}
		ts.topics = append(ts.topics, topic)
		ts.rooms[topic] = id
		n := 1
		if i == 0 {
			n = 2
		}
		for range n {
			r := brokertest.NewRecorder()
			brokertest.Subscribe(t, b, topic, r)
			ts.recorders[topic] = append(ts.recorders[topic], r)
		}
	}
	ts.deliver(t, pub, 1)
	return ts
}

// deliver publishes event seq on every topic and waits for every recorder
// to have it.
func (ts *topicsOf) deliver(t *testing.T, pub *redis.Broker, seq int64) {
	t.Helper()
	for _, topic := range ts.topics {
		brokertest.Publish(t, pub, topic, brokertest.Event(ts.rooms[topic], seq))
	}
	for _, topic := range ts.topics {
		for _, r := range ts.recorders[topic] {
			if evs := r.WaitFor(t, int(seq)); evs[len(evs)-1].Seq != seq {
				t.Fatalf("%s: last event #%d, want #%d", topic, evs[len(evs)-1].Seq, seq)
			}
		}
	}
}

// resynced reports whether every recorder was told to resync.
func (ts *topicsOf) resynced() bool {
	for _, topic := range ts.topics {
		for _, r := range ts.recorders[topic] {
			if r.Resyncs() == 0 {
				return false
			}
		}
	}
	return true
}

func TestResyncAfterConnectionDrop(t *testing.T) {
	t.Parallel()
	prefix := newPrefix()
	client, name := newClient(t)
	// No probe during the test: the reconnection alone must be noticed.
	b := newBroker(t, client, redis.Options{Prefix: prefix, ProbeInterval: time.Hour})
	other, _ := newClient(t)
	pub := newBroker(t, other, redis.Options{Prefix: prefix})
	ts := subscribeTopics(t, b, pub)

	if n := killPubSub(t, other, name); n != 1 {
		t.Fatalf("killed %d pub/sub connections, want 1", n)
	}
	waitUntil(t, "every receiver is told to resync", ts.resynced)
	ts.deliver(t, pub, 2)
	s := b.Stats()
	if s.Reconnects < 1 || s.Resyncs < 1 || s.ProbeFailures != 0 {
		t.Fatalf("stats %+v, want a reconnect and a resync, no probe failure", s)
	}

	// And again: the new connection is watched as the first one was.
	if n := killPubSub(t, other, name); n != 1 {
		t.Fatalf("killed %d pub/sub connections, want 1", n)
	}
	waitUntil(t, "a second resync", func() bool { return b.Stats().Resyncs >= s.Resyncs+1 })
	ts.deliver(t, pub, 3)
}

func TestResyncAfterSilentSubscription(t *testing.T) {
	t.Parallel()
	prefix := newPrefix()
	client, _ := newClient(t)
	b := newBroker(t, client, redis.Options{Prefix: prefix, ProbeInterval: 20 * time.Millisecond, ProbeTimeout: time.Second})
	other, _ := newClient(t)
	pub := newBroker(t, other, redis.Options{Prefix: prefix})
	ts := subscribeTopics(t, b, pub)

	if err := redis.SilenceSubscription(context.Background(), b); err != nil {
		t.Fatalf("silence: %v", err)
	}
	waitUntil(t, "every receiver is told to resync", ts.resynced)
	ts.deliver(t, pub, 2)
	if s := b.Stats(); s.ProbeFailures < 1 || s.Reconnects < 1 || s.Resyncs < 1 {
		t.Fatalf("stats %+v, want a probe failure, a reconnect and a resync", s)
	}
}

func TestNoProbeWithoutTopics(t *testing.T) {
	t.Parallel()
	client, _ := newClient(t)
	b := newBroker(t, client, redis.Options{Prefix: newPrefix(), ProbeInterval: time.Millisecond, ProbeTimeout: time.Millisecond})
	time.Sleep(50 * time.Millisecond)
	if s := b.Stats(); s.ProbeFailures != 0 || s.Reconnects != 0 {
		t.Fatalf("stats %+v: probes ran with no topic subscribed", s)
	}
}

func TestEndedReceiversResyncAndReceiveAfterConnectionDrop(t *testing.T) {
	t.Parallel()
	prefix := newPrefix()
	client, name := newClient(t)
	// No probe during the test: the reconnection alone must be noticed,
	// with no topic subscribed (an idle instance).
	b := newBroker(t, client, redis.Options{Prefix: prefix, ProbeInterval: time.Hour})
	other, _ := newClient(t)
	pub := newBroker(t, other, redis.Options{Prefix: prefix})
	r := brokertest.NewEndedRecorder()
	brokertest.SubscribeEnded(t, b, r)
	first := room.NewID("tk")
	brokertest.PublishEnded(t, pub, hub.Ended{Keys: []string{first}})
	r.WaitFor(t, first)

	if n := killPubSub(t, other, name); n != 1 {
		t.Fatalf("killed %d pub/sub connections, want 1", n)
	}
	waitUntil(t, "the Ended receiver is told to resync", func() bool { return r.Resyncs() > 0 })
	second := room.NewID("tk")
	brokertest.PublishEnded(t, pub, hub.Ended{Keys: []string{second}})
	r.WaitFor(t, second)
}
