package main

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestPacerSteady(t *testing.T) {
	p := &pacer{rate: 200, burst: 1, every: 5 * time.Second, burstLen: time.Second}
	total := 0
	for at := tick; at <= time.Second; at += tick {
		n := p.due(at)
		if n != 1 {
			t.Fatalf("due(%v) = %d, want 1 (200/s in ticks of 5ms)", at, n)
		}
		total += n
	}
	if total != 200 {
		t.Errorf("sent %d in 1s at 200/s", total)
	}
	if p.due(time.Second) != 0 {
		t.Error("due twice at the same time")
	}
	if got := p.rateAt(4500 * time.Millisecond); got != 200 {
		t.Errorf("rateAt without bursts = %g", got)
	}
}

func TestPacerBursts(t *testing.T) {
	newPacer := func() *pacer {
		return &pacer{rate: 100, burst: 3, every: 5 * time.Second, burstLen: time.Second}
	}
	p := newPacer()
	for _, tc := range []struct {
		at   time.Duration
		want float64
	}{
		{0, 0}, {time.Second, 100}, {4 * time.Second, 400}, {4500 * time.Millisecond, 550},
		{5 * time.Second, 700}, {9 * time.Second, 1100}, {10 * time.Second, 1400}, {11 * time.Second, 1500},
	} {
		if got := p.expected(tc.at); got < tc.want-1e-6 || got > tc.want+1e-6 {
			t.Errorf("expected(%v) = %g, want %g", tc.at, got, tc.want)
		}
	}
	for at, want := range map[time.Duration]float64{
		0: 100, 3999 * time.Millisecond: 100, 4 * time.Second: 300, 4999 * time.Millisecond: 300, 5 * time.Second: 100,
	} {
		if got := p.rateAt(at); got != want {
			t.Errorf("rateAt(%v) = %g, want %g", at, got, want)
		}
	}

	// Whatever the steps, the sends add up to the schedule: none lost to
	// rounding, none twice.
	r := rand.New(rand.NewPCG(3, 4))
	p = newPacer()
	total, burstSends := 0, 0
	for at := time.Duration(0); at < 10*time.Second; {
		at = min(at+time.Duration(r.IntN(20_000_000)), 10*time.Second)
		n := p.due(at)
		if n < 0 {
			t.Fatalf("due(%v) = %d", at, n)
		}
		total += n
		if at%(5*time.Second) > 4*time.Second {
			burstSends += n
		}
	}
	if total != 1400 {
		t.Errorf("sent %d in 10s, want 1400 (8s at 100/s, 2s at 300/s)", total)
	}
	if burstSends < 500 {
		t.Errorf("sent %d during the bursts, want about 600", burstSends)
	}
}

func TestPacerZeroRate(t *testing.T) {
	p := &pacer{rate: 0, burst: 2, every: time.Second, burstLen: 100 * time.Millisecond}
	if n := p.due(time.Hour); n != 0 {
		t.Errorf("due at rate 0 = %d", n)
	}
}
