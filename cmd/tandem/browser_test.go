package main

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/web"
)

// browser opens a tab of a headless Chromium (Debian's chromium package)
// for t, in a browser context of its own: cookies, storage and cache seen
// by no other test. The tests share one Chromium, started on first use:
// starting one costs about 2 s of CPU, which a browser context does not.
// Without Chromium the test is skipped loudly, or fails under
// REQUIRE_SERVICES=1 (.ci/run installs it). When t fails, a screenshot and
// the page's console log are saved under TANDEM_TEST_ARTIFACTS (default
// test-artifacts/), named after the test.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("REQUIRE_SERVICES") == "1" {
			t.Fatalf("chromium not found (REQUIRE_SERVICES=1): %v; install Debian's chromium package", err)
		}
		t.Skipf("SKIPPING: chromium not found (%v); install Debian's chromium package, or set REQUIRE_SERVICES=1 to fail instead", err)
	}
	shared, err := chromium.start(path)
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancel := chromedp.NewContext(shared, chromedp.WithNewBrowserContext())
	log := newPageLog(t)
	ctx = context.WithValue(ctx, pageLogKey{}, log)
	ctx, timeout := context.WithTimeout(ctx, 2*time.Minute)
	// Open the tab before listening to its console: both would otherwise
	// race to open it.
	if err := chromedp.Do(ctx); err != nil {
		timeout()
		cancel()
		t.Fatalf("open a tab: %v", err)
	}
	t.Cleanup(func() {
		if bad := log.unexpected(); len(bad) != 0 {
			t.Errorf("the pages logged errors:\n\t%s", strings.Join(bad, "\n\t"))
		}
		if t.Failed() {
			saveArtifacts(t, ctx, log.all)
		}
		timeout()
		cancel() // disposes of the test's browser context
	})
	watch(t, ctx)
	return ctx
}

// chromium is the Chromium the package's browser tests share, closed by
// TestMain.
var chromium sharedBrowser

type sharedBrowser struct {
	once    sync.Once
	ctx     context.Context // its first tab's
	err     error
	profile string
	cancel  func()
}

// start starts Chromium at path once and returns its first tab's context,
// the parent of every test's.
func (b *sharedBrowser) start(path string) (context.Context, error) {
	b.once.Do(func() {
		if b.profile, b.err = os.MkdirTemp("", "tandem-chromium-"); b.err != nil {
			return
		}
		actx, acancel := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.UserDataDir(b.profile),
			// This machine's network is closed: background traffic only fails.
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true),
			// A test's tab may sit behind another's: it must run as if shown.
			chromedp.Flag("disable-background-timer-throttling", true),
			chromedp.Flag("disable-backgrounding-occluded-windows", true),
			chromedp.Flag("disable-renderer-backgrounding", true),
		)
		ctx, cancel := chromedp.NewContext(actx)
		b.ctx, b.cancel = ctx, func() { cancel(); acancel() }
		b.err = chromedp.Do(ctx)
	})
	if b.err == nil && b.ctx.Err() != nil {
		return nil, errors.New("the shared Chromium has exited (crashed?); the first failing test's artifacts may tell why")
	}
	return b.ctx, b.err
}

// close closes the shared Chromium, if started, and removes its profile.
func (b *sharedBrowser) close() {
	if b.cancel != nil {
		b.cancel()
	}
	if b.profile != "" {
		_ = os.RemoveAll(b.profile)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	chromium.close()
	os.Exit(code)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func saveArtifacts(t *testing.T, ctx context.Context, console func() []string) {
	dir := os.Getenv("TANDEM_TEST_ARTIFACTS")
	if dir == "" {
		dir = "test-artifacts"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("artifacts: %v", err)
		return
	}
	base := filepath.Join(dir, unsafeName.ReplaceAllString(t.Name(), "_"))
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if png, err := chromedp.Run(sctx, chromedp.FullScreenshot(90)); err == nil {
		_ = os.WriteFile(base+".png", png, 0o644)
	} else {
		t.Logf("artifacts: screenshot: %v", err)
	}
	_ = os.WriteFile(base+".console.log", []byte(strings.Join(console(), "\n")+"\n"), 0o644)
	t.Logf("artifacts: %s.png and %s.console.log", base, base)
}

// clearInput empties the input sel, as a person selecting its text and
// deleting it would before typing anew: the page hears the input, so a
// page that keeps the field's value (Preact's controlled inputs) keeps ""
// and does not write the old text back on its next render.
func clearInput(sel string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tgt *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[any](`(() => { const i = document.querySelector("`+sel+`"); i.value = ""; i.dispatchEvent(new Event("input", { bubbles: true })); })()`)(ctx, tgt)
		return chromedp.Void{}, err
	}
}

// choose picks the option of value in the select sel, as a person would:
// the page hears a change.
func choose(sel, value string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tgt *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](`(() => { const s = document.querySelector("`+sel+`"); s.value = "`+value+`"; s.dispatchEvent(new Event("change", { bubbles: true })); return true })()`)(ctx, tgt)
		return chromedp.Void{}, err
	}
}

// textOf waits for sel to show and returns its text.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(sel)); err != nil {
		t.Fatalf("waiting for %s: %v", sel, err)
	}
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// waitText polls sel until its text contains want.
func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := textOf(t, ctx, sel)
		if strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s says %q, want %q", sel, got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A customer opens the link of the invitation in a real browser: the room
// greets them with their agent's name and connects, and the agent sees
// them connected at that moment, from which browser. On a phone's width the
// page does not scroll sideways.
func TestBrowserCustomerOpensTheLink(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	ctx := browser(t)
	srv := consoleServer(t, map[string]string{"TANDEM_ACCOUNT_NAME": "Acme Insurance"})
	bg := context.Background()
	agent := adminClient(t, srv.url)
	s := smsRoom(t, agent, room.ModeLive, "Sam Lee", "+14155552671")
	sub, err := agent.Subscribe(bg, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	msgs, err := agent.DevOutbox(bg)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("dev outbox: %+v, %v", msgs, err)
	}

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2)), chromedp.Navigate(msgs[0].Link)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#status", "Connected to your agent")
	if title := textOf(t, ctx, "#title"); title != "Your secure room with Admin" {
		t.Fatalf("title %q", title)
	}
	if company := textOf(t, ctx, "#company"); company != "Acme Insurance" {
		t.Fatalf("company %q", company)
	}
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil || wide {
		t.Fatalf("the room scrolls sideways at 360 px: %v %v", wide, err)
	}

	tctx, cancel := context.WithTimeout(bg, 20*time.Second)
	defer cancel()
	for {
		ev, err := sub.Next(tctx)
		if err != nil {
			t.Fatalf("the agent never saw the customer connect: %v", err)
		}
		if ev.Type == room.TypeParticipantJoined {
			if !strings.Contains(string(ev.Data), "Chrom") {
				t.Fatalf("joined without the browser's name: %s", ev.Data)
			}
			break
		}
	}
}

// Links that cannot open a room show a page that says what happened and
// how to get a new link, never a raw error.
func TestBrowserBadLinks(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	ctx := browser(t)
	allowConsole(t, ctx, `status of (404|410) .*/r/`) // the bad links' pages answer 404 and 410
	srv := consoleServer(t, nil)
	bg := context.Background()
	agent := adminClient(t, srv.url)
	s := smsRoom(t, agent, room.ModeLive, "Sam Lee", "+14155552671")
	msgs, err := agent.DevOutbox(bg)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("dev outbox: %+v %v", msgs, err)
	}
	old := msgs[0].Link
	if _, err := agent.Reengage(bg, s.ID, room.ChannelEmail, room.Customer{Email: "sam@example.com"}); err != nil {
		t.Fatal(err)
	}
	// A link past its time, on a hub whose links last a second.
	short := consoleServer(t, map[string]string{"TANDEM_LINK_TTL": "1s"})
	shortAgent := adminClient(t, short.url)
	if _, err := shortAgent.CreateRoom(bg, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Sam Lee", Phone: "+14155552671"}}); err != nil {
		t.Fatal(err)
	}
	shortMsgs, err := shortAgent.DevOutbox(bg)
	if err != nil || len(shortMsgs) == 0 || shortMsgs[0].Link == "" {
		t.Fatalf("dev outbox of the short-lived links: %+v %v", shortMsgs, err)
	}
	time.Sleep(1500 * time.Millisecond) // the link's second runs out
	for _, tc := range []struct{ url, title string }{
		{shortMsgs[0].Link, "This link has expired"},
		{old, "This link was replaced"},
		{srv.url + "/r/" + strings.Repeat("x", 43), "This link does not work"},
	} {
		if err := chromedp.Do(ctx, chromedp.Navigate(tc.url)); err != nil {
			t.Fatal(err)
		}
		if got := textOf(t, ctx, "h1"); got != tc.title {
			t.Errorf("%s: %q, want %q", tc.url, got, tc.title)
		}
		if hint := textOf(t, ctx, ".hint"); !strings.Contains(hint, "ask your agent for a new link") {
			t.Errorf("%s: no way to a new link: %q", tc.url, hint)
		}
	}
}

// requireConsole skips (loudly; fails under REQUIRE_SERVICES=1) when this
// binary was built without the console: `make test` bundles it first.
func requireConsole(t *testing.T) {
	t.Helper()
	if web.Built() {
		return
	}
	if os.Getenv("REQUIRE_SERVICES") == "1" {
		t.Fatal("the console is not built into this test binary (REQUIRE_SERVICES=1): run make web, or make test")
	}
	t.Skip("SKIPPING: the console is not built into this test binary: run make web, or make test")
}

// The console in a real browser: a wrong password says so; the right one
// shows the agent's sessions; sign out; forgot password sends a link (to
// the dev outbox here).
func TestBrowserConsoleSignIn(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	allowConsole(t, ctx, `status of 401 .*/api/v1/login\)|status of 410 .*/api/v1/password/reset\)`) // a wrong password, a spent reset link, on purpose
	srv := consoleServer(t, nil)
	bg := context.Background()
	agent := adminClient(t, srv.url)
	if _, err := agent.CreateRoom(bg, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Sam Lee", Phone: "+14155552671"}}); err != nil {
		t.Fatal(err)
	}

	signIn := func(password string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.WaitVisible("#email"),
			clearInput("#email"), chromedp.SendKeys("#email", "admin@example.com"),
			clearInput("#password"), chromedp.SendKeys("#password", password),
			chromedp.Click("#submit"),
		); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/console")); err != nil {
		t.Fatal(err)
	}
	signIn("not the password")
	waitText(t, ctx, "#login-error", "Email or password is incorrect.")
	signIn(adminPassword)
	waitText(t, ctx, "#whoami", "Admin")
	if row := textOf(t, ctx, "#rooms tbody tr"); !strings.Contains(row, "Sam Lee") || !strings.Contains(row, "Pre-planned") {
		t.Fatalf("the session row: %q", row)
	}

	if err := chromedp.Do(ctx, chromedp.Click("#signout"), chromedp.WaitVisible("#forgot"), chromedp.Click("#forgot"),
		chromedp.WaitVisible("#email"), chromedp.SendKeys("#email", "admin@example.com"), chromedp.Click("#submit")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#forgot-sent", "a link to choose a new password is on its way")
	var resetLink string
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs, err := agent.DevOutbox(bg)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) > 0 && msgs[0].Room == "" && strings.Contains(msgs[0].Link, "/password/reset?token=") {
			resetLink = msgs[0].Link
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reset email in the dev outbox: %+v", msgs)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The email's link opens a page to choose the new password; then the
	// new one signs in, and the token has left the address bar.
	if err := chromedp.Do(ctx, chromedp.Navigate(resetLink), chromedp.WaitVisible("#new-password"),
		chromedp.SendKeys("#new-password", "a brand new secret"), chromedp.SendKeys("#new-password-again", "a different one"),
		chromedp.Click("#reset-submit")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#reset-error", "The two passwords differ.")
	if err := chromedp.Do(ctx, clearInput("#new-password-again"), chromedp.SendKeys("#new-password-again", "a brand new secret"), chromedp.Click("#reset-submit")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#reset-done", "Your password is changed")
	if loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`)); err != nil || strings.Contains(loc, "token") {
		t.Fatalf("the address bar after the reset: %q %v", loc, err)
	}
	signIn("a brand new secret")
	waitText(t, ctx, "#whoami", "Admin")
	// The link is spent.
	if err := chromedp.Do(ctx, chromedp.Navigate(resetLink), chromedp.WaitVisible("#new-password"),
		chromedp.SendKeys("#new-password", "yet another secret"), chromedp.SendKeys("#new-password-again", "yet another secret"),
		chromedp.Click("#reset-submit")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#reset-error", "expired or was already used")
}

// Without the bundle, /console says how to build it rather than break.
func TestConsolePlaceholderIsServed(t *testing.T) {
	srv := startServer(t, map[string]string{"PORT": "0", "TANDEM_DATA_DIR": t.TempDir()})
	res, err := http.Get(srv.url + "/console")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	want := "/static/console.js" // the bundled page loads the bundle
	if !web.Built() {
		want = "make web"
	}
	if res.StatusCode != http.StatusOK || !strings.Contains(string(b), want) {
		t.Fatalf("/console: %d, without %q:\n%s", res.StatusCode, want, b)
	}
}

// Start session from the console: the address book suggests a known
// customer as the agent types, picking it fills the contact, and the new
// session heads the list; a bad number is refused with the hub's words.
func TestBrowserConsoleStartSession(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	allowConsole(t, ctx, `status of 400 .*/api/v1/rooms\)`) // a phone number that is not one, on purpose
	srv := consoleServer(t, nil)
	bg := context.Background()
	agent := adminClient(t, srv.url)
	if _, err := agent.CreateRoom(bg, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Samira Khan", Phone: "+14155552671", Email: "samira@example.com"}}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/console"), chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", "admin@example.com"), chromedp.SendKeys("#password", adminPassword), chromedp.Click("#submit"),
		chromedp.WaitVisible("#start"), chromedp.Click("#preplan"), chromedp.WaitVisible("#new-name"),
		chromedp.SendKeys("#new-name", "Zed"), chromedp.SendKeys("#new-phone", "12"), chromedp.Click("#new-submit")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#new-error", "not a phone number")

	// Start session with a suggestion.
	if err := chromedp.Do(ctx, clearInput("#new-name"), chromedp.SendKeys("#new-name", "Sami")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the name typed whole", `document.querySelector("#new-name").value === "Sami"`)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`#suggestions [role="option"]`), chromedp.Click(`#suggestions [role="option"]`)); err != nil {
		t.Fatal(err)
	}
	if phone, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#new-phone").value`)); err != nil || phone != "+14155552671" {
		t.Fatalf("the picked contact's phone: %q %v", phone, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click("#new-submit")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#customer", "Samira Khan") // the new session opens
	if err := chromedp.Do(ctx, chromedp.Click("#back")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#rooms tbody tr:first-child", "Samira Khan")
	res, err := agent.Rooms(bg, client.RoomQuery{})
	if err != nil || len(res.Rooms) != 2 || res.Rooms[0].Mode != room.ModePreplan || res.Rooms[0].Customer.Email != "samira@example.com" {
		t.Fatalf("the rooms after Pre-plan: %+v, %v", res.Rooms, err)
	}
}

// adminPassword is the admin's password on the hubs consoleServer starts.
const adminPassword = "a long enough secret"

// consoleServer starts the binary on the embedded default (its own data
// folder, any free port) with the admin admin@example.com signed in by
// adminPassword, and more settings from env.
func consoleServer(t *testing.T, env map[string]string) *server {
	t.Helper()
	all := map[string]string{"PORT": "0", "TANDEM_DATA_DIR": t.TempDir(), "TANDEM_ADMIN_PASSWORD": adminPassword}
	maps.Copy(all, env)
	return startServer(t, all)
}

// smsRoom creates a room of mode for the customer name, invited by SMS to
// phone when live.
func smsRoom(t *testing.T, agent *client.Client, mode room.Mode, name, phone string) room.State {
	t.Helper()
	s, err := agent.CreateRoom(context.Background(), client.CreateRoom{Mode: mode, Channel: room.ChannelSMS, Customer: room.Customer{Name: name, Phone: phone}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sendFromLibrary sends the asset to the room with its agent's loan
// amount filled, and returns the document's id.
func sendFromLibrary(t *testing.T, agent *client.Client, roomID, assetID, amount string) string {
	t.Helper()
	d, err := agent.AddDocument(context.Background(), roomID, assetID, map[string]string{"amount": amount})
	if err != nil {
		t.Fatalf("send the document: %v", err)
	}
	return d.ID
}

// adminClient returns a client of the hub at url signed in as its admin.
func adminClient(t *testing.T, url string) *client.Client {
	t.Helper()
	c := mustClient(t, url)
	if _, err := c.Login(context.Background(), "admin@example.com", adminPassword); err != nil {
		t.Fatal(err)
	}
	return c
}

// signInConsole opens the console and signs in as the admin.
func signInConsole(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/console"), chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", "admin@example.com"), chromedp.SendKeys("#password", adminPassword), chromedp.Click("#submit"),
		chromedp.WaitVisible("#start")); err != nil {
		t.Fatal(err)
	}
}

// The newcomer's flow, in two browser tabs: pre-plan a session, press
// Invite client, watch the link go out and its (simulated) delivery; the
// customer opens the link in the other tab, and the agent's view shows
// "customer connected" live, without a reload.
func TestBrowserWatchTheCustomerConnect(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	srv := consoleServer(t, nil)
	signInConsole(t, ctx, srv.url)
	if err := chromedp.Do(ctx, chromedp.Click("#preplan"), chromedp.WaitVisible("#new-name"),
		chromedp.SendKeys("#new-name", "Sam Lee"), chromedp.SendKeys("#new-phone", "(415) 555-2671"), chromedp.Click("#new-submit")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#invite-status", "Pre-planned")
	waitText(t, ctx, "#connection", "live")
	if err := chromedp.Do(ctx, chromedp.Click("#invite")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#timeline", "Link sent by SMS to +1 415 … 2671")
	waitText(t, ctx, "#timeline", "Delivered: simulated by the dev outbox")
	waitText(t, ctx, "#invite-status", "Delivered (simulated)")
	waitText(t, ctx, "#presence", "Not opened")

	// The link, from the console's dev outbox page; then back to the
	// session, by the list, as a person would.
	session, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.hash`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click("#outbox-link"),
		chromedp.WaitVisible("#outbox a.open-link")); err != nil {
		t.Fatal(err)
	}
	if msg := textOf(t, ctx, "#outbox li"); !strings.Contains(msg, "SMS to +14155552671") || !strings.Contains(msg, "/r/") {
		t.Fatalf("the dev outbox shows %q", msg)
	}
	link, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#outbox a.open-link").href`))
	if err != nil || !strings.HasPrefix(link, srv.url+"/r/") {
		t.Fatalf("link in the dev outbox: %q %v", link, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click("#nav-sessions"), chromedp.WaitVisible("#rooms"),
		chromedp.Click(`#rooms a[href="`+session+`"]`), chromedp.WaitVisible("#timeline")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#connection", "live")
	// Nothing below reloads the page: this mark would go with it.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	// Another tab of the same browser, as a newcomer trying the flow on one
	// machine does: the agent's session cookie is there too, and the
	// customer's page must still be the customer's.
	customer, closeTab := chromedp.NewContext(ctx)
	defer closeTab()
	if err := chromedp.Do(customer, chromedp.Navigate(link)); err != nil {
		t.Fatal(err)
	}
	waitText(t, customer, "#status", "Connected to your agent")
	waitText(t, ctx, "#timeline", "Customer connected from")
	waitText(t, ctx, "#presence", "Online now")
	if err := chromedp.Do(ctx, chromedp.WaitNotPresent("#reengage")); err != nil {
		t.Fatalf("Re-engage is still offered once the customer came: %v", err)
	}
	if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded === true`)); err != nil || !same {
		t.Fatalf("the console reloaded to show the customer connected (%v)", err)
	}
}

// The session list is live: a session started elsewhere (another agent's
// tab, a CRM through the API) appears, and its chip follows the customer
// (connected, left) without a reload. Search and the status filter narrow
// it.
func TestBrowserSessionListIsLive(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	srv := consoleServer(t, nil)
	signInConsole(t, ctx, srv.url)
	waitText(t, ctx, "#feed-connection", "live")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	bg := context.Background()
	agent := adminClient(t, srv.url)
	pre, err := agent.CreateRoom(bg, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelEmail, Customer: room.Customer{Name: "Kim Park", Email: "kim@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	s := smsRoom(t, agent, room.ModeLive, "Sam Lee", "+14155552671")
	row := `#rooms tr[data-room="` + s.ID + `"]`
	waitText(t, ctx, row, "Sam Lee")
	waitText(t, ctx, row, "Not opened yet")
	waitText(t, ctx, `#rooms tr[data-room="`+pre.ID+`"]`, "Pre-planned")

	// The customer comes, then goes.
	cust := mustClient(t, srv.url)
	msgs, err := agent.DevOutbox(bg)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("dev outbox: %v %v", msgs, err)
	}
	if _, err := cust.OpenLink(bg, msgs[0].Link); err != nil {
		t.Fatal(err)
	}
	sub, err := cust.Subscribe(bg, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, row, "Online now")
	sub.Close()
	waitText(t, ctx, row, "Left ")

	// Search by number as people write it, then by name; filter by status.
	if err := chromedp.Do(ctx, chromedp.SendKeys("#search", "(415) 555")); err != nil {
		t.Fatal(err)
	}
	waitRows(t, ctx, s.ID)
	if err := chromedp.Do(ctx, clearInput("#search"), chromedp.SendKeys("#search", "kim")); err != nil {
		t.Fatal(err)
	}
	waitRows(t, ctx, pre.ID)
	if err := chromedp.Do(ctx, clearInput("#search"), chromedp.SendKeys("#search", " "), choose("#filter", "left")); err != nil {
		t.Fatal(err)
	}
	waitRows(t, ctx, s.ID)
	if err := chromedp.Do(ctx, choose("#filter", "invalid")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#no-rooms", "No session matches")
	// A session that becomes what the filter shows appears by itself.
	bad, err := agent.CreateRoom(bg, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Wrong Number", Phone: "+15005550001"}})
	if err != nil {
		t.Fatal(err)
	}
	waitRows(t, ctx, bad.ID)
	if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded === true`)); err != nil || !same {
		t.Fatalf("the list reloaded the page (%v)", err)
	}
}

// waitRows waits until the session list shows exactly the rooms ids.
func waitRows(t *testing.T, ctx context.Context, ids ...string) {
	t.Helper()
	want := strings.Join(ids, ",")
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#rooms tr[data-room]")].map(tr => tr.dataset.room)`))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the list shows %v, want %v", got, ids)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// An invalid number shows as invalid with its reason; Re-engage switches
// to email on a new link, and the timeline tells what was tried.
func TestBrowserInvalidNumberThenReengage(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	srv := consoleServer(t, nil)
	signInConsole(t, ctx, srv.url)
	if err := chromedp.Do(ctx, chromedp.Click("#start"), chromedp.WaitVisible("#new-name"),
		chromedp.SendKeys("#new-name", "Sam Lee"), chromedp.SendKeys("#new-phone", "+1 500 555 0001"), chromedp.Click("#new-submit")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#invite-status", "Invalid number")
	waitText(t, ctx, "#timeline", "Invalid: simulated by the dev outbox, nothing was sent: not a valid phone number (21211)")
	if err := chromedp.Do(ctx, chromedp.Click("#reengage"), chromedp.WaitVisible("#reengage-form"), chromedp.Click("#re-email"),
		chromedp.SendKeys("#re-email-address", "sam@example.com"), chromedp.Click("#re-submit")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#timeline", "Contact changed: sam@example.com")
	waitText(t, ctx, "#timeline", "Previous link revoked")
	waitText(t, ctx, "#timeline", "New link sent by email to sam@example.com")
	waitText(t, ctx, "#invite-status", "Delivered (simulated)")
	// The contact in use, and the one that failed before it.
	waitText(t, ctx, "#contact", "sam@example.com · in use")
	waitText(t, ctx, "#contact", "+1 500 555 0001 · invalid number")
}

// The console's connection survives the hub restarting: the indicator says
// "reconnecting…" while it is down, then "live" again, and the timeline
// goes on from where it was, with no line lost or repeated.
func TestBrowserConsoleReconnectsAfterHubRestart(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	env := map[string]string{"PORT": freePort(t), "TANDEM_DATA_DIR": t.TempDir(), "TANDEM_ADMIN_PASSWORD": adminPassword}
	srv := startServer(t, env)
	signInConsole(t, ctx, srv.url)
	if err := chromedp.Do(ctx, chromedp.Click("#preplan"), chromedp.WaitVisible("#new-name"),
		chromedp.SendKeys("#new-name", "Sam Lee"), chromedp.SendKeys("#new-phone", "4155552671"), chromedp.Click("#new-submit")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#connection", "live")
	waitText(t, ctx, "#timeline", "Session pre-planned by Admin")

	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#connection", "reconnecting")
	srv = startServer(t, env) // same port, same data
	waitText(t, ctx, "#connection", "live")

	// Something new happens: it shows once, after the line that was there.
	agent := adminClient(t, srv.url)
	rooms, err := agent.Rooms(context.Background(), client.RoomQuery{})
	if err != nil || len(rooms.Rooms) != 1 {
		t.Fatalf("rooms: %+v %v", rooms, err)
	}
	if _, err := agent.ReportActivity(context.Background(), rooms.Rooms[0].ID, "viewing", ""); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#timeline", "Agent is viewing")
	seqs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#timeline li")].map(li => li.dataset.seq)`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(seqs, ",") != "1,2" {
		t.Fatalf("timeline seqs after the restart: %v, want 1,2", seqs)
	}
}

// unlabeled lists the controls of the page that a screen reader could not
// name: inputs and selects without a label, buttons and links without text.
func unlabeled(t *testing.T, ctx context.Context) []string {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("input, select, textarea, button, a[href], summary")].filter(el => {
		if (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby")) return false;
		if (el.matches("input, select, textarea")) return !(el.labels && el.labels.length);
		return !el.textContent.trim();
	}).map(el => el.outerHTML.slice(0, 120))`))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// The console works from the keyboard, and every control has a name a
// screen reader reads: sign in with Tab and Enter, reach Start session
// with Tab, open the dialog with Enter. The customer's room and the bad
// link page pass the same label check, and axe-core finds no serious or
// critical fault on any of these pages.
func TestBrowserKeyboardAndLabels(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	srv := consoleServer(t, nil)
	check := func(page string) {
		t.Helper()
		if bad := unlabeled(t, ctx); len(bad) != 0 {
			t.Errorf("%s: controls without a name: %v", page, bad)
		}
		axeScan(t, ctx, page)
	}
	active := func() string {
		t.Helper()
		id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	// The hub's own address leads to the console, and the page's icon is
	// there (a missing one is a failed request in every tab).
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url), chromedp.WaitVisible("#email")); err != nil {
		t.Fatal(err)
	}
	if path := evalJS[string](t, ctx, `location.pathname`); path != "/console" {
		t.Fatalf("the hub's address led to %q, not the console", path)
	}
	if ok := evalJS[bool](t, ctx, `Promise.all([document.querySelector('link[rel="icon"]').href, "/favicon.ico"].map(u => fetch(u).then(r => r.ok))).then(rs => rs.every(Boolean))`); !ok {
		t.Fatal("the page's icon or /favicon.ico does not load")
	}
	check("sign in")
	if err := chromedp.Do(ctx, chromedp.Focus("#email"), chromedp.KeyEvent("admin@example.com\t")); err != nil {
		t.Fatal(err)
	}
	if id := active(); id != "password" {
		t.Fatalf("Tab from the email went to %q, not the password", id)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(adminPassword+"\r"), chromedp.WaitVisible("#start")); err != nil {
		t.Fatalf("sign in with Enter: %v", err)
	}
	waitText(t, ctx, "#feed-connection", "live")
	check("sessions")
	// Tab until Start session has the focus, then Enter.
	for i := 0; active() != "start"; i++ {
		if i > 20 {
			t.Fatalf("Start session is not reachable with Tab (focus on %q)", active())
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r"), chromedp.WaitVisible("#new-name")); err != nil {
		t.Fatalf("Enter on Start session: %v", err)
	}
	check("new session")
	if err := chromedp.Do(ctx, chromedp.Focus("#new-name"), chromedp.KeyEvent("Sam Lee"), chromedp.Focus("#new-phone"), chromedp.KeyEvent("4155552671\r"),
		chromedp.WaitVisible("#timeline")); err != nil {
		t.Fatalf("start a session from the keyboard: %v", err)
	}
	waitText(t, ctx, "#timeline", "Link sent by SMS")
	check("session")
	// The header's places are reached with Tab and opened with Enter: the
	// People page, then the address book, each passing the same checks.
	for _, place := range []struct{ link, page string }{{"nav-people", "People"}, {"nav-contacts", "Address book"}} {
		for i := 0; active() != place.link; i++ {
			if i > 40 {
				t.Fatalf("%s is not reachable with Tab (focus on %q)", place.page, active())
			}
			if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
				t.Fatal(err)
			}
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
			t.Fatal(err)
		}
		waitText(t, ctx, "main h1", place.page)
		check(place.page)
	}

	bg := context.Background()
	agent := adminClient(t, srv.url)
	msgs, err := agent.DevOutbox(bg)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("dev outbox: %v %v", msgs, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(msgs[0].Link)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#status", "Connected to your agent")
	check("customer room")
	allowConsole(t, ctx, `status of 404 .*/r/x+\)`) // the bad link's page is a 404
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/r/"+strings.Repeat("x", 43)), chromedp.WaitVisible("h1")); err != nil {
		t.Fatal(err)
	}
	check("bad link")
}

// When the agent's session ends while the console is open, the live list
// does not knock forever: the console shows the sign-in page.
func TestBrowserConsoleSessionEnds(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	// The session ends under the page: the feed and the calls are refused.
	allowConsole(t, ctx, `status of 401|/api/v1/feed.* failed`)
	srv := consoleServer(t, map[string]string{"TANDEM_SESSION_TTL": "4s"})
	signInConsole(t, ctx, srv.url)
	waitText(t, ctx, "#feed-connection", "live")
	// The session expires: the feed closes, is refused again, and the
	// console sends the agent to sign in.
	if err := chromedp.Do(ctx, chromedp.WaitVisible("#password")); err != nil {
		t.Fatalf("no sign-in page after the session ended: %v", err)
	}
}
