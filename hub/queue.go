package hub

import "sync"

// queue is a room socket's place in the fan-out: a bounded list of live
// events that the broadcast never waits on. It holds memory only for what
// is queued. When it is full, the event is dropped and the socket reads
// the log from the store instead (flagResync): the log is durable, so a
// connection that falls behind catches up at its own pace instead of
// holding memory or the broadcast; one that stops reading altogether is
// closed by the write deadline.
type queue struct {
	mu     sync.Mutex
	items  []encoded
	limit  int
	ready  chan struct{} // has a value while items is not empty
	resync chan struct{} // has a value when the socket must read the store
}

func newQueue(limit int) *queue {
	return &queue{limit: limit, ready: make(chan struct{}, 1), resync: make(chan struct{}, 1)}
}

// push adds ev, or reports false when the queue is full.
func (q *queue) push(ev encoded) bool {
	q.mu.Lock()
	if len(q.items) >= q.limit {
		q.mu.Unlock()
		return false
	}
	q.items = append(q.items, ev)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
	return true
}

// drain takes every queued event, oldest first.
func (q *queue) drain() []encoded {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.items
	q.items = nil
	return out
}

// flagResync asks the socket to read the store, and reports whether this
// call asked (one pending resync covers the next ones).
func (q *queue) flagResync() bool {
	select {
	case q.resync <- struct{}{}:
		return true
	default:
		return false
	}
}
