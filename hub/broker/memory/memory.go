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
	mu    sync.RWMutex
	subs  map[string]map[*subscription]struct{}
	ended map[*endedSubscription]struct{}
}

type subscription struct {
	r hub.Receiver
}

type endedSubscription struct {
	r hub.EndedReceiver
}

// New returns an empty Broker.
func New() *Broker {
	return &Broker{subs: map[string]map[*subscription]struct{}{}, ended: map[*endedSubscription]struct{}{}}
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

// PublishEnded implements hub.Broker: every subscriber gets e before it
// returns.
func (b *Broker) PublishEnded(_ context.Context, e hub.Ended) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for s := range b.ended {
		s.r.Ended(e)
	}
	return nil
}

// SubscribeEnded implements hub.Broker. It never calls Resync.
func (b *Broker) SubscribeEnded(_ context.Context, r hub.EndedReceiver) (func(), error) {
	s := &endedSubscription{r: r}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ended[s] = struct{}{}
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			delete(b.ended, s)
		})
	}, nil
}
