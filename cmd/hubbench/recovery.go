package main

import (
	"context"
	"sync/atomic"
	"time"
)

// recoveryStats are the figures of the recovery phase.
type recoveryStats struct {
	dropped  int
	resumed  atomic.Int64
	caught   atomic.Int64
	replayed atomic.Int64 // events the resumed subscriptions had to catch up on
	away     time.Duration
	times    latencies // resume → caught up
}

// recoveryPhase drops some subscriptions, keeps publishing while they are away,
// then resumes them from their last seq and waits for them to catch up.
func (b *bench) recoveryPhase(ctx context.Context) {
	n := min(b.cfg.Recover, len(b.conns))
	picked := make([]*conn, 0, n)
	for i := range n { // spread over the rooms, agents and customers alike
		picked = append(picked, b.conns[i*len(b.conns)/n])
	}
	b.recovery.dropped = n
	for _, c := range picked {
		c.request(request{act: actDrop})
	}
	start := b.elapsed()
	b.waitFor(10*time.Second, func() bool {
		for _, c := range picked {
			if c.up.Load() {
				return false
			}
		}
		return true
	})
	sleepCtx(ctx, b.cfg.RecoverFor)
	b.recovery.away = b.elapsed() - start
	for _, c := range picked {
		target := c.rm.acked.Load()
		rctx, cancel := context.WithTimeout(b.base, 10*time.Second)
		if s, err := b.agents[0].Room(rctx, c.rm.id); err == nil {
			target = max(target, s.Seq)
		} else {
			b.errs.add("room", err)
		}
		cancel()
		c.request(request{act: actResume, target: target})
	}
	b.waitFor(b.cfg.Drain, func() bool { return b.recovery.caught.Load() >= int64(n) })
}
