package hub

import (
	"context"
	"sync"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/room"
)

// listener is one local consumer of a topic: a room socket's queue, or a
// feed socket's wake-up. Its methods must not block.
type listener interface {
	receive(ev room.Event, raw []byte)
	resync()
}

// topic is the set of local listeners of one topic, with the one broker
// subscription they share.
type topic struct {
	metrics     *metrics
	encode      bool // whether listeners want each event's JSON (room topics)
	mu          sync.RWMutex
	listeners   map[listener]struct{}
	unsubscribe func()
}

var _ Receiver = (*topic)(nil)

// Receive implements Receiver: it hands ev to every local listener without
// waiting on any. The event is encoded once here, not once per connection.
func (t *topic) Receive(ev room.Event) {
	var raw []byte
	if t.encode {
		t.metrics.observeLag(ev)
		var err error
		if raw, err = encodeEvent(ev); err != nil {
			return // an Event always encodes; nothing sensible to do otherwise
		}
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	for l := range t.listeners {
		l.receive(ev, raw)
	}
}

// Resync implements Receiver: every local listener catches up from the
// store.
func (t *topic) Resync() {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for l := range t.listeners {
		l.resync()
	}
}

// topics subscribes this instance to a topic on the broker while it has at
// least one local listener on it: rooms and account feeds alike.
type topics struct {
	metrics *metrics
	broker  Broker
	log     zerolog.Logger
	mu      sync.Mutex
	byName  map[string]*topic
}

func newTopics(b Broker, m *metrics, log zerolog.Logger) *topics {
	return &topics{broker: b, metrics: m, log: log, byName: map[string]*topic{}}
}

// join adds l to the topic name. Call leave with the same values when done.
func (ts *topics) join(ctx context.Context, name string, l listener, encode bool) error {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t := ts.byName[name]
	if t == nil {
		t = &topic{metrics: ts.metrics, encode: encode, listeners: map[listener]struct{}{}}
		unsub, err := ts.broker.Subscribe(ctx, name, t)
		if err != nil {
			return err
		}
		t.unsubscribe = unsub
		ts.byName[name] = t
	}
	t.mu.Lock()
	t.listeners[l] = struct{}{}
	t.mu.Unlock()
	return nil
}

// leave removes l from the topic name, and unsubscribes from the broker
// when it was the last local listener.
func (ts *topics) leave(name string, l listener) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t := ts.byName[name]
	if t == nil {
		return
	}
	t.mu.Lock()
	delete(t.listeners, l)
	empty := len(t.listeners) == 0
	t.mu.Unlock()
	if empty {
		delete(ts.byName, name)
		t.unsubscribe()
	}
}

// rooms is how many room topics have local listeners.
func (ts *topics) rooms() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	n := 0
	for _, t := range ts.byName {
		if t.encode {
			n++
		}
	}
	return n
}
