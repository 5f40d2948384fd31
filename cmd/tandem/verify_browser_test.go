package main

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/app/pdftest"
	"github.com/tandemhq/tandem/room"
)

// completeAsCustomer opens link as the room's customer and fills and
// finishes docID, a document of the creditApplication template.
func completeAsCustomer(t *testing.T, base, link, roomID, docID string) {
	t.Helper()
	bg := context.Background()
	cust := mustClient(t, base)
	if _, err := cust.OpenLink(bg, link); err != nil {
		t.Fatal(err)
	}
	for field, value := range map[string]string{"birth": "1990-04-02", "signature": pdftest.DataURL(pdftest.PNG(120, 40))} {
		if _, err := cust.FillField(bg, roomID, docID, field, value); err != nil {
			t.Fatalf("fill %s: %v", field, err)
		}
	}
	if _, err := cust.CompleteDocument(bg, roomID, docID); err != nil {
		t.Fatal(err)
	}
}

// completedByCustomer sends the credit application to a new live room and
// has its customer fill, sign and finish it through the API.
// It returns the room, the document and the customer's link.
func completedByCustomer(t *testing.T, agent *client.Client, url string) (room.State, string, string) {
	t.Helper()
	s := smsRoom(t, agent, room.ModeLive, "Sam Lee", "+14155552671")
	docID := sendFromLibrary(t, agent, s.ID, creditApplication(t, agent).ID, "12500")
	msgs, err := agent.DevOutbox(context.Background())
	if err != nil || len(msgs) == 0 {
		t.Fatalf("dev outbox: %v %v", msgs, err)
	}
	completeAsCustomer(t, url, msgs[0].Link, s.ID, docID)
	return s, docID, msgs[0].Link
}

// signedPDF waits for the hub to seal docID and returns the signed PDF.
func signedPDF(t *testing.T, agent *client.Client, roomID, docID string) []byte {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		f, err := agent.SignedFile(context.Background(), roomID, docID)
		if err == nil {
			defer f.Close()
			b, err := io.ReadAll(f)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		if time.Now().After(deadline) {
			t.Fatalf("the document was never sealed: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A visitor on a phone checks files on the public verify page, without
// signing in and without reloading: the signed PDF is sealed by this hub
// and unchanged, and names its customer; the same file with one byte
// changed was changed after sealing; a file that is not a PDF, and one
// past the limit of checks a minute, are refused in words. The page never
// scrolls sideways.
func TestBrowserVerifyPage(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	// A file that is not a PDF is refused (400), and a burst of checks
	// is limited (429), on purpose.
	allowConsole(t, ctx, `status of (400|429) .*/api/v1/verify\)`)
	srv := consoleServer(t, map[string]string{"TANDEM_ACCOUNT_NAME": "Acme Insurance"})
	agent := adminClient(t, srv.url)
	s, docID, _ := completedByCustomer(t, agent, srv.url)
	pdf := signedPDF(t, agent, s.ID, docID)

	dir := t.TempDir()
	write := func(name string, b []byte) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// One byte changed in what the seal covers: halfway to the signature
	// (a byte of the signature's zero padding would not count).
	m := regexp.MustCompile(`/ByteRange\s*\[\s*0\s+(\d+)`).FindSubmatch(pdf)
	if m == nil {
		t.Fatal("the signed PDF has no /ByteRange")
	}
	gap, _ := strconv.Atoi(string(m[1]))
	changed := append([]byte(nil), pdf...)
	changed[gap/2] ^= 0x01
	files := map[string]string{
		"signed":  write("Credit application (signed).pdf", pdf),
		"changed": write("Credit application (edited).pdf", changed),
		"text":    write("notes.pdf", []byte("not a PDF at all, only words")),
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(srv.url+"/verify"), chromedp.WaitVisible("#choose")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#privacy", "never stored")
	if bad := unlabeled(t, ctx); len(bad) != 0 {
		t.Errorf("the verify page's controls without a name: %v", bad)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	upload := func(which string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.SetUploadFiles("#file", []string{files[which]})); err != nil {
			t.Fatal(err)
		}
	}

	upload("signed")
	waitText(t, ctx, "#verdict-title", "Sealed by this hub and unchanged since")
	waitText(t, ctx, "#fact-customer", "Sam Lee")
	waitText(t, ctx, "#fact-document", "Credit application")
	waitText(t, ctx, "#fact-company", "Acme Insurance")
	waitText(t, ctx, "#fact-sealed", "Your time")
	evalBool(t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`, "the verdict fits 360 px")

	upload("changed")
	waitText(t, ctx, "#verdict-title", "This file was changed after it was sealed")
	if err := chromedp.Do(ctx, chromedp.WaitNotPresent("#fact-customer")); err != nil {
		t.Fatal(err)
	}

	upload("text")
	waitText(t, ctx, "#verify-error", "This file is not a PDF")
	if msg := textOf(t, ctx, "#verify-error"); strings.Contains(msg, "unsupported_type") || strings.Contains(msg, "400") {
		t.Fatalf("the error shows its code: %q", msg)
	}
	evalBool(t, ctx, `window.notReloaded === true && !document.querySelector("#verdict")`, "the files were checked without a reload, and the old verdict is gone")

	// Past the limit of checks a minute, the page says to wait, in words.
	if n := evalJS[int](t, ctx, `Promise.all([...Array(20)].map(() => fetch("/api/v1/verify", {method: "POST", headers: {"Content-Type": "application/pdf"}, body: "x"}))).then(rs => rs.filter(r => r.status === 429).length)`); n == 0 {
		t.Fatal("the hub never limited the checks")
	}
	upload("signed")
	waitText(t, ctx, "#verify-error", "Many files were checked from your address in the last minute")
	if msg := textOf(t, ctx, "#verify-error"); strings.Contains(msg, "rate_limited") || strings.Contains(msg, "429") {
		t.Fatalf("the error shows its code: %q", msg)
	}
}

// While the timestamp authority is down, a finished document stays
// "sealing pending", calmly: the console's card says Sealing… and offers
// no signed PDF, the customer's page says their signed copy is being
// prepared, and the signed PDF answers not_sealed.
func TestBrowserSealingPending(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String() + "/tsa" // a port nobody listens on
	l.Close()
	srv := consoleServer(t, map[string]string{"TANDEM_TSA_URL": down})
	agent := adminClient(t, srv.url)
	s, docID, link := completedByCustomer(t, agent, srv.url)
	if _, err := agent.SignedFile(context.Background(), s.ID, docID); client.ErrorCode(err) != "not_sealed" {
		t.Fatalf("the signed PDF with the authority down: %v", err)
	}

	signInConsole(t, ctx, srv.url)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/console#/sessions/"+s.ID)); err != nil {
		t.Fatal(err)
	}
	card := `#documents li[data-document="` + docID + `"]`
	waitText(t, ctx, card+" .doc-status", "Completed")
	waitText(t, ctx, card+" .doc-sealing", "Sealing…")
	evalBool(t, ctx, `!document.querySelector(`+jsString(card+" a.doc-signed")+`) && !document.querySelector("#session-error").textContent`, "no signed PDF and no error while sealing is pending")

	phone, closePhone := chromedp.NewContext(ctx)
	defer closePhone()
	if err := chromedp.Do(phone, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile), chromedp.Navigate(link+"#/documents/"+docID)); err != nil {
		t.Fatal(err)
	}
	waitText(t, phone, "#doc-done", "Done — thank you")
	waitText(t, phone, "#preparing", "Preparing your signed copy…")
	evalBool(t, phone, `!document.querySelector("#download-signed") && !!document.querySelector("#download")`, "the completed PDF alone while the signed copy is prepared")
}
