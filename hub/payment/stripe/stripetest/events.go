package stripetest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	stripego "github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"
)

// Sign returns the Stripe-Signature header of payload signed with secret at
// the given time, as Stripe signs its webhook calls.
func Sign(payload []byte, secret string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at}).Header
}

// Event returns the JSON of a Stripe event of type typ about object (a
// session's Object, a payment intent, or anything that marshals to an API
// object), at stripe-go's API version.
func Event(typ string, object any) []byte {
	obj, err := json.Marshal(object)
	if err != nil {
		panic("stripetest: the event's object does not marshal: " + err.Error())
	}
	b, err := json.Marshal(map[string]any{
		"id":               newID("evt"),
		"object":           "event",
		"api_version":      stripego.APIVersion,
		"created":          time.Now().Unix(),
		"data":             map[string]json.RawMessage{"object": obj},
		"livemode":         false,
		"pending_webhooks": 1,
		"request":          map[string]any{"id": nil, "idempotency_key": nil},
		"type":             typ,
	})
	if err != nil {
		panic("stripetest: the event does not marshal: " + err.Error())
	}
	return b
}

// CompletedEvent returns a checkout.session.completed event for s, paid:
// what Stripe sends when the customer has paid on the session's page.
func CompletedEvent(s Session) []byte {
	s.Status, s.PaymentStatus = "complete", "paid"
	return Event("checkout.session.completed", s.Object())
}

// PaymentFailedEvent returns a payment_intent.payment_failed event for the
// payment intent of s: what Stripe sends when a card is refused on the
// session's page. The error's code is card_declined, its decline_code
// declineCode (generic_decline, insufficient_funds…; none if empty),
// message the words Stripe shows the customer, and last4 the card's last
// four digits (none if empty).
func PaymentFailedEvent(s Session, declineCode, message, last4 string) []byte {
	lastErr := map[string]any{
		"type":    "card_error",
		"code":    "card_declined",
		"message": message,
	}
	if declineCode != "" {
		lastErr["decline_code"] = declineCode
	}
	if last4 != "" {
		lastErr["payment_method"] = map[string]any{
			"id":     newID("pm"),
			"object": "payment_method",
			"type":   "card",
			"card":   map[string]any{"brand": "visa", "last4": last4, "exp_month": 12, "exp_year": time.Now().Year() + 3, "funding": "credit", "country": "US"},
		}
	}
	return Event("payment_intent.payment_failed", map[string]any{
		"id":                 s.PaymentIntent,
		"object":             "payment_intent",
		"amount":             s.Amount,
		"currency":           s.Currency,
		"status":             "requires_payment_method",
		"metadata":           nonNil(s.PaymentIntentMetadata),
		"last_payment_error": lastErr,
		"livemode":           false,
		"created":            s.Created,
	})
}

// newID returns a fresh Stripe-like id with prefix: cs_test_…, pi_…
func newID(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + "_" + hex.EncodeToString(b)
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
