package room_test

import (
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

// withPayment is a live room with a payment request of 125.50 USD.
func withPayment(t *testing.T) (room.State, string) {
	t.Helper()
	s := roomIn(t, room.ModeLive)
	id := room.NewID("py")
	s = applyDrafts(t, s, must(t)(room.RequestPayment(s, docAgent, room.NewPayment{ID: id, Amount: "125.5", Currency: "usd", Description: " Deposit "})))
	return s, id
}

func TestPaymentRequest(t *testing.T) {
	s, id := withPayment(t)
	p, _ := s.Payment(id)
	if p.Amount != "125.50" || p.AmountMinor != 12550 || p.Currency != "USD" || p.Description != "Deposit" || p.Status != room.PaymentRequested {
		t.Fatalf("requested: %+v", p)
	}
	for _, c := range []struct {
		p    room.NewPayment
		code string
	}{
		{room.NewPayment{Amount: "1e3", Currency: "USD"}, "invalid_amount"},
		{room.NewPayment{Amount: "0", Currency: "USD"}, "invalid_amount"},
		{room.NewPayment{Amount: "10", Currency: "JPY"}, "invalid_currency"},
		{room.NewPayment{Amount: "10", Currency: ""}, "invalid_currency"},
		{room.NewPayment{Amount: "10", Currency: "USD", Description: "two\nlines"}, "invalid_description"},
	} {
		c.p.ID = room.NewID("py")
		_, err := room.RequestPayment(s, docAgent, c.p)
		wantCode(t, err, c.code)
	}
}

// Declined and failed attempts may be tried again; paid is final, and a
// provider repeating itself adds nothing.
func TestPaymentAttempts(t *testing.T) {
	s, id := withPayment(t)
	s = applyDrafts(t, s, must(t)(room.StartPayment(s, id, "sandbox")))
	if p, _ := s.Payment(id); p.StartedAt == nil || p.Provider != "sandbox" {
		t.Fatalf("started: %+v", p)
	}
	s = applyDrafts(t, s, mustDrafts(t)(room.SettlePayment(s, room.PaymentOutcome{Payment: id, Provider: "sandbox", Status: room.PaymentDeclined,
		Code: "insufficient_funds", Reason: "Your card has insufficient funds.", CardLast4: "9995"}))...)
	p, _ := s.Payment(id)
	if p.Status != room.PaymentDeclined || p.Code != "insufficient_funds" || p.CardLast4 != "9995" || p.StartedAt == nil {
		t.Fatalf("declined: %+v", p)
	}
	s = applyDrafts(t, s, must(t)(room.StartPayment(s, id, "sandbox")))
	if p, _ := s.Payment(id); p.Status != room.PaymentRequested || p.Code != "" {
		t.Fatalf("a new attempt keeps the old decline: %+v", p)
	}
	_, err := room.SettlePayment(s, room.PaymentOutcome{Payment: id, Status: room.PaymentPaid, Transaction: "t1", AmountMinor: 12500, Currency: "USD"})
	wantCode(t, err, "amount_mismatch")
	_, err = room.SettlePayment(s, room.PaymentOutcome{Payment: id, Status: room.PaymentPaid, Transaction: "t1", AmountMinor: 12550, Currency: "EUR"})
	wantCode(t, err, "amount_mismatch")
	paid := room.PaymentOutcome{Payment: id, Provider: "stripe", Status: room.PaymentPaid, Transaction: "pi_1", AmountMinor: 12550, Currency: "USD", CardLast4: "42x2"}
	s = applyDrafts(t, s, mustDrafts(t)(room.SettlePayment(s, paid))...)
	if p, _ := s.Payment(id); p.Status != room.PaymentPaid || p.Transaction != "pi_1" || p.CardLast4 != "" || p.Code != "" {
		t.Fatalf("paid: %+v", p)
	}
	if ds, err := room.SettlePayment(s, paid); err != nil || len(ds) != 0 {
		t.Fatalf("the same webhook again: %v, %v", ds, err)
	}
	if ds, err := room.SettlePayment(s, room.PaymentOutcome{Payment: id, Status: room.PaymentDeclined}); err != nil || len(ds) != 0 {
		t.Fatalf("a late decline: %v, %v", ds, err)
	}
	paid.Transaction = "pi_2"
	_, err = room.SettlePayment(s, paid)
	wantCode(t, err, "paid_twice")
	_, err = room.StartPayment(s, id, "sandbox")
	wantCode(t, err, "payment_paid")
	_, err = room.CancelPayment(s, docAgent, id, "")
	wantCode(t, err, "payment_paid")
	_, err = room.SettlePayment(s, room.PaymentOutcome{Payment: room.NewID("py"), Status: room.PaymentPaid})
	wantCode(t, err, "payment_not_found")
}

// A request canceled is closed to the customer, but money a provider took
// meanwhile is still recorded.
func TestPaymentCancel(t *testing.T) {
	s, id := withPayment(t)
	_, err := room.CancelPayment(s, docAgent, id, "a\x00b")
	wantCode(t, err, "invalid_reason")
	s = applyDrafts(t, s, must(t)(room.CancelPayment(s, room.Actor{Kind: room.ActorCustomer}, id, "I will pay at the branch")))
	p, _ := s.Payment(id)
	if p.Status != room.PaymentCanceled || p.CanceledBy != room.ActorCustomer || p.Reason != "I will pay at the branch" {
		t.Fatalf("canceled: %+v", p)
	}
	_, err = room.StartPayment(s, id, "sandbox")
	wantCode(t, err, "payment_canceled")
	if ds, _ := room.SettlePayment(s, room.PaymentOutcome{Payment: id, Status: room.PaymentFailed}); len(ds) != 0 {
		t.Fatal("a failure after the cancel was recorded")
	}
	s = applyDrafts(t, s, mustDrafts(t)(room.SettlePayment(s, room.PaymentOutcome{Payment: id, Provider: "stripe", Status: room.PaymentPaid, Transaction: "pi_9"}))...)
	if p, _ := s.Payment(id); p.Status != room.PaymentPaid {
		t.Fatalf("money taken after the cancel: %+v", p)
	}
	if _, err := room.SettlePayment(s, room.PaymentOutcome{Payment: id, Status: "refunded"}); !tandem.IsKind(err, tandem.KindInvalid) {
		t.Fatalf("an unknown outcome: %v", err)
	}
}
