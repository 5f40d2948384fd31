package room

import (
	"slices"
	"strconv"
	"strings"

	"github.com/tandemhq/tandem"
)

// Money: amounts are decimal as people write them ("125.50") at the edges
// and integers of minor units (12550) with their currency everywhere else,
// never floats, so that no amount is ever rounded on its way through.

// MaxAmountMinor is the largest amount a payment request asks for, in
// minor units: 999,999.99. Card providers cap a single charge near there
// (Stripe's is 999,999.99 in most currencies), and a larger request is a
// typing mistake rather than a payment anyone means to take by card.
const MaxAmountMinor = 99999999

// CodeInvalidAmount is the error code of an amount that is not one.
const CodeInvalidAmount = "invalid_amount"

// ParseAmount reads an amount written with digits and at most two
// decimals after a point ("125.50", "125.5", "125") into minor units. It
// refuses anything else — exponents ("1e3"), a decimal comma ("12,50"),
// signs, spaces inside, a third decimal ("0.001"), zero, and more than
// MaxAmountMinor — with invalid_amount and words saying how to write it.
func ParseAmount(s string) (int64, error) {
	bad := func(why string) (int64, error) {
		return 0, tandem.Coded(tandem.KindInvalid, CodeInvalidAmount, "%s: write the amount with digits and at most two decimals after a point, such as 125.50", why)
	}
	s = strings.TrimSpace(s)
	whole, frac, dotted := strings.Cut(s, ".")
	switch {
	case s == "":
		return bad("the amount is missing")
	case strings.Contains(s, ","):
		return bad("a comma is not a decimal point")
	case !digits(whole) || dotted && !digits(frac):
		return bad("the amount has characters that are not digits")
	case len(frac) > 2:
		return bad("an amount has at most two decimals")
	case len(strings.TrimLeft(whole, "0")) > 6:
		return 0, tandem.Coded(tandem.KindInvalid, CodeInvalidAmount, "a payment request is at most %s", FormatAmount(MaxAmountMinor))
	}
	frac += strings.Repeat("0", 2-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return bad("the amount cannot be read")
	}
	if n <= 0 {
		return 0, tandem.Coded(tandem.KindInvalid, CodeInvalidAmount, "the amount must be more than zero")
	}
	return n, nil
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// FormatAmount writes minor units with two decimals: 12550 is "125.50".
func FormatAmount(minor int64) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return sign + strconv.FormatInt(minor/100, 10) + "." + strconv.FormatInt(100+minor%100, 10)[1:]
}

// DefaultCurrency is the currency of payment requests when neither the
// request nor the account's settings name one.
const DefaultCurrency = "USD"

// currencies are the ISO 4217 codes of current currencies whose minor unit
// is a hundredth: the ones a two-decimal amount is right for. Currencies
// without decimals (JPY, KRW) or with three (KWD, BHD) are left out rather
// than mis-scaled, and so are HUF and TWD, which card providers charge in
// whole units only (Stripe refuses 125.50 HUF).
var currencies = strings.Fields(`
AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN
BWP BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR
FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG IDR ILS INR JMD KES KGS
KHR KYD KZT LAK LBP LKR LRD LSL MAD MDL MKD MMK MNT MOP MRU MUR MVR MWK MXN
MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR
SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY
TTD TZS UAH USD UYU UZS VES WST XCD XCG YER ZAR ZMW ZWG`)

// Currencies lists the currencies a payment request may be in, sorted.
func Currencies() []string { return slices.Clone(currencies) }

// CheckCurrency returns code in upper case if it is one of Currencies,
// else an invalid_currency error.
func CheckCurrency(code string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if _, ok := slices.BinarySearch(currencies, c); !ok || len(c) != 3 {
		return c, tandem.Coded(tandem.KindInvalid, "invalid_currency", "%q is not a currency payment requests take: give an ISO 4217 code with two decimals, such as USD, EUR or GBP", code)
	}
	return c, nil
}
