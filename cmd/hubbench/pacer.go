package main

import (
	"math"
	"time"
)

// pacer says how many events to send so far to follow a rate with periodic
// bursts: in every period of length every, the last burstLen runs at burst
// times the rate, the rest at the rate. It is open-loop: the count depends
// on the time only, never on how fast earlier sends went, so a slow hub
// shows as a backlog instead of silently lowering the load.
type pacer struct {
	rate     float64 // events per second outside bursts
	burst    float64 // multiplier during a burst; 1 (or less) for none
	every    time.Duration
	burstLen time.Duration
	sent     int64
}

// bursts reports whether the pacer has bursts at all.
func (p *pacer) bursts() bool {
	return p.burst > 1 && p.every > 0 && p.burstLen > 0 && p.burstLen < p.every
}

// rateAt returns the rate at time t from the start.
func (p *pacer) rateAt(t time.Duration) float64 {
	if p.bursts() && t%p.every >= p.every-p.burstLen {
		return p.rate * p.burst
	}
	return p.rate
}

// expected returns how many events should have been sent by t: the
// integral of the rate from 0 to t.
func (p *pacer) expected(t time.Duration) float64 {
	if t <= 0 {
		return 0
	}
	if !p.bursts() {
		return p.rate * t.Seconds()
	}
	steady := p.every - p.burstLen
	periods := t / p.every
	r := t % p.every
	inBurst := periods*p.burstLen + max(r-steady, 0)
	return p.rate * (t.Seconds() + (p.burst-1)*inBurst.Seconds())
}

// due returns how many events to send at t to catch up with the schedule,
// and counts them as sent.
func (p *pacer) due(t time.Duration) int {
	// The epsilon absorbs float error, so that a whole expected count is
	// not read as one less.
	n := int64(math.Floor(p.expected(t)+1e-9)) - p.sent
	if n <= 0 {
		return 0
	}
	p.sent += n
	return int(n)
}
