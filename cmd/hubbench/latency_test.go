package main

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 1000; i++ {
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{
		{0, time.Millisecond}, {0.5, 500 * time.Millisecond}, {0.99, 990 * time.Millisecond},
		{0.999, 999 * time.Millisecond}, {0.9991, time.Second}, {1, time.Second},
	} {
		if got := percentile(s, tc.q); got != tc.want {
			t.Errorf("percentile(1..1000ms, %g) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("percentile of nothing = %v", got)
	}
	if got := percentile([]time.Duration{7}, 0.999); got != 7 {
		t.Errorf("percentile of one sample = %v", got)
	}

	var l latencies
	for _, i := range rand.Perm(1000) {
		l.add(time.Duration(i+1) * time.Millisecond)
	}
	want := latencySummary{Samples: 1000, P50: 500, P99: 990, P999: 999, Max: 1000}
	if got := l.summary(); got != want {
		t.Errorf("summary = %+v, want %+v", got, want)
	}
	if got := (&latencies{}).summary(); got != (latencySummary{}) {
		t.Errorf("summary of nothing = %+v", got)
	}
}

func TestHistogramBuckets(t *testing.T) {
	prev := -1
	for us := int64(0); us < 5_000_000; us += 1 + us/200 {
		i := bucketOf(us)
		if i < prev {
			t.Fatalf("bucketOf(%d) = %d, below the bucket of a smaller value (%d)", us, i, prev)
		}
		prev = i
		up := bucketUpper(i)
		if up < us || bucketOf(up) != i || bucketOf(up+1) != i+1 {
			t.Fatalf("bucket %d of %dµs has upper bound %d", i, us, up)
		}
		if float64(up-us) > float64(us)/(1<<subBits)+1 {
			t.Fatalf("bucket of %dµs is too wide: upper bound %d", us, up)
		}
	}
}

func TestHistogramQuantile(t *testing.T) {
	var h histogram
	if h.quantile(0.99) != 0 {
		t.Error("quantile of an empty histogram is not 0")
	}
	r := rand.New(rand.NewPCG(1, 2))
	var exact []time.Duration
	for range 20000 {
		d := time.Duration(r.ExpFloat64() * float64(2*time.Millisecond))
		exact = append(exact, d)
		h.add(d)
	}
	slices.Sort(exact)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		want, got := percentile(exact, q), h.quantile(q)
		if got < want-time.Microsecond || float64(got) > float64(want)*1.04+float64(time.Microsecond) {
			t.Errorf("quantile(%g) = %v, exact %v", q, got, want)
		}
	}
}
