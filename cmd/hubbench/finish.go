package main

import (
	"context"
	"sync/atomic"
	"time"
)

// finish stops publishing for good, waits for every subscription to reach
// its room's last seq, reads the hubs' figures, closes the subscriptions
// and, unless asked not to, the rooms.
func (b *bench) finish() {
	b.phase.Store(int32(phaseDrain))
	if b.loadEnd == 0 {
		b.loadStart, b.mainEnd, b.loadEnd = b.elapsed(), b.elapsed(), b.elapsed()
		b.delivAtStart, b.delivAtEnd = b.deliveries.Load(), b.deliveries.Load()
		b.ackedAtStart, b.ackedAtEnd = b.acked.Load(), b.acked.Load()
	}
	// Let the hub record the presence of the last churned customers.
	sleepCtx(b.base, 250*time.Millisecond)
	parallel(b.base, b.cfg.Setup, len(b.rooms), func(i int) {
		r := b.rooms[i]
		ctx, cancel := context.WithTimeout(b.base, 10*time.Second)
		defer cancel()
		s, err := b.agents[i%len(b.agents)].Room(ctx, r.id)
		if err != nil {
			b.errs.add("room", err)
			return
		}
		r.final, r.finalOK = s.Seq, true
	})
	start := b.elapsed()
	b.drained = b.waitFor(b.cfg.Drain, b.caughtUp)
	b.drainTook = b.elapsed() - start
	if len(b.rooms) > 0 {
		b.scrapeAll(keepFinal)
	}

	for _, c := range b.conns {
		c.request(request{act: actStop})
	}
	stopped := make(chan struct{})
	go func() { b.connWG.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(15 * time.Second): // close handshakes that hang, say
		b.subCancel()
		<-stopped
	}
	b.phase.Store(int32(phaseDone))
	if !b.cfg.KeepRooms {
		b.closeRooms()
	}
}

// caughtUp reports whether every subscription has reached its room's
// final seq.
func (b *bench) caughtUp() bool {
	for _, c := range b.conns {
		if c.rm.finalOK && c.last.Load() < c.rm.final {
			return false
		}
	}
	return true
}

// closeRooms ends the run's sessions, so they do not linger in the
// console. It is best effort, bounded to a minute.
func (b *bench) closeRooms() {
	ctx, cancel := context.WithTimeout(b.base, time.Minute)
	defer cancel()
	var failed atomic.Int64
	parallel(ctx, b.cfg.Setup, len(b.rooms), func(i int) {
		if _, err := b.agents[i%len(b.agents)].CloseRoom(ctx, b.rooms[i].id, "hubbench finished"); err != nil {
			failed.Add(1)
		}
	})
	if n := failed.Load(); n > 0 {
		b.logf("hubbench: could not close %d of %d rooms (they stay open; that is all)", n, len(b.rooms))
	}
}

// waitFor polls cond until it holds or d has passed, and reports whether
// it held.
func (b *bench) waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}
