package redis

import (
	"context"
	"strconv"
	"time"
)

// probe is a message the broker published to itself and waits for.
type probe struct {
	token   string
	arrived chan struct{}
}

// probeLoop probes the subscription every ProbeInterval and replaces the
// pub/sub connection when a probe is lost.
func (b *Broker) probeLoop() {
	defer b.wg.Done()
	t := time.NewTicker(b.opts.ProbeInterval)
	defer t.Stop()
	var publishFailing bool
	for {
		select {
		case <-b.ctx.Done():
			return
		case <-t.C:
		}
		lost, err := b.runProbe()
		switch {
		case err != nil && !publishFailing:
			// Redis is unreachable from this instance: go-redis reconnects
			// the pub/sub connection once it is back.
			b.log.Warn().Err(err).Msg("probe: publish")
			publishFailing = true
		case err != nil:
			b.log.Debug().Err(err).Msg("probe: publish")
		case publishFailing:
			b.log.Info().Msg("probe: publishing again")
			publishFailing = false
		}
		if lost {
			b.stats.probeFailures.Add(1)
			b.replaceSubConn()
		}
	}
}

// runProbe publishes a probe and reports whether it was lost: not back
// within ProbeTimeout although the connection was not replaced meanwhile.
// With no topic subscribed and no receiver of Ended signals, there is
// nothing to heal and no probe.
func (b *Broker) runProbe() (lost bool, err error) {
	p := &probe{token: strconv.FormatUint(b.tokens.Add(1), 10), arrived: make(chan struct{})}
	b.mu.Lock()
	idle := len(b.topics) == 0 && len(b.ended) == 0
	if !idle {
		b.probe = p
	}
	b.mu.Unlock()
	if idle {
		return false, nil
	}
	defer func() {
		b.mu.Lock()
		b.probe = nil
		b.mu.Unlock()
	}()
	resyncs := b.stats.resyncs.Load()
	ctx, cancel := context.WithTimeout(b.ctx, b.opts.ProbeTimeout)
	defer cancel()
	if err := b.client.Publish(ctx, b.probeChannel, p.token).Err(); err != nil {
		if b.ctx.Err() != nil {
			return false, nil
		}
		return false, err
	}
	select {
	case <-p.arrived:
		return false, nil
	case <-ctx.Done():
	}
	if b.ctx.Err() != nil || b.stats.resyncs.Load() != resyncs {
		// Closed, or go-redis reconnected meanwhile: the next probe tells.
		return false, nil
	}
	return true, nil
}

// probeEchoed records the arrival of a probe.
func (b *Broker) probeEchoed(token string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.probe != nil && b.probe.token == token {
		close(b.probe.arrived)
		b.probe = nil
	}
}

// replaceSubConn closes the subscription connection, which went silent,
// and opens a new one subscribed to the probe channel and every topic's
// channel; the new connection resyncs every receiver once they are
// confirmed.
func (b *Broker) replaceSubConn() {
	b.ctl.Lock()
	defer b.ctl.Unlock()
	if b.closed {
		return
	}
	b.log.Warn().Dur("timeout", b.opts.ProbeTimeout).Msg("subscription went silent: a probe did not come back; opening a new pub/sub connection")
	c := b.newSubConn(b.client.Subscribe(b.ctx), true)
	c.probeSubscribed = true
	b.mu.Lock()
	old := b.conn
	b.conn = c
	channels := []string{b.probeChannel, b.endedChannel}
	for topic := range b.topics {
		channels = append(channels, b.channel(topic))
	}
	b.mu.Unlock()
	old.close()
	b.stats.reconnects.Add(1)
	ctx, cancel := b.writeContext()
	defer cancel()
	if err := c.ps.Subscribe(ctx, channels...); err != nil {
		// go-redis keeps the channels and subscribes them on its next
		// connection.
		b.log.Warn().Err(err).Msg("subscribe on the new pub/sub connection")
	}
	b.wg.Add(1)
	go c.run()
}
