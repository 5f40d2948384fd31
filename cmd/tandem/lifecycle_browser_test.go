package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
)

// lifecycleShot saves a screenshot of tab when TANDEM_SHOTS names a
// folder: for looking at the pages, not for checking them.
func lifecycleShot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	dir := os.Getenv("TANDEM_SHOTS")
	if dir == "" {
		return
	}
	if png, err := chromedp.Run(tab, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}

// noKeepOpen fails t if the page of tab tells the customer to keep it
// open, or that their link was replaced, once the session has ended.
func noKeepOpen(t *testing.T, tab context.Context, where string) {
	t.Helper()
	body, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	if low := strings.ToLower(body); strings.Contains(low, "keep this page open") || strings.Contains(low, "replaced") {
		t.Fatalf("%s says %q", where, body)
	}
}

// The agent ends a session with an outcome while the customer's page is
// open: the customer's page says at once that the session has ended, with
// what they did; the link answers the same afterwards, and so does the
// room page reloaded; the agent's page shows the session ended with its
// outcome, and no action but viewing.
func TestBrowserLifecycleEndSession(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	srv := consoleServer(t, nil)
	bg := context.Background()
	agent := adminClient(t, srv.url)
	s := smsRoom(t, agent, room.ModeLive, "Sam Lee", "+14155552671")
	pay, err := agent.RequestPayment(bg, s.ID, client.PaymentRequest{Amount: "12.50", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := agent.DevOutbox(bg)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("dev outbox: %v", err)
	}
	link := msgs[0].Link

	customer := newTab(t, ctx)
	// Once the session ends, the customer's room and link refuse: those
	// refusals are how the page learns it ended.
	allowConsole(t, ctx, `status of 401 .*/api/v1/rooms/`+s.ID+`\?as=customer\)$`)
	allowConsole(t, ctx, `status of 410 .*/r/[A-Za-z0-9_-]+\)$`)
	if err := chromedp.Do(customer, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2)), chromedp.Navigate(link)); err != nil {
		t.Fatal(err)
	}
	waitText(t, customer, "#status", "Connected to your agent")
	// The customer pays (from another client of the same link); their
	// page follows.
	cust := mustClient(t, srv.url)
	if _, err := cust.OpenLink(bg, link); err != nil {
		t.Fatal(err)
	}
	if _, err := cust.PayByCard(bg, s.ID, pay.ID, client.Card{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2040, CVC: "123"}); err != nil {
		t.Fatal(err)
	}

	// The account's zone, far from the browser's: the timeline's times
	// are in it.
	set, err := agent.Settings(bg)
	if err != nil {
		t.Fatal(err)
	}
	set.TimeZone = "Pacific/Kiritimati"
	if _, err := agent.UpdateSettings(bg, set); err != nil {
		t.Fatal(err)
	}
	evs, err := agent.Events(bg, s.ID, 0, 1)
	if err != nil || len(evs) == 0 {
		t.Fatalf("events: %v", err)
	}
	kiritimati, err := time.LoadLocation("Pacific/Kiritimati")
	if err != nil {
		t.Fatal(err)
	}

	signInConsole(t, ctx, srv.url)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/console#/sessions/"+s.ID)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#connection", "Console live")
	if got, want := textOf(t, ctx, "#timeline li time"), evs[0].At.In(kiritimati).Format("3:04:05 PM"); got != want {
		t.Errorf("the first event's time is %q, want %q (in the account's zone)", got, want)
	}
	waitText(t, ctx, ".timeline-day-title", evs[0].At.In(kiritimati).Format("Monday, January 2, 2006"))
	waitText(t, ctx, "#presence", "Online now")
	waitText(t, ctx, "#contact", "+1 415 555 2671 · in use")
	if err := chromedp.Do(ctx, chromedp.WaitNotPresent("#copy-link"), chromedp.WaitNotPresent("#resend-link")); err != nil {
		t.Fatalf("new links are offered while the customer is in the room: %v", err)
	}
	lifecycleShot(t, ctx, "session-online-desktop")
	if err := chromedp.Do(ctx, chromedp.Click("#end-session"), chromedp.WaitVisible("#end-outcome"),
		chromedp.SendKeys("#end-outcome", "Deposit paid")); err != nil {
		t.Fatal(err)
	}
	lifecycleShot(t, ctx, "session-end-dialog")
	if err := chromedp.Do(ctx, chromedp.Click("#end-confirm")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitText(t, customer, "#ended", "This session has ended")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the customer's page took %s to say the session ended", d)
	}
	waitText(t, customer, "#ended-summary", "You paid 12.50 USD")
	waitText(t, customer, "#status", "Session ended")
	noKeepOpen(t, customer, "the customer's page")
	lifecycleShot(t, customer, "room-ended-360")
	axeScan(t, customer, "the customer's room, ended")

	waitText(t, ctx, "#timeline", "Session ended by Admin: Deposit paid")
	waitText(t, ctx, "#ended", "Outcome: Deposit paid")
	waitText(t, ctx, "#presence", "Ended")
	if tl := textOf(t, ctx, "#timeline"); strings.Contains(tl, "revoked") {
		t.Errorf("the timeline speaks of a revoked link: %q", tl)
	}
	if err := chromedp.Do(ctx, chromedp.WaitNotPresent("#end-session"), chromedp.WaitNotPresent("#attach")); err != nil {
		t.Fatalf("an ended session still offers actions: %v", err)
	}
	lifecycleShot(t, ctx, "session-ended-desktop")
	axeScan(t, ctx, "the ended session's page")

	// The link, and the room page reloaded, say the same.
	if err := chromedp.Do(customer, chromedp.Navigate(link)); err != nil {
		t.Fatal(err)
	}
	if got := textOf(t, customer, "h1"); got != "This session has ended" {
		t.Fatalf("the link after the end: %q", got)
	}
	noKeepOpen(t, customer, "the link's page")
	if err := chromedp.Do(customer, chromedp.Navigate(srv.url+"/room/"+s.ID)); err != nil {
		t.Fatal(err)
	}
	waitText(t, customer, "#ended", "This session has ended")
	noKeepOpen(t, customer, "the room page reloaded")
	axeScan(t, customer, "the customer's room reloaded after the end")
}

// An unknown session says so, with a way back, and opens no WebSocket.
// Then, on a phone's width with a long email: Resend link and Copy link,
// their words in the timeline, the link copied opening the room, and no
// sideways scroll.
func TestBrowserLifecycleLinks(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	srv := consoleServer(t, nil)
	bg := context.Background()
	agent := adminClient(t, srv.url)
	long := "alexandra.konstantinopoulou-papadimitriou.accounts@subsidiary.example-holdings.com"
	s, err := agent.CreateRoom(bg, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS,
		Customer: room.Customer{Name: "Alexandra Konstantinopoulou-Papadimitriou", Phone: "+14155552671", Email: long}})
	if err != nil {
		t.Fatal(err)
	}

	signInConsole(t, ctx, srv.url)
	// Count the room sockets the page opens from here on.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		window.roomSockets = 0;
		const W = window.WebSocket;
		window.WebSocket = class extends W { constructor(u, p) { if (String(u).includes("/rooms/")) window.roomSockets++; super(u, p); } };
		return true;
	})()`)); err != nil {
		t.Fatal(err)
	}
	unknown := "rm_" + strings.Repeat("a", 24)
	// The one refusal the page meets: the session is looked up once.
	allowConsole(t, ctx, `status of 404 .*/api/v1/rooms/`+unknown+`\)$`)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/console#/sessions/"+unknown)); err != nil {
		t.Fatal(err)
	}
	// A hash change keeps the page, and the counter.
	waitText(t, ctx, "#not-found", "Session not found")
	if got := textOf(t, ctx, "#back-to-sessions"); got != "Back to sessions" {
		t.Fatalf("the way back says %q", got)
	}
	time.Sleep(3 * time.Second)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.roomSockets`)); err != nil || n != 0 {
		t.Fatalf("an unknown session opened %d room sockets (%v)", n, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click("#back-to-sessions"), chromedp.WaitVisible("#start")); err != nil {
		t.Fatal(err)
	}

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2)), chromedp.Navigate(srv.url+"/console#/sessions/"+s.ID)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#invite-status", "Delivered (simulated)")
	waitText(t, ctx, "#presence", "Not opened")
	waitText(t, ctx, "#contact", long)
	if err := chromedp.Do(ctx, chromedp.Click("#resend-link")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#session-done", "Link sent again to +1 415 555 2671")
	waitText(t, ctx, "#timeline", "Link sent again by Admin by SMS to +1 415 … 2671")
	if err := chromedp.Do(ctx, chromedp.Click("#copy-link")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#copied-link", srv.url+"/r/")
	waitText(t, ctx, "#session-done", "The previous link no longer works")
	waitText(t, ctx, "#timeline", "Link copied by Admin for a phone call")
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil || wide > 360 {
		t.Fatalf("the session page at 360 px is %d px wide (%v)", wide, err)
	}
	lifecycleShot(t, ctx, "session-links-360")
	axeScan(t, ctx, "the session page at 360 px")
	copied := strings.TrimSpace(textOf(t, ctx, "#copied-link code"))

	// The customer, told the link on the phone, opens it.
	customer, closeTab := chromedp.NewContext(ctx)
	defer closeTab()
	if err := chromedp.Do(customer); err != nil {
		t.Fatal(err)
	}
	watch(t, customer)
	if err := chromedp.Do(customer, chromedp.Navigate(copied)); err != nil {
		t.Fatal(err)
	}
	waitText(t, customer, "#status", "Connected to your agent")
	waitText(t, ctx, "#presence", "Online now")
	if err := chromedp.Do(ctx, chromedp.WaitNotPresent("#copy-link"), chromedp.WaitNotPresent("#reengage")); err != nil {
		t.Fatal(err)
	}
	// A reload is a drop, not a visit: one line. Then the customer goes.
	if err := chromedp.Do(customer, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitText(t, customer, "#status", "Connected to your agent")
	waitText(t, ctx, "#timeline", "Customer reconnected after")
	closeTab()
	waitText(t, ctx, "#presence", "Left ")
}
