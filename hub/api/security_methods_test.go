package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tandemhq/tandem/hub/api"
	"github.com/tandemhq/tandem/room"
)

// withPages serves a stand-in of the embedded UI, so that the pages'
// routes exist.
func withPages(cfg *api.Config) {
	page := &fstest.MapFile{Data: []byte("<!doctype html><title>Tandem</title>")}
	cfg.Web = fstest.MapFS{"room.html": page, "console.html": page, "link.html": page, "favicon.ico": &fstest.MapFile{Data: []byte("\x00\x00\x01\x00")},
		"static/app.js": &fstest.MapFile{Data: []byte("// app")}}
}

// pathOf is a request path that route template tpl matches.
func pathOf(t *testing.T, tpl string) string {
	t.Helper()
	p := strings.NewReplacer(
		"{id:rm_[a-z2-7]{24}}", room.NewID("rm"),
		"{id:ct_[a-z2-7]{24}}", room.NewID("ct"),
		"{id:as_[a-z2-7]{24}}", room.NewID("as"),
		"{id:dt_[a-z2-7]{24}}", room.NewID("dt"),
		"{id:us_[a-z2-7]{24}}", room.NewID("us"),
		"{doc:dc_[a-z2-7]{24}}", room.NewID("dc"),
		"{req:rq_[a-z2-7]{24}}", room.NewID("rq"),
		"{file:fl_[a-z2-7]{24}}", room.NewID("fl"),
		"{pay:py_[a-z2-7]{24}}", room.NewID("py"),
		"{field:[A-Za-z0-9_-]{1,64}}", "signature",
		"{provider:[a-z0-9]+}", "twilio",
		"{token}", "not-a-token",
		"{sha:[0-9a-f]{64}}", strings.Repeat("0", 64),
	).Replace(tpl)
	if strings.HasSuffix(p, "/static/") {
		p += "app.js"
	}
	if strings.ContainsAny(p, "{}") {
		t.Fatalf("route %s: no request path for its variables", tpl)
	}
	return p
}

// wantMethodNotAllowed fails t unless res is the protocol's answer to a
// method the path does not take: 400 method_not_allowed, and the methods
// it takes in Allow.
func wantMethodNotAllowed(t *testing.T, method, path string, res *http.Response, allowed []string) {
	t.Helper()
	var body struct{ Error struct{ Code string } }
	raw, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(raw, &body)
	allow := strings.Split(res.Header.Get("Allow"), ", ")
	slices.Sort(allow)
	if slices.Contains(allowed, "GET") && !slices.Contains(allowed, "HEAD") {
		allowed = append(slices.Clone(allowed), "HEAD") // GET's body-less twin
	}
	allowed = slices.Sorted(slices.Values(allowed))
	if res.StatusCode != http.StatusBadRequest || body.Error.Code != "method_not_allowed" || !slices.Equal(allow, allowed) {
		t.Errorf("%s %s: %d %s, Allow %q; want 400 method_not_allowed, Allow %s", method, path, res.StatusCode, strings.TrimSpace(string(raw)),
			res.Header.Get("Allow"), strings.Join(allowed, ", "))
	}
}

// A path the hub serves, asked with a method it does not take there,
// answers 400 method_not_allowed (docs/errors.md) with an Allow header,
// before any check of who asks; a path it does not serve is 404.
func TestWrongMethods(t *testing.T) {
	e := newEnv(t, nil, withPages)
	for _, tc := range []struct {
		method, path string
		allowed      []string
	}{
		{"GET", "/api/v1/login", []string{"POST"}},
		{"DELETE", "/api/v1/rooms/" + room.NewID("rm") + "/events", []string{"GET"}},
		{"PUT", "/api/v1/rooms", []string{"GET", "POST"}},
		{"POST", "/api/v1/contacts/" + room.NewID("ct"), []string{"GET", "PATCH", "DELETE"}},
		{"POST", "/healthz", []string{"GET"}},
		{"POST", "/r/some-token", []string{"GET"}},
	} {
		wantMethodNotAllowed(t, tc.method, tc.path, e.do(t, tc.method, tc.path, "", nil), tc.allowed)
	}
	// Signed in or not, the same.
	auth := map[string]string{"Authorization": "Bearer " + e.agent.Token()}
	wantMethodNotAllowed(t, "PUT", "/api/v1/rooms", e.do(t, "PUT", "/api/v1/rooms", "", auth), []string{"GET", "POST"})
	for _, p := range []string{"/api/v1/nothing-here", "/api/v1/rooms/rm_malformed/events", "/nothing-here"} {
		if res := e.do(t, "DELETE", p, "", nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("DELETE %s: %d, want 404", p, res.StatusCode)
		}
	}
}

// The hub's address leads to the console, for GET and HEAD alike, and
// the icon browsers ask for on every page is there: a newcomer's first
// request finds the console, and no page logs a failed request.
func TestFrontPageAndIcon(t *testing.T) {
	e := newEnv(t, nil, withPages)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, m := range []string{"GET", "HEAD"} {
		req, _ := http.NewRequest(m, e.url+"/", nil)
		res, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/console" {
			t.Errorf("%s /: %d to %q, want 302 to /console", m, res.StatusCode, res.Header.Get("Location"))
		}
		res = e.do(t, m, "/favicon.ico", "", nil)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/x-icon" {
			t.Errorf("%s /favicon.ico: %d %s, want 200 image/x-icon", m, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	res := e.do(t, "HEAD", "/console", "", nil)
	if body, _ := io.ReadAll(res.Body); res.StatusCode != http.StatusOK || len(body) != 0 {
		t.Errorf("HEAD /console: %d with %d bytes, want 200 and no body", res.StatusCode, len(body))
	}
}

// Every route of the hub answers every method it does not take so.
func TestWrongMethodsOnEveryRoute(t *testing.T) {
	e := newEnv(t, nil, withPages)
	routes := e.hub.RoutesForTest()
	if len(routes) < 20 {
		t.Fatalf("only %d routes: %v", len(routes), routes)
	}
	for tpl, allowed := range routes {
		path := pathOf(t, tpl)
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			if !slices.Contains(allowed, m) {
				wantMethodNotAllowed(t, m, path, e.do(t, m, path, "", nil), allowed)
			}
		}
	}
}
