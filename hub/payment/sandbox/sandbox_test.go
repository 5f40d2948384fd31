package sandbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/payment"
	"github.com/tandemhq/tandem/hub/payment/sandbox"
)

var now = time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)

func charge(t *testing.T, number string, month, year int, cvc string) (payment.Outcome, error) {
	t.Helper()
	p := &sandbox.Provider{Now: func() time.Time { return now }}
	return p.Charge(context.Background(), payment.Request{Account: "ac_1", Room: "rm_1", Payment: "py_1", Amount: 12550, Currency: "USD"},
		payment.Card{Number: number, ExpMonth: month, ExpYear: year, CVC: cvc})
}

func TestTestCards(t *testing.T) {
	for _, c := range []struct {
		number string
		status payment.Status
		code   string
	}{
		{"4242 4242 4242 4242", payment.Paid, ""},
		{"4242-4242-4242-4242", payment.Paid, ""},
		{"4000 0000 0000 0002", payment.Declined, "card_declined"},
		{"4000000000009995", payment.Declined, "insufficient_funds"},
		{"4000 0000 0000 0119", payment.Failed, "processing_error"},
	} {
		o, err := charge(t, c.number, 12, 2030, "123")
		if err != nil || o.Status != c.status || o.Code != c.code || o.Payment != "py_1" || o.Amount != 12550 || o.Currency != "USD" {
			t.Errorf("%s: %+v, %v", c.number, o, err)
			continue
		}
		if o.Last4 != c.number[len(c.number)-4:] {
			t.Errorf("%s: last four %q", c.number, o.Last4)
		}
		if (o.Transaction != "") != (c.status == payment.Paid) || c.status != payment.Paid && o.Reason == "" {
			t.Errorf("%s: transaction %q, reason %q", c.number, o.Transaction, o.Reason)
		}
	}
	a, _ := charge(t, "4242424242424242", 12, 2030, "123")
	b, _ := charge(t, "4242424242424242", 12, 2030, "123")
	if a.Transaction == b.Transaction {
		t.Fatal("two payments share a transaction id")
	}
}

func TestRefusedCards(t *testing.T) {
	for _, c := range []struct {
		name, number string
		month, year  int
		cvc          string
	}{
		{"a mistyped number (Luhn)", "4242 4242 4242 4241", 12, 2030, "123"},
		{"letters", "4242 4242 4242 424x", 12, 2030, "123"},
		{"too short", "4242", 12, 2030, "123"},
		{"a real-looking card that is no test card", "5555 5555 5555 4444", 12, 2030, "123"},
		{"expired last month", "4242424242424242", 11, 2026, "123"},
		{"month 13", "4242424242424242", 13, 2030, "123"},
		{"a two-digit year", "4242424242424242", 12, 30, "123"},
		{"no CVC", "4242424242424242", 12, 2030, ""},
		{"a CVC with letters", "4242424242424242", 12, 2030, "12a"},
	} {
		o, err := charge(t, c.number, c.month, c.year, c.cvc)
		if tandem.ErrorCode(err) != "invalid_card" || !tandem.IsKind(err, tandem.KindInvalid) || tandem.ErrorMessage(err) == "" {
			t.Errorf("%s: %+v, %v; want invalid_card", c.name, o, err)
		}
	}
	// This month's card is still good.
	if o, err := charge(t, "4242424242424242", 12, 2026, "1234"); err != nil || o.Status != payment.Paid {
		t.Fatalf("a card expiring this month: %+v, %v", o, err)
	}
}
