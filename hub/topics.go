package hub

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/room"
)

// subscriber is one WebSocket's place in a room's fan-out: a bounded queue
// that the broadcast never waits on.
type subscriber struct {
	metrics *metrics
	queue   chan encoded
	// resync has a value when the connection must read the log from the
	// store: the broker may have missed events, or the queue overflowed
	// and dropped some. The log is durable, so a connection that falls
	// behind catches up at its own pace instead of holding memory or the
	// broadcast; one that stops reading altogether is closed by the write
	// deadline.
	resync chan struct{}
}

func (s *subscriber) deliver(ev encoded) {
	select {
	case s.queue <- ev:
	default:
		s.needResync(resyncOverflow)
	}
}

func (s *subscriber) needResync(reason string) {
	select {
	case s.resync <- struct{}{}:
		s.metrics.resyncs.WithLabelValues(reason).Inc()
	default: // one pending resync covers this one too
	}
}

// topic is the set of local subscribers of one room, with the one broker
// subscription they share.
type topic struct {
	metrics     *metrics
	mu          sync.RWMutex
	subs        map[*subscriber]struct{}
	unsubscribe func()
}

var _ Receiver = (*topic)(nil)

// Resync implements Receiver: every local subscriber catches up from the
// store.
func (t *topic) Resync() {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for s := range t.subs {
		s.needResync(resyncBroker)
	}
}

// Receive implements Receiver: it hands ev to every local subscriber
// without waiting on any. The event is encoded once here, not once per
// connection.
func (t *topic) Receive(ev room.Event) {
	t.metrics.observeLag(ev, time.Now())
	raw, err := json.Marshal(ev)
	if err != nil {
		return // an Event always encodes; nothing sensible to do otherwise
	}
	e := encoded{Event: ev, raw: raw}
	t.mu.RLock()
	defer t.mu.RUnlock()
	for s := range t.subs {
		s.deliver(e)
	}
}

// encoded is an event with its JSON frame.
type encoded struct {
	room.Event
	raw []byte
}

// topics subscribes this instance to a room on the broker while it has at
// least one local subscriber in that room.
type topics struct {
	metrics *metrics
	broker  Broker
	log     zerolog.Logger
	mu      sync.Mutex
	rooms   map[string]*topic
}

func newTopics(b Broker, log zerolog.Logger) *topics {
	return &topics{broker: b, log: log, rooms: map[string]*topic{}}
}

// join adds a subscriber to roomID with a queue of size n. Call leave with
// the same values when done.
func (ts *topics) join(ctx context.Context, roomID string, n int) (*subscriber, error) {
	s := &subscriber{metrics: ts.metrics, queue: make(chan encoded, n), resync: make(chan struct{}, 1)}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t := ts.rooms[roomID]
	if t == nil {
		t = &topic{metrics: ts.metrics, subs: map[*subscriber]struct{}{}}
		unsub, err := ts.broker.Subscribe(ctx, roomID, t)
		if err != nil {
			return nil, err
		}
		t.unsubscribe = unsub
		ts.rooms[roomID] = t
	}
	t.mu.Lock()
	t.subs[s] = struct{}{}
	t.mu.Unlock()
	return s, nil
}

func (ts *topics) leave(roomID string, s *subscriber) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t := ts.rooms[roomID]
	if t == nil {
		return
	}
	t.mu.Lock()
	delete(t.subs, s)
	empty := len(t.subs) == 0
	t.mu.Unlock()
	if empty {
		delete(ts.rooms, roomID)
		t.unsubscribe()
	}
}

// count is how many rooms have local subscribers.
func (ts *topics) count() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return len(ts.rooms)
}
