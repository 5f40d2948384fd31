// Package brokertest is the conformance suite of hub.Broker: every broker
// (the in-process one, Redis) runs it from its own tests, so the hub can
// count on the same behaviour from each.
//
//	func TestBroker(t *testing.T) {
//		brokertest.Run(t, func(tb testing.TB) hub.Broker { return memory.New() })
//	}
//
// A broker is a notification path: the suite checks that what is published
// reaches the subscribers of its room, and only them, in the order one
// publisher sent it, and stops when they unsubscribe.
package brokertest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/room"
)

// Open returns a broker for one test; pairs of brokers returned for the
// same test must be connected to each other (two instances of one
// deployment), which the suite checks by publishing on one and receiving
// on the other. An in-process broker returns the same broker each time.
type Open func(tb testing.TB) (a, b hub.Broker)

// Run runs the suite against the brokers open makes.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, a, b hub.Broker)
	}{
		{"DeliversToTheRoomOnly", testDeliversToTheRoomOnly},
		{"EverySubscriberGetsEveryEvent", testEverySubscriberGetsEveryEvent},
		{"OrderOfOnePublisher", testOrderOfOnePublisher},
		{"Unsubscribe", testUnsubscribe},
		{"ConcurrentSubscribeAndPublish", testConcurrentSubscribeAndPublish},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, b := open(t)
			tc.fn(t, a, b)
		})
	}
}

// wait is how long a delivery may take.
const wait = 10 * time.Second

// Recorder is a hub.Receiver that keeps what it receives.
type Recorder struct {
	mu      sync.Mutex
	events  []room.Event
	resyncs int
	notify  chan struct{}
}

var _ hub.Receiver = (*Recorder)(nil)

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{notify: make(chan struct{}, 1)} }

// Receive implements hub.Receiver.
func (r *Recorder) Receive(ev room.Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
	r.poke()
}

// Resync implements hub.Receiver.
func (r *Recorder) Resync() {
	r.mu.Lock()
	r.resyncs++
	r.mu.Unlock()
	r.poke()
}

func (r *Recorder) poke() {
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// Events returns a copy of what r received so far.
func (r *Recorder) Events() []room.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]room.Event(nil), r.events...)
}

// Resyncs is how many times r was told to resync.
func (r *Recorder) Resyncs() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.resyncs
}

// WaitFor waits until r holds at least n events, failing tb after a while.
func (r *Recorder) WaitFor(tb testing.TB, n int) []room.Event {
	tb.Helper()
	deadline := time.After(wait)
	for {
		if evs := r.Events(); len(evs) >= n {
			return evs
		}
		select {
		case <-r.notify:
		case <-deadline:
			tb.Fatalf("received %d events, want %d", len(r.Events()), n)
		}
	}
}

// Event returns the event seq of roomID, with data that tells it apart.
func Event(roomID string, seq int64) room.Event {
	return room.Event{
		Room: roomID, Seq: seq, Type: "test.note",
		At:    time.Date(2026, 11, 25, 9, 0, 0, int(seq)*1000, time.UTC),
		Actor: room.System, Data: []byte(fmt.Sprintf(`{"n":%d}`, seq)),
	}
}

// Subscribe subscribes r to roomID on b and unsubscribes when tb ends.
func Subscribe(tb testing.TB, b hub.Broker, roomID string, r hub.Receiver) func() {
	tb.Helper()
	unsub, err := b.Subscribe(context.Background(), roomID, r)
	if err != nil {
		tb.Fatalf("subscribe %s: %v", roomID, err)
	}
	tb.Cleanup(unsub)
	return unsub
}

// Publish publishes ev on b, failing tb on error.
func Publish(tb testing.TB, b hub.Broker, ev room.Event) {
	tb.Helper()
	if err := b.Publish(context.Background(), ev); err != nil {
		tb.Fatalf("publish %s #%d: %v", ev.Room, ev.Seq, err)
	}
}

func sameEvent(a, b room.Event) bool {
	return a.Room == b.Room && a.Seq == b.Seq && a.Type == b.Type && a.At.Equal(b.At) &&
		a.Actor == b.Actor && string(a.Data) == string(b.Data)
}

func testDeliversToTheRoomOnly(t *testing.T, a, b hub.Broker) {
	mine, other := room.NewID("rm"), room.NewID("rm")
	got, elsewhere := NewRecorder(), NewRecorder()
	Subscribe(t, b, mine, got)
	Subscribe(t, b, other, elsewhere)
	Publish(t, a, Event(mine, 1))
	Publish(t, a, Event(other, 7))
	evs := got.WaitFor(t, 1)
	if !sameEvent(evs[0], Event(mine, 1)) {
		t.Fatalf("received %+v, want %+v", evs[0], Event(mine, 1))
	}
	// The other room's event is a marker: once it arrived there, the first
	// room's subscriber has had the chance to receive it too.
	elsewhere.WaitFor(t, 1)
	publishMarker(t, a, mine, got, 2)
	for _, ev := range got.Events() {
		if ev.Room != mine {
			t.Fatalf("a subscriber of %s received an event of %s", mine, ev.Room)
		}
	}
}

// publishMarker publishes event seq of roomID and waits for r to get it.
func publishMarker(t *testing.T, b hub.Broker, roomID string, r *Recorder, seq int64) {
	t.Helper()
	Publish(t, b, Event(roomID, seq))
	deadline := time.After(wait)
	for {
		for _, ev := range r.Events() {
			if ev.Seq == seq {
				return
			}
		}
		select {
		case <-r.notify:
		case <-deadline:
			t.Fatalf("marker #%d never arrived", seq)
		}
	}
}

func testEverySubscriberGetsEveryEvent(t *testing.T, a, b hub.Broker) {
	id := room.NewID("rm")
	rs := []*Recorder{NewRecorder(), NewRecorder(), NewRecorder(), NewRecorder()}
	for i, r := range rs {
		on := a
		if i%2 == 1 {
			on = b
		}
		Subscribe(t, on, id, r)
	}
	const n = 50
	for seq := int64(1); seq <= n; seq++ {
		Publish(t, a, Event(id, seq))
	}
	for i, r := range rs {
		evs := r.WaitFor(t, n)
		if len(evs) != n {
			t.Fatalf("subscriber %d received %d events, want %d", i, len(evs), n)
		}
	}
}

func testOrderOfOnePublisher(t *testing.T, a, b hub.Broker) {
	id := room.NewID("rm")
	r := NewRecorder()
	Subscribe(t, b, id, r)
	const n = 500
	for seq := int64(1); seq <= n; seq++ {
		Publish(t, a, Event(id, seq))
	}
	evs := r.WaitFor(t, n)
	for i, ev := range evs {
		if !sameEvent(ev, Event(id, int64(i+1))) {
			t.Fatalf("event %d is %+v, want seq %d", i, ev, i+1)
		}
	}
}

func testUnsubscribe(t *testing.T, a, b hub.Broker) {
	id := room.NewID("rm")
	gone, stays := NewRecorder(), NewRecorder()
	unsub := Subscribe(t, b, id, gone)
	Subscribe(t, b, id, stays)
	publishMarker(t, a, id, gone, 1)
	unsub()
	unsub() // a second call is harmless
	Publish(t, a, Event(id, 2))
	publishMarker(t, a, id, stays, 3)
	if evs := gone.Events(); len(evs) != 1 {
		t.Fatalf("after unsubscribing: %d events, want 1", len(evs))
	}
}

func testConcurrentSubscribeAndPublish(t *testing.T, a, b hub.Broker) {
	id := room.NewID("rm")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for seq := int64(1); ; seq++ {
			select {
			case <-stop:
				return
			default:
			}
			_ = a.Publish(context.Background(), Event(id, seq))
			// A broker may take publishes faster than it delivers them
			// (the hub's are paced by its store); the race under test is
			// with Subscribe, not a flood.
			time.Sleep(50 * time.Microsecond)
		}
	}()
	for i := 0; i < 20; i++ {
		r := NewRecorder()
		unsub, err := b.Subscribe(context.Background(), id, r)
		if err != nil {
			close(stop)
			wg.Wait()
			t.Fatalf("subscribe: %v", err)
		}
		unsub()
	}
	close(stop)
	wg.Wait()
	// The broker still works after the churn.
	r := NewRecorder()
	Subscribe(t, b, id, r)
	publishMarker(t, a, id, r, 1<<40)
}
