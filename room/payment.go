package room

import (
	"fmt"
	"time"
)

// Payment requests: the agent asks the customer to pay an amount; the
// customer pays through the account's payment provider, whose outcome —
// paid, declined, failed — comes back as an event; either side may cancel
// a request not paid yet. Amounts are minor units with their currency
// (money.go).
const (
	// TypePaymentRequested puts a payment request in the room. Data:
	// PaymentRequest.
	TypePaymentRequested = "payment.requested"
	// TypePaymentStarted records the customer going to the checkout.
	// Data: PaymentStarted.
	TypePaymentStarted = "payment.started"
	// TypePaymentPaid records the provider taking the money. Data:
	// PaymentReceipt.
	TypePaymentPaid = "payment.paid"
	// TypePaymentDeclined records the card's issuer refusing. Data:
	// PaymentProblem.
	TypePaymentDeclined = "payment.declined"
	// TypePaymentFailed records an attempt that went wrong otherwise.
	// Data: PaymentProblem.
	TypePaymentFailed = "payment.failed"
	// TypePaymentCanceled records the agent withdrawing the request or
	// the customer declining to pay. Data: PaymentCancel.
	TypePaymentCanceled = "payment.canceled"
)

func init() {
	register(TypePaymentRequested, on(applyPaymentRequested))
	register(TypePaymentStarted, on(func(s *State, e Event, d PaymentStarted) error {
		return s.changePayment(d.Payment, e.At, func(p *Payment) {
			at := e.At
			p.Status, p.Provider, p.StartedAt, p.Code, p.Reason = PaymentRequested, d.Provider, &at, "", ""
		})
	}))
	register(TypePaymentPaid, on(func(s *State, e Event, d PaymentReceipt) error {
		return s.changePayment(d.Payment, e.At, func(p *Payment) {
			p.Status, p.Provider, p.Transaction, p.CardLast4, p.Code, p.Reason = PaymentPaid, d.Provider, d.Transaction, d.CardLast4, "", ""
			p.StartedAt = nil
		})
	}))
	problem := func(status PaymentStatus) applier {
		return on(func(s *State, e Event, d PaymentProblem) error {
			return s.changePayment(d.Payment, e.At, func(p *Payment) {
				// The checkout stays open: the customer may try another
				// card on it.
				p.Status, p.Code, p.Reason = status, d.Code, d.Reason
				if d.CardLast4 != "" {
					p.CardLast4 = d.CardLast4
				}
			})
		})
	}
	register(TypePaymentDeclined, problem(PaymentDeclined))
	register(TypePaymentFailed, problem(PaymentFailed))
	register(TypePaymentCanceled, on(func(s *State, e Event, d PaymentCancel) error {
		return s.changePayment(d.Payment, e.At, func(p *Payment) {
			p.Status, p.CanceledBy, p.Reason, p.Code, p.StartedAt = PaymentCanceled, d.By, d.Reason, "", nil
		})
	}))
}

// PaymentStatus is where a payment request stands.
type PaymentStatus string

// The statuses of a payment request. Declined and failed are not final:
// the customer may try again. Paid and canceled are.
const (
	PaymentRequested PaymentStatus = "requested"
	PaymentPaid      PaymentStatus = "paid"
	PaymentDeclined  PaymentStatus = "declined"
	PaymentFailed    PaymentStatus = "failed"
	PaymentCanceled  PaymentStatus = "canceled"
)

// Final reports whether a payment in status p takes no more changes.
func (p PaymentStatus) Final() bool { return p == PaymentPaid || p == PaymentCanceled }

// Payment is a payment request of a room.
type Payment struct {
	ID string `json:"id"`
	// Amount is AmountMinor written with two decimals ("125.50").
	Amount      string        `json:"amount"`
	AmountMinor int64         `json:"amount_minor"`
	Currency    string        `json:"currency"`
	Description string        `json:"description,omitempty"`
	Status      PaymentStatus `json:"status"`
	// Provider is who the customer last paid or tried to pay through.
	Provider string `json:"provider,omitempty"`
	// StartedAt is when the customer last went to the checkout
	// (payment.started); it stays through a decline, since the checkout
	// stays open for another try, and is cleared when the request is paid
	// or canceled.
	StartedAt *time.Time `json:"started_at,omitempty"`
	// Transaction is the provider's id of the money taken, once paid.
	Transaction string `json:"transaction,omitempty"`
	CardLast4   string `json:"card_last4,omitempty"`
	// Code and Reason say why the last attempt was declined or failed,
	// or why the request was canceled (Reason only).
	Code        string    `json:"code,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	CanceledBy  ActorKind `json:"canceled_by,omitempty"`
	RequestedAt time.Time `json:"requested_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// PaymentRequest is the data of payment.requested.
type PaymentRequest struct {
	ID          string `json:"id"`
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
	Description string `json:"description,omitempty"`
}

// PaymentStarted is the data of payment.started: the provider the
// customer went to pay through. For a provider with its own page, the
// event's time makes the checkout's idempotency key (hub/app).
type PaymentStarted struct {
	Payment  string `json:"payment"`
	Provider string `json:"provider"`
}

// PaymentReceipt is the data of payment.paid.
type PaymentReceipt struct {
	Payment     string `json:"payment"`
	Provider    string `json:"provider"`
	Transaction string `json:"transaction"`
	CardLast4   string `json:"card_last4,omitempty"`
}

// PaymentProblem is the data of payment.declined and payment.failed: the
// provider's code and words.
type PaymentProblem struct {
	Payment   string `json:"payment"`
	Provider  string `json:"provider,omitempty"`
	Code      string `json:"code,omitempty"`
	Reason    string `json:"reason"`
	CardLast4 string `json:"card_last4,omitempty"`
}

// PaymentCancel is the data of payment.canceled.
type PaymentCancel struct {
	Payment string    `json:"payment"`
	By      ActorKind `json:"by"`
	Reason  string    `json:"reason,omitempty"`
}

// Limits of payments.
const (
	MaxPaymentsPerRoom    = 50
	MaxPaymentDescription = 200
)

func applyPaymentRequested(s *State, e Event, d PaymentRequest) error {
	p := Payment{ID: d.ID, Amount: FormatAmount(d.AmountMinor), AmountMinor: d.AmountMinor, Currency: d.Currency,
		Description: d.Description, Status: PaymentRequested, RequestedAt: e.At, UpdatedAt: e.At}
	s.Payments = append(append([]Payment(nil), s.Payments...), p)
	return nil
}

// changePayment changes the payment id of s through a copy, so that
// earlier states keep theirs.
func (s *State) changePayment(id string, at time.Time, change func(*Payment)) error {
	ps := append([]Payment(nil), s.Payments...)
	for i := range ps {
		if ps[i].ID == id {
			change(&ps[i])
			ps[i].UpdatedAt = at
			s.Payments = ps
			return nil
		}
	}
	return fmt.Errorf("no payment %q", id)
}

// Payment returns the payment request of s with id, if any.
func (s State) Payment(id string) (Payment, bool) {
	for _, p := range s.Payments {
		if p.ID == id {
			return p, true
		}
	}
	return Payment{}, false
}
