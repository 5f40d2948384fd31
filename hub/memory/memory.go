// Package memory is the in-process hub.Broker: the default when Tandem runs
// as a single instance. Events published on one hub reach subscribers of
// the same process only.
package memory

import (
	"context"
	"sync"

	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/room"
)

var _ hub.Broker = (*Broker)(nil)

// Broker delivers published events to the subscribers of their room,
// synchronously: subscribers' deliver functions never block.
type Broker struct {
	mu   sync.RWMutex
	subs map[string]map[*subscription]struct{}
}

type subscription struct {
	r hub.Receiver
}

// New returns an empty Broker.
func New() *Broker {
	return &Broker{subs: map[string]map[*subscription]struct{}{}}
}

// Publish implements hub.Broker.
func (b *Broker) Publish(_ context.Context, ev room.Event) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for s := range b.subs[ev.Room] {
		s.r.Receive(ev)
	}
	return nil
}

// Subscribe implements hub.Broker. An in-process broker never misses an
// event, so it never calls Resync.
func (b *Broker) Subscribe(_ context.Context, roomID string, r hub.Receiver) (func(), error) {
	s := &subscription{r: r}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs[roomID] == nil {
		b.subs[roomID] = map[*subscription]struct{}{}
	}
	b.subs[roomID][s] = struct{}{}
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			delete(b.subs[roomID], s)
			if len(b.subs[roomID]) == 0 {
				delete(b.subs, roomID)
			}
		})
	}, nil
}
