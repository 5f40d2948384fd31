package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/tandemhq/tandem/hub/brokertest"
	"github.com/tandemhq/tandem/hub/redis"
	"github.com/tandemhq/tandem/room"
)

// roomsOf subscribes recorders to a few rooms of b, two in the first, and
// checks that events published on pub reach them.
type roomsOf struct {
	ids       []string
	recorders map[string][]*brokertest.Recorder
}

func subscribeRooms(t *testing.T, b, pub *redis.Broker) *roomsOf {
	t.Helper()
	rs := &roomsOf{recorders: map[string][]*brokertest.Recorder{}}
	for i := range 3 {
		id := room.NewID("rm")
		rs.ids = append(rs.ids, id)
		n := 1
		if i == 0 {
			n = 2
		}
		for range n {
			r := brokertest.NewRecorder()
			brokertest.Subscribe(t, b, id, r)
			rs.recorders[id] = append(rs.recorders[id], r)
		}
	}
	rs.deliver(t, pub, 1)
	return rs
}

// deliver publishes event seq in every room and waits for every recorder
// to have it.
func (rs *roomsOf) deliver(t *testing.T, pub *redis.Broker, seq int64) {
	t.Helper()
	for _, id := range rs.ids {
		brokertest.Publish(t, pub, brokertest.Event(id, seq))
	}
	for _, id := range rs.ids {
		for _, r := range rs.recorders[id] {
			if evs := r.WaitFor(t, int(seq)); evs[len(evs)-1].Seq != seq {
				t.Fatalf("room %s: last event #%d, want #%d", id, evs[len(evs)-1].Seq, seq)
			}
		}
	}
}

// resynced reports whether every recorder was told to resync.
func (rs *roomsOf) resynced() bool {
	for _, id := range rs.ids {
		for _, r := range rs.recorders[id] {
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
	rs := subscribeRooms(t, b, pub)

	if n := killPubSub(t, other, name); n != 1 {
		t.Fatalf("killed %d pub/sub connections, want 1", n)
	}
	waitUntil(t, "every receiver is told to resync", rs.resynced)
	rs.deliver(t, pub, 2)
	s := b.Stats()
	if s.Reconnects < 1 || s.Resyncs < 1 || s.ProbeFailures != 0 {
		t.Fatalf("stats %+v, want a reconnect and a resync, no probe failure", s)
	}

	// And again: the new connection is watched as the first one was.
	if n := killPubSub(t, other, name); n != 1 {
		t.Fatalf("killed %d pub/sub connections, want 1", n)
	}
	waitUntil(t, "a second resync", func() bool { return b.Stats().Resyncs >= s.Resyncs+1 })
	rs.deliver(t, pub, 3)
}

func TestResyncAfterSilentSubscription(t *testing.T) {
	t.Parallel()
	prefix := newPrefix()
	client, _ := newClient(t)
	b := newBroker(t, client, redis.Options{Prefix: prefix, ProbeInterval: 20 * time.Millisecond, ProbeTimeout: time.Second})
	other, _ := newClient(t)
	pub := newBroker(t, other, redis.Options{Prefix: prefix})
	rs := subscribeRooms(t, b, pub)

	if err := redis.SilenceSubscription(context.Background(), b); err != nil {
		t.Fatalf("silence: %v", err)
	}
	waitUntil(t, "every receiver is told to resync", rs.resynced)
	rs.deliver(t, pub, 2)
	if s := b.Stats(); s.ProbeFailures < 1 || s.Reconnects < 1 || s.Resyncs < 1 {
		t.Fatalf("stats %+v, want a probe failure, a reconnect and a resync", s)
	}
}

func TestNoProbeWithoutRooms(t *testing.T) {
	t.Parallel()
	client, _ := newClient(t)
	b := newBroker(t, client, redis.Options{Prefix: newPrefix(), ProbeInterval: time.Millisecond, ProbeTimeout: time.Millisecond})
	time.Sleep(50 * time.Millisecond)
	if s := b.Stats(); s.ProbeFailures != 0 || s.Reconnects != 0 {
		t.Fatalf("stats %+v: probes ran with no room subscribed", s)
	}
}
