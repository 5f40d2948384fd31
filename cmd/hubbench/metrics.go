package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// The hub's series the report reads (docs: hub/metrics.go).
const (
	mConns      = "tandem_ws_connections"
	mHeap       = "go_memstats_heap_inuse_bytes"
	mHeapAlloc  = "go_memstats_heap_alloc_bytes"
	mGoroutines = "go_goroutines"
	mStacks     = "go_memstats_stack_inuse_bytes"
	mNextGC     = "go_memstats_next_gc_bytes"
	mGOGC       = "go_gc_gogc_percent"
	mRSS        = "process_resident_memory_bytes"
	mAllocated  = "go_memstats_alloc_bytes_total"
	mAppended   = "tandem_events_appended_total"
	mDeliveries = "tandem_deliveries_total"
	mResyncs    = "tandem_resyncs_total"
	mLagCount   = "tandem_broker_lag_seconds_count"
)

// peakGauges are the gauges whose highest value during the load is kept.
var peakGauges = []string{mConns, mHeap, mRSS}

// promSample is one line of the Prometheus text format: a series and its
// value (the optional timestamp is dropped).
type promSample struct {
	name   string
	labels map[string]string
	value  float64
}

// promMetrics is a scrape of /metrics.
type promMetrics []promSample

// parseProm reads the Prometheus text exposition format (version 0.0.4):
// comments and blank lines are skipped, every other line is
// `name{label="value",…} value [timestamp]`.
func parseProm(r io.Reader) (promMetrics, error) {
	var out promMetrics
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		s, err := parsePromLine(line)
		if err != nil {
			return nil, fmt.Errorf("metrics line %d: %w", n, err)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read metrics: %w", err)
	}
	return out, nil
}

func parsePromLine(line string) (promSample, error) {
	i := strings.IndexAny(line, "{ \t")
	if i <= 0 {
		return promSample{}, errors.New("no value after the metric name")
	}
	s := promSample{name: line[:i]}
	rest := line[i:]
	if rest[0] == '{' {
		labels, n, err := parseLabels(rest)
		if err != nil {
			return promSample{}, err
		}
		s.labels, rest = labels, rest[n:]
	}
	fields := strings.Fields(rest)
	if len(fields) != 1 && len(fields) != 2 {
		return promSample{}, fmt.Errorf("want a value and an optional timestamp after %s, got %q", s.name, rest)
	}
	v, err := strconv.ParseFloat(fields[0], 64) // takes +Inf, -Inf and NaN too
	if err != nil {
		return promSample{}, fmt.Errorf("value of %s: %w", s.name, err)
	}
	s.value = v
	return s, nil
}

// parseLabels reads `{name="value",…}` at the start of s and returns the
// labels and the length read.
func parseLabels(s string) (map[string]string, int, error) {
	labels := map[string]string{}
	i := 1 // after '{'
	skip := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	for {
		skip()
		if i >= len(s) {
			return nil, 0, errors.New("unterminated label set")
		}
		if s[i] == '}' {
			return labels, i + 1, nil
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq <= 0 {
			return nil, 0, fmt.Errorf("label without a value in %q", s)
		}
		name := strings.TrimSpace(s[i : i+eq])
		i += eq + 1
		skip()
		if i >= len(s) || s[i] != '"' {
			return nil, 0, fmt.Errorf("label %s: value not quoted", name)
		}
		i++
		var v strings.Builder
		for ; i < len(s) && s[i] != '"'; i++ {
			c := s[i]
			if c == '\\' && i+1 < len(s) {
				i++
				switch s[i] {
				case 'n':
					c = '\n'
				case '\\', '"':
					c = s[i]
				default:
					v.WriteByte('\\')
					c = s[i]
				}
			}
			v.WriteByte(c)
		}
		if i >= len(s) {
			return nil, 0, fmt.Errorf("label %s: unterminated value", name)
		}
		i++ // the closing quote
		labels[name] = v.String()
		skip()
		switch {
		case i < len(s) && s[i] == ',':
			i++
		case i < len(s) && s[i] == '}':
		default:
			return nil, 0, fmt.Errorf("label %s: want ',' or '}' after the value", name)
		}
	}
}

// get returns the value of the series name whose labels include the given
// name, value pairs.
func (m promMetrics) get(name string, labels ...string) (float64, bool) {
next:
	for _, s := range m {
		if s.name != name {
			continue
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if s.labels[labels[i]] != labels[i+1] {
				continue next
			}
		}
		return s.value, true
	}
	return 0, false
}

// byLabel returns the values of the series name by their label key.
func (m promMetrics) byLabel(name, key string) map[string]float64 {
	out := map[string]float64{}
	for _, s := range m {
		if s.name == name {
			out[s.labels[key]] += s.value
		}
	}
	return out
}

// hubStats are one hub's figures: a scrape before the load, the highest
// gauges seen during it, and a scrape at the end of it.
type hubStats struct {
	url   string
	conns int // the bench's subscriptions on this hub

	mu       sync.Mutex
	baseline promMetrics
	settling promMetrics // at the start of -settle, every socket open
	settled  promMetrics // after -settle, with every socket held idle
	// collected is read after settled and a garbage collection
	// (-debug-urls); nil without one.
	collected promMetrics
	final     promMetrics
	peak      map[string]float64
	err       error // of the last scrape that failed
}

func newHubStats(url string) *hubStats {
	return &hubStats{url: url, peak: map[string]float64{}}
}

// scrapeInto reads the hub's /metrics and records it with keep (baseline,
// peak or final) if it could.
func (b *bench) scrapeInto(ctx context.Context, h *hubStats, keep func(*hubStats, promMetrics)) {
	m, err := b.scrape(ctx, h.url)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.err = err
		b.errs.add("metrics", err)
		return
	}
	keep(h, m)
	for _, g := range peakGauges {
		if v, ok := m.get(g); ok && v > h.peak[g] {
			h.peak[g] = v
		}
	}
}

func keepBaseline(h *hubStats, m promMetrics)  { h.baseline = m }
func keepFinal(h *hubStats, m promMetrics)     { h.final = m }
func keepSettling(h *hubStats, m promMetrics)  { h.settling = m }
func keepSettled(h *hubStats, m promMetrics)   { h.settled = m }
func keepCollected(h *hubStats, m promMetrics) { h.collected = m }
func keepPeak(*hubStats, promMetrics)          {}

// scrape reads and parses GET {hub}/metrics.
func (b *bench) scrape(ctx context.Context, hub string) (promMetrics, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, hub+"/metrics", nil)
	if err != nil {
		return nil, fmt.Errorf("metrics of %s: %w", hub, err)
	}
	if b.cfg.MetricsToken != "" {
		req.Header.Set("Authorization", "Bearer "+b.cfg.MetricsToken)
	}
	resp, err := b.metricsHTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("metrics of %s: %w", hub, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &statusError{op: "metrics of " + hub, status: resp.StatusCode}
	}
	return parseProm(io.LimitReader(resp.Body, 16<<20))
}

// statusError is an unexpected HTTP status outside the client package.
type statusError struct {
	op     string
	status int
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s: HTTP %d %s", e.op, e.status, http.StatusText(e.status))
}
