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

// session is one go-redis PubSub and the goroutine that reads it. go-redis
// replaces a failed connection under the same PubSub by itself; the broker
// replaces the whole session when a probe fails.
//
// The probe channel is in the first SUBSCRIBE the session sends, before any
// room's channel, and go-redis subscribes every channel again in one
// command on each new connection. So the first confirmation of the probe
// channel comes from the session's first connection, and any later one
// means a new connection whose subscriptions are all in place: the moment
// to tell every receiver to resync.
type session struct {
	b  *Broker
	ps *goredis.PubSub
	// probeSubscribed is set once the probe channel was passed to
	// ps.Subscribe; guarded by b.ctl.
	probeSubscribed bool
	// resyncOnFirst makes the first confirmation of the probe channel a
	// resync too: the session replaces one that went silent.
	resyncOnFirst bool
	// confirmed is set at the first confirmation of the probe channel;
	// only the reading goroutine uses it.
	confirmed bool
	stop      chan struct{}
	exited    chan struct{}
}

func (b *Broker) newSession(ps *goredis.PubSub, resyncOnFirst bool) *session {
	return &session{b: b, ps: ps, resyncOnFirst: resyncOnFirst, stop: make(chan struct{}), exited: make(chan struct{})}
}

// Backoff between failed reads, while go-redis cannot reconnect.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = 2 * time.Second
)

// run reads the pub/sub connection until close.
func (s *session) run() {
	defer s.b.wg.Done()
	defer close(s.exited)
	var (
		buf     []hub.Receiver
		backoff time.Duration
	)
	for {
		msg, err := s.ps.Receive(context.Background())
		select {
		case <-s.stop:
			return
		default:
		}
		if err != nil {
			// go-redis has dropped the connection and opens a new one on
			// the next read; the probe channel's confirmation on it tells
			// when the subscriptions are back.
			if backoff == 0 {
				s.b.log.Warn().Err(err).Msg("pub/sub connection lost")
				backoff = minBackoff
			} else {
				s.b.log.Debug().Err(err).Msg("pub/sub connection still down")
				backoff = min(2*backoff, maxBackoff)
			}
			t := time.NewTimer(backoff)
			select {
			case <-s.stop:
				t.Stop()
				return
			case <-t.C:
			}
			continue
		}
		backoff = 0
		switch m := msg.(type) {
		case *goredis.Message:
			buf = s.b.dispatch(m, buf)
		case *goredis.Subscription:
			s.subscribed(m)
		case *goredis.Pong:
			s.b.answered(m.Payload)
		}
	}
}

// subscribed handles a subscription confirmation.
func (s *session) subscribed(m *goredis.Subscription) {
	if m.Kind != "subscribe" || m.Channel != s.b.probeChannel {
		return
	}
	again := s.confirmed
	s.confirmed = true
	switch {
	case again:
		s.b.stats.reconnects.Add(1)
		s.b.resyncAll("pub/sub connection re-established")
	case s.resyncOnFirst:
		s.b.resyncAll("pub/sub connection replaced after a failed probe")
	}
}

// close stops the session and waits for its goroutine.
func (s *session) close() {
	close(s.stop)
	_ = s.ps.Close()
	<-s.exited
}

// dispatch passes a message to the local receivers of its room, using
// buf (returned, emptied, for reuse) to call them outside b.mu.
func (b *Broker) dispatch(m *goredis.Message, buf []hub.Receiver) []hub.Receiver {
	if m.Channel == b.probeChannel {
		b.probeEchoed(m.Payload)
		return buf
	}
	roomID, ok := strings.CutPrefix(m.Channel, b.roomPrefix)
	if !ok {
		b.stats.malformed.Add(1)
		b.log.Warn().Str("channel", m.Channel).Msg("message on an unknown channel dropped")
		return buf
	}
	env, err := decode(roomID, m.Payload)
	if err != nil {
		b.stats.malformed.Add(1)
		b.log.Warn().Err(err).Str("room", roomID).Int("bytes", len(m.Payload)).Msg("malformed message dropped")
		return buf
	}
	if env.Origin == b.origin {
		return buf // delivered locally when it was published
	}
	ev := env.Event
	b.stats.received.Add(1)
	b.mu.RLock()
	for sub := range b.rooms[roomID] {
		buf = append(buf, sub.r)
	}
	b.mu.RUnlock()
	for _, r := range buf {
		r.Receive(ev)
	}
	clear(buf)
	return buf[:0]
}

// decode reads the event published on the channel of roomID.
func decode(roomID, payload string) (envelope, error) {
	var env envelope
	if err := json.Unmarshal([]byte(payload), &env); err != nil {
		return env, fmt.Errorf("decode event: %w", err)
	}
	if env.Event.Room != roomID {
		return env, fmt.Errorf("event of room %q on the channel of room %q", env.Event.Room, roomID)
	}
	return env, nil
}
