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
	"github.com/tandemhq/tandem/room"
)

// formPDF is a small valid PDF of pages Letter pages, each with a title
// and a few ruled lines drawn in it, written object by object with its
// cross-reference table.
func formPDF(title string, pages int) []byte {
	var objs []string
	kids := make([]string, pages)
	for i := range kids {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	objs = append(objs, "<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), pages),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	for i := range pages {
		var c strings.Builder
		fmt.Fprintf(&c, "BT /F1 22 Tf 72 720 Td (%s) Tj ET\n", title)
		fmt.Fprintf(&c, "BT /F1 10 Tf 72 700 Td (Page %d of %d) Tj ET\n", i+1, pages)
		for y := 640; y >= 160; y -= 60 {
			fmt.Fprintf(&c, "0.6 G 72 %d m 540 %d l S\n", y, y)
		}
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 5+2*i),
			fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", c.Len(), c.String()))
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
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
	requireConsole(t)
	ctx := browser(t)
	srv := consoleServer(t, nil)
	bg := context.Background()
	agent := adminClient(t, srv.url)
	s, err := agent.CreateRoom(bg, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Sam Lee", Phone: "+14155552671"}})
	if err != nil {
		t.Fatal(err)
	}
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
		!near(f.X, 0.2) || !near(f.Y, 0.5) || !near(f.W, 0.4) || !near(f.H, 0.08) {
		t.Fatalf("the field drawn from 20%%,50%% to 60%%,58%% of page 1: %+v", f)
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

var _ = io.EOF
var _ = http.MethodGet
var _ = cookiejar.New
