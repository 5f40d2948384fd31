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

// Subscribe subscribes r to topic on b and unsubscribes when tb ends.
func Subscribe(tb testing.TB, b hub.Broker, topic string, r hub.Receiver) func() {
	tb.Helper()
	unsub, err := b.Subscribe(context.Background(), topic, r)
	if err != nil {
		tb.Fatalf("subscribe %s: %v", topic, err)
	}
	tb.Cleanup(unsub)
	return unsub
}

// Publish publishes ev on topic on b, failing tb on error.
func Publish(tb testing.TB, b hub.Broker, topic string, ev room.Event) {
	tb.Helper()
	if err := b.Publish(context.Background(), topic, ev); err != nil {
		tb.Fatalf("publish %s #%d on %s: %v", ev.Room, ev.Seq, topic, err)
	}
}
