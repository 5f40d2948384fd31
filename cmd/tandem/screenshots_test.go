package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
)

// TestScreenshots writes the pictures of docs/screenshots: the console,
// the customer's room and the verify page at desktop and phone sizes, on
// a hub with a few sessions in every state. `make screenshots` runs it with
// TANDEM_SCREENSHOTS set to that folder; otherwise it does not run.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("TANDEM_SCREENSHOTS")
	if dir == "" {
		t.Skip("screenshots are written by make screenshots (TANDEM_SCREENSHOTS=folder)")
	}
	requireConsole(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	srv := consoleServer(t, map[string]string{"TANDEM_ACCOUNT_NAME": "Acme Insurance"})
	bg := context.Background()
	agent := adminClient(t, srv.url)
	create := func(mode room.Mode, ch room.Channel, c room.Customer) room.State {
		t.Helper()
		s, err := agent.CreateRoom(bg, client.CreateRoom{Mode: mode, Channel: ch, Customer: c})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	link := func(roomID string) string {
		t.Helper()
		msgs, err := agent.DevOutbox(bg)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Room == roomID && m.Link != "" {
				return m.Link
			}
		}
		t.Fatalf("no link for %s", roomID)
		return ""
	}
	create(room.ModePreplan, room.ChannelEmail, room.Customer{Name: "Ana Souza", Email: "ana.souza@example.com"})
	left := create(room.ModeLive, room.ChannelSMS, room.Customer{Name: "Lee Chen", Phone: "+14155550188"})
	cust := mustClient(t, srv.url)
	if _, err := cust.OpenLink(bg, link(left.ID)); err != nil {
		t.Fatal(err)
	}
	sub, err := cust.Subscribe(bg, left.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	sub.Close()
	create(room.ModeLive, room.ChannelSMS, room.Customer{Name: "Wrong Number", Phone: "+15005550001"})
	kim := create(room.ModeLive, room.ChannelEmail, room.Customer{Name: "Kim Park", Email: "kim.park@example.com"})
	sam := create(room.ModeLive, room.ChannelSMS, room.Customer{Name: "Sam Lee", Phone: "+14155552671"})
	template := creditApplication(t, agent)

	shot := func(tab context.Context, name string) {
		t.Helper()
		png, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The customer's room, on a phone and on a desktop.
	phone, closePhone := chromedp.NewContext(ctx)
	defer closePhone()
	if err := chromedp.Do(phone, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile), chromedp.Navigate(link(sam.ID))); err != nil {
		t.Fatal(err)
	}
	waitText(t, phone, "#status", "Connected to your agent")
	shot(phone, "room-phone")
	desk, closeDesk := chromedp.NewContext(ctx)
	defer closeDesk()
	if err := chromedp.Do(desk, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(link(kim.ID))); err != nil {
		t.Fatal(err)
	}
	waitText(t, desk, "#status", "Connected to your agent")
	shot(desk, "room-desktop")

	// The console on a desktop: the sessions, then Sam's session.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	signInConsole(t, ctx, srv.url)
	waitText(t, ctx, `#rooms tr[data-room="`+sam.ID+`"]`, "Online now")
	waitText(t, ctx, `#rooms tr[data-room="`+left.ID+`"]`, "Left ")
	waitText(t, ctx, "#feed-connection", "live")
	shot(ctx, "console-sessions-desktop")
	if err := chromedp.Do(ctx, chromedp.Click(`#rooms a[href="#/sessions/`+sam.ID+`"]`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#timeline", "Customer connected from")
	waitText(t, ctx, "#connection", "live")
	shot(ctx, "console-session-desktop")

	// Sam's session with a document the customer is filling: its card, the
	// timeline, the Assets panel; then the field editor of the template.
	samDoc := sendAndFill(t, srv.url, agent, sam.ID, link(sam.ID), template.ID)
	card := `#documents li[data-document="` + samDoc + `"]`
	waitText(t, ctx, card+" .doc-progress", "1 of 2 required fields filled")
	waitText(t, ctx, "#timeline", "Customer filled “Date of birth”")
	shot(ctx, "console-session-document-desktop")
	if err := chromedp.Do(ctx, chromedp.Click(`#assets li .asset-menu summary`), chromedp.Click(`#assets li .edit-fields`)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the template's first page drawn", `(() => { const c = document.querySelector('.editor-pages .pdf-page canvas'); return !!c && c.width > 100 })()`)
	if err := chromedp.Do(ctx, chromedp.Click(`.field-box[data-index="2"]`), chromedp.WaitVisible("#field-props")); err != nil {
		t.Fatal(err)
	}
	shot(ctx, "console-field-editor-desktop")
	if err := chromedp.Do(ctx, chromedp.Click("#template-editor-close"), chromedp.WaitNotPresent("#template-editor"),
		chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#documents-title").scrollIntoView(); true`)); err != nil {
		t.Fatal(err)
	}
	shot(ctx, "console-session-document-phone")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}

	// And on a phone.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile), chromedp.Click("#back"), chromedp.WaitVisible("#rooms")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#feed-connection", "live")
	shot(ctx, "console-sessions-phone")

	// The customer's signing view: a document half filled on a 360 px
	// phone, with the date's editor open and then the signature pad; and
	// on a desktop.
	maria := create(room.ModeLive, room.ChannelSMS, room.Customer{Name: "Maria Garcia", Phone: "+14155550123"})
	docID := sendDocument(t, agent, srv.url, maria.ID, "Credit application")
	open := func(tab context.Context, url string, w, h int64, opts ...chromedp.EmulateViewportOption) {
		t.Helper()
		if err := chromedp.Do(tab, chromedp.EmulateViewport(w, h, opts...), chromedp.Navigate(url),
			chromedp.WaitVisible("#field-name"), chromedp.WaitVisible(`.page[data-page="1"][data-drawn]`)); err != nil {
			t.Fatal(err)
		}
		waitText(t, tab, "#status", "Connected to your agent")
	}
	signPhone, closeSignPhone := chromedp.NewContext(ctx)
	defer closeSignPhone()
	open(signPhone, link(maria.ID)+"#/documents/"+docID, 360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile)
	page, err := chromedp.Run(signPhone, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(signPhone, chromedp.Click("#next"), chromedp.WaitVisible("#input-name"), chromedp.SendKeys("#input-name", "Maria Garcia"),
		chromedp.Click("#next"), chromedp.WaitVisible("#input-dob")); err != nil {
		t.Fatal(err)
	}
	waitText(t, signPhone, "#progress", "3 to fill")
	shot(signPhone, "signing-phone")
	if err := chromedp.Do(signPhone, chromedp.Click("#field-sig"), chromedp.WaitVisible("#pad-canvas")); err != nil {
		t.Fatal(err)
	}
	box, err := chromedp.Run(signPhone, chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector("#pad-canvas").getBoundingClientRect(); return [r.left, r.top, r.width, r.height] })()`))
	if err != nil {
		t.Fatal(err)
	}
	x, y, w, h := box[0], box[1], box[2], box[3]
	if err := chromedp.Do(signPhone, stroke(x+0.1*w, y+0.6*h, x+0.18*w, y+0.25*h, x+0.25*w, y+0.7*h, x+0.35*w, y+0.3*h, x+0.42*w, y+0.62*h, x+0.55*w, y+0.4*h, x+0.7*w, y+0.55*h, x+0.85*w, y+0.35*h)); err != nil {
		t.Fatal(err)
	}
	shot(signPhone, "signing-pad-phone")
	signDesk, closeSignDesk := chromedp.NewContext(ctx)
	defer closeSignDesk()
	open(signDesk, page, 1280, 800) // the room's cookie is the browser's
	shot(signDesk, "signing-desktop")

	// A document finished and sealed: its card with the signed PDF and
	// the timeline's SHA-256 in the console, the customer's signed copy,
	// and the verify page with the signed PDF and with a changed copy.
	noah := create(room.ModeLive, room.ChannelSMS, room.Customer{Name: "Noah Williams", Phone: "+14155550142"})
	noahDoc := sendFromLibrary(t, agent, noah.ID, template.ID, "18000")
	completeAsCustomer(t, srv.url, link(noah.ID), noah.ID, noahDoc)
	pdf := signedPDF(t, agent, noah.ID, noahDoc)
	full := func(tab context.Context, name string) {
		t.Helper()
		png, err := chromedp.Run(tab, chromedp.FullScreenshot(100)) // 100: a PNG
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1440, 900), chromedp.Navigate(srv.url+"/console#/sessions/"+noah.ID)); err != nil {
		t.Fatal(err)
	}
	sealedCard := `#documents li[data-document="` + noahDoc + `"]`
	waitText(t, ctx, sealedCard+" a.doc-signed", "Signed PDF")
	waitText(t, ctx, "#timeline", "sealed · SHA-256")
	shot(ctx, "console-session-signed-desktop")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	full(ctx, "console-session-signed-phone")
	signedPhone, closeSignedPhone := chromedp.NewContext(ctx)
	defer closeSignedPhone()
	if err := chromedp.Do(signedPhone, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile), chromedp.Navigate(link(noah.ID)+"#/documents/"+noahDoc)); err != nil {
		t.Fatal(err)
	}
	waitText(t, signedPhone, "#download-signed", "Download signed copy")
	if err := chromedp.Do(signedPhone, chromedp.WaitVisible(`.page[data-page="1"][data-drawn]`)); err != nil {
		t.Fatal(err)
	}
	shot(signedPhone, "signing-signed-phone")

	files := t.TempDir()
	changed := append([]byte(nil), pdf...)
	changed[bytes.Index(changed, []byte("/ByteRange"))/2] ^= 0x01 // in what the seal covers
	for name, b := range map[string][]byte{"Credit application (signed).pdf": pdf, "Credit application (edited).pdf": changed} {
		if err := os.WriteFile(filepath.Join(files, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, size := range []struct {
		name string
		w, h int64
		opts []chromedp.EmulateViewportOption
	}{{"phone", 360, 740, []chromedp.EmulateViewportOption{chromedp.EmulateScale(2), chromedp.EmulateMobile}}, {"desktop", 1440, 900, nil}} {
		tab, closeTab := chromedp.NewContext(ctx)
		// The visitor is in Paris; the company's zone is the hub's default.
		if _, err := chromedp.Call(tab, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Europe/Paris"}); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(tab, chromedp.EmulateViewport(size.w, size.h, size.opts...), chromedp.Navigate(srv.url+"/verify"), chromedp.WaitVisible("#choose")); err != nil {
			t.Fatal(err)
		}
		shot(tab, "verify-"+size.name)
		if err := chromedp.Do(tab, chromedp.SetUploadFiles("#file", []string{filepath.Join(files, "Credit application (signed).pdf")})); err != nil {
			t.Fatal(err)
		}
		waitText(t, tab, "#verdict-title", "Sealed by this hub and unchanged since")
		full(tab, "verify-valid-"+size.name)
		if err := chromedp.Do(tab, chromedp.SetUploadFiles("#file", []string{filepath.Join(files, "Credit application (edited).pdf")})); err != nil {
			t.Fatal(err)
		}
		waitText(t, tab, "#verdict-title", "This file was changed after it was sealed")
		full(tab, "verify-changed-"+size.name)
		closeTab()
	}

	requestShots(t, ctx, srv.url, agent, create, link, shot)
}

// requestShots adds the pictures of document and payment requests: the
// agent's Document Request sheet, a review with one request rejected and
// one sent, the customer's requests and the sandbox's card form on a
// 360 px phone, and the agent's bubble of a payment made.
func requestShots(t *testing.T, ctx context.Context, base string, agent *client.Client, create func(room.Mode, room.Channel, room.Customer) room.State, link func(string) string, shot func(context.Context, string)) {
	t.Helper()
	olivia := create(room.ModeLive, room.ChannelSMS, room.Customer{Name: "Olivia Brown", Phone: "+14155550161"})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/console#/sessions/"+olivia.ID)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#connection", "live")
	add := func(code, note string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Click(`#request-types li[data-type="`+code+`"] .type-add`), chromedp.WaitVisible(`#request-items li[data-type="`+code+`"]`)); err != nil {
			t.Fatal(err)
		}
		if note != "" {
			if err := chromedp.Do(ctx, chromedp.SendKeys(`#request-items li[data-type="`+code+`"] .item-note`, note)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click("#tools summary"), chromedp.Click("#tool-documents"), chromedp.WaitVisible(`#request-types li[data-type="photo_id"]`)); err != nil {
		t.Fatal(err)
	}
	add("drivers_license", "front and back")
	add("pay_stub", "last two months")
	add("proof_of_address", "")
	shot(ctx, "console-document-request-desktop")
	if err := chromedp.Do(ctx, chromedp.Click("#request-send"), chromedp.WaitNotPresent("#request-documents")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "three requests", `document.querySelectorAll("#requests li.req-card").length === 3`)

	// The customer sends the license (front and back) and a pay stub; the
	// agent rejects the pay stub as cut off.
	hc := customerHTTP(t, base, link(olivia.ID))
	status, st := callJSON(t, hc, http.MethodGet, base+"/api/v1/rooms/"+olivia.ID+"?as=customer", "", nil)
	reqs, _ := st["requests"].([]any)
	if status != http.StatusOK || len(reqs) != 3 {
		t.Fatalf("the customer's requests: %d %v", status, st)
	}
	id := func(i int) string { return reqs[i].(map[string]any)["id"].(string) }
	reqURL := func(i int, path string) string {
		return base + "/api/v1/rooms/" + olivia.ID + "/requests/" + id(i) + path + "?as=customer"
	}
	photo := photoJPEG(t, 1200, 800)
	uploadAs(t, hc, reqURL(0, "/files"), "license-front.jpg", photo)
	uploadAs(t, hc, reqURL(0, "/files"), "license-back.jpg", photoJPEG(t, 1200, 760))
	uploadAs(t, hc, reqURL(1, "/files"), "pay-stub-march.pdf", formPDF("Pay stub, March", 1))
	for _, i := range []int{0, 1} {
		if status, out := callJSON(t, hc, http.MethodPost, reqURL(i, "/submit"), "", nil); status != http.StatusOK {
			t.Fatalf("submit: %d %v", status, out)
		}
	}
	if status, out := callJSON(t, http.DefaultClient, http.MethodPost, base+"/api/v1/rooms/"+olivia.ID+"/requests/"+id(1)+"/review", agent.Token(), map[string]string{"decision": "reject", "reason": "Cut off"}); status != http.StatusOK {
		t.Fatalf("reject: %d %v", status, out)
	}
	waitText(t, ctx, `#requests li[data-request="`+id(1)+`"] .req-status`, "Rejected: Cut off")
	waitJS(t, ctx, "the license's photos and the pay stub's first page", `[...document.querySelectorAll("#requests .req-file img")].filter((i) => i.complete && i.naturalWidth > 0).length === 2 && !!document.querySelector("#requests .thumb.pdf canvas[data-drawn]")`)
	// The license's review, Reject opened: the quick reasons.
	license := `#requests li[data-request="` + id(0) + `"]`
	if err := chromedp.Do(ctx, chromedp.Click(license+" .req-reject"), chromedp.WaitVisible(license+" .quick-reasons")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#requests-title").scrollIntoView(); true`)); err != nil {
		t.Fatal(err)
	}
	shot(ctx, "console-requests-review-desktop")

	// The customer's requests on a phone: one sent, one to send again,
	// one to send.
	phone, closePhone := chromedp.NewContext(ctx)
	defer closePhone()
	if err := chromedp.Do(phone, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile), chromedp.Navigate(link(olivia.ID))); err != nil {
		t.Fatal(err)
	}
	waitText(t, phone, "#status", "Connected to your agent")
	waitText(t, phone, `#requests li[data-request="`+id(1)+`"] .request-reason`, "Cut off")
	shot(phone, "room-requests-phone")

	// A payment: the customer at the sandbox's card form, then paid.
	status, out := callJSON(t, http.DefaultClient, http.MethodPost, base+"/api/v1/rooms/"+olivia.ID+"/payments", agent.Token(), map[string]string{"amount": "125.50", "currency": "USD", "description": "Deposit for policy 4411"})
	if status != http.StatusCreated {
		t.Fatalf("request a payment: %d %v", status, out)
	}
	pay := `#payments li.payment`
	if err := chromedp.Do(phone, chromedp.WaitVisible(pay+" .payment-pay"), chromedp.Click(pay+" .payment-pay"), chromedp.WaitVisible("#card-number"),
		chromedp.SendKeys("#card-number", "4242424242424242"), chromedp.SendKeys("#card-exp", "1230"), chromedp.SendKeys("#card-cvc", "123")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(phone, chromedp.Evaluate[bool](`window.scrollTo(0, 0); true`)); err != nil {
		t.Fatal(err)
	}
	shot(phone, "room-card-form-phone")
	if err := chromedp.Do(phone, chromedp.Click(pay+" .card-pay")); err != nil {
		t.Fatal(err)
	}
	waitText(t, phone, pay+" .payment-paid", "Paid")
	waitText(t, ctx, "#payments .pay-status", "Paid")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#payments-title").scrollIntoView(); true`)); err != nil {
		t.Fatal(err)
	}
	shot(ctx, "console-payment-paid-desktop")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#requests-title").scrollIntoView(); true`)); err != nil {
		t.Fatal(err)
	}
	shot(ctx, "console-requests-phone")
}

// sendAndFill sends the template assetID to the room (the agent's loan
// amount filled) and, as the customer of link, views its first page and
// fills the date of birth. It returns the document's id.
func sendAndFill(t *testing.T, base string, agent *client.Client, roomID, link, assetID string) string {
	t.Helper()
	docID := sendFromLibrary(t, agent, roomID, assetID, "12500")
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	cust, err := client.New(base, client.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cust.OpenLink(context.Background(), link); err != nil {
		t.Fatal(err)
	}
	docURL := base + "/api/v1/rooms/" + roomID + "/documents/" + docID
	if status, out := callJSON(t, hc, http.MethodPost, docURL+"/viewed?as=customer", "", map[string]int{"page": 1}); status != http.StatusOK {
		t.Fatalf("the customer views page 1: %d %v", status, out)
	}
	if status, out := callJSON(t, hc, http.MethodPut, docURL+"/fields/birth?as=customer", "", map[string]string{"value": "1990-04-02"}); status != http.StatusOK {
		t.Fatalf("the customer fills the date of birth: %d %v", status, out)
	}
	return docID
}
