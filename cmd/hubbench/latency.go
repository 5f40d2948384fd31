package main

import (
	"math"
	"math/bits"
	"slices"
	"sync"
	"time"
)

// latencies keeps every sample, for exact percentiles in the final report
// (a few million samples sort in well under a second), and a histogram of
// them for the approximate percentiles of the progress line, which is
// printed every second and must not sort everything each time.
type latencies struct {
	mu      sync.Mutex
	samples []time.Duration
	hist    histogram
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.samples = append(l.samples, d)
	l.hist.add(d)
	l.mu.Unlock()
}

// approx returns the q-quantile from the histogram, within about 3%.
func (l *latencies) approx(q float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hist.quantile(q)
}

// summary returns the exact percentiles of the samples so far.
func (l *latencies) summary() latencySummary {
	l.mu.Lock()
	s := slices.Clone(l.samples)
	l.mu.Unlock()
	slices.Sort(s)
	return summarize(s)
}

// latencySummary is what the report says of a set of durations, in
// milliseconds.
type latencySummary struct {
	Samples int     `json:"samples"`
	P50     float64 `json:"p50_ms"`
	P99     float64 `json:"p99_ms"`
	P999    float64 `json:"p999_ms"`
	Max     float64 `json:"max_ms"`
}

// summarize computes the summary of sorted.
func summarize(sorted []time.Duration) latencySummary {
	if len(sorted) == 0 {
		return latencySummary{}
	}
	return latencySummary{
		Samples: len(sorted),
		P50:     ms(percentile(sorted, 0.50)),
		P99:     ms(percentile(sorted, 0.99)),
		P999:    ms(percentile(sorted, 0.999)),
		Max:     ms(sorted[len(sorted)-1]),
	}
}

// percentile returns the q-quantile of sorted by the nearest-rank method:
// the smallest sample that at least a fraction q of the samples do not
// exceed. It returns 0 for no samples.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// subBits sets the histogram's precision: each power of two of
// microseconds is cut into 2^subBits buckets, so a bucket is at most
// 1/2^subBits (3%) of its values wide.
const subBits = 5

// histogram counts durations in log-linear buckets of microseconds, in the
// manner of HdrHistogram: exact below 2^subBits µs, then 2^subBits buckets
// per power of two.
type histogram struct {
	counts []int64
	n      int64
}

func (h *histogram) add(d time.Duration) {
	i := bucketOf(max(d.Microseconds(), 0))
	if i >= len(h.counts) {
		h.counts = append(h.counts, make([]int64, i+1-len(h.counts))...)
	}
	h.counts[i]++
	h.n++
}

// quantile returns the upper bound of the bucket holding the q-quantile
// (by nearest rank), or 0 if the histogram is empty.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := max(int64(math.Ceil(q*float64(h.n))), 1)
	var seen int64
	for i, c := range h.counts {
		if seen += c; seen >= rank {
			return time.Duration(bucketUpper(i)) * time.Microsecond
		}
	}
	return time.Duration(bucketUpper(len(h.counts)-1)) * time.Microsecond
}

// bucketOf returns the bucket of us microseconds.
func bucketOf(us int64) int {
	const sub = 1 << subBits
	if us < sub {
		return int(us)
	}
	shift := bits.Len64(uint64(us)) - subBits - 1 // us>>shift is in [sub, 2*sub)
	return (shift+1)*sub + int(us>>shift) - sub
}

// bucketUpper returns the largest value of bucket i.
func bucketUpper(i int) int64 {
	const sub = 1 << subBits
	if i < sub {
		return int64(i)
	}
	shift := i/sub - 1
	m := int64(i%sub + sub)
	return (m+1)<<shift - 1
}
