package room

import (
	"unicode/utf8"

	"github.com/tandemhq/tandem"
)

// The commands of payment requests, each a pure function of the room's
// State returning the events to append.

// NewPayment is what an agent asks the customer to pay.
type NewPayment struct {
	ID          string // made by the caller (NewID("py"))
	Amount      string // as people write it: "125.50"
	Currency    string // ISO 4217; the caller fills in the account's default
	Description string
}

// RequestPayment returns the event that puts the payment request p in s.
// The amount is refused with invalid_amount unless ParseAmount reads it,
// the currency with invalid_currency unless it is one of Currencies.
func RequestPayment(s State, agent Actor, p NewPayment) (Draft, error) {
	if s.Status == StatusClosed {
		return Draft{}, tandem.Coded(tandem.KindConflict, "room_closed", "the session is closed")
	}
	if len(s.Payments) >= MaxPaymentsPerRoom {
		return Draft{}, tandem.Coded(tandem.KindInvalid, "too_many_payments", "a room holds at most %d payment requests", MaxPaymentsPerRoom)
	}
	if _, ok := s.Payment(p.ID); ok || !ValidID("py", p.ID) {
		return Draft{}, tandem.Errorf(tandem.KindInvalid, "payment %q is not a new payment id", p.ID)
	}
	minor, err := ParseAmount(p.Amount)
	if err != nil {
		return Draft{}, err
	}
	currency, err := CheckCurrency(p.Currency)
	if err != nil {
		return Draft{}, err
	}
	desc, err := checkWords(p.Description, MaxPaymentDescription, "invalid_description", "the description")
	if err != nil {
		return Draft{}, err
	}
	return Draft{Type: TypePaymentRequested, Actor: agent, Data: PaymentRequest{ID: p.ID, AmountMinor: minor, Currency: currency, Description: desc}}, nil
}

// StartPayment records the customer going to the checkout of payment
// payID through provider. A paid or canceled request cannot be paid (payment_paid,
// payment_canceled); a declined or failed one can be tried again.
func StartPayment(s State, payID, provider string) (Draft, error) {
	if _, err := openPayment(s, payID); err != nil {
		return Draft{}, err
	}
	return Draft{Type: TypePaymentStarted, Actor: Actor{Kind: ActorCustomer}, Data: PaymentStarted{Payment: payID, Provider: provider}}, nil
}

// PaymentOutcome is how a payment attempt ended, as the provider told it.
type PaymentOutcome struct {
	Payment     string
	Provider    string
	Status      PaymentStatus // paid, declined or failed
	Transaction string
	Code        string
	Reason      string
	CardLast4   string
	// AmountMinor and Currency are what the provider took, when it says:
	// a payment of another amount is refused (amount_mismatch).
	AmountMinor int64
	Currency    string
}

// maxProviderWords bounds the provider's words kept in the log.
const maxProviderWords = 300

// SettlePayment returns the event that records o, or none when it adds
// nothing: the provider repeating the payment already recorded (a webhook
// sent twice), or a decline arriving after the request was paid or
// canceled. Money taken is always recorded, even for a request canceled
// meanwhile. Money taken a second time under another transaction is
// refused with paid_twice, for the caller to raise.
func SettlePayment(s State, o PaymentOutcome) ([]Draft, error) {
	p, ok := s.Payment(o.Payment)
	if !ok {
		return nil, tandem.Coded(tandem.KindNotFound, "payment_not_found", "no payment %s in this room", o.Payment)
	}
	last4 := o.CardLast4
	if len(last4) != 4 || !digits(last4) {
		last4 = ""
	}
	reason := o.Reason
	if !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > maxProviderWords {
		reason = string([]rune(reason)[:min(maxProviderWords, utf8.RuneCountInString(reason))])
	}
	switch o.Status {
	case PaymentPaid:
		if o.Currency != "" && o.Currency != p.Currency || o.AmountMinor != 0 && o.AmountMinor != p.AmountMinor {
			return nil, tandem.Coded(tandem.KindInvalid, "amount_mismatch", "the provider took %s %s for a request of %s %s",
				FormatAmount(o.AmountMinor), o.Currency, p.Amount, p.Currency)
		}
		if p.Status == PaymentPaid {
			if p.Transaction == o.Transaction {
				return nil, nil
			}
			return nil, tandem.Coded(tandem.KindConflict, "paid_twice", "payment %s was paid already (%s), and the provider reports another payment (%s)", p.ID, p.Transaction, o.Transaction)
		}
		return []Draft{{Type: TypePaymentPaid, Actor: System, Data: PaymentReceipt{Payment: p.ID, Provider: o.Provider, Transaction: o.Transaction, CardLast4: last4}}}, nil
	case PaymentDeclined, PaymentFailed:
		if p.Status.Final() {
			return nil, nil
		}
		if reason == "" {
			reason = map[PaymentStatus]string{PaymentDeclined: "The card was declined.", PaymentFailed: "The payment did not go through."}[o.Status]
		}
		typ := map[PaymentStatus]string{PaymentDeclined: TypePaymentDeclined, PaymentFailed: TypePaymentFailed}[o.Status]
		return []Draft{{Type: typ, Actor: System, Data: PaymentProblem{Payment: p.ID, Provider: o.Provider, Code: o.Code, Reason: reason, CardLast4: last4}}}, nil
	}
	return nil, tandem.Errorf(tandem.KindInvalid, "a payment's outcome is paid, declined or failed, not %q", o.Status)
}

// CancelPayment records actor (the agent withdrawing it, or the customer
// declining to pay) canceling payment payID, not paid yet.
func CancelPayment(s State, actor Actor, payID, reason string) (Draft, error) {
	if _, err := openPayment(s, payID); err != nil {
		return Draft{}, err
	}
	reason, err := checkWords(reason, MaxRejectReasonLen, "invalid_reason", "the reason")
	if err != nil {
		return Draft{}, err
	}
	return Draft{Type: TypePaymentCanceled, Actor: actor, Data: PaymentCancel{Payment: payID, By: actor.Kind, Reason: reason}}, nil
}

// openPayment is a payment of s that can still be paid or canceled.
func openPayment(s State, id string) (Payment, error) {
	p, ok := s.Payment(id)
	if !ok {
		return p, tandem.Coded(tandem.KindNotFound, "payment_not_found", "no payment %s in this room", id)
	}
	if p.Status.Final() {
		return p, tandem.Coded(tandem.KindConflict, "payment_"+string(p.Status), "the payment of %s %s was %s already", p.Amount, p.Currency, p.Status)
	}
	if s.Status == StatusClosed {
		return p, tandem.Coded(tandem.KindConflict, "room_closed", "the session is closed")
	}
	return p, nil
}
