package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/app/pdftest"
	"github.com/tandemhq/tandem/room"
)

// formPDF is a small valid PDF of pages Letter pages, each with a title
// and a few ruled lines drawn in it.
func formPDF(title string, pages int) []byte {
	contents := make([]string, pages)
	for i := range contents {
		var c strings.Builder
		fmt.Fprintf(&c, "BT /F1 22 Tf 72 720 Td (%s) Tj ET\n", title)
		fmt.Fprintf(&c, "BT /F1 10 Tf 72 700 Td (Page %d of %d) Tj ET\n", i+1, pages)
		for y := 640; y >= 160; y -= 60 {
			fmt.Fprintf(&c, "0.6 G 72 %d m 540 %d l S\n", y, y)
		}
		contents[i] = c.String()
	}
	return pdftest.Text(contents...)
}

// rect is an element's box in the viewport, in CSS pixels.
type rect struct{ X, Y, W, H float64 }

// boxOf scrolls sel into view and returns its box.
func boxOf(t *testing.T, ctx context.Context, sel string) rect {
	t.Helper()
	r, err := chromedp.Run(ctx, chromedp.Evaluate[rect](`(() => { const e = document.querySelector(`+jsString(sel)+`); e.scrollIntoView({block: "center"}); const r = e.getBoundingClientRect(); return {X: r.left, Y: r.top, W: r.width, H: r.height} })()`))
	if err != nil {
		t.Fatalf("box of %s: %v", sel, err)
	}
	return r
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// evalJS runs a script in the page and returns what it gives.
func evalJS[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// waitJS polls a script until it gives true.
func waitJS(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited in vain for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// An admin uploads a PDF template in the session's Assets panel, opens
// the field editor, draws a field by dragging on the rendered page, and
// saves: the asset's fields, read through the API, hold it where it was
// drawn, in fractions of the page.
func TestBrowserAdminPlacesAField(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	allowConsole(t, ctx, `status of 400 .*/fields\)`) // a field moved off the page, refused on purpose
	srv := consoleServer(t, nil)
	bg := context.Background()
	agent := adminClient(t, srv.url)
	s := smsRoom(t, agent, room.ModeLive, "Sam Lee", "+14155552671")
	file := filepath.Join(t.TempDir(), "credit-application.pdf")
	if err := os.WriteFile(file, formPDF("Credit application", 2), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	signInConsole(t, ctx, srv.url)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/console#/sessions/"+s.ID), chromedp.WaitVisible("#upload-open"), chromedp.Click("#upload-open"),
		chromedp.WaitVisible("#upload-file"), chromedp.SetUploadFiles("#upload-file", []string{file}),
		chromedp.SendKeys("#upload-name", "Credit application"), chromedp.SendKeys("#upload-folder", "Auto loans"),
		chromedp.Click("#upload-submit")); err != nil {
		t.Fatal(err)
	}
	// The new template opens in the field editor, its pages drawn.
	waitText(t, ctx, "#template-editor-title", "Credit application")
	waitJS(t, ctx, "the first page drawn", `(() => { const c = document.querySelector('.editor-pages .pdf-page[data-page="1"] canvas'); return !!c && c.width > 100 })()`)
	assets, _, err := agent.Assets(bg, "", "Auto loans")
	if err != nil || len(assets) != 1 || assets[0].Pages != 2 {
		t.Fatalf("the library after the upload: %+v %v", assets, err)
	}

	// Draw a signature for the customer from 20%,50% to 60%,58% of page 1.
	if err := chromedp.Do(ctx, choose("#new-field-type", "signature")); err != nil {
		t.Fatal(err)
	}
	page := boxOf(t, ctx, `.editor-pages .pdf-page[data-page="1"]`)
	x0, y0 := page.X+0.2*page.W, page.Y+0.5*page.H
	x1, y1 := page.X+0.6*page.W, page.Y+0.58*page.H
	if err := chromedp.Do(ctx, chromedp.DragAndDropXY(x0, y0, x1, y1, 8)); err != nil {
		t.Fatal(err)
	}
	// Its corner, dragged 10% of the page to the right, widens it to 50%.
	// (The page's width first: bringing the handle into view last keeps
	// its place where the mouse will find it.)
	page = boxOf(t, ctx, `.editor-pages .pdf-page[data-page="1"]`)
	handle := boxOf(t, ctx, `.field-box[data-index="0"] .handle`)
	hx, hy := handle.X+handle.W/2, handle.Y+handle.H/2
	if err := chromedp.Do(ctx, chromedp.DragAndDropXY(hx, hy, hx+0.1*page.W, hy, 8)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible("#field-label"), chromedp.SendKeys("#field-label", "Signature"), chromedp.Click("#editor-save")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#editor-saved", "Saved 1 field")
	a, err := agent.Asset(bg, assets[0].ID)
	if err != nil || len(a.Fields) != 1 {
		t.Fatalf("the asset's fields: %+v %v", a.Fields, err)
	}
	f := a.Fields[0]
	near := func(got, want float64) bool { return got > want-0.01 && got < want+0.01 }
	if f.Type != room.FieldSignature || f.Role != room.FieldByCustomer || !f.Required || f.Label != "Signature" || f.Page != 1 ||
		!near(f.X, 0.2) || !near(f.Y, 0.5) || !near(f.W, 0.5) || !near(f.H, 0.08) {
		t.Fatalf("the field drawn from 20%%,50%% to 60%%,58%% of page 1, then widened by 10%%: %+v", f)
	}

	// A field moved off the page by its numbers is refused by the hub, in
	// its words, beside the editor.
	if err := chromedp.Do(ctx, chromedp.Click(`.field-box[data-index="0"]`), chromedp.WaitVisible("#field-x"),
		clearInput("#field-x"), chromedp.SendKeys("#field-x", "90\t"), chromedp.Click("#editor-save")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#editor-error", "Signature")
	if a, err := agent.Asset(bg, assets[0].ID); err != nil || len(a.Fields) != 1 || !near(a.Fields[0].X, 0.2) {
		t.Fatalf("a refused save changed the fields: %+v %v", a.Fields, err)
	}
}

// callJSON sends a JSON request to the hub at url with hc (a bearer
// token when token is set) and returns the status and the decoded answer.
func callJSON(t *testing.T, hc *http.Client, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var in io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		in = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, in)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(b, &out)
	return res.StatusCode, out
}

// creditApplication puts the template "Credit application" in the
// library: a loan amount the agent must fill, a term the agent may
// choose, and the customer's date of birth and signature, both required.
func creditApplication(t *testing.T, agent *client.Client) client.Asset {
	t.Helper()
	bg := context.Background()
	a, err := agent.UploadAsset(bg, "Credit application", "Auto loans", "credit-application.pdf", bytes.NewReader(formPDF("Credit application", 2)))
	if err != nil {
		t.Fatal(err)
	}
	a, err = agent.SetAssetFields(bg, a.ID, []client.Field{
		{ID: "amount", Type: room.FieldNumber, Role: room.FieldByAgent, Required: true, Label: "Loan amount", Page: 1, X: 0.12, Y: 0.15, W: 0.3, H: 0.03},
		{ID: "term", Type: room.FieldSelect, Role: room.FieldByAgent, Label: "Term", Page: 1, X: 0.5, Y: 0.15, W: 0.3, H: 0.03, Options: []string{"12 months", "24 months"}},
		{ID: "birth", Type: room.FieldDate, Role: room.FieldByCustomer, Required: true, Label: "Date of birth", Page: 1, X: 0.12, Y: 0.3, W: 0.3, H: 0.03},
		{ID: "signature", Type: room.FieldSignature, Role: room.FieldByCustomer, Required: true, Label: "Signature", Page: 2, X: 0.12, Y: 0.7, W: 0.4, H: 0.08},
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// roomDocuments reads the room's documents through the API.
func roomDocuments(t *testing.T, base, token, roomID string) []any {
	t.Helper()
	status, out := callJSON(t, http.DefaultClient, http.MethodGet, base+"/api/v1/rooms/"+roomID, token, nil)
	if status != http.StatusOK {
		t.Fatalf("GET the room: %d %v", status, out)
	}
	docs, _ := out["documents"].([]any)
	return docs
}

// An agent in a live session picks a template in the Assets panel and
// presses Send with its required agent's field empty: the field turns red
// in the form and on the page, the hub's message shows, and nothing is
// sent. Filled in, it goes: the document's card says Sent.
func TestBrowserSendNeedsTheAgentsFields(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	allowConsole(t, ctx, `status of 422 .*/documents\)`) // sent without the agent's fields, on purpose
	srv := consoleServer(t, nil)
	agent := adminClient(t, srv.url)
	a := creditApplication(t, agent)
	s := smsRoom(t, agent, room.ModeLive, "Sam Lee", "+14155552671")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	signInConsole(t, ctx, srv.url)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/console#/sessions/"+s.ID), chromedp.WaitVisible(`li[data-asset="`+a.ID+`"] .asset-pick`),
		chromedp.Click(`li[data-asset="`+a.ID+`"] .asset-pick`), chromedp.WaitVisible("#value-amount"), chromedp.WaitVisible(`#send-document .field-box[data-field="amount"]`),
		chromedp.Click("#send-submit")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#send-error", "Loan amount")
	if msg := textOf(t, ctx, "#send-error"); strings.Contains(msg, "required_fields") {
		t.Fatalf("the error shows its code: %q", msg)
	}
	waitJS(t, ctx, "the loan amount marked invalid in the form and on the page",
		`document.querySelector("#value-amount").getAttribute("aria-invalid") === "true" && document.querySelector('#send-document .field-box[data-field="amount"]').classList.contains("invalid") && getComputedStyle(document.querySelector("#value-amount")).borderTopColor === "rgb(200, 30, 30)"`)
	if term := evalJS[bool](t, ctx, `document.querySelector("#value-term").hasAttribute("aria-invalid")`); term {
		t.Fatal("the optional term is marked invalid")
	}
	if docs := roomDocuments(t, srv.url, agent.Token(), s.ID); len(docs) != 0 {
		t.Fatalf("a document was sent without its loan amount: %v", docs)
	}

	if err := chromedp.Do(ctx, chromedp.SendKeys("#value-amount", "12500"), choose("#value-term", "24 months"), chromedp.Click("#send-submit"),
		chromedp.WaitNotPresent("#send-document")); err != nil {
		t.Fatal(err)
	}
	card := `#documents li.doc-card`
	waitText(t, ctx, card, "Credit application")
	waitText(t, ctx, card+" .doc-status", "Sent")
	waitText(t, ctx, card+" .doc-progress", "0 of 2 required fields filled")
	waitText(t, ctx, "#timeline", "Document “Credit application” sent")
	if docs := roomDocuments(t, srv.url, agent.Token(), s.ID); len(docs) != 1 {
		t.Fatalf("the room's documents after Send: %v", docs)
	}
}

// The document's card and the timeline follow the customer live while
// they open, view, fill and finish the document (through the API, with
// their room cookie); then the completed PDF downloads, and the signed PDF
// once the hub has sealed it, with its SHA-256 in the timeline.
func TestBrowserDocumentCardIsLive(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	srv := consoleServer(t, nil)
	bg := context.Background()
	agent := adminClient(t, srv.url)
	a := creditApplication(t, agent)
	s := smsRoom(t, agent, room.ModeLive, "Sam Lee", "+14155552671")
	docID := sendFromLibrary(t, agent, s.ID, a.ID, "12500")

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	signInConsole(t, ctx, srv.url)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/console#/sessions/"+s.ID)); err != nil {
		t.Fatal(err)
	}
	card := `#documents li[data-document="` + docID + `"]`
	waitText(t, ctx, card+" .doc-status", "Sent")
	waitText(t, ctx, "#connection", "live")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}

	// The customer, with the cookie of their link.
	msgs, err := agent.DevOutbox(bg)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("dev outbox: %v %v", msgs, err)
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	cust, err := client.New(srv.url, client.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cust.OpenLink(bg, msgs[0].Link); err != nil {
		t.Fatal(err)
	}
	docURL := srv.url + "/api/v1/rooms/" + s.ID + "/documents/" + docID
	as := func(method, path string, body any, want int) {
		t.Helper()
		if status, out := callJSON(t, hc, method, docURL+path+"?as=customer", "", body); status != want {
			t.Fatalf("the customer's %s %s: %d %v, want %d", method, path, status, out, want)
		}
	}
	as(http.MethodPost, "/viewed", map[string]int{"page": 1}, http.StatusOK)
	waitText(t, ctx, card+" .doc-status", "Opened")
	waitText(t, ctx, "#timeline", "Customer opened “Credit application”")
	as(http.MethodPost, "/viewed", map[string]int{"page": 2}, http.StatusOK)
	waitText(t, ctx, "#timeline", "Customer viewed page 2 of “Credit application”")
	waitText(t, ctx, card+" .doc-viewed", "viewed pages 1, 2")

	as(http.MethodPut, "/fields/birth", map[string]string{"value": "1990-04-02"}, http.StatusOK)
	waitText(t, ctx, card+" .doc-status", "Filling")
	waitText(t, ctx, card+" .doc-progress", "1 of 2 required fields filled")
	waitText(t, ctx, "#timeline", "Customer filled “Date of birth”: 1990-04-02")
	as(http.MethodPut, "/fields/signature", map[string]string{"value": pdftest.DataURL(pdftest.PNG(120, 40))}, http.StatusOK)
	waitText(t, ctx, card+" .doc-progress", "2 of 2 required fields filled")
	waitText(t, ctx, "#timeline", "Customer signed “Signature”")
	waitText(t, ctx, "#timeline", "All required fields of “Credit application” filled")
	if strings.Contains(textOf(t, ctx, "#timeline"), "data:image") {
		t.Fatal("the timeline shows the signature's data")
	}
	if n := evalJS[int](t, ctx, `document.querySelectorAll(`+jsString(card+" .doc-download")+`).length`); n != 0 {
		t.Fatal("Download completed PDF is offered before the document is completed")
	}

	as(http.MethodPost, "/complete", nil, http.StatusOK)
	waitText(t, ctx, card+" .doc-status", "Completed")
	waitText(t, ctx, "#timeline", "Customer finished “Credit application”")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(card+" a.doc-download")); err != nil {
		t.Fatal(err)
	}
	head := evalJS[string](t, ctx, `fetch(document.querySelector(`+jsString(card+" a.doc-download")+`).href).then(r => r.ok ? r.text() : "HTTP " + r.status).then(s => s.slice(0, 5))`)
	if head != "%PDF-" {
		t.Fatalf("the completed PDF's link gives %q", head)
	}
	// Sealed a moment later: the signed PDF's link, and its SHA-256 in the
	// timeline.
	if err := chromedp.Do(ctx, chromedp.WaitVisible(card+" a.doc-signed"), chromedp.WaitNotPresent(card+" .doc-sealing")); err != nil {
		t.Fatal(err)
	}
	if got := evalJS[string](t, ctx, `fetch(document.querySelector(`+jsString(card+" a.doc-signed")+`).href).then(r => r.status + " " + r.headers.get("Content-Type"))`); got != "200 application/pdf" {
		t.Fatalf("the signed PDF's link answers %q", got)
	}
	signed, _ := roomDocuments(t, srv.url, agent.Token(), s.ID)[0].(map[string]any)["signed"].(string)
	if len(signed) != 64 {
		t.Fatalf("the room's state has no signed SHA-256: %q", signed)
	}
	waitText(t, ctx, "#timeline", "Signed PDF of “Credit application” sealed · SHA-256 "+signed)
	// At 360 px the SHA-256 wraps: the page never scrolls sideways.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	evalBool(t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`, "the sealed line fits 360 px")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}

	// A second copy, which the customer declines, saying why.
	second := sendFromLibrary(t, agent, s.ID, a.ID, "9000")
	docURL = srv.url + "/api/v1/rooms/" + s.ID + "/documents/" + second
	as(http.MethodPost, "/decline", map[string]string{"reason": "The amount is wrong"}, http.StatusOK)
	waitText(t, ctx, `#documents li[data-document="`+second+`"] .doc-status`, "Declined: The amount is wrong")
	waitText(t, ctx, "#timeline", "Customer declined “Credit application”: The amount is wrong")
	if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded === true`)); err != nil || !same {
		t.Fatalf("the console reloaded to follow the document (%v)", err)
	}
}

// In a pre-planned session a document sent from the library waits, and so
// does a payment request: their card and bubble say so until Invite
// client sends them with the link. The payment is then withdrawn.
func TestBrowserDocumentWaitsForInvite(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	srv := consoleServer(t, nil)
	agent := adminClient(t, srv.url)
	a := creditApplication(t, agent)
	s := smsRoom(t, agent, room.ModePreplan, "Kim Park", "+14155552671")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740)); err != nil {
		t.Fatal(err)
	}
	signInConsole(t, ctx, srv.url)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/console#/sessions/"+s.ID), chromedp.WaitVisible(`li[data-asset="`+a.ID+`"] .asset-pick`),
		chromedp.Click(`li[data-asset="`+a.ID+`"] .asset-pick`), chromedp.WaitVisible("#value-amount"),
		chromedp.SendKeys("#value-amount", "12500"), chromedp.Click("#send-submit"), chromedp.WaitNotPresent("#send-document")); err != nil {
		t.Fatal(err)
	}
	card := `#documents li.doc-card .doc-status`
	waitText(t, ctx, card, "Waiting for Invite client")
	if _, err := agent.RequestPayment(context.Background(), s.ID, client.PaymentRequest{Amount: "40", Description: "Deposit"}); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#payments .pay-status", "Waiting for Invite client")
	if wide := evalJS[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Fatal("the session scrolls sideways at 360 px")
	}
	if err := chromedp.Do(ctx, chromedp.Click("#invite")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, card, "Sent")
	waitText(t, ctx, "#timeline", "Document “Credit application” sent")
	waitText(t, ctx, "#payments .pay-status", "Requested")
	// The agent thinks better of the payment and withdraws it.
	if err := chromedp.Do(ctx, chromedp.Click("#payments .pay-withdraw"), chromedp.Click("#payments .pay-withdraw-confirm")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#payments .pay-status", "Canceled · withdrawn")
	waitText(t, ctx, "#timeline", "Agent withdrew the payment request of 40.00 USD (Deposit)")
}

// Attach (the paperclip): a damaged PDF is refused in the hub's words; an
// image from the computer goes to the session as a document of its own.
func TestBrowserAttachAFile(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	allowConsole(t, ctx, `status of 400 .*/documents\)`) // a file that is not a PDF, refused on purpose
	srv := consoleServer(t, nil)
	agent := adminClient(t, srv.url)
	s := smsRoom(t, agent, room.ModeLive, "Sam Lee", "+14155552671")
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.pdf")
	if err := os.WriteFile(broken, append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("not a pdf at all "), 20)...), 0o644); err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(dir, "id-card.png")
	if err := os.WriteFile(photo, pdftest.PNG(300, 200), 0o644); err != nil {
		t.Fatal(err)
	}
	signInConsole(t, ctx, srv.url)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/console#/sessions/"+s.ID), chromedp.WaitVisible("#attach"), chromedp.Click("#attach"),
		chromedp.WaitVisible("#attach-file"), chromedp.SetUploadFiles("#attach-file", []string{broken}), chromedp.WaitVisible("#attach-name"),
		chromedp.Click("#attach-send")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the hub's refusal", `document.querySelector("#attach-error").textContent.length > 0`)
	if msg := textOf(t, ctx, "#attach-error"); strings.Contains(msg, "invalid_pdf") || strings.Contains(msg, "answered") {
		t.Fatalf("the refusal of a damaged PDF reads %q", msg)
	}
	if docs := roomDocuments(t, srv.url, agent.Token(), s.ID); len(docs) != 0 {
		t.Fatalf("a damaged PDF was attached: %v", docs)
	}

	if err := chromedp.Do(ctx, chromedp.SetUploadFiles("#attach-file", []string{photo}), chromedp.WaitVisible("#attach-sheet img.attach-image"),
		clearInput("#attach-name"), chromedp.SendKeys("#attach-name", "ID card"), chromedp.Click("#attach-send")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the sheet closing, or an error", `!document.querySelector("#attach-sheet") || document.querySelector("#attach-error").textContent !== "" && !document.querySelector("#attach-error").textContent.includes("PDF")`)
	if msg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#attach-error")?.textContent ?? ""`)); err != nil || msg != "" {
		t.Fatalf("attaching the image: %q %v", msg, err)
	}
	waitText(t, ctx, "#documents li.doc-card .doc-name", "ID card")
	waitText(t, ctx, "#documents li.doc-card .doc-status", "Sent")
	docs := roomDocuments(t, srv.url, agent.Token(), s.ID)
	if len(docs) != 1 {
		t.Fatalf("the room's documents: %v", docs)
	}
	if d, _ := docs[0].(map[string]any); d["pages"] != float64(1) {
		t.Fatalf("the image as a document: %v", d)
	}
}
