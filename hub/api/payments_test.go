package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/api"
	"github.com/tandemhq/tandem/hub/payment/sandbox"
	"github.com/tandemhq/tandem/hub/payment/stripe"
	"github.com/tandemhq/tandem/hub/payment/stripe/stripetest"
	"github.com/tandemhq/tandem/room"
)

func withSandbox(cfg *api.Config) { cfg.Payments = &sandbox.Provider{} }

// The amount is decimal as people write it, never a float, with at most
// two decimals; the currency one of the two-decimal ISO 4217 codes.
func TestPaymentAmountAndCurrency(t *testing.T) {
	e := newEnv(t, nil, withSandbox)
	st := e.liveRoom()
	path := "/api/v1/rooms/" + st.ID + "/payments"
	cookie := map[string]string{"Authorization": "Bearer " + e.agent.Token(), "Content-Type": "application/json"}
	for _, c := range []struct {
		body, code, amount, currency string
	}{
		{`{"amount":"125.50","currency":"USD"}`, "", "125.50", "USD"},
		{`{"amount":"125.5","currency":"usd"}`, "", "125.50", "USD"},
		{`{"amount":"7","currency":"EUR","description":"Deposit"}`, "", "7.00", "EUR"},
		{`{"amount":"999999.99","currency":"GBP"}`, "", "999999.99", "GBP"},
		{`{"amount":"1e3","currency":"USD"}`, "invalid_amount", "", ""},
		{`{"amount":"12,50","currency":"USD"}`, "invalid_amount", "", ""},
		{`{"amount":"0.001","currency":"USD"}`, "invalid_amount", "", ""},
		{`{"amount":"125.505","currency":"USD"}`, "invalid_amount", "", ""},
		{`{"amount":"0","currency":"USD"}`, "invalid_amount", "", ""},
		{`{"amount":"-5","currency":"USD"}`, "invalid_amount", "", ""},
		{`{"amount":"abc","currency":"USD"}`, "invalid_amount", "", ""},
		{`{"amount":"1000000","currency":"USD"}`, "invalid_amount", "", ""},
		{`{"amount":"99999999999999999999999999","currency":"USD"}`, "invalid_amount", "", ""},
		{`{"amount":125.5,"currency":"USD"}`, "invalid_amount", "", ""},
		{`{"currency":"USD"}`, "invalid_amount", "", ""},
		{`{"amount":"10","currency":"JPY"}`, "invalid_currency", "", ""},
		{`{"amount":"10","currency":"dollars"}`, "invalid_currency", "", ""},
	} {
		res := e.do(t, http.MethodPost, path, c.body, cookie)
		if c.code != "" {
			code, msg := decodeError(t, res)
			if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusBadRequest || code != c.code || msg == "" {
				t.Errorf("%s: %d %s %q, want %s", c.body, res.StatusCode, code, msg, c.code)
			}
			continue
		}
		var out struct{ Payment room.Payment }
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("%s: %d, %v", c.body, res.StatusCode, err)
		}
		if p := out.Payment; p.Amount != c.amount || p.Currency != c.currency || p.Status != room.PaymentRequested || !room.ValidID("py", p.ID) {
			t.Errorf("%s: %+v", c.body, p)
		}
	}
	// Without a currency, the account's.
	ctx := context.Background()
	set, err := e.agent.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set.Currency = "jpy"
	if _, err := e.agent.UpdateSettings(ctx, set); apiCode(t, err) != "invalid_settings" {
		t.Fatalf("a currency without two decimals as the default: %v", err)
	}
	set.Currency = "eur"
	if _, err := e.agent.UpdateSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	p, err := e.agent.RequestPayment(ctx, st.ID, client.PaymentRequest{Amount: "12"})
	if err != nil || p.Currency != "EUR" || p.Amount != "12.00" {
		t.Fatalf("the account's currency: %+v, %v", p, err)
	}
}

// The sandbox approves, declines and fails on the well-known test cards;
// a paid request cannot be paid twice; only the customer pays, and only
// the agent asks.
func TestSandboxPayments(t *testing.T) {
	e := newEnv(t, nil, withSandbox)
	ctx := context.Background()
	st := e.liveRoom()
	sub, err := e.agent.Subscribe(ctx, st.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	cust := e.customer(st.ID)
	if _, err := cust.RequestPayment(ctx, st.ID, client.PaymentRequest{Amount: "5", Currency: "USD"}); apiCode(t, err) != "unauthorized" {
		t.Fatalf("a customer asked for money: %v", err)
	}
	p, err := e.agent.RequestPayment(ctx, st.ID, client.PaymentRequest{Amount: "125.50", Currency: "USD", Description: "Deposit"})
	if err != nil {
		t.Fatal(err)
	}
	if ev := nextOfType(t, sub, room.TypePaymentRequested); !strings.Contains(string(ev.Data), `"amount_minor":12550`) {
		t.Fatalf("payment.requested: %s", ev.Data)
	}
	if _, err := e.agent.Checkout(ctx, st.ID, p.ID); apiCode(t, err) != "customer_only" {
		t.Fatalf("an agent opened the checkout: %v", err)
	}
	co, err := cust.Checkout(ctx, st.ID, p.ID)
	if err != nil || co.Form != "sandbox" || co.URL != "" {
		t.Fatalf("checkout: %+v, %v", co, err)
	}
	card := client.Card{Number: "4242 4242 4242 4241", ExpMonth: 12, ExpYear: 2040, CVC: "123"}
	if _, err := cust.PayByCard(ctx, st.ID, p.ID, card); apiCode(t, err) != "invalid_card" {
		t.Fatalf("a mistyped card: %v", err)
	}
	card.Number = "4000 0000 0000 0002"
	got, err := cust.PayByCard(ctx, st.ID, p.ID, card)
	if err != nil || got.Status != room.PaymentDeclined || got.Code != "card_declined" || got.CardLast4 != "0002" {
		t.Fatalf("declined: %+v, %v", got, err)
	}
	nextOfType(t, sub, room.TypePaymentStarted)
	nextOfType(t, sub, room.TypePaymentDeclined)
	card.Number = "4000 0000 0000 9995"
	if got, err = cust.PayByCard(ctx, st.ID, p.ID, card); err != nil || got.Status != room.PaymentDeclined || got.Code != "insufficient_funds" {
		t.Fatalf("insufficient funds: %+v, %v", got, err)
	}
	card.Number = "4242424242424242"
	if got, err = cust.PayByCard(ctx, st.ID, p.ID, card); err != nil || got.Status != room.PaymentPaid || got.CardLast4 != "4242" || got.Transaction == "" {
		t.Fatalf("paid: %+v, %v", got, err)
	}
	if ev := nextOfType(t, sub, room.TypePaymentPaid); strings.Contains(string(ev.Data), "424242424242") {
		t.Fatalf("the card number is in the log: %s", ev.Data)
	}
	if _, err := cust.PayByCard(ctx, st.ID, p.ID, card); apiCode(t, err) != "payment_paid" {
		t.Fatalf("paid twice: %v", err)
	}
	if _, err := cust.Checkout(ctx, st.ID, p.ID); apiCode(t, err) != "payment_paid" {
		t.Fatalf("a checkout of a paid request: %v", err)
	}
	if _, err := e.agent.CancelPayment(ctx, st.ID, p.ID, ""); apiCode(t, err) != "payment_paid" {
		t.Fatalf("withdrawing a paid request: %v", err)
	}
	evs, err := e.agent.Events(ctx, st.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if strings.Contains(string(ev.Data), "4242424242") || strings.Contains(string(ev.Data), "4000000000") {
			t.Fatalf("a card number is in the log: %s %s", ev.Type, ev.Data)
		}
	}

	// Another account's agent sees nothing of it.
	_, stranger := e.newAgent("Globex", "gil@globex.test", "Gil")
	if _, err := stranger.RequestPayment(ctx, st.ID, client.PaymentRequest{Amount: "1"}); apiCode(t, err) != "room_not_found" {
		t.Fatalf("another account's agent: %v", err)
	}
	if _, err := stranger.CancelPayment(ctx, st.ID, p.ID, ""); apiCode(t, err) != "room_not_found" {
		t.Fatalf("another account's agent canceled: %v", err)
	}

	// The customer declines to pay the next one; the agent withdraws none
	// paid.
	q, err := e.agent.RequestPayment(ctx, st.ID, client.PaymentRequest{Amount: "3.10"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := cust.CancelPayment(ctx, st.ID, q.ID, "I pay at the branch"); err != nil || got.Status != room.PaymentCanceled || got.CanceledBy != room.ActorCustomer {
		t.Fatalf("declined to pay: %+v, %v", got, err)
	}
	if _, err := cust.PayByCard(ctx, st.ID, q.ID, card); apiCode(t, err) != "payment_canceled" {
		t.Fatalf("paying a canceled request: %v", err)
	}
}

// A hub without a payment provider takes no payment request: its
// customer could not pay it.
func TestPaymentsNeedAProvider(t *testing.T) {
	e := newEnv(t, nil)
	st := e.liveRoom()
	if _, err := e.agent.RequestPayment(context.Background(), st.ID, client.PaymentRequest{Amount: "10"}); apiCode(t, err) != "payments_unavailable" {
		t.Fatalf("a payment request without a provider: %v", err)
	}
}

// A pre-planned room's payment request waits for Invite client, then is
// the customer's to pay.
func TestPaymentInPreplannedRoom(t *testing.T) {
	e := newEnv(t, nil, withSandbox)
	ctx := context.Background()
	st, err := e.agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Sam Lee", Phone: "+14155550134"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.agent.RequestPayment(ctx, st.ID, client.PaymentRequest{Amount: "40", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := e.agent.DevOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Room == st.ID {
			t.Fatalf("a message went out before Invite client: %+v", m)
		}
	}
	if _, err := e.agent.Invite(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	cust := e.customer(st.ID)
	view, err := cust.Room(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(view.Payments) != 1 || view.Payments[0].ID != p.ID || view.Payments[0].Amount != "40.00" {
		t.Fatalf("the customer's room: %+v", view.Payments)
	}
	feed, err := e.agent.Feed(ctx, client.FeedQuery{})
	if err != nil {
		t.Fatal(err)
	}
	defer feed.Close()
	if got, err := cust.PayByCard(ctx, st.ID, p.ID, client.Card{Number: "4242424242424242", ExpMonth: 1, ExpYear: 2040, CVC: "999"}); err != nil || got.Status != room.PaymentPaid {
		t.Fatalf("paid: %+v, %v", got, err)
	}
	// The account feed, which the console's session list follows, carries
	// the room as the payment changed it.
	fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		states, err := feed.Next(fctx)
		if err != nil {
			t.Fatalf("the feed never showed the payment paid: %v", err)
		}
		if i := slices.IndexFunc(states, func(s room.State) bool {
			return s.ID == st.ID && len(s.Payments) == 1 && s.Payments[0].Status == room.PaymentPaid
		}); i >= 0 {
			break
		}
	}
}

// withStripe runs the env's hub with Stripe, against a fake Stripe on
// loopback that sends its signed webhooks to the hub.
func withStripe(t *testing.T, fake *stripetest.Server) envOption {
	return func(cfg *api.Config) {
		p, err := stripe.New(stripe.Config{SecretKey: "sk_test_tandem", WebhookSecret: fake.WebhookSecret(), APIURL: fake.URL})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Payments = p
	}
}

// With Stripe, the customer goes to Stripe's page, and only Stripe's
// signed webhook says it was paid: a forged one is refused, a repeated
// one adds nothing.
func TestStripePayments(t *testing.T) {
	fake := stripetest.New(t, stripetest.Options{SecretKey: "sk_test_tandem"})
	e := newEnv(t, nil, withStripe(t, fake))
	fake.SetWebhookURL(e.url + "/api/v1/hooks/stripe")
	ctx := context.Background()
	st := e.liveRoom()
	cust := e.customer(st.ID)
	p, err := e.agent.RequestPayment(ctx, st.ID, client.PaymentRequest{Amount: "125.50", Currency: "EUR", Description: "Deposit"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cust.PayByCard(ctx, st.ID, p.ID, client.Card{Number: "4242424242424242", ExpMonth: 1, ExpYear: 2040, CVC: "1"}); apiCode(t, err) != "card_form_unavailable" {
		t.Fatalf("a card typed in the hub with Stripe: %v", err)
	}
	// Two tabs open the checkout at once: one session, one page to pay on.
	var co, again client.Checkout
	var errCo, errAgain error
	var wg sync.WaitGroup
	wg.Go(func() { co, errCo = cust.Checkout(ctx, st.ID, p.ID) })
	wg.Go(func() { again, errAgain = cust.Checkout(ctx, st.ID, p.ID) })
	wg.Wait()
	if errCo != nil || errAgain != nil || !strings.HasPrefix(co.URL, fake.URL+"/pay/") {
		t.Fatalf("checkout: %+v, %v; %+v, %v", co, errCo, again, errAgain)
	}
	if again.URL != co.URL || len(fake.Sessions()) != 1 {
		t.Fatalf("checkout twice: %s and %s, %d sessions", co.URL, again.URL, len(fake.Sessions()))
	}
	cs := fake.Sessions()[0]
	if cs.Amount != 12550 || cs.Currency != "eur" || cs.Metadata[stripe.MetaPayment] != p.ID || !strings.Contains(cs.SuccessURL, "/room/"+st.ID+"?paid=1&payment="+p.ID) {
		t.Fatalf("the session: %+v", cs)
	}
	view, _ := e.agent.Room(ctx, st.ID)
	if got := view.Payments[0]; got.StartedAt == nil || got.Provider != "stripe" || got.Status != room.PaymentRequested {
		t.Fatalf("after checkout: %+v", got)
	}

	// A forged webhook: signed with another secret, or not at all.
	forged := stripetest.CompletedEvent(cs)
	for _, sig := range []string{"", stripetest.Sign(forged, "whsec_someone_else", time.Now()), "t=1,v1=00"} {
		res := e.do(t, http.MethodPost, "/api/v1/hooks/stripe", string(forged), map[string]string{"Stripe-Signature": sig, "Content-Type": "application/json"})
		if code, _ := decodeError(t, res); res.StatusCode != http.StatusUnauthorized || code != "bad_signature" {
			t.Fatalf("a forged webhook (%q): %d %s", sig, res.StatusCode, code)
		}
	}
	if view, _ = e.agent.Room(ctx, st.ID); view.Payments[0].Status != room.PaymentRequested {
		t.Fatalf("a forged webhook changed the payment: %+v", view.Payments[0])
	}

	// A decline, then the customer pays on Stripe's page.
	if err := fake.Decline(cs.ID, "insufficient_funds"); err != nil {
		t.Fatal(err)
	}
	if view, _ = e.agent.Room(ctx, st.ID); view.Payments[0].Status != room.PaymentDeclined || view.Payments[0].Code != "insufficient_funds" {
		t.Fatalf("declined on Stripe: %+v", view.Payments[0])
	}
	// Trying again from the room after the decline leads back to the same
	// page, still open: never a second session to pay on.
	if retry, err := cust.Checkout(ctx, st.ID, p.ID); err != nil || retry.URL != co.URL || len(fake.Sessions()) != 1 {
		t.Fatalf("checkout after a decline: %+v (first %s), %d sessions, %v", retry, co.URL, len(fake.Sessions()), err)
	}
	if err := fake.Pay(cs.ID); err != nil {
		t.Fatal(err)
	}
	view, _ = e.agent.Room(ctx, st.ID)
	paid := view.Payments[0]
	if paid.Status != room.PaymentPaid || !strings.HasPrefix(paid.Transaction, "pi_") || paid.Provider != "stripe" {
		t.Fatalf("paid on Stripe: %+v", paid)
	}
	// Stripe sends the same event again: nothing new in the log.
	seq := view.Seq
	body := stripetest.CompletedEvent(mustSession(t, fake, cs.ID))
	res := e.do(t, http.MethodPost, "/api/v1/hooks/stripe", string(body), map[string]string{"Stripe-Signature": stripetest.Sign(body, fake.WebhookSecret(), time.Now())})
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("a repeated webhook: %d", res.StatusCode)
	}
	if view, _ = e.agent.Room(ctx, st.ID); view.Seq != seq {
		t.Fatalf("a repeated webhook added %d events", view.Seq-seq)
	}
	if _, err := cust.Checkout(ctx, st.ID, p.ID); apiCode(t, err) != "payment_paid" {
		t.Fatalf("a checkout of a paid request: %v", err)
	}
}

func mustSession(t *testing.T, fake *stripetest.Server, id string) stripetest.Session {
	t.Helper()
	s, ok := fake.Session(id)
	if !ok {
		t.Fatalf("no session %s", id)
	}
	return s
}
