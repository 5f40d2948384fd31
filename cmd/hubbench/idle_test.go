package main

import (
	"strings"
	"testing"
	"time"
)

func mustProm(t *testing.T, text string) promMetrics {
	t.Helper()
	m, err := parseProm(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestIdleFigures(t *testing.T) {
	before := mustProm(t, `
tandem_ws_connections 2
process_resident_memory_bytes 5e+07
go_memstats_heap_inuse_bytes 2e+07
go_memstats_heap_alloc_bytes 1.5e+07
go_goroutines 40
go_memstats_stack_inuse_bytes 1e+06
go_memstats_next_gc_bytes 4e+07
go_gc_gogc_percent 100
`)
	const afterText = `
tandem_ws_connections 1002
process_resident_memory_bytes 1.5e+08
go_memstats_heap_inuse_bytes 6e+07
go_memstats_heap_alloc_bytes 5.5e+07
go_goroutines 3040
go_memstats_stack_inuse_bytes 2.5e+07
go_memstats_next_gc_bytes 1.2e+08
go_gc_gogc_percent 100
`
	after := mustProm(t, afterText)
	got := idleFigures(before, nil, after, nil, 7, time.Minute)
	if got == nil {
		t.Fatal("no figures")
	}
	// The hub's gauge counts the sockets, not the bench's 7.
	if got.Sockets != 1000 || got.SettleS != 60 {
		t.Errorf("sockets %g, settle %g; want 1000 and 60", got.Sockets, got.SettleS)
	}
	if got.RSSPerSocket != 100_000 || got.HeapInusePerSocket != 40_000 || got.HeapAllocPerSocket != 40_000 || got.GoroutinesPerSocket != 3 {
		t.Errorf("per socket: RSS %g, heap in use %g, heap alloc %g, goroutines %g; want 100000, 40000, 40000, 3",
			got.RSSPerSocket, got.HeapInusePerSocket, got.HeapAllocPerSocket, got.GoroutinesPerSocket)
	}
	// The live heap is the goal over 1 + GOGC/100: 20 MB, then 60 MB.
	if got.HeapLive != (gaugeDelta{Before: 2e7, After: 6e7}) || got.HeapLivePerSocket != 40_000 || got.StacksPerSocket != 24_000 {
		t.Errorf("heap live %+v (%g per socket), stacks %g per socket; want 20 MB → 60 MB, 40000 and 24000", got.HeapLive, got.HeapLivePerSocket, got.StacksPerSocket)
	}
	if got.RSS != (gaugeDelta{Before: 5e7, After: 1.5e8}) || got.Goroutines != (gaugeDelta{Before: 40, After: 3040}) {
		t.Errorf("RSS %+v, goroutines %+v", got.RSS, got.Goroutines)
	}

	// A hub without the connection gauge: the bench's own count.
	noConns := mustProm(t, "go_goroutines 10\nprocess_resident_memory_bytes 1000\n")
	noConnsAfter := mustProm(t, "go_goroutines 30\nprocess_resident_memory_bytes 5000\n")
	got = idleFigures(noConns, nil, noConnsAfter, nil, 10, time.Second)
	if got.Sockets != 10 || got.GoroutinesPerSocket != 2 || got.RSSPerSocket != 400 || got.HeapInusePerSocket != 0 || got.HeapLive != (gaugeDelta{}) {
		t.Errorf("without the gauge: %+v", got)
	}

	if got.HeapCollected != nil {
		t.Errorf("a collected heap without a collection: %+v", got.HeapCollected)
	}
	if got.Allocated != nil || got.AllocatedPerSocketMinute != 0 {
		t.Errorf("allocations without the count: %+v, %g", got.Allocated, got.AllocatedPerSocketMinute)
	}

	// The bytes allocated from the start of the settle to its end: 3 MB
	// over 1 000 sockets and two minutes.
	settling := mustProm(t, "go_memstats_alloc_bytes_total 5e+08\n")
	allocAfter := mustProm(t, afterText+"go_memstats_alloc_bytes_total 5.03e+08\n")
	got = idleFigures(before, settling, allocAfter, nil, 7, 2*time.Minute)
	if got.Allocated == nil || *got.Allocated != (gaugeDelta{Before: 5e8, After: 5.03e8}) || got.AllocatedPerSocketMinute != 1500 {
		t.Errorf("allocated %+v, %g per socket a minute; want 500 MB → 503 MB, 1500", got.Allocated, got.AllocatedPerSocketMinute)
	}
	if got = idleFigures(before, nil, allocAfter, nil, 7, 2*time.Minute); got.Allocated != nil {
		t.Errorf("allocations without a reading at the start of the settle: %+v", got.Allocated)
	}

	// After a collection: the heap in use then, against the baseline.
	collected := mustProm(t, "go_memstats_heap_inuse_bytes 4.5e+07\n")
	got = idleFigures(before, nil, after, collected, 7, time.Minute)
	if got.HeapCollected == nil || *got.HeapCollected != (gaugeDelta{Before: 2e7, After: 4.5e7}) || got.HeapCollectedPerSocket != 25_000 {
		t.Errorf("collected %+v, %g per socket; want 20 MB → 45 MB, 25000", got.HeapCollected, got.HeapCollectedPerSocket)
	}

	if idleFigures(nil, nil, after, nil, 1, time.Second) != nil || idleFigures(before, nil, nil, nil, 1, time.Second) != nil {
		t.Error("figures without a scrape")
	}
}
