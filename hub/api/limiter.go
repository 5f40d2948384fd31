package api

import (
	"sync"
	"time"
)

// limiter counts attempts per key in fixed windows: at most n per window.
// It protects login and password reset from guessing. It is per process;
// across instances each instance allows n, which still bounds guessing.
type limiter struct {
	mu     sync.Mutex
	n      int
	window time.Duration
	now    func() time.Time
	counts map[string]*window
	swept  time.Time
}

type window struct {
	start time.Time
	n     int
}

func newLimiter(n int, per time.Duration, now func() time.Time) *limiter {
	return &limiter{n: n, window: per, now: now, counts: map[string]*window{}}
}

// allow counts an attempt for every key and reports whether all of them
// are within their limit.
func (l *limiter) allow(keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.swept) > l.window {
		for k, w := range l.counts {
			if now.Sub(w.start) >= l.window {
				delete(l.counts, k)
			}
		}
		l.swept = now
	}
	ok := true
	for _, k := range keys {
		w := l.counts[k]
		if w == nil || now.Sub(w.start) >= l.window {
			w = &window{start: now}
			l.counts[k] = w
		}
		w.n++
		if w.n > l.n {
			ok = false
		}
	}
	return ok
}
