package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store/sqlite"
)

// An admin keeps the catalog of document types in the console: the preset
// types grouped by category; adding one whose code is taken says so in
// words beside the code; a new type lands in its category; retiring one
// marks it and restoring brings it back; search narrows the list. At
// 360 px nothing scrolls sideways. With TANDEM_SCREENSHOTS set, the page
// is pictured at desktop and phone sizes there.
func TestBrowserDocumentTypes(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	allowConsole(t, ctx, `status of 409 .*/api/v1/document-types\)`) // a code taken, on purpose
	data := t.TempDir()
	srv := consoleServer(t, map[string]string{"TANDEM_ACCOUNT_NAME": "Acme Insurance", "TANDEM_DATA_DIR": data})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	signInConsole(t, ctx, srv.url)
	if err := chromedp.Do(ctx, chromedp.Click("#types-link")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#types section[aria-label='Identity']`, "Driver's license (front and back)")
	waitText(t, ctx, `#types section[aria-label='Income']`, "Pay stub")

	// A code taken: the hub's words, beside the form, the code marked.
	if err := chromedp.Do(ctx, chromedp.Click("#type-add"), chromedp.WaitVisible("#new-type"),
		chromedp.SendKeys(`#new-type [name='code']`, "passport"), chromedp.SendKeys(`#new-type [name='name']`, "Lease agreement"),
		chromedp.SendKeys(`#new-type [name='category']`, "Housing"),
		chromedp.SendKeys(`#new-type [name='description']`, "Signed by every tenant"), chromedp.Click(`#new-type button[type='submit']`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#new-type-error", "already")
	if msg := textOf(t, ctx, "#new-type-error"); msg == "code_taken" {
		t.Errorf("the error shows its code, not words: %q", msg)
	}
	evalBool(t, ctx, `document.querySelector("#new-type [name=code]").getAttribute("aria-invalid") === "true"`, "the code is marked")
	if err := chromedp.Do(ctx, clearInput(`#new-type [name='code']`), chromedp.SendKeys(`#new-type [name='code']`, "lease_agreement"),
		chromedp.Click(`#new-type button[type='submit']`), chromedp.WaitNotPresent("#new-type")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#types section[aria-label='Housing'] li[data-type='lease_agreement']`, "Signed by every tenant")

	// Retire a preset, then rename the new type.
	if err := chromedp.Do(ctx, chromedp.Click(`li[data-type='passport'] button[aria-label^='Retire']`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `li[data-type='passport']`, "Retired")
	waitText(t, ctx, `li[data-type='passport']`, "Restore")
	if err := chromedp.Do(ctx, chromedp.Click(`li[data-type='lease_agreement'] button[aria-label^='Edit']`), chromedp.WaitVisible(`li[data-type='lease_agreement'] form`),
		clearInput(`li[data-type='lease_agreement'] [name='name']`), chromedp.SendKeys(`li[data-type='lease_agreement'] [name='name']`, "Signed lease"),
		chromedp.Click(`li[data-type='lease_agreement'] button[type='submit']`), chromedp.WaitNotPresent(`li[data-type='lease_agreement'] form`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `li[data-type='lease_agreement']`, "Signed lease")

	pageShot(t, ctx, "console-document-types-desktop")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`li[data-type='photo_id'] button[aria-label^='Edit']`), chromedp.WaitVisible(`li[data-type='photo_id'] form`)); err != nil {
		t.Fatal(err)
	}
	evalBool(t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`, "the catalog fits 360 px")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.scrollTo(0, 0); true`)); err != nil {
		t.Fatal(err)
	}
	pageShot(t, ctx, "console-document-types-phone")
	if err := chromedp.Do(ctx, chromedp.Click(`li[data-type='photo_id'] form button.link`), chromedp.WaitNotPresent(`li[data-type='photo_id'] form`)); err != nil {
		t.Fatal(err)
	}

	// Restore, and search.
	if err := chromedp.Do(ctx, chromedp.Click(`li[data-type='passport'] button[aria-label^='Restore']`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `li[data-type='passport']`, "Retire")
	if err := chromedp.Do(ctx, chromedp.SendKeys("#type-search", "income")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "only the Income group", `document.querySelectorAll("#types section").length === 1 && !!document.querySelector("#types section[aria-label=Income]")`)
	if err := chromedp.Do(ctx, clearInput("#type-search"), chromedp.SendKeys("#type-search", "zzz")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#types-empty", "No document type matches.")

	// An agent who is not an admin has no link to the document types, and
	// the page's address shows the sessions instead: in a browser context
	// of its own (cookies apart), beside the admin's.
	bg := context.Background()
	me, err := adminClient(t, srv.url).Me(bg)
	if err != nil {
		t.Fatal(err)
	}
	// The embedded store takes a second user beside the running hub, as
	// another process would.
	st, err := sqlite.Open(bg, filepath.Join(data, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hash, _ := bcrypt.GenerateFromPassword([]byte(adminPassword), bcrypt.MinCost)
	if err := st.CreateUser(bg, tandem.User{ID: room.NewID("us"), Account: me.Account.ID, Email: "bo@example.com", Name: "Bo",
		Role: tandem.RoleAgent, PasswordHash: string(hash), CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	agent, closeAgent := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer closeAgent()
	if err := chromedp.Do(agent, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(srv.url+"/console#/document-types"), chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", "bo@example.com"), chromedp.SendKeys("#password", adminPassword), chromedp.Click("#submit"),
		chromedp.WaitVisible("#start")); err != nil {
		t.Fatal(err)
	}
	waitText(t, agent, "#whoami", "Bo")
	evalBool(t, agent, `!document.querySelector("#types-link") && !document.querySelector("#types") && document.querySelector("h1").textContent === "Sessions"`,
		"an agent sees no document types")
}
