// Package payment is the vocabulary between the hub and the providers
// that collect a room's payment requests: a Provider starts a checkout for
// one payment, and tells how it ended as an Outcome — at once (the
// sandbox's card form, a CardProvider) or later, through a signed webhook
// (Stripe, a WebhookProvider).
//
// The providers live in subpackages (payment/sandbox, the embedded default
// in which no money moves, and payment/stripe) and are wired by
// cmd/tandem; the hub only knows these interfaces. Amounts are in minor
// units of their currency (cents), never floats.
package payment

import (
	"context"
	"time"
)

// Provider collects payments. Implementations are safe for concurrent use.
type Provider interface {
	// Name is the provider's name in the log: "sandbox", "stripe".
	Name() string
	// Start opens a checkout of r. Called again with the same
	// r.IdempotencyKey, it returns the same checkout rather than a second
	// one, so that a payment is never taken twice by a retry. Errors that
	// are the provider's refusal are *tandem.Error; any other is the
	// provider being unreachable.
	Start(ctx context.Context, r Request) (Checkout, error)
}

// CardProvider is a provider whose card form the hub serves itself: the
// sandbox. Charge returns the outcome of paying r with card at once; a
// card that is not a card (a bad Luhn check, a past expiry) is a
// *tandem.Error with code invalid_card, and no outcome.
type CardProvider interface {
	Provider
	Charge(ctx context.Context, r Request, card Card) (Outcome, error)
}

// WebhookProvider is a provider that reports outcomes by calling the hub
// (POST /api/v1/hooks/{name}).
type WebhookProvider interface {
	Provider
	// Webhook checks that payload was signed by the provider (signature is
	// the request's signature header, as the provider names it) and reads
	// the outcome it reports. ok is false for an event that reports none
	// (one the hub does not act on). A payload whose signature does not
	// check is a *tandem.Error of kind unauthorized (code bad_signature).
	Webhook(payload []byte, signature string) (o Outcome, ok bool, err error)
	// SignatureHeader is the request header that carries the signature
	// ("Stripe-Signature").
	SignatureHeader() string
}

// Request is one payment to collect: a room's payment request.
type Request struct {
	Account string // the ids that bring the outcome back to its room
	Room    string
	Payment string
	// Amount is in minor units of Currency (12550 is 125.50 USD).
	Amount int64
	// Currency is an ISO 4217 code, upper case.
	Currency    string
	Description string
	// Company names the payee on the provider's page.
	Company string
	// ReturnURL is where the customer comes back to when they paid;
	// CancelURL when they gave up on the provider's page.
	ReturnURL string
	CancelURL string
	// IdempotencyKey makes Start and Charge safe to call again: the
	// provider takes one payment per key.
	IdempotencyKey string
	// ExpiresAt is when a checkout Start opens closes: derived from the
	// key's time by the caller, so that a repeated Start sends the very
	// same parameters, as idempotent requests must.
	ExpiresAt time.Time
}

// Checkout is where the customer pays.
type Checkout struct {
	// URL is the provider's page to send the customer to; empty for a
	// CardProvider, whose form the hub shows itself.
	URL string
	// Session is the provider's id of the checkout (Stripe's cs_…).
	Session string
	// ExpiresAt is when the checkout closes, if the provider says.
	ExpiresAt time.Time
}

// Card is what the customer typed in the sandbox's card form. It is never
// stored: only its last four digits go in the log.
type Card struct {
	Number   string // digits, spaces allowed
	ExpMonth int
	ExpYear  int // four digits
	CVC      string
}

// Status is how a payment attempt ended.
type Status string

// The statuses of an outcome.
const (
	Paid     Status = "paid"
	Declined Status = "declined" // the card's issuer refused
	Failed   Status = "failed"   // it went wrong otherwise: the customer may try again
)

// Outcome is how a payment attempt ended, as the provider tells it.
type Outcome struct {
	Account string
	Room    string
	Payment string
	Status  Status
	// Transaction is the provider's id of the money taken (Stripe's
	// payment intent, pi_…), when paid.
	Transaction string
	// Session is the checkout it ended (Stripe's cs_…), if any.
	Session string
	// Amount and Currency are what the provider took or tried to take, to
	// be checked against the request.
	Amount   int64
	Currency string
	// Code and Reason say why it was declined or failed: the provider's
	// code ("card_declined", "insufficient_funds") and words for people.
	Code   string
	Reason string
	// Last4 is the card's last four digits, when the provider says.
	Last4 string
}
