package api_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/tandemhq/tandem/hub/api"
)

// metric reads one unlabelled sample (or the sample with the given label
// text, e.g. `reason="gap"`) from /metrics.
func (e *env) metric(t testing.TB, name, labels, token string) float64 {
	t.Helper()
	hdr := map[string]string{}
	if token != "" {
		hdr["Authorization"] = "Bearer " + token
	}
	res := e.do(t, http.MethodGet, "/metrics", "", hdr)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %s", res.StatusCode, b)
	}
	sel := name
	if labels != "" {
		sel += `\{` + regexp.QuoteMeta(labels) + `\}`
	}
	m := regexp.MustCompile(`(?m)^` + sel + ` ([0-9.e+-]+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("/metrics has no %s%s", name, labels)
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMetricsCountWhatHappens(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	s := e.liveRoom()
	if got := e.metric(t, "tandem_events_appended_total", "", ""); got != 2 {
		t.Fatalf("appended after creating a live room: %v, want 2", got)
	}
	sub, err := e.agent.Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	collect(t, sub, 0, 2)
	if got := e.metric(t, "tandem_ws_connections", "", ""); got != 1 {
		t.Fatalf("connections: %v, want 1", got)
	}
	if got := e.metric(t, "tandem_rooms", "", ""); got != 1 {
		t.Fatalf("rooms: %v, want 1", got)
	}
	e.append(t, s.ID, 3, nil)
	collect(t, sub, 2, 5)
	// The hub counts a delivery after its write returns, which may be just
	// after the client has read the frame.
	got := e.metric(t, "tandem_deliveries_total", "", "")
	for deadline := time.Now().Add(5 * time.Second); got < 5 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
		got = e.metric(t, "tandem_deliveries_total", "", "")
	}
	if got != 5 {
		t.Fatalf("deliveries: %v, want 5 (2 from the log, 3 live)", got)
	}
	if got := e.metric(t, "tandem_broker_lag_seconds_count", "", ""); got != 3 {
		t.Fatalf("broker lag samples: %v, want 3", got)
	}
	if got := e.metric(t, "tandem_resyncs_total", `reason="gap"`, ""); got != 0 {
		t.Fatalf("gap resyncs: %v", got)
	}
	if got := e.metric(t, "go_goroutines", "", ""); got < 1 {
		t.Fatalf("go_goroutines: %v", got)
	}
}

func TestMetricsToken(t *testing.T) {
	e := newEnv(t, nil, func(c *api.Config) { c.MetricsToken = "s3cret-metrics" })
	res := e.do(t, http.MethodGet, "/metrics", "", nil)
	if code, _ := decodeError(t, res); res.StatusCode != http.StatusUnauthorized || code != "unauthorized" {
		t.Fatalf("metrics without the token: %d %s", res.StatusCode, code)
	}
	if got := e.metric(t, "tandem_ws_connections", "", "s3cret-metrics"); got != 0 {
		t.Fatalf("connections: %v", got)
	}
}
