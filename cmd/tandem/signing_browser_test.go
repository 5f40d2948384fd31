package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/app/pdftest"
	"github.com/tandemhq/tandem/room"
)

// signingPDF is a small PDF of two Letter pages with the labels a credit
// application prints beside its fields.
func signingPDF() []byte {
	texts := []string{
		"BT /F1 20 Tf 72 720 Td (Credit application) Tj ET BT /F1 11 Tf 72 680 Td (Full name) Tj ET " +
			"BT /F1 11 Tf 72 600 Td (Date of birth) Tj ET BT /F1 11 Tf 72 520 Td (Loan amount) Tj ET " +
			"BT /F1 11 Tf 100 316 Td (I agree to the terms of this application.) Tj ET",
		"BT /F1 20 Tf 72 720 Td (Signatures) Tj ET BT /F1 11 Tf 72 240 Td (Signature of the applicant) Tj ET 72 150 m 400 150 l S",
	}
	return pdftest.Text(texts...)
}

// signingFields are the fields of signingPDF: the agent's loan amount, and
// the customer's name, date of birth, agreement and signature.
func signingFields() []client.Field {
	return []client.Field{
		{ID: "amount", Type: room.FieldNumber, Role: room.FieldByAgent, Required: true, Label: "Loan amount", Page: 1, X: 0.3, Y: 0.33, W: 0.3, H: 0.035},
		{ID: "name", Type: room.FieldText, Role: room.FieldByCustomer, Required: true, Label: "Full name", Page: 1, X: 0.3, Y: 0.13, W: 0.55, H: 0.035},
		{ID: "dob", Type: room.FieldDate, Role: room.FieldByCustomer, Required: true, Label: "Date of birth", Page: 1, X: 0.3, Y: 0.23, W: 0.3, H: 0.035},
		{ID: "agree", Type: room.FieldCheckbox, Role: room.FieldByCustomer, Required: true, Label: "I agree", Page: 1, X: 0.1, Y: 0.585, W: 0.04, H: 0.03},
		{ID: "sig", Type: room.FieldSignature, Role: room.FieldByCustomer, Required: true, Label: "Signature", Page: 2, X: 0.12, Y: 0.72, W: 0.5, H: 0.08},
	}
}

// sendDocument uploads signingPDF as an asset with signingFields and sends
// it into roomID through the API, as an agent's console or CRM would, and
// returns the document's id.
func sendDocument(t *testing.T, agent *client.Client, base, roomID, name string) string {
	t.Helper()
	bg := context.Background()
	a, err := agent.UploadAsset(bg, name, "", "application.pdf", bytes.NewReader(signingPDF()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := agent.SetAssetFields(bg, a.ID, signingFields()); err != nil {
		t.Fatal(err)
	}
	d, err := agent.AddDocument(bg, roomID, a.ID, map[string]string{"amount": "12500"})
	if err != nil || d.ID == "" || d.Status != room.DocumentSent {
		t.Fatalf("the sent document: %+v, %v", d, err)
	}
	return d.ID
}

// agentWatch is the agent's live view of a room, read as the customer acts.
type agentWatch struct {
	t    *testing.T
	sub  *client.Subscription
	seen []room.Event
}

// next waits for the next event of type typ whose data has every
// key-value pair of want (a string value "" wants the key absent), and
// returns its data.
func (w *agentWatch) next(typ string, want map[string]any) map[string]any {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for {
		ev, err := w.sub.Next(ctx)
		if err != nil {
			w.t.Fatalf("the agent never saw %s %v (saw %s): %v", typ, want, types(w.seen), err)
		}
		w.seen = append(w.seen, ev)
		if ev.Type != typ {
			continue
		}
		var data map[string]any
		if err := json.Unmarshal(ev.Data, &data); err != nil {
			w.t.Fatal(err)
		}
		match := true
		for k, v := range want {
			got, ok := data[k]
			if v == "" {
				match = match && !ok
			} else {
				match = match && ok && got == v
			}
		}
		if match {
			return data
		}
	}
}

func types(evs []room.Event) string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return strings.Join(out, " ")
}

// waitFocus waits for the focus to be on field want: the data-field of
// the focused element, or "input:" and the field of the editor it is in.
func waitFocus(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const a = document.activeElement; if (!a) return ""; const e = a.closest("[data-editor]"); return e ? "input:" + e.dataset.editor : (a.closest("[data-field]")?.dataset.field ?? a.id) })()`))
		if err != nil {
			t.Fatal(err)
		}
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the focus is on %q, not %q", got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// buttons1 makes a synthetic mouse event carry the left button held, as a
// real drag does.
func buttons1(p *input.DispatchMouseEventParams) {
	p.Button = input.MouseButtonLeft
	p.Buttons = 1
}

// stroke draws a line through points (x, y pairs, in the page's CSS
// pixels) with the mouse's button held.
func stroke(pts ...float64) chromedp.Action[chromedp.Void] {
	steps := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MousePressed, pts[0], pts[1], buttons1, chromedp.ClickCount(1))}
	for i := 2; i+1 < len(pts); i += 2 {
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, pts[i], pts[i+1], buttons1))
	}
	n := len(pts)
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, pts[n-2], pts[n-1], buttons1, chromedp.ClickCount(1)))
	return chromedp.Steps(steps...)
}

// openOnPhone opens the newest link of the dev outbox in a 360×740 phone
// screen, as the customer would.
func openOnPhone(t *testing.T, ctx context.Context, agent *client.Client) {
	t.Helper()
	msgs, err := agent.DevOutbox(context.Background())
	if err != nil || len(msgs) == 0 {
		t.Fatalf("dev outbox: %+v %v", msgs, err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile), chromedp.Navigate(msgs[0].Link)); err != nil {
		t.Fatal(err)
	}
}

// evalBool evaluates js in the page and wants true.
func evalBool(t *testing.T, ctx context.Context, js, what string) {
	t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	if err != nil || !ok {
		t.Fatalf("%s: %v %v", what, ok, err)
	}
}

// The customer fills and signs a document on a phone: it is in the room,
// opening it tells the agent; Next goes from one required field to the
// next in page order; a date typed in part says so in words and keeps
// Finish disabled while every other field is filled; a signature drawn
// with the finger on the pad is applied; Finish completes it and the
// completed PDF downloads, and the signed copy as soon as the hub has
// sealed it. The agent sees each step as it happens, the signature's
// value never. A reload shows the finished document with its values, the
// signature's image included, and the signed copy.
func TestBrowserCustomerSignsADocument(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	srv := consoleServer(t, map[string]string{"TANDEM_ACCOUNT_NAME": "Acme Insurance"})
	bg := context.Background()
	agent := adminClient(t, srv.url)
	s := smsRoom(t, agent, room.ModeLive, "Sam Lee", "+14155552671")
	docID := sendDocument(t, agent, srv.url, s.ID, "Credit application")
	sub, err := agent.Subscribe(bg, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	watch := &agentWatch{t: t, sub: sub}
	openOnPhone(t, ctx, agent)
	waitText(t, ctx, "#status", "Connected to your agent")
	waitText(t, ctx, `#documents li[data-doc="`+docID+`"]`, "Credit application")
	if err := chromedp.Do(ctx, chromedp.Click(`#documents a[href="#/documents/`+docID+`"]`), chromedp.WaitVisible("#field-name")); err != nil {
		t.Fatal(err)
	}
	watch.next(room.TypeDocumentOpened, map[string]any{"document": docID})
	// The agent's value is on the page, read-only.
	waitText(t, ctx, `.value[data-field="amount"]`, "12500")
	if n := textOf(t, ctx, "#progress"); !strings.HasSuffix(n, "4 to fill") {
		t.Fatalf("progress %q", n)
	}

	// Next: the name, first in page order; typed, it is saved.
	if err := chromedp.Do(ctx, chromedp.Click("#next")); err != nil {
		t.Fatal(err)
	}
	waitFocus(t, ctx, "input:name")
	if err := chromedp.Do(ctx, chromedp.KeyEvent("Sam Lee")); err != nil {
		t.Fatal(err)
	}
	watch.next(room.TypeDocumentFieldFilled, map[string]any{"field": "name", "value": "Sam Lee"})
	waitText(t, ctx, "#input-name-msg", "Saved")

	// Next: the date of birth. A date typed in part is refused in words.
	if err := chromedp.Do(ctx, chromedp.Click("#next")); err != nil {
		t.Fatal(err)
	}
	waitFocus(t, ctx, "input:dob")
	if err := chromedp.Do(ctx, chromedp.KeyEvent("12")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#input-dob-msg", "the date is not complete")
	evalBool(t, ctx, `document.querySelector("#input-dob").getAttribute("aria-invalid") === "true"`, "the bad date is marked invalid")

	// Next: the checkbox, ticked with a tap.
	if err := chromedp.Do(ctx, chromedp.Click("#next")); err != nil {
		t.Fatal(err)
	}
	waitFocus(t, ctx, "agree")
	if err := chromedp.Do(ctx, chromedp.Click("#field-agree")); err != nil {
		t.Fatal(err)
	}
	watch.next(room.TypeDocumentFieldFilled, map[string]any{"field": "agree", "value": "true"})
	evalBool(t, ctx, `document.querySelector("#field-agree").getAttribute("aria-checked") === "true"`, "the checkbox shows ticked")

	// Next: the signature, on page 2. The pad opens full width; a stroke
	// drawn on it is applied, and the field shows the signature.
	if err := chromedp.Do(ctx, chromedp.Click("#next")); err != nil {
		t.Fatal(err)
	}
	waitFocus(t, ctx, "sig")
	if err := chromedp.Do(ctx, chromedp.Click("#field-sig"), chromedp.WaitVisible("#pad-canvas")); err != nil {
		t.Fatal(err)
	}
	evalBool(t, ctx, `document.querySelector("#pad-canvas").getBoundingClientRect().width >= 300 && getComputedStyle(document.querySelector("#pad-canvas")).touchAction === "none"`, "the pad is full width and takes the finger")
	evalBool(t, ctx, `document.querySelector("#pad-apply").disabled`, "Apply is disabled on an empty pad")
	box, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector("#pad-canvas").getBoundingClientRect(); return [r.left, r.top, r.width, r.height] })()`))
	if err != nil {
		t.Fatal(err)
	}
	x, y, w, h := box[0], box[1], box[2], box[3]
	if err := chromedp.Do(ctx, stroke(x+0.1*w, y+0.6*h, x+0.2*w, y+0.3*h, x+0.3*w, y+0.7*h, x+0.45*w, y+0.35*h, x+0.6*w, y+0.65*h, x+0.8*w, y+0.4*h)); err != nil {
		t.Fatal(err)
	}
	evalBool(t, ctx, `(() => { const c = document.querySelector("#pad-canvas"); const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data; for (let i = 3; i < d.length; i += 4) if (d[i]) return true; return false })()`, "the pad has the stroke drawn")
	evalBool(t, ctx, `!document.querySelector("#pad-apply").disabled`, "Apply is enabled once drawn")
	if err := chromedp.Do(ctx, chromedp.Click("#pad-apply"), chromedp.WaitNotPresent("#pad-canvas"), chromedp.WaitVisible("#field-sig img")); err != nil {
		t.Fatal(err)
	}
	filled := watch.next(room.TypeDocumentFieldFilled, map[string]any{"field": "sig", "signature": true})
	if _, ok := filled["value"]; ok {
		t.Fatalf("the agent's event carries the signature: %v", filled)
	}

	// Everything else is filled: the bad date alone keeps Finish disabled.
	if n := textOf(t, ctx, "#progress"); !strings.HasSuffix(n, "1 to fill") {
		t.Fatalf("progress %q with the date left", n)
	}
	evalBool(t, ctx, `document.querySelector("#finish").disabled`, "Finish is disabled with a bad date")
	if err := chromedp.Do(ctx, chromedp.Click("#next")); err != nil {
		t.Fatal(err)
	}
	waitFocus(t, ctx, "input:dob")
	if err := chromedp.Do(ctx, clearInput("#input-dob"), chromedp.Focus("#input-dob"), chromedp.KeyEvent("12031990")); err != nil {
		t.Fatal(err)
	}
	watch.next(room.TypeDocumentFieldFilled, map[string]any{"field": "dob", "value": "1990-12-03"})
	waitJS(t, ctx, "Finish is enabled once every required field is filled", `!document.querySelector("#finish").disabled`)
	if err := chromedp.Do(ctx, chromedp.Click("#finish")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#doc-done", "Done — thank you")
	watch.next(room.TypeDocumentCompleted, map[string]any{"document": docID})
	// The hub seals it a moment later: the signed copy is offered live.
	watch.next(room.TypeDocumentSealed, map[string]any{"document": docID})
	waitText(t, ctx, "#download-signed", "Download signed copy")
	if got := evalJS[string](t, ctx, `fetch(document.querySelector("#download-signed").href).then(r => r.status + " " + r.headers.get("Content-Type"))`); got != "200 application/pdf" {
		t.Fatalf("the signed copy's link answers %q", got)
	}
	viewed := false
	for _, e := range watch.seen {
		viewed = viewed || (e.Type == room.TypeDocumentPageViewed && strings.Contains(string(e.Data), `"page":2`))
	}
	if !viewed {
		t.Errorf("page 2 was never reported viewed: %s", types(watch.seen))
	}

	// The completed PDF, with the page's own cookie.
	head, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector("#download").href).then(r => r.text()).then(t => t.slice(0, 5))`, chromedp.EvalAwaitPromise))
	if err != nil || head != "%PDF-" {
		t.Fatalf("the completed PDF starts with %q (%v)", head, err)
	}
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil || wide {
		t.Fatalf("the document scrolls sideways at 360 px: %v %v", wide, err)
	}

	// A reload shows it finished, with the values and the signature.
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#doc-done", "Done — thank you")
	waitText(t, ctx, "#download-signed", "Download signed copy")
	waitText(t, ctx, `.value[data-field="name"]`, "Sam Lee")
	waitJS(t, ctx, "the signature after a reload", `!!document.querySelector('.value[data-field="sig"] img[src^="data:image/png;base64,"]')`)
	if err := chromedp.Do(ctx, chromedp.WaitNotPresent("#finish")); err != nil {
		t.Fatal(err)
	}
}

// A document sent while the customer's page is open appears at once,
// without a reload, and is announced. Declined with a reason, it reads as
// declined, takes no more input, and the agent sees why.
func TestBrowserDocumentArrivesLiveAndIsDeclined(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	srv := consoleServer(t, nil)
	bg := context.Background()
	agent := adminClient(t, srv.url)
	s := smsRoom(t, agent, room.ModeLive, "Sam Lee", "+14155552671")
	openOnPhone(t, ctx, agent)
	waitText(t, ctx, "#status", "Connected to your agent")
	waitText(t, ctx, "#waiting", "Nothing is waiting for you yet")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	sub, err := agent.Subscribe(bg, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	watch := &agentWatch{t: t, sub: sub}

	docID := sendDocument(t, agent, srv.url, s.ID, "Loan agreement")
	waitText(t, ctx, `#documents li[data-doc="`+docID+`"]`, "Loan agreement")
	waitText(t, ctx, `#documents li[data-doc="`+docID+`"]`, "Waiting for you")
	waitText(t, ctx, "#news", "New from your agent: Loan agreement")
	evalBool(t, ctx, `window.notReloaded === true`, "the document appeared without a reload")

	if err := chromedp.Do(ctx, chromedp.Click(`#documents a[href="#/documents/`+docID+`"]`), chromedp.WaitVisible("#field-name"), chromedp.WaitVisible(".page[data-drawn]")); err != nil {
		t.Fatal(err)
	}
	watch.next(room.TypeDocumentOpened, map[string]any{"document": docID})
	if bad := unlabeled(t, ctx); len(bad) != 0 {
		t.Errorf("the document's controls without a name: %v", bad)
	}
	small, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".actionbar button, .field")].filter(b => { const r = b.getBoundingClientRect(), a = getComputedStyle(b, "::before"); return Math.max(r.height, parseFloat(a.height) || 0) < 44 || Math.max(r.width, parseFloat(a.width) || 0) < 44 }).map(b => b.id)`))
	if err != nil || len(small) != 0 {
		t.Errorf("tap targets under 44 px: %v %v", small, err)
	}

	if err := chromedp.Do(ctx, chromedp.Click("#decline"), chromedp.WaitVisible("#decline-reason"),
		chromedp.SendKeys("#decline-reason", "The amount is wrong"), chromedp.Click("#decline-submit")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#doc-declined", "You declined this document")
	watch.next(room.TypeDocumentDeclined, map[string]any{"document": docID, "reason": "The amount is wrong"})
	if err := chromedp.Do(ctx, chromedp.WaitNotPresent("#finish"), chromedp.WaitNotPresent("#field-name")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, ".value[data-field=\"amount\"]", "12500")
	if err := chromedp.Do(ctx, chromedp.Click("#back"), chromedp.WaitVisible("#documents")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#documents li[data-doc="`+docID+`"]`, "Declined")
}
