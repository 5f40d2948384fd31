package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/payment/stripe/stripetest"
	"github.com/tandemhq/tandem/room"
)

// photoJPEG is a JPEG photo of w×h pixels: a card drawn on a gradient,
// as a phone's camera would take of a document.
func photoJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{uint8(80 + 100*x/w), uint8(90 + 80*y/h), 140, 255}
			if x > w/5 && x < 4*w/5 && y > h/4 && y < 3*h/4 {
				c = color.RGBA{245, 245, 240, 255}
				if (y/40)%3 == 0 && x > w/4 && x < 3*w/4 {
					c = color.RGBA{40, 40, 60, 255}
				}
			}
			img.SetRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// customerTab opens the room of link in a new tab of ctx's browser, at a
// phone's 360 px, and waits for it to connect.
func customerTab(t *testing.T, ctx context.Context, link string) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(tab, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile), chromedp.Navigate(link)); err != nil {
		t.Fatal(err)
	}
	waitText(t, tab, "#status", "Connected to your agent")
	return tab
}

// agentSession opens the session roomID in the console on a desktop,
// signed in as the admin, and marks the page to tell a reload.
func agentSession(t *testing.T, ctx context.Context, base, roomID string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	signInConsole(t, ctx, base)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/console#/sessions/"+roomID)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#connection", "live")
	evalJS[bool](t, ctx, `window.notReloaded = true`)
}

// notReloaded fails t if the console reloaded since agentSession.
func notReloaded(t *testing.T, ctx context.Context) {
	t.Helper()
	if !evalJS[bool](t, ctx, `window.notReloaded === true`) {
		t.Fatal("the console reloaded to follow the customer")
	}
}

// fits fails t if the page of tab scrolls sideways.
func fits(t *testing.T, tab context.Context, what string) {
	t.Helper()
	if evalJS[bool](t, tab, `document.documentElement.scrollWidth > window.innerWidth`) {
		t.Fatalf("%s scrolls sideways at 360 px", what)
	}
}

// The agent asks for a photo ID with Tools → Document Request. The
// customer, on a phone, uploads a large photo (made smaller in the
// browser), takes it back, uploads it again and sends it; the agent, live
// in the console, sees it and rejects it as blurry; the customer reads
// why, sends another, and the agent accepts it: each side follows without
// reloading.
func TestBrowserDocumentRequestReviewed(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	srv := consoleServer(t, nil)
	agent := adminClient(t, srv.url)
	s := smsRoom(t, agent, room.ModeLive, "Sam Lee", "+14155552671")
	msgs, err := agent.DevOutbox(context.Background())
	if err != nil || len(msgs) == 0 {
		t.Fatalf("dev outbox: %v %v", msgs, err)
	}
	dir := t.TempDir()
	photo := filepath.Join(dir, "IMG_0001.jpg")
	if err := os.WriteFile(photo, photoJPEG(t, 3000, 2000), 0o644); err != nil {
		t.Fatal(err)
	}
	notes := filepath.Join(dir, "notes.pdf") // not a PDF: the hub refuses it
	if err := os.WriteFile(notes, []byte("just some notes, not a document"), 0o644); err != nil {
		t.Fatal(err)
	}

	agentSession(t, ctx, srv.url, s.ID)
	if err := chromedp.Do(ctx, chromedp.Click("#tools summary"), chromedp.Click("#tool-documents"), chromedp.WaitVisible(`#request-types li[data-type="photo_id"]`),
		chromedp.SendKeys("#request-search", "ident"), chromedp.WaitNotPresent(`#request-types li[data-type="pay_stub"]`),
		chromedp.Click(`#request-types li[data-type="photo_id"] .type-add`), chromedp.WaitVisible(`#request-items li[data-type="photo_id"] .item-note`),
		chromedp.SendKeys(`#request-items li .item-note`, "front and back"), chromedp.Click("#request-send"), chromedp.WaitNotPresent("#request-documents")); err != nil {
		t.Fatal(err)
	}
	card := "#requests li.req-card"
	waitText(t, ctx, card+" .req-status", "Requested")
	waitText(t, ctx, "#timeline", "Agent asked for “Photo ID”: front and back")

	cust := customerTab(t, ctx, msgs[0].Link)
	item := "#requests li.request"
	waitText(t, cust, item, "Photo ID")
	waitText(t, cust, item, "front and back")
	send := func() {
		t.Helper()
		if err := chromedp.Do(cust, chromedp.Click(item+" .request-send")); err != nil {
			t.Fatal(err)
		}
		waitText(t, cust, item+" .chip", "being reviewed")
	}
	// A photo taken back before sending, then taken again.
	uploaded := item + " .upload[data-file] img.thumb"
	if err := chromedp.Do(cust, chromedp.SetUploadFiles(item+" .file-input", []string{photo}), chromedp.WaitVisible(uploaded),
		chromedp.Click(item+" .upload-remove"), chromedp.WaitNotPresent(uploaded),
		chromedp.SetUploadFiles(item+" .file-input", []string{photo}), chromedp.WaitVisible(uploaded), chromedp.WaitNotPresent(item+" .upload[data-uploading]")); err != nil {
		t.Fatal(err)
	}
	send()
	fits(t, cust, "the room with a request")

	// The agent sees the photo, made smaller than the camera's 3000 px.
	waitText(t, ctx, card+" .req-status", "Uploaded — review")
	waitJS(t, ctx, "the photo's thumbnail", `(() => { const i = document.querySelector("#requests .req-file img"); return !!i && i.complete && i.naturalWidth > 0 })()`)
	if w := evalJS[int](t, ctx, `(() => { const i = document.querySelector("#requests .req-file img"); return i.naturalWidth })()`); w != 2400 {
		t.Fatalf("the photo is %d px wide, want 2400 (its longest side, downscaled from 3000)", w)
	}
	if err := chromedp.Do(ctx, chromedp.Click(card+" .req-reject"), chromedp.WaitVisible(card+" .req-reject-confirm")); err != nil {
		t.Fatal(err)
	}
	if !evalJS[bool](t, ctx, `document.querySelector("#requests .req-reject-confirm").disabled`) {
		t.Fatal("Reject is enabled without a reason")
	}
	if err := chromedp.Do(ctx, chromedp.Click(card+` .quick-reasons button`), chromedp.Click(card+" .req-reject-confirm")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, card+" .req-status", "Rejected")
	waitText(t, ctx, "#timeline", "Agent rejected “Photo ID”: Blurry")

	// The customer reads why and picks a new photo with a file the hub
	// refuses: that one says why, with Retry, and the photo is kept.
	waitText(t, cust, item+" .request-reason", "Blurry")
	if err := chromedp.Do(cust, chromedp.SetUploadFiles(item+" .file-input", []string{photo, notes}), chromedp.WaitVisible(item+" .upload.failed .upload-retry"),
		chromedp.WaitVisible(item+" .upload[data-file] img.thumb")); err != nil {
		t.Fatal(err)
	}
	if msg := textOf(t, cust, item+" .upload.failed .problem"); msg == "" || strings.Contains(msg, "_") {
		t.Fatalf("the refused file says %q", msg)
	}
	if err := chromedp.Do(cust, chromedp.Click(item+" .upload.failed .upload-drop"), chromedp.WaitNotPresent(item+" .upload.failed")); err != nil {
		t.Fatal(err)
	}
	send()
	waitText(t, ctx, card+" .req-status", "Uploaded — review")
	if err := chromedp.Do(ctx, chromedp.Click(card+" .req-accept")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, card+" .req-status", "Accepted")
	waitText(t, cust, item+" .request-done", "accepted")
	if n := evalJS[int](t, cust, `document.querySelectorAll("#requests .take-photo, #requests .choose-file").length`); n != 0 {
		t.Fatal("an accepted request still asks for files")
	}
	timeline := textOf(t, ctx, "#timeline")
	for _, want := range []string{"Customer uploaded “IMG_0001.jpg” for “Photo ID”", "Customer removed “IMG_0001.jpg” from “Photo ID”", "Customer sent “Photo ID” for review", "Agent accepted “Photo ID”"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the timeline has no %q:\n%s", want, timeline)
		}
	}
	notReloaded(t, ctx)
}

// The agent asks for 125.5 with Tools → Payment Request (written back as
// 125.50); the customer, on a phone, tries the sandbox's declined test
// card, reads why, tries again with the one that pays, and the agent's
// bubble follows, Declined then Paid, without a reload.
func TestBrowserSandboxPayment(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	srv := consoleServer(t, nil)
	agent := adminClient(t, srv.url)
	s := smsRoom(t, agent, room.ModeLive, "Sam Lee", "+14155552671")
	msgs, err := agent.DevOutbox(context.Background())
	if err != nil || len(msgs) == 0 {
		t.Fatalf("dev outbox: %v %v", msgs, err)
	}

	agentSession(t, ctx, srv.url, s.ID)
	if err := chromedp.Do(ctx, chromedp.Click("#tools summary"), chromedp.Click("#tool-payment"), chromedp.WaitVisible("#payment-amount"),
		chromedp.SendKeys("#payment-amount", "12,50"), chromedp.Click("#payment-send")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#payment-amount-problem", "at most two decimals")
	if err := chromedp.Do(ctx, clearInput("#payment-amount"), chromedp.SendKeys("#payment-amount", "125.5\t")); err != nil {
		t.Fatal(err)
	}
	if v := evalJS[string](t, ctx, `document.querySelector("#payment-amount").value`); v != "125.50" {
		t.Fatalf("the amount reads %q after leaving the box, want 125.50", v)
	}
	if c := evalJS[string](t, ctx, `document.querySelector("#payment-currency").value`); c != "USD" {
		t.Fatalf("the currency is %q, want the account's USD", c)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys("#payment-description", "Deposit"), chromedp.Click("#payment-send"), chromedp.WaitNotPresent("#request-payment")); err != nil {
		t.Fatal(err)
	}
	bubble := "#payments li.pay-card"
	waitText(t, ctx, bubble+" .pay-amount", "125.50 USD")
	waitText(t, ctx, bubble+" .pay-status", "Requested")

	cust := customerTab(t, ctx, msgs[0].Link)
	pay := "#payments li.payment"
	waitText(t, cust, pay+" .payment-amount", "125.50 USD")
	if err := chromedp.Do(cust, chromedp.Click(pay+" .payment-pay"), chromedp.WaitVisible("#card-number")); err != nil {
		t.Fatal(err)
	}
	waitText(t, cust, ".sandbox-banner", "Sandbox: no money moves. Test card 4242 4242 4242 4242")
	if err := chromedp.Do(cust, chromedp.SendKeys("#card-number", "4000000000000002"), chromedp.SendKeys("#card-exp", "1230"), chromedp.SendKeys("#card-cvc", "123"),
		chromedp.Click(pay+" .card-pay")); err != nil {
		t.Fatal(err)
	}
	waitText(t, cust, pay+" .card-declined", "Declined: Your card was declined.")
	waitText(t, ctx, bubble+" .pay-status", "Declined: Your card was declined.")
	if err := chromedp.Do(cust, chromedp.Click(pay+" .card-again"), chromedp.WaitVisible("#card-number"), chromedp.WaitNotPresent(pay+" .card-declined"),
		chromedp.SendKeys("#card-number", "4242424242424242"), chromedp.SendKeys("#card-exp", "1230"), chromedp.SendKeys("#card-cvc", "123")); err != nil {
		t.Fatal(err)
	}
	if v := evalJS[string](t, cust, `document.querySelector("#card-number").value + " " + document.querySelector("#card-exp").value`); v != "4242 4242 4242 4242 12/30" {
		t.Fatalf("the card as typed reads %q", v)
	}
	fits(t, cust, "the card form")
	if err := chromedp.Do(cust, chromedp.Click(pay+" .card-pay")); err != nil {
		t.Fatal(err)
	}
	waitText(t, cust, pay+" .payment-paid", "Paid with the card ending 4242")
	waitText(t, ctx, bubble+" .pay-status", "Paid · card ending 4242")
	waitText(t, ctx, "#timeline", "Customer paid 125.50 USD (Deposit) with the card ending 4242")
	if n := evalJS[int](t, ctx, `document.querySelectorAll("#payments .pay-withdraw").length`); n != 0 {
		t.Fatal("a paid payment can still be withdrawn")
	}
	notReloaded(t, ctx)
}

// customerHTTP returns an HTTP client with the room cookie of link, to
// act as its customer through the API.
func customerHTTP(t *testing.T, base, link string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	cust, err := client.New(base, client.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cust.OpenLink(context.Background(), link); err != nil {
		t.Fatal(err)
	}
	return hc
}

// uploadAs posts file as the multipart part "file" to url with hc and
// returns the decoded answer, failing t unless it is a 201.
func uploadAs(t *testing.T, hc *http.Client, url, name string, file []byte) map[string]any {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(file)
	w.Close()
	res, err := hc.Post(url, w.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload %s to %s: %d %v", name, url, res.StatusCode, out)
	}
	return out
}

// With Stripe, Pay takes the customer to Stripe's page (a fake here) and
// the agent sees them paying; back in the room from Stripe with paid=1,
// the payment reads "confirming" until Stripe's webhook says it is paid,
// then Paid on both sides without a reload.
func TestBrowserStripePaymentReturn(t *testing.T) {
	t.Parallel() // each has its own hub and browser context
	requireConsole(t)
	ctx := browser(t)
	fake := stripetest.New(t, stripetest.Options{SecretKey: "sk_test_tandem"})
	srv := consoleServer(t, map[string]string{"STRIPE_SECRET_KEY": "sk_test_tandem", "STRIPE_WEBHOOK_SECRET": fake.WebhookSecret(), "STRIPE_API_URL": fake.URL})
	fake.SetWebhookURL(srv.url + "/api/v1/hooks/stripe")
	agent := adminClient(t, srv.url)
	s := smsRoom(t, agent, room.ModeLive, "Sam Lee", "+14155552671")
	msgs, err := agent.DevOutbox(context.Background())
	if err != nil || len(msgs) == 0 {
		t.Fatalf("dev outbox: %v %v", msgs, err)
	}
	p, err := agent.RequestPayment(context.Background(), s.ID, client.PaymentRequest{Amount: "80", Currency: "EUR", Description: "Deposit"})
	if err != nil {
		t.Fatal(err)
	}
	agentSession(t, ctx, srv.url, s.ID)
	bubble := `#payments li[data-payment="` + p.ID + `"]`
	waitText(t, ctx, bubble+" .pay-amount", "80.00 EUR")

	cust := customerTab(t, ctx, msgs[0].Link)
	if err := chromedp.Do(cust, chromedp.Click(`#payments li.payment .payment-pay`), chromedp.WaitVisible("#pay")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, bubble+" .pay-status", "Customer is paying…")
	sessions := fake.Sessions()
	if len(sessions) != 1 {
		t.Fatalf("Stripe sessions: %+v", sessions)
	}
	// Back in the room as Stripe sends them back, before its webhook.
	if err := chromedp.Do(cust, chromedp.Navigate(srv.url+"/room/"+s.ID+"?payment="+p.ID+"&paid=1")); err != nil {
		t.Fatal(err)
	}
	waitText(t, cust, "#payments .payment-confirming", "Payment received — confirming…")
	waitText(t, cust, "#status", "Connected to your agent")
	if err := fake.Pay(sessions[0].ID); err != nil {
		t.Fatal(err)
	}
	waitText(t, cust, "#payments .payment-paid", "Paid")
	waitText(t, ctx, bubble+" .pay-status", "Paid")
	notReloaded(t, ctx)
}
