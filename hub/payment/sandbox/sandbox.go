// Package sandbox is the payment provider of the embedded default: a card
// form the hub shows itself, which takes only the well-known test card
// numbers and moves no money. It lets a newcomer, a demo and the tests go
// through a payment request end to end without an account anywhere.
//
// 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined; 4000 0000
// 0000 9995 is declined for insufficient funds; 4000 0000 0000 0119 fails
// with a processing error. Any other number, real cards included, is
// refused as not a test card: the sandbox never takes a real card.
package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/payment"
)

// Name is the provider's name in the log.
const Name = "sandbox"

// Provider is the sandbox. The zero value is ready; Now, if set, is its
// clock for card expiry.
type Provider struct {
	Now func() time.Time
}

var _ payment.CardProvider = (*Provider)(nil)

// Name implements payment.Provider.
func (*Provider) Name() string { return Name }

// Start implements payment.Provider: the sandbox's checkout is the hub's
// own card form, so there is nowhere to send the customer.
func (*Provider) Start(context.Context, payment.Request) (payment.Checkout, error) {
	return payment.Checkout{}, nil
}

// outcome is what a test number does.
type outcome struct {
	status payment.Status
	code   string
	reason string
}

// testCards are the numbers the sandbox takes, as Stripe's test mode
// knows them, so that people who test with one know the other.
var testCards = map[string]outcome{
	"4242424242424242": {status: payment.Paid},
	"4000000000000002": {payment.Declined, "card_declined", "Your card was declined."},
	"4000000000009995": {payment.Declined, "insufficient_funds", "Your card has insufficient funds."},
	"4000000000000119": {payment.Failed, "processing_error", "An error occurred while processing your card. Try again."},
}

// Charge implements payment.CardProvider.
func (p *Provider) Charge(_ context.Context, r payment.Request, card payment.Card) (payment.Outcome, error) {
	number, err := checkCard(card, p.now())
	if err != nil {
		return payment.Outcome{}, err
	}
	t, ok := testCards[number]
	if !ok {
		return payment.Outcome{}, invalid("this is a sandbox, where no money moves: it takes test cards only, such as 4242 4242 4242 4242")
	}
	o := payment.Outcome{Account: r.Account, Room: r.Room, Payment: r.Payment, Status: t.status, Amount: r.Amount, Currency: r.Currency,
		Code: t.code, Reason: t.reason, Last4: number[len(number)-4:]}
	if t.status == payment.Paid {
		o.Transaction = "sb_" + randomHex(12)
	}
	return o, nil
}

func (p *Provider) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// checkCard checks what a card form checks before anything is charged:
// the number's digits and Luhn check, an expiry not past, a CVC of three
// or four digits. It returns the number's digits.
func checkCard(c payment.Card, now time.Time) (string, error) {
	number := strings.NewReplacer(" ", "", "-", "").Replace(c.Number)
	if len(number) < 12 || len(number) > 19 || strings.Trim(number, "0123456789") != "" {
		return "", invalid("the card number is 12 to 19 digits")
	}
	if !luhn(number) {
		return "", invalid("the card number is mistyped: its check digit does not match")
	}
	if c.ExpMonth < 1 || c.ExpMonth > 12 || c.ExpYear < 2000 || c.ExpYear > 2100 {
		return "", invalid("the expiry date is a month and a year, such as 12/30")
	}
	if !now.Before(time.Date(c.ExpYear, time.Month(c.ExpMonth)+1, 1, 0, 0, 0, 0, time.UTC)) {
		return "", invalid("the card has expired")
	}
	if n := len(c.CVC); n < 3 || n > 4 || strings.Trim(c.CVC, "0123456789") != "" {
		return "", invalid("the security code (CVC) is the 3 or 4 digits on the card")
	}
	return number, nil
}

// luhn reports whether the digits pass the Luhn check every card number
// ends with.
func luhn(digits string) bool {
	sum := 0
	for i := range len(digits) {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func invalid(msg string) error {
	return tandem.Coded(tandem.KindInvalid, "invalid_card", "%s", msg)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
