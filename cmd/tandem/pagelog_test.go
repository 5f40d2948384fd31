package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// pageLog is what the tabs of one browser test wrote to their consoles.
// A browser test fails on any error among them — a console.error, an
// uncaught exception, a failed request (Chromium logs "Failed to load
// resource" for a fetch answered 4xx or 5xx, and a WebSocket that could
// not open) — unless the test said it expects it (allowConsole).
type pageLog struct {
	mu    sync.Mutex
	lines []string // every message, for the artifacts
	bad   []logged // the errors
	allow []*regexp.Regexp
	// ended is when the test's function returned: what the pages log
	// after it, as the hub under them stops, is no fault of theirs.
	ended time.Time
}

// logged is one error a page logged, and when.
type logged struct {
	line string
	at   time.Time
}

// newPageLog starts the page log of t.
func newPageLog(t *testing.T) *pageLog {
	l := &pageLog{}
	context.AfterFunc(t.Context(), func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.ended = time.Now()
	})
	return l
}

type pageLogKey struct{}

// logOf is the page log of the browser test ctx belongs to.
func logOf(t *testing.T, ctx context.Context) *pageLog {
	t.Helper()
	l, ok := ctx.Value(pageLogKey{}).(*pageLog)
	if !ok {
		t.Fatal("not a context of browser(t)")
	}
	return l
}

// allowConsole says the test expects console errors matching pattern: a
// refusal it provokes on purpose (a wrong password answers 401, a bad
// link 404). The pattern is matched against "type: text (url)".
func allowConsole(t *testing.T, ctx context.Context, pattern string) {
	t.Helper()
	l := logOf(t, ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.allow = append(l.allow, regexp.MustCompile(pattern))
}

// record keeps one console message of a tab.
func (l *pageLog) record(m chromedp.ConsoleMessage) {
	line := string(m.Type) + ": " + m.Text
	if m.URL != "" {
		line += " (" + m.URL + ")"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
	if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
		at := m.Time
		if at.IsZero() {
			at = time.Now()
		}
		l.bad = append(l.bad, logged{line, at})
	}
}

// unexpected lists the errors no allowConsole pattern matches.
func (l *pageLog) unexpected() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, b := range l.bad {
		if !l.allowed(b.line) && (l.ended.IsZero() || b.at.Before(l.ended)) {
			out = append(out, b.line)
		}
	}
	return out
}

func (l *pageLog) allowed(line string) bool {
	for _, re := range l.allow {
		if re.MatchString(line) {
			return true
		}
	}
	return false
}

func (l *pageLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// watch records the console of the tab of ctx into the test's page log,
// until the tab's context ends. The tab must exist (a first chromedp.Do).
func watch(t *testing.T, ctx context.Context) {
	t.Helper()
	l := logOf(t, ctx)
	msgs := chromedp.Console(ctx)
	// The loop ends with the tab's context; what comes after the test's
	// check is not looked at.
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			l.record(m)
		}
	}()
}

// newTab opens another tab of the browser of ctx (opts as for
// chromedp.NewContext: WithNewBrowserContext for a second person with
// cookies of their own) and records its console too. The tab closes with
// the test.
func newTab(t *testing.T, ctx context.Context, opts ...chromedp.ContextOption) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx, opts...)
	if err := chromedp.Do(tab); err != nil {
		cancel()
		t.Fatalf("open a tab: %v", err)
	}
	watch(t, tab)
	t.Cleanup(cancel)
	return tab
}

// axeScan runs axe-core (web/node_modules/axe-core, installed by `make
// web`) on the page of ctx and fails the test on each serious or critical
// violation, naming the rule and the elements at fault. Without axe-core
// the check is skipped loudly, or fails under REQUIRE_SERVICES=1.
func axeScan(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	for _, v := range axeViolations(t, ctx, page) {
		t.Errorf("%s: accessibility %s", page, v)
	}
}

// axeViolations lists the serious and critical violations axe-core finds
// on the page of ctx.
func axeViolations(t *testing.T, ctx context.Context, page string) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "web", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		if os.Getenv("REQUIRE_SERVICES") == "1" {
			t.Fatalf("axe-core not found (REQUIRE_SERVICES=1): %v; run make web", err)
		}
		t.Logf("SKIPPING the accessibility scan of %s: axe-core not found (%v); run make web", page, err)
		return nil
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { if (!window.axe) { `+string(src)+`
	} return true })()`)); err != nil {
		t.Fatalf("%s: inject axe-core: %v", page, err)
	}
	type node struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	}
	type violation struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []node `json:"nodes"`
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, { resultTypes: ["violations"] }).then(r => JSON.stringify(r.violations))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe-core: %v", page, err)
	}
	var vs []violation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("%s: read axe-core's answer: %v", page, err)
	}
	var out []string
	for _, v := range vs {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		var where []string
		for i, n := range v.Nodes {
			if i == 5 {
				where = append(where, "…")
				break
			}
			b, _ := json.Marshal(n.Target)
			where = append(where, string(b)+": "+strings.ReplaceAll(n.Summary, "\n", " "))
		}
		out = append(out, "("+v.Impact+", "+v.ID+"): "+v.Help+" — "+strings.Join(where, "; "))
	}
	return out
}

// The accessibility scan finds what it is there to find: a page with an
// unlabelled field, an image without text and faint text fails it.
func TestBrowserAxeScanFindsFaults(t *testing.T) {
	t.Parallel() // each has its own browser context
	ctx := browser(t)
	page := `<!doctype html><html lang="en"><title>t</title><main><input type="text"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><p style="color:#ddd;background:#fff">faint</p></main></html>`
	if err := chromedp.Do(ctx, chromedp.Navigate("data:text/html,"+url.PathEscape(page))); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(axeViolations(t, ctx, "a faulty page"), "\n")
	for _, rule := range []string{"label", "image-alt", "color-contrast"} {
		if !strings.Contains(got, ", "+rule+")") {
			t.Errorf("axe-core did not report %s; it said:\n%s", rule, got)
		}
	}
}

// A page's console.error, uncaught exception and failed request each
// fail a browser test, unless the test said it expects them.
func TestBrowserPageErrorsAreCaught(t *testing.T) {
	t.Parallel() // each has its own browser context
	ctx := browser(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/nothing")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`console.error("boom"); setTimeout(() => { throw new Error("thrown") }); fetch("/missing").catch(() => {}); true`)); err != nil {
		t.Fatal(err)
	}
	l := logOf(t, ctx)
	want := []string{"error: boom", "Uncaught Error: thrown", "status of 404 (Not Found) (" + srv.URL + "/missing)"}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := strings.Join(l.unexpected(), "\n")
		missing := ""
		for _, w := range want {
			if !strings.Contains(got, w) {
				missing = w
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page log has no %q; it has:\n%s", missing, got)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Said to be expected, they no longer fail the test.
	allowConsole(t, ctx, `boom|thrown|status of 404`)
	if bad := l.unexpected(); len(bad) != 0 {
		t.Fatalf("allowed errors still count: %v", bad)
	}
}
