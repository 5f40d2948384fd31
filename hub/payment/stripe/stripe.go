// Package stripe collects a room's payments with Stripe Checkout, through
// github.com/stripe/stripe-go: it is a payment.WebhookProvider.
//
// Start creates a Checkout Session for the payment (one line item, the
// amount in minor units) and returns its hosted page, where the customer
// pays; Stripe sends them back to the room afterwards. Stripe then reports
// the outcome by calling the hub's webhook, signed with the endpoint's
// secret: that signed call, not the customer's return, is the only source of
// outcomes, since a return URL can be typed by anyone.
//
// The payment's ids travel in the session's metadata and in its payment
// intent's (tandem_account, tandem_room, tandem_payment), so that every
// event carries them back; an event without them is not the hub's and is
// ignored.
//
// Each Provider has its own stripe-go client and backends: nothing is set
// on stripe-go's package-level key or backends, so that hubs with different
// keys (or tests against different fakes) share a process safely.
package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/payment"
)

// Name is this provider's name in the hub: in the log and in the webhook's
// path (/api/v1/hooks/stripe).
const Name = "stripe"

// CheckoutTTL is how long a Checkout Session stays open; a customer who
// takes longer starts again from the room. Stripe's minimum is 30 minutes
// from the session's creation, by Stripe's clock: the extra minute keeps
// the request's latency, and clocks a little apart, from making it less.
const CheckoutTTL = 31 * time.Minute

// The metadata keys that carry a payment's ids through Stripe.
const (
	MetaAccount = "tandem_account"
	MetaRoom    = "tandem_room"
	MetaPayment = "tandem_payment"
)

var _ payment.WebhookProvider = (*Provider)(nil)

// Config configures a Provider.
type Config struct {
	// SecretKey is the account's API key (sk_live_…, sk_test_… or a
	// restricted rk_… key allowed to write Checkout Sessions).
	SecretKey string
	// WebhookSecret is the signing secret of the webhook endpoint (whsec_…).
	WebhookSecret string
	// APIURL is the base URL of Stripe's API; default https://api.stripe.com.
	// Tests point it to a fake on loopback (see stripetest).
	APIURL string
	// HTTPClient makes the API calls; default: stripe-go's, 80 s timeout.
	// Each call is also bound by the context of Start.
	HTTPClient *http.Client
	// Now tells the time, for the sessions' expiry; default time.Now.
	Now func() time.Time
}

// Provider is the Stripe payment provider. It is safe for concurrent use.
type Provider struct {
	cfg    Config
	client *stripego.Client
}

// New returns a Provider; it makes no call.
func New(c Config) (*Provider, error) {
	if c.SecretKey == "" {
		return nil, errors.New("stripe: the secret key is required")
	}
	if c.WebhookSecret == "" {
		return nil, errors.New("stripe: the webhook signing secret is required")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	bc := &stripego.BackendConfig{
		HTTPClient: c.HTTPClient,
		// Errors are returned to the hub, which logs what it must; the
		// library would otherwise print them on stderr.
		LeveledLogger: &stripego.LeveledLogger{Level: stripego.LevelNull},
	}
	if c.APIURL != "" {
		bc.URL = stripego.String(strings.TrimRight(c.APIURL, "/"))
	}
	return &Provider{
		cfg:    c,
		client: stripego.NewClient(c.SecretKey, stripego.WithBackends(stripego.NewBackendsWithConfig(bc))),
	}, nil
}

// Name implements payment.Provider.
func (p *Provider) Name() string { return Name }

// SignatureHeader implements payment.WebhookProvider.
func (p *Provider) SignatureHeader() string { return "Stripe-Signature" }

// Start implements payment.Provider: it creates a Checkout Session for r and
// returns its page. A refusal by Stripe (an amount below its minimum, a
// currency the account cannot take) is payment_refused with Stripe's
// words; Stripe being unreachable or failing is payment_unavailable.
func (p *Provider) Start(ctx context.Context, r payment.Request) (payment.Checkout, error) {
	// Stripe answers a key it has seen with its first response only if
	// the parameters are the same: the caller derives the expiry from the
	// key's time (payment.Request.ExpiresAt), so that a Start repeated by
	// any instance, after any restart, asks for the very same session.
	expires := r.ExpiresAt
	if expires.IsZero() {
		expires = p.cfg.Now().Add(CheckoutTTL)
	}
	name := r.Description
	if name == "" {
		name = "Payment to " + r.Company
	}
	meta := map[string]string{MetaAccount: r.Account, MetaRoom: r.Room, MetaPayment: r.Payment}
	params := &stripego.CheckoutSessionCreateParams{
		Mode: stripego.String(string(stripego.CheckoutSessionModePayment)),
		LineItems: []*stripego.CheckoutSessionCreateLineItemParams{{
			Quantity: stripego.Int64(1),
			PriceData: &stripego.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:    stripego.String(strings.ToLower(r.Currency)),
				UnitAmount:  stripego.Int64(r.Amount),
				ProductData: &stripego.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripego.String(name)},
			},
		}},
		SuccessURL:        stripego.String(r.ReturnURL),
		CancelURL:         stripego.String(r.CancelURL),
		ClientReferenceID: stripego.String(r.Payment),
		Metadata:          meta,
		// The intent's events (payment_intent.payment_failed) carry the
		// intent's metadata, not the session's.
		PaymentIntentData: &stripego.CheckoutSessionCreatePaymentIntentDataParams{Metadata: meta},
		ExpiresAt:         stripego.Int64(expires.Unix()),
	}
	if r.IdempotencyKey != "" {
		params.SetIdempotencyKey(r.IdempotencyKey)
	}
	s, err := p.client.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		return payment.Checkout{}, fmt.Errorf("stripe: create checkout session: %w", classify(err))
	}
	c := payment.Checkout{URL: s.URL, Session: s.ID}
	if s.ExpiresAt > 0 {
		c.ExpiresAt = time.Unix(s.ExpiresAt, 0).UTC()
	}
	return c, nil
}

// classify turns an error of the Stripe API into Tandem's. The
// *tandem.Error is joined to err, so that the edge finds the kind and the
// log keeps Stripe's own error.
func classify(err error) error {
	var se *stripego.Error
	if !errors.As(err, &se) {
		// No answer: the network, a timeout, a canceled context.
		return errors.Join(tandem.Coded(tandem.KindUnavailable, "payment_unavailable",
			"Stripe cannot be reached at the moment; try again in a few minutes."), err)
	}
	switch {
	case se.HTTPStatusCode >= 500 || se.HTTPStatusCode == http.StatusTooManyRequests || se.Type == stripego.ErrorTypeAPI:
		return errors.Join(tandem.Coded(tandem.KindUnavailable, "payment_unavailable",
			"Stripe is not answering at the moment; try again in a few minutes."), err)
	case se.HTTPStatusCode == http.StatusUnauthorized || se.HTTPStatusCode == http.StatusForbidden:
		// The hub's key is wrong or lacks a permission: nothing the
		// customer did, and nothing to show them of it.
		return errors.Join(tandem.Coded(tandem.KindUnavailable, "payment_unavailable",
			"Payments by card are not available at the moment: the hub's Stripe account refused the request."), err)
	}
	msg := se.Msg
	if msg == "" {
		msg = "Stripe refused the payment."
	}
	return errors.Join(tandem.Coded(tandem.KindInvalid, "payment_refused", "%s", msg), err)
}

// Webhook implements payment.WebhookProvider. It reads:
//   - checkout.session.completed, when the session is paid (a session paid
//     by a delayed method completes unpaid, and is reported later), and
//     checkout.session.async_payment_succeeded: Paid;
//   - checkout.session.async_payment_failed: Failed;
//   - payment_intent.payment_failed: Declined, with the card's code and
//     last four digits when Stripe gives them.
//
// Any other event, or one without the payment's ids in its metadata, is
// not reported (ok is false).
func (p *Provider) Webhook(payload []byte, signature string) (payment.Outcome, bool, error) {
	// The event's API version is that of the webhook endpoint, set in
	// Stripe's dashboard, and need not be stripe-go's: the few fields read
	// here have kept their names and meaning across versions, so refusing
	// an event for its version would only drop a customer's payment.
	ev, err := stripego.ConstructEvent(payload, signature, p.cfg.WebhookSecret, stripego.WithIgnoreAPIVersionMismatch())
	if err != nil {
		if errors.Is(err, stripego.ErrWebhookNotSigned) || errors.Is(err, stripego.ErrWebhookInvalidHeader) ||
			errors.Is(err, stripego.ErrWebhookNoValidSignature) || errors.Is(err, stripego.ErrWebhookTooOld) {
			return payment.Outcome{}, false, tandem.Coded(tandem.KindUnauthorized, "bad_signature",
				"The Stripe-Signature header does not match the payload: %v.", err)
		}
		// Signed by Stripe, yet not an event: it is not one to act on.
		return payment.Outcome{}, false, tandem.Coded(tandem.KindInvalid, "invalid_event", "The payload is not a Stripe event: %v.", err)
	}
	if ev.Data == nil {
		return payment.Outcome{}, false, nil
	}
	switch ev.Type {
	case stripego.EventTypeCheckoutSessionCompleted, stripego.EventTypeCheckoutSessionAsyncPaymentSucceeded:
		s, err := session(ev.Data.Raw)
		if err != nil || s.PaymentStatus != stripego.CheckoutSessionPaymentStatusPaid {
			return payment.Outcome{}, false, err
		}
		o, ok := sessionOutcome(s, payment.Paid)
		if s.PaymentIntent != nil {
			o.Transaction = s.PaymentIntent.ID
		}
		return o, ok, nil
	case stripego.EventTypeCheckoutSessionAsyncPaymentFailed:
		s, err := session(ev.Data.Raw)
		if err != nil {
			return payment.Outcome{}, false, err
		}
		o, ok := sessionOutcome(s, payment.Failed)
		o.Code = "async_payment_failed"
		o.Reason = "The payment did not go through."
		return o, ok, nil
	case stripego.EventTypePaymentIntentPaymentFailed:
		var pi stripego.PaymentIntent
		if err := json.Unmarshal(ev.Data.Raw, &pi); err != nil {
			return payment.Outcome{}, false, tandem.Coded(tandem.KindInvalid, "invalid_event", "The payment intent of event %s does not read: %v.", ev.ID, err)
		}
		o, ok := ids(pi.Metadata)
		if !ok {
			return payment.Outcome{}, false, nil
		}
		o.Status = payment.Declined
		o.Amount = pi.Amount
		o.Currency = strings.ToUpper(string(pi.Currency))
		o.Reason = "The card was declined."
		if e := pi.LastPaymentError; e != nil {
			o.Code = string(e.DeclineCode)
			if o.Code == "" {
				o.Code = string(e.Code)
			}
			if e.Msg != "" {
				o.Reason = e.Msg
			}
			if e.PaymentMethod != nil && e.PaymentMethod.Card != nil {
				o.Last4 = e.PaymentMethod.Card.Last4
			}
		}
		return o, true, nil
	}
	return payment.Outcome{}, false, nil
}

// session reads the Checkout Session of an event.
func session(raw json.RawMessage) (*stripego.CheckoutSession, error) {
	var s stripego.CheckoutSession
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, tandem.Coded(tandem.KindInvalid, "invalid_event", "The checkout session of the event does not read: %v.", err)
	}
	return &s, nil
}

// sessionOutcome is the outcome of s with status, and whether s is one of
// the hub's.
func sessionOutcome(s *stripego.CheckoutSession, status payment.Status) (payment.Outcome, bool) {
	o, ok := ids(s.Metadata)
	if !ok {
		return payment.Outcome{}, false
	}
	o.Status = status
	o.Session = s.ID
	o.Amount = s.AmountTotal
	o.Currency = strings.ToUpper(string(s.Currency))
	return o, true
}

// ids reads a payment's ids from metadata; ok is false if any is missing.
func ids(meta map[string]string) (o payment.Outcome, ok bool) {
	o.Account, o.Room, o.Payment = meta[MetaAccount], meta[MetaRoom], meta[MetaPayment]
	return o, o.Account != "" && o.Room != "" && o.Payment != ""
}
