package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
)

// get returns the status and body of GET url.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// pprofIndex is a line of net/http/pprof's index page.
const pprofIndex = "Types of profiles available"

// Without TANDEM_DEBUG_ADDR, nothing serves profiles: not the public
// listener, not another one.
func TestProfilingIsOffByDefault(t *testing.T) {
	srv := startServer(t, map[string]string{"PORT": "0", "TANDEM_DATA_DIR": t.TempDir()})
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/goroutine?debug=1", "/debug/vars"} {
		status, body := get(t, srv.url+path)
		if status == http.StatusOK && (strings.Contains(body, pprofIndex) || strings.Contains(body, "goroutine profile") || strings.Contains(body, `"memstats"`)) {
			t.Errorf("the public listener serves %s:\n%.300s", path, body)
		}
	}
	if srv.logged(t, "profiling listener") != nil {
		t.Errorf("a profiling listener started without TANDEM_DEBUG_ADDR:\n%s", srv.logs)
	}
}

// With a loopback TANDEM_DEBUG_ADDR, its own listener serves pprof and
// expvar, and the public one still does not.
func TestProfilingOnLoopback(t *testing.T) {
	srv := startServer(t, map[string]string{"PORT": "0", "TANDEM_DATA_DIR": t.TempDir(), "TANDEM_DEBUG_ADDR": "127.0.0.1:0"})
	line := srv.logged(t, "profiling listener serving")
	if line == nil {
		t.Fatalf("no profiling listener in the log:\n%s", srv.logs)
	}
	addr, _ := line["addr"].(string)
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("profiling listener on %q", addr)
	}
	if status, body := get(t, "http://"+addr+"/debug/pprof/"); status != http.StatusOK || !strings.Contains(body, pprofIndex) {
		t.Errorf("GET /debug/pprof/ on the profiling listener: %d\n%.300s", status, body)
	}
	if status, body := get(t, "http://"+addr+"/debug/pprof/goroutine?debug=1"); status != http.StatusOK || !strings.Contains(body, "goroutine profile") {
		t.Errorf("GET /debug/pprof/goroutine: %d\n%.300s", status, body)
	}
	if status, body := get(t, "http://"+addr+"/debug/vars"); status != http.StatusOK || !strings.Contains(body, `"memstats"`) {
		t.Errorf("GET /debug/vars: %d\n%.300s", status, body)
	}
	if status, body := get(t, srv.url+"/debug/pprof/"); status == http.StatusOK && strings.Contains(body, pprofIndex) {
		t.Error("the public listener serves /debug/pprof/ too")
	}
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	// The profiling listener stops with the hub.
	if _, err := http.Get("http://" + addr + "/debug/pprof/"); err == nil {
		t.Error("the profiling listener still answers after the hub stopped")
	}
}

// A profiling address other hosts can reach is refused unless
// TANDEM_DEBUG_ALLOW_REMOTE=1 says so.
func TestProfilingAddressMustBeLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:6060", ":6060", "10.0.0.5:6060", "[::]:6060", "debug.example.com:6060"} {
		env := map[string]string{"PORT": "0", "TANDEM_DATA_DIR": t.TempDir(), "TANDEM_DEBUG_ADDR": addr}
		err := run(context.Background(), nil, func(k string) string { return env[k] }, io.Discard, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), "TANDEM_DEBUG_ADDR") || !strings.Contains(err.Error(), "loopback") ||
			!strings.Contains(err.Error(), "TANDEM_DEBUG_ALLOW_REMOTE") {
			t.Errorf("TANDEM_DEBUG_ADDR=%s: %v, want a refusal naming the loopback rule and its opt-in", addr, err)
		}
	}
	for _, tc := range []struct{ addr, allow, want string }{
		{"127.0.0.1:6060", "", "127.0.0.1:6060"},
		{"[::1]:6060", "", "[::1]:6060"},
		{"localhost:6060", "0", "localhost:6060"},
		{"0.0.0.0:6060", "1", "0.0.0.0:6060"},
		{"", "1", ""},
	} {
		if got, err := debugAddr(tc.addr, tc.allow); err != nil || got != tc.want {
			t.Errorf("debugAddr(%q, %q) = %q, %v; want %q", tc.addr, tc.allow, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ addr, allow string }{{"6060", ""}, {"127.0.0.1", ""}, {"127.0.0.1:6060", "yes"}} {
		if _, err := debugAddr(tc.addr, tc.allow); err == nil {
			t.Errorf("debugAddr(%q, %q) accepted", tc.addr, tc.allow)
		}
	}
}

// TANDEM_CUSTOMER_WRITES_PER_MINUTE reaches the hub: a customer's fourth
// write in a minute is refused at 3, where the default (120) would take it.
func TestCustomerWritesPerMinuteFromEnvironment(t *testing.T) {
	if c, err := loadConfig(func(string) string { return "" }); err != nil || c.CustomerWritesPerMinute != 0 {
		t.Fatalf("default: %d, %v; want 0 (the hub's default)", c.CustomerWritesPerMinute, err)
	}
	srv := startServer(t, map[string]string{
		"PORT": "0", "TANDEM_DATA_DIR": t.TempDir(), "TANDEM_ADMIN_PASSWORD": "a long enough secret",
		"TANDEM_CUSTOMER_WRITES_PER_MINUTE": "3",
	})
	ctx := context.Background()
	agent := mustClient(t, srv.url)
	if _, err := agent.Login(ctx, "admin@example.com", "a long enough secret"); err != nil {
		t.Fatal(err)
	}
	s, err := agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Sam Lee", Phone: "+14155550134"}})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := agent.DevOutbox(ctx)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("dev outbox: %+v %v", msgs, err)
	}
	cust := mustClient(t, srv.url)
	if _, err := cust.OpenLink(ctx, msgs[0].Link); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := cust.ReportActivity(ctx, s.ID, "viewing", ""); err != nil {
			t.Fatalf("write %d: %v", i+1, err)
		}
	}
	if _, err := cust.ReportActivity(ctx, s.ID, "viewing", ""); client.ErrorCode(err) != "rate_limited" {
		t.Fatalf("fourth write: %v, want rate_limited", err)
	}
}
