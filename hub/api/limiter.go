package api

import (
	"net/http"
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

// limit is one count an attempt goes against: at most n in a window.
type limit struct {
	key string
	n   int
}

// allow counts an attempt against every limit and reports whether it is
// within all of them. An attempt refused by any limit is counted by none:
// while a key is locked, refused attempts do not keep it locked, and do not
// lock the other keys.
func (l *limiter) allow(limits ...limit) bool {
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
	ws := make([]*window, len(limits))
	for i, lim := range limits {
		w := l.counts[lim.key]
		if w == nil || now.Sub(w.start) >= l.window {
			w = &window{start: now}
			l.counts[lim.key] = w
		}
		if w.n >= lim.n {
			return false
		}
		ws[i] = w
	}
	for _, w := range ws {
		w.n++
	}
	return true
}

// perAddress is how many times more attempts one client address may make
// than one (email, address) pair: an office behind one address holds many
// people.
const perAddress = 5

// attempt is the limits of an attempt at what (login, forgot, reset) for
// email (if any) from the client address of r: per (email, address), so
// that nobody elsewhere can lock a user out, and per address.
func (s *Server) attempt(r *http.Request, what, email string) bool {
	ip := s.clientIP(r)
	limits := []limit{{key: what + "-ip:" + ip, n: perAddress * s.limiter.n}}
	if email != "" {
		limits = append(limits, limit{key: what + "-pair:" + email + "|" + ip, n: s.limiter.n})
	}
	return s.limiter.allow(limits...)
}
