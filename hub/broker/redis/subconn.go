package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tandemhq/tandem/hub"
)

// subConn is the broker's subscription connection: one go-redis PubSub and
// the goroutine that reads it. go-redis replaces a failed network
// connection under the same PubSub by itself; the broker replaces the
// whole subConn when a probe fails.
//
// The probe channel is in the first SUBSCRIBE the subConn sends, before
// any topic's channel, and go-redis subscribes every channel again in one
// command on each new network connection. So the first confirmation of the
// probe channel comes from the first network connection, and any later one
// means a new network connection whose subscriptions are all in place: the
// moment to tell every receiver to resync.
type subConn struct {
	b  *Broker
	ps *goredis.PubSub
	// probeSubscribed is set once the probe channel was passed to
	// ps.Subscribe; guarded by b.ctl.
	probeSubscribed bool
	// resyncOnFirst makes the first confirmation of the probe channel a
	// resync too: this subConn replaces one that went silent.
	resyncOnFirst bool
	// confirmed is set at the first confirmation of the probe channel;
	// only the reading goroutine uses it.
	confirmed bool
	stop      chan struct{}
	exited    chan struct{}
}

func (b *Broker) newSubConn(ps *goredis.PubSub, resyncOnFirst bool) *subConn {
	return &subConn{b: b, ps: ps, resyncOnFirst: resyncOnFirst, stop: make(chan struct{}), exited: make(chan struct{})}
}

// Backoff between failed reads, while go-redis cannot reconnect.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = 2 * time.Second
)

// run reads the pub/sub connection until close.
func (c *subConn) run() {
	defer c.b.wg.Done()
	defer close(c.exited)
	var (
		buf     []hub.Receiver
		backoff time.Duration
	)
	for {
		msg, err := c.ps.Receive(context.Background())
		select {
		case <-c.stop:
			return
		default:
		}
		if err != nil {
			// go-redis has dropped the connection and opens a new one on
			// the next read; the probe channel's confirmation on it tells
			// when the subscriptions are back.
			if backoff == 0 {
				c.b.log.Warn().Err(err).Msg("pub/sub connection lost")
				backoff = minBackoff
			} else {
				c.b.log.Debug().Err(err).Msg("pub/sub connection still down")
				backoff = min(2*backoff, maxBackoff)
			}
			t := time.NewTimer(backoff)
			select {
			case <-c.stop:
				t.Stop()
				return
			case <-t.C:
			}
			continue
		}
		backoff = 0
		switch m := msg.(type) {
		case *goredis.Message:
			buf = c.b.dispatch(m, buf)
		case *goredis.Subscription:
			c.subscribed(m)
		case *goredis.Pong:
			c.b.answered(m.Payload)
		}
	}
}

// subscribed handles a subscription confirmation.
func (c *subConn) subscribed(m *goredis.Subscription) {
	if m.Kind != "subscribe" || m.Channel != c.b.probeChannel {
		return
	}
	again := c.confirmed
	c.confirmed = true
	switch {
	case again:
		c.b.stats.reconnects.Add(1)
		c.b.resyncAll("pub/sub connection re-established")
	case c.resyncOnFirst:
		c.b.resyncAll("pub/sub connection replaced after a failed probe")
	}
}

// close stops the subscription connection and waits for its goroutine.
func (c *subConn) close() {
	close(c.stop)
	_ = c.ps.Close()
	<-c.exited
}

// dispatch passes a message to the local receivers of its topic, using
// buf (returned, emptied, for reuse) to call them outside b.mu.
func (b *Broker) dispatch(m *goredis.Message, buf []hub.Receiver) []hub.Receiver {
	if m.Channel == b.probeChannel {
		b.probeEchoed(m.Payload)
		return buf
	}
	if m.Channel == b.endedChannel {
		b.receiveEnded(m.Payload)
		return buf
	}
	topic, ok := strings.CutPrefix(m.Channel, b.opts.Prefix)
	if !ok {
		b.stats.malformed.Add(1)
		b.log.Warn().Str("channel", m.Channel).Msg("message on an unknown channel dropped")
		return buf
	}
	env, err := decode(topic, m.Payload)
	if err != nil {
		b.stats.malformed.Add(1)
		b.log.Warn().Err(err).Str("topic", topic).Int("bytes", len(m.Payload)).Msg("malformed message dropped")
		return buf
	}
	if env.Origin == b.origin {
		return buf // delivered locally when it was published
	}
	ev := env.Event
	b.stats.received.Add(1)
	b.mu.RLock()
	for sub := range b.topics[topic] {
		buf = append(buf, sub.r)
	}
	b.mu.RUnlock()
	for _, r := range buf {
		r.Receive(ev)
	}
	clear(buf)
	return buf[:0]
}

// decode reads the event published on the channel of topic.
func decode(topic, payload string) (envelope, error) {
	var env envelope
	if err := json.Unmarshal([]byte(payload), &env); err != nil {
		return env, fmt.Errorf("decode event: %w", err)
	}
	if env.Topic != topic {
		return env, fmt.Errorf("message of topic %q on the channel of topic %q", env.Topic, topic)
	}
	return env, nil
}
