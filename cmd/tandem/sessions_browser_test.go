package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
)

// segmentedOK is a script that tells what is wrong with the SMS/Email
// choice whose radio inputs have the ids sms and email, or "": each radio
// sits on the line of its word, the two options side by side on one line.
func segmentedOK(sms, email string) string {
	return `(() => {
	const one = (id) => {
		const input = document.getElementById(id);
		if (!input) return [null, id + " is missing"];
		const label = input.closest("label");
		const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT, { acceptNode: (n) => n.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT });
		const text = walker.nextNode();
		if (!text) return [null, id + " has no words"];
		const range = document.createRange();
		range.selectNodeContents(text);
		const t = range.getBoundingClientRect(), i = input.getBoundingClientRect(), l = label.getBoundingClientRect();
		const mid = i.top + i.height / 2;
		if (mid < t.top || mid > t.bottom) return [null, id + ": the radio is not on the line of its word (" + Math.round(mid) + " vs " + Math.round(t.top) + "–" + Math.round(t.bottom) + ")"];
		if (i.right > l.right + 1 || i.left < l.left - 1) return [null, id + ": the radio is outside its label"];
		return [l, ""];
	};
	const [a, ea] = one("` + sms + `"), [b, eb] = one("` + email + `");
	if (ea || eb) return ea || eb;
	if (Math.abs(a.top - b.top) > 2) return "the two options are on two lines";
	if (b.left - a.right > 8) return "the two options are apart: " + Math.round(b.left - a.right) + " px";
	return "";
})()`
}

// present tells whether sel is in the page.
func present(t *testing.T, ctx context.Context, sel string) bool {
	t.Helper()
	return evalJS[bool](t, ctx, `!!document.querySelector('`+sel+`')`)
}

// The SMS/Email choice is one segmented control in Start session and in
// Re-engage: each radio on the line of its word, the two side by side, the
// arrow keys moving the choice, and only the field the choice needs shown.
// The contact suggestions work from the keyboard: ↓ reaches one, Enter
// picks it, Escape closes the list.
func TestBrowserSessionsChannelChoiceAndSuggestions(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	srv := consoleServer(t, nil)
	agent := adminClient(t, srv.url)
	if _, err := agent.CreateRoom(context.Background(), client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelSMS,
		Customer: room.Customer{Name: "Samira Khan", Phone: "+14155552671", Email: "samira@example.com"}}); err != nil {
		t.Fatal(err)
	}
	signInConsole(t, ctx, srv.url)
	if err := chromedp.Do(ctx, chromedp.Click("#start"), chromedp.WaitVisible("#new-name")); err != nil {
		t.Fatal(err)
	}
	if bad := evalJS[string](t, ctx, segmentedOK("by-sms", "by-email")); bad != "" {
		t.Fatalf("Start session's SMS/Email choice: %s", bad)
	}
	if !present(t, ctx, "#new-phone") || present(t, ctx, "#new-email") {
		t.Fatal("with SMS chosen, the form shows other than the phone number")
	}
	if err := chromedp.Do(ctx, chromedp.Click("#by-email"), chromedp.WaitVisible("#new-email")); err != nil {
		t.Fatal(err)
	}
	if present(t, ctx, "#new-phone") {
		t.Fatal("with Email chosen, the phone number still shows")
	}
	// The arrow keys move the choice, as in any radio group.
	if err := chromedp.Do(ctx, chromedp.Focus("#by-email"), chromedp.KeyEvent(kb.ArrowLeft), chromedp.WaitVisible("#new-phone")); err != nil {
		t.Fatalf("← on Email: %v", err)
	}
	if !evalJS[bool](t, ctx, `document.querySelector("#by-sms").checked && document.activeElement.id === "by-sms"`) {
		t.Fatal("← on Email did not choose SMS")
	}
	if bad := unlabeled(t, ctx); len(bad) != 0 {
		t.Fatalf("new session: controls without a name: %v", bad)
	}
	axeScan(t, ctx, "new session")

	// Suggestions by keyboard: a combobox, its listbox, the active option.
	if err := chromedp.Do(ctx, chromedp.Focus("#new-name"), chromedp.KeyEvent("Sami")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the suggestions open", `document.querySelector("#new-name").getAttribute("aria-expanded") === "true" && !!document.querySelector('#suggestions[role="listbox"] [role="option"]')`)
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "Escape closes the suggestions", `!document.querySelector("#suggestions") && document.querySelector("#new-name").getAttribute("aria-expanded") === "false"`)
	if err := chromedp.Do(ctx, chromedp.KeyEvent("r")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the suggestions open again", `!!document.querySelector('#suggestions [role="option"]')`)
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "↓ reaches the first suggestion", `(() => { const i = document.querySelector("#new-name"), id = i.getAttribute("aria-activedescendant"); return !!id && document.getElementById(id)?.getAttribute("aria-selected") === "true" && document.activeElement === i })()`)
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "Enter picks the contact", `document.querySelector("#new-name").value === "Samira Khan" && document.querySelector("#new-phone").value === "+14155552671" && !document.querySelector("#suggestions")`)
	if present(t, ctx, "#customer") {
		t.Fatal("Enter on a suggestion submitted the form")
	}

	// Re-engage, on a number the dev outbox takes for invalid.
	if err := chromedp.Do(ctx, clearInput("#new-name"), chromedp.SendKeys("#new-name", "Wrong Number"), clearInput("#new-phone"),
		chromedp.SendKeys("#new-phone", "+1 500 555 0001"), chromedp.Click("#new-submit")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#invite-status", "Invalid number")
	if err := chromedp.Do(ctx, chromedp.Click("#reengage"), chromedp.WaitVisible("#reengage-form")); err != nil {
		t.Fatal(err)
	}
	if bad := evalJS[string](t, ctx, segmentedOK("re-sms", "re-email")); bad != "" {
		t.Fatalf("Re-engage's SMS/Email choice: %s", bad)
	}
	axeScan(t, ctx, "re-engage")
	if !present(t, ctx, "#re-phone") || present(t, ctx, "#re-email-address") {
		t.Fatal("Re-engage by SMS shows other than the phone number")
	}
	if err := chromedp.Do(ctx, chromedp.Click("#re-email"), chromedp.WaitVisible("#re-email-address")); err != nil {
		t.Fatal(err)
	}
	if present(t, ctx, "#re-phone") {
		t.Fatal("Re-engage by email still shows the phone number")
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys("#re-email-address", "wrong.number@example.com"), chromedp.Click("#re-submit")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#timeline", "New link sent by email to wrong.number@example.com")
}

// The session list is a table sorted by last activity: a room with a new
// event moves to the top by itself, its time says "just now" with the
// exact time in a tooltip, a click anywhere on a row opens it. "Waiting for
// customer" leaves out an invalid number. At 360 px, a long email wraps:
// no sideways scroll.
func TestBrowserSessionsTable(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	srv := consoleServer(t, nil)
	bg := context.Background()
	agent := adminClient(t, srv.url)
	oldest := smsRoom(t, agent, room.ModeLive, "Sam Lee", "+14155552671")
	long := "alexandra.konstantinopoulou-whitfield.accounts-payable@subsidiary.example-holdings.co.uk"
	mail, err := agent.CreateRoom(bg, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelEmail,
		Customer: room.Customer{Name: "Alexandra Konstantinopoulou-Whitfield", Email: long}})
	if err != nil {
		t.Fatal(err)
	}
	bad := smsRoom(t, agent, room.ModeLive, "Wrong Number", "+15005550001")
	// The dev outbox reports each delivery a moment later: wait for all
	// three, so that the order by activity stays put.
	for _, id := range []string{oldest.ID, mail.ID, bad.ID} {
		deadline := time.Now().Add(20 * time.Second)
		for {
			s, err := agent.Room(bg, id)
			if err != nil {
				t.Fatal(err)
			}
			if s.InviteStatus != room.InviteSent {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no delivery report for %s", id)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	byActivity := func() []string {
		t.Helper()
		page, err := agent.Rooms(bg, client.RoomQuery{Order: client.OrderActivity})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range page.Rooms {
			ids = append(ids, r.ID)
		}
		return ids
	}

	signInConsole(t, ctx, srv.url)
	waitText(t, ctx, "#feed-connection", "Console live")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	// The feed may connect before the first page of sessions arrives:
	// the table is there once its rows are.
	waitRows(t, ctx, byActivity()...)
	heads := evalJS[[]string](t, ctx, `[...document.querySelectorAll("#rooms thead th")].map(th => th.textContent)`)
	if strings.Join(heads, ",") != "Customer,Contact,Status,Last activity" {
		t.Fatalf("the table's columns: %v", heads)
	}
	row := `#rooms tr[data-room="` + bad.ID + `"]`
	waitText(t, ctx, row, "Invalid number")
	waitText(t, ctx, `#rooms tr[data-room="`+mail.ID+`"]`, "Not opened yet")
	if ok := evalJS[bool](t, ctx, `(() => { const t = document.querySelector('#rooms tr[data-room="`+oldest.ID+`"] time'); return t.textContent === "just now" && !!Date.parse(t.getAttribute("datetime")) && t.title.length > 10 })()`); !ok {
		t.Fatal("the last activity is not \"just now\" with its exact time")
	}

	// The oldest session gets an event: it moves to the top, live.
	if _, err := agent.ReportActivity(bg, oldest.ID, "viewing", ""); err != nil {
		t.Fatal(err)
	}
	order := byActivity()
	if order[0] != oldest.ID {
		t.Fatalf("the hub's order by activity: %v", order)
	}
	waitRows(t, ctx, order...)

	// Waiting for customer leaves the invalid number out.
	if err := chromedp.Do(ctx, choose("#filter", "waiting")); err != nil {
		t.Fatal(err)
	}
	waitRows(t, ctx, oldest.ID, mail.ID)
	if err := chromedp.Do(ctx, choose("#filter", "invalid")); err != nil {
		t.Fatal(err)
	}
	waitRows(t, ctx, bad.ID)
	if err := chromedp.Do(ctx, choose("#filter", "")); err != nil {
		t.Fatal(err)
	}
	waitRows(t, ctx, order...)
	// Everyone's sessions show their agent.
	if err := chromedp.Do(ctx, chromedp.Click("#mine")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the agent column", `[...document.querySelectorAll("#rooms thead th")].map(th => th.textContent).join() === "Customer,Contact,Agent,Status,Last activity"`)
	waitText(t, ctx, `#rooms tr[data-room="`+mail.ID+`"]`, "Admin")
	axeScan(t, ctx, "session list")

	// At a phone's width the long email wraps.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#rooms tr[data-room="`+mail.ID+`"]`, long)
	if w := evalJS[int](t, ctx, `document.documentElement.scrollWidth`); w > 360 {
		t.Fatalf("the session list is %d px wide at 360 px", w)
	}
	if bad := unlabeled(t, ctx); len(bad) != 0 {
		t.Fatalf("sessions: controls without a name: %v", bad)
	}
	axeScan(t, ctx, "session list at 360 px")
	// A click on the row, off the link, opens the session.
	if err := chromedp.Do(ctx, chromedp.Click(`#rooms tr[data-room="`+mail.ID+`"] td.activity`), chromedp.WaitVisible("#customer")); err != nil {
		t.Fatal(err)
	}
	if hash := evalJS[string](t, ctx, `location.hash`); hash != "#/sessions/"+mail.ID {
		t.Fatalf("the row opened %q", hash)
	}
	if same := evalJS[bool](t, ctx, `window.notReloaded === true`); !same {
		t.Fatal("the list reloaded the page")
	}
}
