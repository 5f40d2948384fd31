package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/room"
)

// Limits of the publisher.
const (
	// maxBatch is the most messages sent in one pipeline.
	maxBatch = 256
	// maxPending is the most topics kept waiting for a re-publish; beyond
	// it, a topic's subscribers elsewhere heal at its next event or at the
	// resync that follows Redis coming back.
	maxPending = 1 << 16
	// retry backoff while publishing fails.
	minRetry, maxRetry = 100 * time.Millisecond, 2 * time.Second
)

// envelope is the message on a topic's channel: the topic, the event, and
// the broker that published it, which skips its own messages when they
// come back.
type envelope struct {
	Origin string     `json:"origin"`
	Topic  string     `json:"topic"`
	Event  room.Event `json:"event"`
}

// outgoing is a queued message.
type outgoing struct {
	topic   string
	ev      room.Event
	payload []byte
}

// Publish implements hub.Broker. It never waits on Redis: the topic's
// local receivers get ev at once, and the event is queued for the
// publishing goroutine, which sends the queue in pipelined batches. It
// fails only after Close.
func (b *Broker) Publish(_ context.Context, topic string, ev room.Event) error {
	if b.ctx.Err() != nil {
		return fmt.Errorf("publish event %d of room %s on %s: %w", ev.Seq, ev.Room, topic, ErrClosed)
	}
	payload, err := json.Marshal(envelope{Origin: b.origin, Topic: topic, Event: ev})
	if err != nil {
		return fmt.Errorf("publish event %d of room %s on %s: encode: %w", ev.Seq, ev.Room, topic, err)
	}
	b.deliverLocal(topic, ev)
	o := outgoing{topic: topic, ev: ev, payload: payload}
	select {
	case b.queue <- o:
	default:
		// A full queue means Redis has been slow for a while: keep the
		// topic's newest event for a re-publish rather than wait.
		b.stats.publishErrors.Add(1)
		b.setPending(o)
	}
	return nil
}

// deliverLocal hands ev to the topic's receivers on this broker.
func (b *Broker) deliverLocal(topic string, ev room.Event) {
	var arr [4]hub.Receiver
	rs := arr[:0]
	b.mu.RLock()
	for sub := range b.topics[topic] {
		rs = append(rs, sub.r)
	}
	b.mu.RUnlock()
	for _, r := range rs {
		r.Receive(ev)
	}
}

// setPending keeps o as its topic's event to publish again, unless a
// newer one is kept already. Only the newest matters: a receiver elsewhere
// that sees it fetches whatever it missed before it from the store. Of two
// events of one room, the newer has the higher seq (publishes of one room
// may race each other); of two rooms' events on one topic (an account's),
// it is the one published last.
func (b *Broker) setPending(o outgoing) {
	b.pendMu.Lock()
	defer b.pendMu.Unlock()
	if cur, ok := b.pending[o.topic]; ok {
		if cur.ev.Room != o.ev.Room || cur.ev.Seq < o.ev.Seq {
			b.pending[o.topic] = o
		}
		return
	}
	if len(b.pending) >= maxPending {
		b.stats.pendingDropped.Add(1)
		return
	}
	b.pending[o.topic] = o
}

// takePending empties the pending set into buf.
func (b *Broker) takePending(buf []outgoing) []outgoing {
	b.pendMu.Lock()
	defer b.pendMu.Unlock()
	for topic, o := range b.pending {
		buf = append(buf, o)
		delete(b.pending, topic)
	}
	return buf
}

// publishLoop sends what Publish queues, and what failed, until Close; it
// then makes one last attempt with what is still queued.
func (b *Broker) publishLoop() {
	defer b.wg.Done()
	var (
		batch, again []outgoing
		failing      bool
		backoff      time.Duration
	)
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	for {
		batch = batch[:0]
		select {
		case o := <-b.queue:
			batch = append(batch, o)
		case <-retry.C:
		case <-b.ctx.Done():
			batch = b.drain(batch)
			if len(batch) > 0 {
				_ = b.send(batch)
			}
			return
		}
		batch = b.drain(batch)
		again = b.takePending(again[:0])
		err := b.send(append(again, batch...))
		if err == nil {
			b.stats.published.Add(uint64(len(batch)))
			b.stats.republished.Add(uint64(len(again)))
			if failing {
				b.log.Info().Msg("publishing to Redis works again; events kept for re-publish sent")
				failing = false
			}
			backoff = 0
			continue
		}
		// The events are durable in the store; keep each topic's newest to
		// publish again, so that receivers elsewhere whose subscription
		// never dropped still learn of them.
		b.stats.publishErrors.Add(uint64(len(batch)))
		for _, o := range again {
			b.setPending(o)
		}
		for _, o := range batch {
			b.setPending(o)
		}
		if !failing {
			b.log.Warn().Err(err).Int("events", len(batch)).Msg("publishing to Redis fails; the events are durable, and each topic's newest is published again once Redis answers")
			failing = true
		}
		backoff = min(max(2*backoff, minRetry), maxRetry)
		retry.Reset(backoff)
	}
}

// drain adds to batch, without waiting, what else is queued, up to maxBatch.
func (b *Broker) drain(batch []outgoing) []outgoing {
	for len(batch) < maxBatch {
		select {
		case o := <-b.queue:
			batch = append(batch, o)
		default:
			return batch
		}
	}
	return batch
}

// send publishes msgs in one pipeline, bounded by Options.Timeout.
func (b *Broker) send(msgs []outgoing) error {
	if len(msgs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.opts.Timeout)
	defer cancel()
	_, err := b.client.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for _, o := range msgs {
			p.Publish(ctx, b.channel(o.topic), o.payload)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("publish %d events: %w", len(msgs), err)
	}
	return nil
}
