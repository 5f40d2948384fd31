package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/tandemhq/tandem/hub"
)

// endedChannel, after Options.Prefix, is the channel of the Ended signals
// (hub.Broker.PublishEnded). No topic is named so: topics are a room's
// ("room:…") or an account's ("account:…").
const endedChannel = "credentials:ended"

// endedEnvelope is the message on the Ended channel: the signal, as
// {"origin": "…", "keys": ["…", …]}, and the broker that published it,
// which skips its own messages when they come back.
type endedEnvelope struct {
	Origin string `json:"origin"`
	hub.Ended
}

// endedSubscription is one SubscribeEnded call.
type endedSubscription struct {
	r hub.EndedReceiver
}

// PublishEnded implements hub.Broker. It never waits on Redis (the hub
// publishes a revoked link's signal under its room's lock): the local
// receivers get e at once, and the other instances' through Redis, in one
// PUBLISH sent in the background and bounded by Options.Timeout, even
// while the broker closes (ctx ending does not stop it). Signals are rare
// (a sign-out, a revoked link), so unlike events they are not queued for
// another try: a failure is logged, and the other instances, whose
// subscription is likely down too, resync when it is back. It fails only
// after Close, which waits for the PUBLISHes in flight.
func (b *Broker) PublishEnded(ctx context.Context, e hub.Ended) error {
	payload, err := json.Marshal(endedEnvelope{Origin: b.origin, Ended: e})
	if err != nil {
		return fmt.Errorf("publish ended credentials: encode: %w", err)
	}
	if !b.signals.start() {
		return fmt.Errorf("publish ended credentials: %w", ErrClosed)
	}
	b.deliverEnded(e)
	go func() {
		defer b.signals.done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.opts.Timeout)
		defer cancel()
		if err := b.client.Publish(ctx, b.endedChannel, payload).Err(); err != nil {
			b.log.Warn().Err(err).Int("keys", len(e.Keys)).Msg("signal ended credentials; the other instances' credential check catches them")
		}
	}()
	return nil
}

// signals are the Ended PUBLISHes in flight: none starts once Close began
// waiting for them.
type signals struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// start counts a PUBLISH in, unless the broker is closing.
func (s *signals) start() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

func (s *signals) done() { s.wg.Done() }

// close refuses new PUBLISHes and waits for those in flight.
func (s *signals) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.wg.Wait()
}

// SubscribeEnded implements hub.Broker. Every pub/sub connection of the
// broker carries the Ended channel, subscribed with the probe channel;
// SubscribeEnded returns once Redis has confirmed it, and r is told to
// Resync with the topics' receivers whenever the connection is replaced.
func (b *Broker) SubscribeEnded(ctx context.Context, r hub.EndedReceiver) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("subscribe to ended credentials: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, b.opts.Timeout)
	defer cancel()
	sub := &endedSubscription{r: r}
	if err := b.addEnded(sub); err != nil {
		return nil, fmt.Errorf("subscribe to ended credentials: %w", err)
	}
	var once sync.Once
	unsubscribe := func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.ended, sub)
			b.mu.Unlock()
		})
	}
	if err := b.roundTrip(ctx); err != nil {
		unsubscribe()
		return nil, fmt.Errorf("subscribe to ended credentials: wait for confirmation: %w", err)
	}
	return unsubscribe, nil
}

// addEnded registers sub and, on a connection that has subscribed nothing
// yet, subscribes the probe and Ended channels.
func (b *Broker) addEnded(sub *endedSubscription) error {
	b.ctl.Lock()
	defer b.ctl.Unlock()
	if b.closed {
		return ErrClosed
	}
	b.mu.Lock()
	b.ended[sub] = struct{}{}
	c := b.conn
	b.mu.Unlock()
	if c.probeSubscribed {
		return nil
	}
	c.probeSubscribed = true
	ctx, cancel := b.writeContext()
	defer cancel()
	if err := c.ps.Subscribe(ctx, b.probeChannel, b.endedChannel); err != nil {
		// go-redis keeps the channels and subscribes them on its next
		// connection, whose confirmation resyncs sub.
		b.log.Warn().Err(err).Msg("subscribe to ended credentials")
	}
	return nil
}

// receiveEnded passes a signal from Redis to the local receivers, unless
// this broker published it (they had it then).
func (b *Broker) receiveEnded(payload string) {
	var env endedEnvelope
	if err := json.Unmarshal([]byte(payload), &env); err != nil {
		b.stats.malformed.Add(1)
		b.log.Warn().Err(err).Int("bytes", len(payload)).Msg("malformed ended credentials dropped")
		return
	}
	if env.Origin == b.origin {
		return
	}
	b.deliverEnded(env.Ended)
}

// deliverEnded hands e to the local receivers.
func (b *Broker) deliverEnded(e hub.Ended) {
	b.mu.RLock()
	rs := make([]hub.EndedReceiver, 0, len(b.ended))
	for sub := range b.ended {
		rs = append(rs, sub.r)
	}
	b.mu.RUnlock()
	for _, r := range rs {
		r.Ended(e)
	}
}
