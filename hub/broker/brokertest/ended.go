package brokertest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/room"
)

// EndedRecorder is a hub.EndedReceiver that keeps what it receives.
type EndedRecorder struct {
	mu      sync.Mutex
	signals []hub.Ended
	resyncs int
	notify  chan struct{}
}

var _ hub.EndedReceiver = (*EndedRecorder)(nil)

// NewEndedRecorder returns an empty EndedRecorder.
func NewEndedRecorder() *EndedRecorder { return &EndedRecorder{notify: make(chan struct{}, 1)} }

// Ended implements hub.EndedReceiver.
func (r *EndedRecorder) Ended(e hub.Ended) {
	r.mu.Lock()
	r.signals = append(r.signals, hub.Ended{Keys: slices.Clone(e.Keys)})
	r.mu.Unlock()
	r.poke()
}

// Resync implements hub.EndedReceiver.
func (r *EndedRecorder) Resync() {
	r.mu.Lock()
	r.resyncs++
	r.mu.Unlock()
	r.poke()
}

func (r *EndedRecorder) poke() {
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// Signals returns a copy of what r received so far.
func (r *EndedRecorder) Signals() []hub.Ended {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.signals)
}

// Resyncs is how many times r was told to resync.
func (r *EndedRecorder) Resyncs() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.resyncs
}

// WaitFor waits until r holds a signal naming key, failing tb after a
// while, and returns that signal.
func (r *EndedRecorder) WaitFor(tb testing.TB, key string) hub.Ended {
	tb.Helper()
	deadline := time.After(wait)
	for {
		for _, e := range r.Signals() {
			if slices.Contains(e.Keys, key) {
				return e
			}
		}
		select {
		case <-r.notify:
		case <-deadline:
			tb.Fatalf("no signal named %s; received %v", key, r.Signals())
		}
	}
}

// SubscribeEnded subscribes r to the Ended signals of b and unsubscribes
// when tb ends.
func SubscribeEnded(tb testing.TB, b hub.Broker, r hub.EndedReceiver) func() {
	tb.Helper()
	unsub, err := b.SubscribeEnded(context.Background(), r)
	if err != nil {
		tb.Fatalf("subscribe to ended credentials: %v", err)
	}
	tb.Cleanup(unsub)
	return unsub
}

// PublishEnded publishes e on b, failing tb on error.
func PublishEnded(tb testing.TB, b hub.Broker, e hub.Ended) {
	tb.Helper()
	if err := b.PublishEnded(context.Background(), e); err != nil {
		tb.Fatalf("publish ended %v: %v", e.Keys, err)
	}
}

// testEnded checks the Ended signal: it reaches every subscriber of
// every instance, the publisher's own included, with its keys as
// published, whichever instance publishes; and not a subscriber that
// left. It is not an event: no topic's subscriber receives it.
func testEnded(t *testing.T, a, b hub.Broker) {
	onA, onB, gone := NewEndedRecorder(), NewEndedRecorder(), NewEndedRecorder()
	SubscribeEnded(t, a, onA)
	SubscribeEnded(t, b, onB)
	unsub := SubscribeEnded(t, b, gone)
	tp := kinds[0].new()
	events := NewRecorder()
	Subscribe(t, b, tp.name, events)

	first := hub.Ended{Keys: []string{room.NewID("tk"), room.NewID("ln")}}
	PublishEnded(t, a, first)
	for name, r := range map[string]*EndedRecorder{"publisher's": onA, "other's": onB, "second": gone} {
		if got := r.WaitFor(t, first.Keys[0]); !slices.Equal(got.Keys, first.Keys) {
			t.Fatalf("the %s subscriber received %v, want %v", name, got.Keys, first.Keys)
		}
	}
	unsub()
	unsub() // a second call is harmless
	second := hub.Ended{Keys: []string{room.NewID("tk")}}
	PublishEnded(t, b, second)
	onA.WaitFor(t, second.Keys[0])
	onB.WaitFor(t, second.Keys[0])
	for _, e := range gone.Signals() {
		if slices.Contains(e.Keys, second.Keys[0]) {
			t.Fatal("a subscriber that left received a signal")
		}
	}
	// The marker event goes after the signals: once it arrived, a
	// signal delivered as an event would have arrived too.
	publishMarker(t, a, tp, events, 1)
	if evs := events.Events(); len(evs) != 1 {
		t.Fatalf("a topic's subscriber received %d events, want 1 (signals are not events)", len(evs))
	}
}
