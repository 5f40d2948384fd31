package main

import (
	"math"
	"strings"
	"testing"
)

const sampleMetrics = `# HELP go_memstats_heap_inuse_bytes Number of heap bytes that are in use.
# TYPE go_memstats_heap_inuse_bytes gauge
go_memstats_heap_inuse_bytes 1.867776e+07
process_resident_memory_bytes 2.0557824e+07

# TYPE tandem_broker_lag_seconds histogram
tandem_broker_lag_seconds_bucket{le="0.0005"} 3
tandem_broker_lag_seconds_bucket{le="+Inf"} 12
tandem_broker_lag_seconds_sum 0.25
tandem_broker_lag_seconds_count 12
tandem_resyncs_total{reason="broker"} 0
tandem_resyncs_total{reason="gap"} 2
tandem_resyncs_total{ reason = "overflow" , } 5 1700000000000
tandem_ws_connections 400
weird{path="a \"b\" \\ c\nd",code="200"} -Inf
nan_metric NaN
`

func TestParseProm(t *testing.T) {
	m, err := parseProm(strings.NewReader(sampleMetrics))
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 12 {
		t.Errorf("%d samples, want 12", len(m))
	}
	for _, tc := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{mHeap, nil, 1.867776e+07},
		{mRSS, nil, 20557824},
		{mConns, nil, 400},
		{mLagCount, nil, 12},
		{"tandem_broker_lag_seconds_bucket", []string{"le", "+Inf"}, 12},
		{mResyncs, []string{"reason", "gap"}, 2},
		{mResyncs, []string{"reason", "overflow"}, 5},
		{"weird", []string{"path", "a \"b\" \\ c\nd", "code", "200"}, math.Inf(-1)},
	} {
		got, ok := m.get(tc.name, tc.labels...)
		if !ok || got != tc.want {
			t.Errorf("get(%s, %q) = %g, %v; want %g", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	if v, ok := m.get("nan_metric"); !ok || !math.IsNaN(v) {
		t.Errorf("nan_metric = %g, %v", v, ok)
	}
	if _, ok := m.get(mResyncs, "reason", "nope"); ok {
		t.Error("found a series with a label value it does not have")
	}
	if _, ok := m.get("absent"); ok {
		t.Error("found an absent metric")
	}
	rs := m.byLabel(mResyncs, "reason")
	if len(rs) != 3 || rs["broker"] != 0 || rs["gap"] != 2 || rs["overflow"] != 5 {
		t.Errorf("byLabel = %v", rs)
	}
}

func TestParsePromErrors(t *testing.T) {
	for _, bad := range []string{
		"novalue",
		"name{} ",
		"name abc",
		"name 1 2 3",
		`name{a="b" 1`,
		`name{a=b} 1`,
		`name{a="b"c="d"} 1`,
		`name{a} 1`,
		`name{a="unterminated} 1`,
	} {
		if _, err := parseProm(strings.NewReader(bad + "\n")); err == nil {
			t.Errorf("parseProm(%q) succeeded", bad)
		}
	}
}
