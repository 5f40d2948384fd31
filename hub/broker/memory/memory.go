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

// Broker delivers published events to the subscribers of their topic,
// synchronously: receivers never block.
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
func (b *Broker) Publish(_ context.Context, topic string, ev room.Event) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for s := range b.subs[topic] {
		s.r.Receive(ev)
	}
	return nil
}

// Subscribe implements hub.Broker. An in-process broker never misses an
// event, so it never calls Resync.
func (b *Broker) Subscribe(_ context.Context, topic string, r hub.Receiver) (func(), error) {
	s := &subscription{r: r}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs[topic] == nil {
		b.subs[topic] = map[*subscription]struct{}{}
	}
	b.subs[topic][s] = struct{}{}
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			delete(b.subs[topic], s)
			if len(b.subs[topic]) == 0 {
				delete(b.subs, topic)
			}
		})
	}, nil
}
