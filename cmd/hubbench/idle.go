package main

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// idleReport is what the bench's subscriptions cost a hub while idle: the
// change of its gauges from before the sockets opened (every room created,
// no socket of the bench) to the end of the settle (every socket open,
// nothing published for -settle), in all and per socket. The heap includes the garbage the idle
// sockets made during the settle: that is part of their cost.
type idleReport struct {
	SettleS float64 `json:"settle_s"`
	// Sockets is the rise of tandem_ws_connections, or the bench's
	// subscriptions on the hub if the hub does not say.
	Sockets float64 `json:"sockets"`

	RSS       gaugeDelta `json:"resident_memory_bytes"`
	HeapInuse gaugeDelta `json:"heap_inuse_bytes"`
	HeapAlloc gaugeDelta `json:"heap_alloc_bytes"`
	// HeapLive is the heap the last collection kept: the heap goal
	// (next_gc) over 1 + GOGC/100. Unlike the heap in use, it does not
	// depend on how much garbage waits for the next collection when the
	// gauges are read; zero when the hub does not export GOGC.
	HeapLive gaugeDelta `json:"heap_live_bytes"`
	// HeapCollected is the heap in use from the baseline to just after a
	// garbage collection at the end of the settle, both read after one
	// (-debug-urls): what the sockets hold, without their garbage. Nil
	// without -debug-urls.
	HeapCollected *gaugeDelta `json:"heap_collected_bytes,omitempty"`
	Stacks        gaugeDelta  `json:"stack_inuse_bytes"` // goroutine stacks, outside the heap
	Goroutines    gaugeDelta  `json:"goroutines"`
	// Allocated is the hub's count of bytes ever allocated from the start
	// of the settle (every socket open) to its end: the garbage the idle
	// sockets make, which the collector must then find. Nil when the
	// hub does not export the count, or was not read at the start.
	Allocated *gaugeDelta `json:"allocated_bytes,omitempty"`

	RSSPerSocket           float64 `json:"rss_per_socket_bytes"`
	HeapInusePerSocket     float64 `json:"heap_inuse_per_socket_bytes"`
	HeapAllocPerSocket     float64 `json:"heap_alloc_per_socket_bytes"`
	HeapLivePerSocket      float64 `json:"heap_live_per_socket_bytes"`
	HeapCollectedPerSocket float64 `json:"heap_collected_per_socket_bytes,omitempty"`
	StacksPerSocket        float64 `json:"stack_per_socket_bytes"`
	GoroutinesPerSocket    float64 `json:"goroutines_per_socket"`
	// AllocatedPerSocketMinute is Allocated per socket and per minute of
	// the settle.
	AllocatedPerSocketMinute float64 `json:"allocated_per_socket_minute_bytes,omitempty"`
}

// heapLive estimates the heap the last collection kept from the heap goal
// and GOGC; 0 if either is missing or the collector is off.
func heapLive(m promMetrics) float64 {
	next, ok1 := m.get(mNextGC)
	gogc, ok2 := m.get(mGOGC)
	if !ok1 || !ok2 || gogc <= 0 {
		return 0
	}
	return finite(next / (1 + gogc/100))
}

// gaugeDelta is a gauge before the sockets opened and after the settle.
type gaugeDelta struct {
	Before float64 `json:"before"`
	After  float64 `json:"after"`
}

func (g gaugeDelta) delta() float64 { return g.After - g.Before }

// idleFigures computes the idle report of a hub from its scrapes before
// the sockets opened, at the start of the settle (every socket open),
// after the settle and, if there was one, after a garbage collection that
// followed; held is the number of the bench's subscriptions on it, used
// when the hub has no connection gauge. It returns nil when the scrape
// before or after is missing.
func idleFigures(before, settling, after, collected promMetrics, held int, settle time.Duration) *idleReport {
	if before == nil || after == nil {
		return nil
	}
	pair := func(name string) gaugeDelta {
		a, _ := before.get(name)
		z, _ := after.get(name)
		return gaugeDelta{Before: finite(a), After: finite(z)}
	}
	r := &idleReport{
		SettleS:    settle.Seconds(),
		RSS:        pair(mRSS),
		HeapInuse:  pair(mHeap),
		HeapAlloc:  pair(mHeapAlloc),
		HeapLive:   gaugeDelta{Before: heapLive(before), After: heapLive(after)},
		Stacks:     pair(mStacks),
		Goroutines: pair(mGoroutines),
	}
	if collected != nil {
		a, _ := before.get(mHeap)
		z, _ := collected.get(mHeap)
		r.HeapCollected = &gaugeDelta{Before: finite(a), After: finite(z)}
	}
	if a, ok := settling.get(mAllocated); ok {
		if z, ok := after.get(mAllocated); ok {
			r.Allocated = &gaugeDelta{Before: finite(a), After: finite(z)}
		}
	}
	r.Sockets = pair(mConns).delta()
	if r.Sockets <= 0 {
		r.Sockets = float64(held)
	}
	if r.Sockets > 0 {
		r.RSSPerSocket = r.RSS.delta() / r.Sockets
		r.HeapInusePerSocket = r.HeapInuse.delta() / r.Sockets
		r.HeapAllocPerSocket = r.HeapAlloc.delta() / r.Sockets
		r.HeapLivePerSocket = r.HeapLive.delta() / r.Sockets
		r.StacksPerSocket = r.Stacks.delta() / r.Sockets
		if r.HeapCollected != nil {
			r.HeapCollectedPerSocket = r.HeapCollected.delta() / r.Sockets
		}
		r.GoroutinesPerSocket = r.Goroutines.delta() / r.Sockets
		if r.Allocated != nil && settle > 0 {
			r.AllocatedPerSocketMinute = r.Allocated.delta() / r.Sockets / settle.Minutes()
		}
	}
	return r
}

// collectGarbage has every hub run a garbage collection through its
// profiling listener (-debug-urls), so that the heap read next is what
// the hub holds, not what it has yet to collect. A hub that does not
// answer is reported, and collectGarbage returns false: the heap figures
// are then those of whenever its collector last ran.
func (b *bench) collectGarbage() bool {
	ctx, cancel := context.WithTimeout(b.base, 30*time.Second)
	defer cancel()
	var failed atomic.Bool
	var wg sync.WaitGroup
	for _, u := range b.cfg.DebugURLs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u+"/debug/pprof/heap?gc=1", nil)
			if err != nil {
				failed.Store(true)
				b.logf("hubbench: garbage collection on %s: %v", u, err)
				return
			}
			resp, err := b.metricsHTTP.Do(req)
			if err != nil {
				failed.Store(true)
				b.logf("hubbench: garbage collection on %s: %v (the idle heap includes garbage)", u, err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				failed.Store(true)
				b.logf("hubbench: garbage collection on %s: HTTP %d (the idle heap includes garbage)", u, resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	return !failed.Load()
}
