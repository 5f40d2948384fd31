package main

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tandemhq/tandem/room"
)

// brandPNG is a small logo: a band of the brand's blue with a lighter
// square, wide as logos are.
func brandPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{R: 0x1f, G: 0x5f, B: 0xbf, A: 0xff}
			if x > w/8 && x < w/8+h && y > h/4 && y < 3*h/4 {
				c = color.NRGBA{R: 0xf0, G: 0xb4, B: 0x29, A: 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// evalString evaluates a JavaScript expression that gives a string.
func evalString(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return s
}

// The brand, set by the admin in Settings, shows everywhere: the admin
// renames the account, uploads a logo (and their photo), picks an accent
// color (a too light one is refused, with why, at the field) and writes
// a help line; the sign-in page, in a browser of its own, shows the logo
// and the name, its button in the accent color, and the logo as the
// page's icon; the console's header shows the logo; and a customer's
// room shows the logo, the name, the agent and their photo, a security
// note with the customer's name and the link's expiry, and the help line,
// at a phone's width without scrolling sideways.
func TestBrowserBrand(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	srv := consoleServer(t, map[string]string{"TANDEM_ACCOUNT_NAME": "Acme Insurance"})
	logo := filepath.Join(t.TempDir(), "logo.png")
	photo := filepath.Join(t.TempDir(), "photo.png")
	if err := os.WriteFile(logo, brandPNG(t, 180, 48), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(photo, brandPNG(t, 64, 64), 0o644); err != nil {
		t.Fatal(err)
	}

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1440, 900)); err != nil {
		t.Fatal(err)
	}
	allowConsole(t, ctx, `status of 400 .*/api/v1/account/settings\)`) // a too light accent color, on purpose
	signInConsole(t, ctx, srv.url)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/console#/settings"), chromedp.WaitVisible("#brand-name")); err != nil {
		t.Fatal(err)
	}
	if got := evalString(t, ctx, `document.querySelector("#brand-name").value`); got != "Acme Insurance" {
		t.Errorf("the name field shows %q", got)
	}
	if err := chromedp.Do(ctx, clearInput("#brand-name"), chromedp.SendKeys("#brand-name", "Northwind Bank"),
		chromedp.SetUploadFiles("#logo-file", []string{logo}), chromedp.WaitVisible("#logo-preview"),
		chromedp.SetUploadFiles("#photo-file", []string{photo}), chromedp.WaitVisible("#photo-preview")); err != nil {
		t.Fatal(err)
	}
	// A yellow too light for white text: the page says so as it is typed,
	// and the hub refuses it at the field.
	if err := chromedp.Do(ctx, clearInput("#accent-color"), chromedp.SendKeys("#accent-color", "#ffcc00")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#accent-contrast", "too light")
	if err := chromedp.Do(ctx, chromedp.Click("#settings-save")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#err-accent_color", "too light")
	if msg := textOf(t, ctx, "#err-accent_color"); strings.Contains(msg, "accent_color") {
		t.Errorf("the field's error names the hub's key: %q", msg)
	}
	if err := chromedp.Do(ctx, clearInput("#accent-color"), chromedp.SendKeys("#accent-color", "#1f5fbf"),
		chromedp.SendKeys("#help-line", "Questions? Call 1-800-555-0100, Mon–Fri 9–5"), chromedp.Click("#settings-save")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#settings-saved", "Settings saved")
	if got := evalString(t, ctx, `getComputedStyle(document.documentElement).getPropertyValue("--accent").trim()`); got != "#1f5fbf" {
		t.Errorf("the console's --accent after saving: %q", got)
	}
	if bad := unlabeled(t, ctx); len(bad) != 0 {
		t.Errorf("Settings: controls without a name: %v", bad)
	}
	axeScan(t, ctx, "Settings")
	pageShot(t, ctx, "console-settings-desktop")
	logoURL := evalString(t, ctx, `document.querySelector("#logo-preview").getAttribute("src")`)
	if !strings.HasPrefix(logoURL, "/brand/images/") {
		t.Fatalf("the logo's preview shows %q", logoURL)
	}

	// The console's header shows the logo and the name.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/console#/"), chromedp.WaitVisible("header .brand-logo")); err != nil {
		t.Fatalf("the console's header shows no logo: %v", err)
	}
	waitText(t, ctx, "header .brand-mark", "Northwind Bank")
	pageShot(t, ctx, "console-brand-desktop")

	// The sign-in page, in a browser that is signed out.
	signin := newTab(t, ctx, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(signin, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2)), chromedp.Navigate(srv.url+"/console"),
		chromedp.WaitVisible("#login-brand .brand-logo")); err != nil {
		t.Fatal(err)
	}
	waitText(t, signin, "#login-brand", "Northwind Bank")
	waitText(t, signin, "h1", "Sign in to Northwind Bank")
	axeScan(t, signin, "the branded sign-in page")
	if got := evalString(t, signin, `getComputedStyle(document.querySelector("#submit")).backgroundColor`); got != "rgb(31, 95, 191)" {
		t.Errorf("the sign-in button's color: %q, want the accent rgb(31, 95, 191)", got)
	}
	if got := evalString(t, signin, `document.querySelector('link[rel="icon"]')?.getAttribute("href") ?? ""`); got != logoURL {
		t.Errorf("the sign-in page's icon: %q, want %q", got, logoURL)
	}
	pageShot(t, signin, "signin-phone")

	// A customer's room, on a phone.
	agent := adminClient(t, srv.url)
	s := smsRoom(t, agent, room.ModeLive, "Sam Lee", "+14155552671")
	msgs, err := agent.DevOutbox(context.Background())
	if err != nil || len(msgs) == 0 {
		t.Fatalf("dev outbox: %+v, %v", msgs, err)
	}
	var link string
	for _, m := range msgs {
		if m.Room == s.ID {
			link = m.Link
			break
		}
	}
	customer := newTab(t, ctx, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(customer, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2)), chromedp.Navigate(link),
		chromedp.WaitVisible("#room-logo")); err != nil {
		t.Fatal(err)
	}
	waitText(t, customer, "#status", "Connected to your agent")
	if got := textOf(t, customer, "#company"); got != "Northwind Bank" {
		t.Errorf("the room's company: %q", got)
	}
	if got := textOf(t, customer, "#title"); got != "Your secure room with Admin" {
		t.Errorf("the room's title: %q", got)
	}
	if err := chromedp.Do(customer, chromedp.WaitVisible("#agent-photo")); err != nil {
		t.Errorf("the agent's photo: %v", err)
	}
	note := textOf(t, customer, "#security-note")
	if !regexp.MustCompile(`Secure link for Sam Lee · expires (\d{1,2} [A-Z][a-z]{2}|[A-Z][a-z]{2} \d{1,2})`).MatchString(note) {
		t.Errorf("the security note: %q", note)
	}
	if got := textOf(t, customer, "#help-line"); got != "Questions? Call 1-800-555-0100, Mon–Fri 9–5" {
		t.Errorf("the help line: %q", got)
	}
	if got := evalString(t, customer, `document.querySelector("#room-logo").getAttribute("src")`); got != logoURL {
		t.Errorf("the room's logo: %q, want %q", got, logoURL)
	}
	if got := evalString(t, customer, `document.querySelector('link[rel="icon"]')?.getAttribute("href") ?? ""`); got != logoURL {
		t.Errorf("the room's icon: %q, want %q", got, logoURL)
	}
	if got := evalString(t, customer, `getComputedStyle(document.documentElement).getPropertyValue("--accent").trim()`); got != "#1f5fbf" {
		t.Errorf("the room's --accent: %q", got)
	}
	if wide, err := chromedp.Run(customer, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || wide {
		t.Errorf("the room scrolls sideways at 360 px: %v %v", wide, err)
	}
	if bad := unlabeled(t, customer); len(bad) != 0 {
		t.Errorf("the room: controls without a name: %v", bad)
	}
	axeScan(t, customer, "the branded room")
	pageShot(t, customer, "room-brand-phone")
	if err := chromedp.Do(customer, chromedp.EmulateViewport(1440, 900)); err != nil {
		t.Fatal(err)
	}
	pageShot(t, customer, "room-brand-desktop")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2)), chromedp.Navigate(srv.url+"/console#/settings"), chromedp.WaitVisible("#brand-name")); err != nil {
		t.Fatal(err)
	}
	if wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || wide {
		t.Errorf("Settings scrolls sideways at 360 px: %v %v", wide, err)
	}
	pageShot(t, ctx, "console-settings-phone")
}
