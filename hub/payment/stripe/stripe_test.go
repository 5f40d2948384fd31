package stripe_test

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/payment"
	"github.com/tandemhq/tandem/hub/payment/stripe"
	"github.com/tandemhq/tandem/hub/payment/stripe/stripetest"
)

const (
	secretKey     = "sk_test_tandem0123456789"
	webhookSecret = "whsec_tandem_test"
)

var ctx = context.Background()

// newProvider returns a provider against fake whose clock says now.
func newProvider(t *testing.T, fake *stripetest.Server, now time.Time) *stripe.Provider {
	t.Helper()
	p, err := stripe.New(stripe.Config{
		SecretKey:     secretKey,
		WebhookSecret: webhookSecret,
		APIURL:        fake.URL,
		Now:           func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newFake(t *testing.T) *stripetest.Server {
	return stripetest.New(t, stripetest.Options{SecretKey: secretKey, WebhookSecret: webhookSecret})
}

func request() payment.Request {
	return payment.Request{
		Account: "ac_1", Room: "rm_1", Payment: "py_1",
		Amount: 12550, Currency: "USD", Description: "Deposit", Company: "Acme",
		ReturnURL:      "https://hub.example/room/rm_1?payment=py_1&paid=1",
		CancelURL:      "https://hub.example/room/rm_1?payment=py_1",
		IdempotencyKey: "py_1/1",
	}
}

func TestStartCreatesACheckoutSession(t *testing.T) {
	fake := newFake(t)
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	p := newProvider(t, fake, now)

	c, err := p.Start(ctx, request())
	if err != nil {
		t.Fatal(err)
	}
	s, ok := fake.Session(c.Session)
	if !ok {
		t.Fatalf("the fake has no session %q; it has %+v", c.Session, fake.Sessions())
	}
	if c.URL != fake.URL+"/pay/"+s.ID || !strings.HasPrefix(s.ID, "cs_") {
		t.Errorf("checkout = %+v, want the session's page", c)
	}
	if want := now.Add(31 * time.Minute); !c.ExpiresAt.Equal(want) || s.ExpiresAt != want.Unix() {
		t.Errorf("expires at %v (sent %d), want %v", c.ExpiresAt, s.ExpiresAt, want)
	}
	r := request()
	if s.Mode != "payment" || s.Amount != 12550 || s.Currency != "usd" || s.Name != "Deposit" {
		t.Errorf("session = %+v, want a payment of 12550 usd named Deposit", s)
	}
	if s.SuccessURL != r.ReturnURL || s.CancelURL != r.CancelURL || s.ClientReferenceID != "py_1" || s.IdempotencyKey != "py_1/1" {
		t.Errorf("session = %+v, want the request's URLs, reference and key", s)
	}
	meta := map[string]string{"tandem_account": "ac_1", "tandem_room": "rm_1", "tandem_payment": "py_1"}
	if !maps.Equal(s.Metadata, meta) || !maps.Equal(s.PaymentIntentMetadata, meta) {
		t.Errorf("metadata = %v, intent's %v; want %v on both", s.Metadata, s.PaymentIntentMetadata, meta)
	}

	r.Description, r.IdempotencyKey, r.Payment = "", "py_2/1", "py_2"
	c, err = p.Start(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := fake.Session(c.Session); s.Name != "Payment to Acme" {
		t.Errorf("without a description the item is named %q, want %q", s.Name, "Payment to Acme")
	}
}

func TestStartWithTheSameKeyReturnsTheSameSession(t *testing.T) {
	fake := newFake(t)
	now := time.Now()
	first, err := newProvider(t, fake, now).Start(ctx, request())
	if err != nil {
		t.Fatal(err)
	}
	// Another hub (or this one after a restart) asking with the same key
	// and parameters: Stripe's idempotency answers.
	again, err := newProvider(t, fake, now).Start(ctx, request())
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Errorf("the same key gave %+v, then %+v", first, again)
	}
	// The same payment opened again 10 minutes later: the caller sends the
	// expiry derived from the key's time, so Stripe's idempotency answers
	// with the same session, whichever instance asks.
	at := now
	p, err := stripe.New(stripe.Config{SecretKey: secretKey, WebhookSecret: webhookSecret, APIURL: fake.URL,
		Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	keyed := request()
	keyed.IdempotencyKey, keyed.ExpiresAt = "py_1/3", now.Add(time.Hour)
	opened, err := p.Start(ctx, keyed)
	if err != nil {
		t.Fatal(err)
	}
	at = now.Add(10 * time.Minute)
	if c, err := p.Start(ctx, keyed); err != nil || c != opened {
		t.Errorf("started again 10 minutes later: %+v, %v; want %+v", c, err, opened)
	}
	if s, _ := fake.Session(opened.Session); s.ExpiresAt != now.Add(time.Hour).Unix() {
		t.Errorf("the session expires at %d, want the request's %d", s.ExpiresAt, now.Add(time.Hour).Unix())
	}
	if n := len(fake.Sessions()); n != 2 {
		t.Errorf("the fake has %d sessions, want 2", n)
	}

	r := request()
	r.IdempotencyKey = "py_1/2"
	other, err := p.Start(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if other.Session == first.Session {
		t.Errorf("another key gave the same session %s", other.Session)
	}
}

func TestStartRefused(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake, time.Now())

	r := request()
	r.Amount = 10
	_, err := p.Start(ctx, r)
	assertError(t, err, tandem.KindInvalid, "payment_refused", "at least $0.50")

	fake.FailNext(http.StatusBadRequest, "invalid_request_error", "", "Invalid currency: xts")
	_, err = p.Start(ctx, request())
	assertError(t, err, tandem.KindInvalid, "payment_refused", "Invalid currency: xts")

	// A wrong key is the hub's configuration, not the customer's doing,
	// and its words are not for them.
	bad, err := stripe.New(stripe.Config{SecretKey: "sk_test_wrong00000000", WebhookSecret: webhookSecret, APIURL: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Start(ctx, request())
	assertError(t, err, tandem.KindUnavailable, "payment_unavailable", "refused the request")
	if strings.Contains(tandem.ErrorMessage(err), "sk_test") {
		t.Errorf("the message shows the key: %q", tandem.ErrorMessage(err))
	}
}

func TestStartUnavailable(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake, time.Now())

	fake.FailNext(http.StatusInternalServerError, "api_error", "", "An unknown error occurred")
	_, err := p.Start(ctx, request())
	assertError(t, err, tandem.KindUnavailable, "payment_unavailable", "")

	fake.Close()
	_, err = p.Start(ctx, request())
	assertError(t, err, tandem.KindUnavailable, "payment_unavailable", "")
	if !strings.Contains(err.Error(), "connect") {
		t.Errorf("the error does not keep its cause: %v", err)
	}
}

// hub receives the fake's webhook calls as the hub's endpoint would, and
// keeps the outcomes p reads from them.
type hub struct {
	p        *stripe.Provider
	mu       sync.Mutex
	outcomes []payment.Outcome
}

func (h *hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	o, ok, err := h.p.Webhook(body, r.Header.Get(h.p.SignatureHeader()))
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if ok {
		h.mu.Lock()
		h.outcomes = append(h.outcomes, o)
		h.mu.Unlock()
	}
}

func (h *hub) got() []payment.Outcome {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]payment.Outcome(nil), h.outcomes...)
}

func startHub(t *testing.T, fake *stripetest.Server, p *stripe.Provider) *hub {
	h := &hub{p: p}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	fake.SetWebhookURL(srv.URL + "/api/v1/hooks/stripe")
	return h
}

func TestPaidOnTheCheckoutPage(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake, time.Now())
	h := startHub(t, fake, p)
	c, err := p.Start(ctx, request())
	if err != nil {
		t.Fatal(err)
	}

	res, err := http.Get(c.URL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), "125.50 USD") || !strings.Contains(string(page), `id="pay"`) {
		t.Fatalf("the page: %d %s", res.StatusCode, page)
	}

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err = noRedirect.PostForm(c.URL, url.Values{"outcome": {"pay"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != request().ReturnURL {
		t.Fatalf("paying answered %d to %q, want 303 to the return URL", res.StatusCode, res.Header.Get("Location"))
	}
	s, _ := fake.Session(c.Session)
	want := payment.Outcome{Account: "ac_1", Room: "rm_1", Payment: "py_1", Status: payment.Paid,
		Transaction: s.PaymentIntent, Session: c.Session, Amount: 12550, Currency: "USD"}
	if got := h.got(); len(got) != 1 || got[0] != want || !strings.HasPrefix(s.PaymentIntent, "pi_") {
		t.Errorf("outcomes = %+v, want %+v", got, want)
	}
	if s.Status != "complete" || s.PaymentStatus != "paid" {
		t.Errorf("the session is %s, %s; want complete, paid", s.Status, s.PaymentStatus)
	}
	if err := fake.Pay(c.Session); err == nil {
		t.Error("a paid session was paid again")
	}
}

func TestDeclinedOnTheCheckoutPage(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake, time.Now())
	h := startHub(t, fake, p)
	c, err := p.Start(ctx, request())
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.PostForm(c.URL, url.Values{"outcome": {"decline"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(page), "Your card was declined.") || !strings.Contains(string(page), `id="pay"`) {
		t.Errorf("after a decline the page is %s; want the message and the form again", page)
	}
	want := payment.Outcome{Account: "ac_1", Room: "rm_1", Payment: "py_1", Status: payment.Declined,
		Amount: 12550, Currency: "USD", Code: "generic_decline", Reason: "Your card was declined.", Last4: "0002"}
	if got := h.got(); len(got) != 1 || got[0] != want {
		t.Errorf("outcomes = %+v, want %+v", got, want)
	}
	if d := fake.Deliveries(); len(d) != 1 || d[0].Status != http.StatusOK || d[0].Type != "payment_intent.payment_failed" {
		t.Errorf("deliveries = %+v", d)
	}
}

func TestWebhook(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake, time.Now())
	c, err := p.Start(ctx, request())
	if err != nil {
		t.Fatal(err)
	}
	s, _ := fake.Session(c.Session)
	now := time.Now()
	ids := payment.Outcome{Account: "ac_1", Room: "rm_1", Payment: "py_1"}

	completed := stripetest.CompletedEvent(s)
	t.Run("signed completed is paid", func(t *testing.T) {
		o, ok, err := p.Webhook(completed, stripetest.Sign(completed, webhookSecret, now))
		want := ids
		want.Status, want.Transaction, want.Session, want.Amount, want.Currency = payment.Paid, s.PaymentIntent, s.ID, 12550, "USD"
		if err != nil || !ok || o != want {
			t.Errorf("Webhook = %+v, %v, %v; want %+v", o, ok, err, want)
		}
	})
	t.Run("signatures that do not check", func(t *testing.T) {
		tampered := []byte(strings.Replace(string(completed), `"amount_total":12550`, `"amount_total":1`, 1))
		for name, c := range map[string]struct {
			payload []byte
			header  string
		}{
			"another secret": {completed, stripetest.Sign(completed, "whsec_forged", now)},
			"tampered":       {tampered, stripetest.Sign(completed, webhookSecret, now)},
			"stale":          {completed, stripetest.Sign(completed, webhookSecret, now.Add(-6*time.Minute))},
			"none":           {completed, ""},
			"garbled":        {completed, "t=abc,v1=zz"},
		} {
			o, ok, err := p.Webhook(c.payload, c.header)
			if ok || o != (payment.Outcome{}) {
				t.Errorf("%s: read %+v", name, o)
			}
			assertError(t, err, tandem.KindUnauthorized, "bad_signature", "")
		}
	})

	signed := func(payload []byte) (payment.Outcome, bool, error) {
		return p.Webhook(payload, stripetest.Sign(payload, webhookSecret, now))
	}
	t.Run("events the hub does not act on", func(t *testing.T) {
		unpaid := s.Object()
		unpaid["status"] = "complete" // a delayed method: paid later, or not
		foreign := s
		foreign.Metadata = map[string]string{"order": "42"}
		for name, payload := range map[string][]byte{
			"unrelated":         stripetest.Event("customer.created", map[string]any{"id": "cus_1", "object": "customer"}),
			"completed, unpaid": stripetest.Event("checkout.session.completed", unpaid),
			"not ours":          stripetest.CompletedEvent(foreign),
			"expired":           stripetest.Event("checkout.session.expired", s.Object()),
		} {
			if o, ok, err := signed(payload); ok || err != nil {
				t.Errorf("%s: %+v, %v, %v; want nothing", name, o, ok, err)
			}
		}
	})
	t.Run("delayed methods", func(t *testing.T) {
		paid := s
		paid.Status, paid.PaymentStatus, paid.Attempts = "complete", "paid", 1
		o, ok, err := signed(stripetest.Event("checkout.session.async_payment_succeeded", paid.Object()))
		if err != nil || !ok || o.Status != payment.Paid || o.Transaction != s.PaymentIntent || o.Payment != "py_1" {
			t.Errorf("async succeeded: %+v, %v, %v", o, ok, err)
		}
		failed := s
		failed.Status, failed.Attempts = "complete", 1
		o, ok, err = signed(stripetest.Event("checkout.session.async_payment_failed", failed.Object()))
		if err != nil || !ok || o.Status != payment.Failed || o.Session != s.ID || o.Payment != "py_1" || o.Reason == "" {
			t.Errorf("async failed: %+v, %v, %v", o, ok, err)
		}
	})
	t.Run("declined", func(t *testing.T) {
		o, ok, err := signed(stripetest.PaymentFailedEvent(s, "insufficient_funds", "Your card has insufficient funds.", "9995"))
		want := ids
		want.Status, want.Amount, want.Currency = payment.Declined, 12550, "USD"
		want.Code, want.Reason, want.Last4 = "insufficient_funds", "Your card has insufficient funds.", "9995"
		if err != nil || !ok || o != want {
			t.Errorf("Webhook = %+v, %v, %v; want %+v", o, ok, err, want)
		}
		// No decline code, no card: the error's code, and no last4.
		o, ok, err = signed(stripetest.PaymentFailedEvent(s, "", "Your card was declined.", ""))
		if err != nil || !ok || o.Code != "card_declined" || o.Last4 != "" || o.Status != payment.Declined {
			t.Errorf("Webhook = %+v, %v, %v; want card_declined without last4", o, ok, err)
		}
		// The intent's metadata, not the session's, says whose it is.
		foreign := s
		foreign.PaymentIntentMetadata = nil
		if o, ok, err := signed(stripetest.PaymentFailedEvent(foreign, "", "declined", "")); ok || err != nil {
			t.Errorf("an intent without the ids: %+v, %v, %v", o, ok, err)
		}
	})
	t.Run("another API version", func(t *testing.T) {
		var ev map[string]any
		if err := json.Unmarshal(completed, &ev); err != nil {
			t.Fatal(err)
		}
		ev["api_version"] = "2020-08-27"
		old, _ := json.Marshal(ev)
		if o, ok, err := signed(old); err != nil || !ok || o.Status != payment.Paid {
			t.Errorf("an event of an older API version: %+v, %v, %v", o, ok, err)
		}
	})
}

func TestNewNeedsTheSecrets(t *testing.T) {
	for _, c := range []stripe.Config{{WebhookSecret: webhookSecret}, {SecretKey: secretKey}} {
		if _, err := stripe.New(c); err == nil {
			t.Errorf("New(%+v) did not fail", c)
		}
	}
}

func assertError(t *testing.T, err error, kind tandem.Kind, code, inMessage string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want %s", code)
	}
	if tandem.ErrorKind(err) != kind || tandem.ErrorCode(err) != code || !strings.Contains(tandem.ErrorMessage(err), inMessage) {
		t.Errorf("error %v is %s %s %q; want %s %s with %q", err, tandem.ErrorKind(err), tandem.ErrorCode(err), tandem.ErrorMessage(err), kind, code, inMessage)
	}
}
