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

// pageShot saves a full-page picture of ctx's page as name.png under
// TANDEM_SCREENSHOTS, if set.
func pageShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("TANDEM_SCREENSHOTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// invitationLink waits for the invitation email to to in the dev outbox
// and returns its link.
func invitationLink(t *testing.T, admin *client.Client, to string) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		msgs, err := admin.DevOutbox(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.To == to && strings.Contains(m.Link, "/invitation?token=") {
				return m.Link
			}
		}
	}
	t.Fatalf("no invitation to %s in the dev outbox", to)
	return ""
}

// An admin invites an agent from the People page; the invitation's email
// (in the dev outbox) links to a page where the agent chooses a password
// and is signed in, in a browser context of their own. The admin changes
// their role and team; then deactivates them with a confirmation while
// the agent's console is open, and the agent's console lands on the
// sign-in page within seconds. Every control is labelled; at 360 px
// nothing scrolls sideways.
func TestBrowserPeople(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	srv := consoleServer(t, map[string]string{"TANDEM_ACCOUNT_NAME": "Acme Insurance"})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	// The deactivated agent's console finds itself signed out: its sockets
	// close, /me answers 401; and their password is refused, on purpose.
	allowConsole(t, ctx, `status of 401|/api/v1/(feed|rooms/).* failed`)
	signInConsole(t, ctx, srv.url)
	if err := chromedp.Do(ctx, chromedp.Click("#nav-people")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "li[data-email='admin@example.com']", "(you)")
	waitText(t, ctx, "li[data-email='admin@example.com'] .person-status", "Active")
	evalBool(t, ctx, `!document.querySelector("li[data-email='admin@example.com'] .person-deactivate")`, "an admin cannot deactivate themselves")

	// Invite.
	if err := chromedp.Do(ctx, chromedp.Click("#person-invite"), chromedp.WaitVisible("#invite-form"),
		chromedp.SendKeys("#invite-name", "Bo Agent"), chromedp.SendKeys("#invite-email", "bo.with.a.rather.long.address@example-insurance-company.com"),
		chromedp.SendKeys("#invite-team", "North"), chromedp.Click("#invite-send"), chromedp.WaitNotPresent("#invite-form")); err != nil {
		t.Fatal(err)
	}
	const bo = "bo.with.a.rather.long.address@example-insurance-company.com"
	row := "li[data-email='" + bo + "']"
	waitText(t, ctx, "#people-notice", "Invitation sent to "+bo)
	waitText(t, ctx, row+" .person-status", "Invited")
	if err := chromedp.Do(ctx, chromedp.Click(row+" .person-resend")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#people-notice", "A new invitation was sent to "+bo)
	if got := unlabeled(t, ctx); len(got) > 0 {
		t.Errorf("unlabeled controls on the People page: %v", got)
	}
	axeScan(t, ctx, "the People page")

	// The agent accepts, in a browser context of their own.
	link := invitationLink(t, adminClient(t, srv.url), bo)
	agent, closeAgent := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer closeAgent()
	if err := chromedp.Do(agent, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(link), chromedp.WaitVisible("#welcome-password")); err != nil {
		t.Fatal(err)
	}
	if got := unlabeled(t, agent); len(got) > 0 {
		t.Errorf("unlabeled controls on the invitation page: %v", got)
	}
	axeScan(t, agent, "the invitation page")
	if err := chromedp.Do(agent, chromedp.SendKeys("#welcome-password", "bo's own password"), chromedp.SendKeys("#welcome-password-again", "bo's own password"),
		chromedp.Click("#welcome-submit"), chromedp.WaitVisible("#start")); err != nil {
		t.Fatal(err)
	}
	waitText(t, agent, "#whoami", "Bo Agent")
	evalBool(t, agent, `location.pathname === "/console" && !location.search.includes("token")`, "the spent token left the address bar")

	// The admin sees them active, and changes their role and team.
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, row+" .person-status", "Active")
	if err := chromedp.Do(ctx, choose(row+" .person-role", "admin")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#people-notice", "role is changed")
	if err := chromedp.Do(ctx, choose(row+" .person-role", "agent")); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, clearInput(row+" .person-team-input"), chromedp.SendKeys(row+" .person-team-input", "South"),
		chromedp.Click(row+" .person-team-save"), chromedp.WaitNotPresent(row+" .person-team-save")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#people-notice", "team is changed")
	people, err := adminClient(t, srv.url).People(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		if p.Email == bo && (p.Role != "agent" || p.Team != "South") {
			t.Errorf("after the changes: %+v", p)
		}
	}

	pageShot(t, ctx, "console-people-desktop")
	// At 360 px, the long email wraps.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	evalBool(t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`, "the People page fits 360 px")
	pageShot(t, ctx, "console-people-phone")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}

	// Deactivate, confirmed, while the agent's console is open: it lands
	// on the sign-in page within seconds.
	if err := chromedp.Do(ctx, chromedp.Click(row+" .person-deactivate"), chromedp.WaitVisible(row+" .person-confirm")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, row+" .person-confirm", "signed out at once")
	if err := chromedp.Do(ctx, chromedp.Click(row+" .person-deactivate-confirm")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, row+" .person-status", "Deactivated")
	start := time.Now()
	wctx, cancel := context.WithTimeout(agent, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible("#email")); err != nil {
		t.Fatalf("the deactivated agent's console did not land on the sign-in page: %v", err)
	}
	t.Logf("the agent's console was signed out %v after the deactivation", time.Since(start).Round(100*time.Millisecond))
	// Their password no longer signs in; reactivated, it does.
	if err := chromedp.Do(agent, chromedp.SendKeys("#email", bo), chromedp.SendKeys("#password", "bo's own password"), chromedp.Click("#submit")); err != nil {
		t.Fatal(err)
	}
	waitText(t, agent, "main", "deactivated")
	if err := chromedp.Do(ctx, chromedp.Click(row+" .person-reactivate")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, row+" .person-status", "Active")
}

// The address book: every agent's, searched as one types; a contact's
// name edited; one deleted after a confirmation that says what the
// erasure does, and gone. Labelled; 360 px without sideways scroll.
func TestBrowserAddressBook(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	srv := consoleServer(t, nil)
	admin := adminClient(t, srv.url)
	smsRoom(t, admin, room.ModePreplan, "Sam Lee", "+1 415 555 0101")
	if _, err := admin.CreateRoom(context.Background(), client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelEmail,
		Customer: room.Customer{Name: "Kim Park", Email: "kim.park.with.a.long.address@example-customers-of-acme.com"}}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	signInConsole(t, ctx, srv.url)
	if err := chromedp.Do(ctx, chromedp.Click("#nav-contacts")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#contacts", "Sam Lee")
	waitText(t, ctx, "#contacts", "+1 415 555 0101")
	waitText(t, ctx, "#contacts", "Kim Park")

	// Search.
	if err := chromedp.Do(ctx, chromedp.SendKeys("#contact-search", "kim")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "only Kim", `document.querySelectorAll("#contacts li.contact").length === 1 && document.querySelector("#contacts").textContent.includes("Kim Park")`)
	if err := chromedp.Do(ctx, clearInput("#contact-search"), chromedp.SendKeys("#contact-search", "zzz")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#contacts-empty", "No contact matches.")
	if err := chromedp.Do(ctx, clearInput("#contact-search")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "both again", `document.querySelectorAll("#contacts li.contact").length === 2`)

	// Edit Sam's name.
	found, err := admin.Contacts(context.Background(), "Sam", 0)
	if err != nil || len(found) != 1 {
		t.Fatalf("Sam's contact: %+v, %v", found, err)
	}
	sam := "#contacts li[data-contact='" + found[0].ID + "']"
	if err := chromedp.Do(ctx, chromedp.Click(`button[aria-label='Edit Sam Lee']`), chromedp.WaitVisible(sam+" form"),
		clearInput(sam+" [name='name']"), chromedp.SendKeys(sam+" [name='name']", "Samuel Lee"),
		chromedp.Click(sam+" button[type='submit']")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#contacts-notice", "Samuel Lee is saved")
	waitText(t, ctx, "#contacts", "Samuel Lee")
	if got := unlabeled(t, ctx); len(got) > 0 {
		t.Errorf("unlabeled controls on the Address book: %v", got)
	}
	axeScan(t, ctx, "the Address book")
	pageShot(t, ctx, "console-contacts-desktop")

	// 360 px: the long email wraps.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	evalBool(t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`, "the Address book fits 360 px")

	// Delete Kim, confirmed: the confirmation says what the erasure does.
	if err := chromedp.Do(ctx, chromedp.Click(`button[aria-label='Delete Kim Park']`), chromedp.WaitVisible(".contact-confirm")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, ".contact-confirm", "erased from every session")
	evalBool(t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`, "the confirmation fits 360 px")
	pageShot(t, ctx, "console-contacts-phone")
	if err := chromedp.Do(ctx, chromedp.Click(".contact-delete-confirm")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#contacts-notice", "Kim Park is deleted")
	waitJS(t, ctx, "Kim is gone", `document.querySelectorAll("#contacts li.contact").length === 1 && !document.querySelector("#contacts").textContent.includes("Kim")`)
	cs, err := admin.Contacts(context.Background(), "Kim", 0)
	if err != nil || len(cs) != 0 {
		t.Fatalf("Kim after the deletion: %+v, %v", cs, err)
	}
}
