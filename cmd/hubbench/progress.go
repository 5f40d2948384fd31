package main

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// startProgress prints a progress line to stderr every second until the
// returned function is called (which may be called more than once).
func (b *bench) startProgress() (stop func()) {
	if b.cfg.Quiet {
		return func() {}
	}
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		var prevSent, prevDeliv, prevAcked int64
		prev := time.Now()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
			}
			now := time.Now()
			secs := now.Sub(prev).Seconds()
			sent, deliv, acked := b.sent.Load(), b.deliveries.Load(), b.acked.Load()
			b.logf("%s", b.progressLine(float64(sent-prevSent)/secs, float64(acked-prevAcked)/secs, float64(deliv-prevDeliv)/secs))
			prevSent, prevDeliv, prevAcked, prev = sent, deliv, acked, now
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(quit); <-done })
	}
}

// progressLine describes the run now; the rates are of the last second.
func (b *bench) progressLine(sentRate, ackedRate, delivRate float64) string {
	var s strings.Builder
	ph := phase(b.phase.Load())
	fmt.Fprintf(&s, "hubbench %6.1fs  %-8s  conns %d", b.elapsed().Seconds(), ph, b.open.Load())
	if ph == phaseSetup {
		b.mu.Lock()
		ready := len(b.rooms)
		b.mu.Unlock()
		fmt.Fprintf(&s, "  rooms %d created, %d ready of %d", b.created.Load(), ready, b.cfg.Rooms)
	} else {
		fmt.Fprintf(&s, "  sent %.0f/s  acked %.0f/s  delivered %.0f/s  p99 %s",
			sentRate, ackedRate, delivRate, fmtMs(ms(b.lat.approx(0.99))))
		if n := b.skipped.Load(); n > 0 {
			fmt.Fprintf(&s, "  skipped %d", n)
		}
	}
	fmt.Fprintf(&s, "  errors %d", b.errs.total.Load())
	return s.String()
}

// fmtMs formats milliseconds with a precision that suits their size.
func fmtMs(v float64) string {
	switch {
	case v < 10:
		return fmt.Sprintf("%.2fms", v)
	case v < 100:
		return fmt.Sprintf("%.1fms", v)
	}
	return fmt.Sprintf("%.0fms", v)
}
