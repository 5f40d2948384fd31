package room_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

func TestParseAmount(t *testing.T) {
	for in, want := range map[string]int64{
		"125.50": 12550, "125.5": 12550, "125": 12500, "0.5": 50, "0.01": 1, "007.50": 750, " 42.00 ": 4200, "999999.99": 99999999,
	} {
		got, err := room.ParseAmount(in)
		if err != nil || got != want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{
		"", "1e3", "1E3", "12,50", "1,250.00", "0.001", "125.505", "0", "0.00", "-1", "-0.50", "+5", "abc", "12a", "125.", ".5",
		"1 250", "１２", "NaN", "Inf", "0x10", "1000000", "1000000.00", "99999999999999999999999", strings.Repeat("9", 400),
	} {
		if got, err := room.ParseAmount(in); tandem.ErrorCode(err) != room.CodeInvalidAmount || !tandem.IsKind(err, tandem.KindInvalid) {
			t.Errorf("ParseAmount(%q) = %d, %v; want invalid_amount", in, got, err)
		} else if msg := tandem.ErrorMessage(err); msg == "" || strings.Contains(msg, "strconv") {
			t.Errorf("ParseAmount(%q): message %q", in, msg)
		}
	}
}

func TestFormatAmount(t *testing.T) {
	for minor, want := range map[int64]string{12550: "125.50", 1: "0.01", 0: "0.00", 100: "1.00", 99999999: "999999.99", -250: "-2.50"} {
		if got := room.FormatAmount(minor); got != want {
			t.Errorf("FormatAmount(%d) = %q, want %q", minor, got, want)
		}
		if minor > 0 {
			if back, err := room.ParseAmount(room.FormatAmount(minor)); err != nil || back != minor {
				t.Errorf("%d does not survive a round trip: %d, %v", minor, back, err)
			}
		}
	}
}

func TestCurrencies(t *testing.T) {
	cs := room.Currencies()
	if !slices.IsSorted(cs) || len(slices.Compact(slices.Clone(cs))) != len(cs) {
		t.Fatal("the currency list is not sorted and unique: CheckCurrency searches it")
	}
	for _, c := range cs {
		if len(c) != 3 || strings.ToUpper(c) != c {
			t.Errorf("%q is not an ISO 4217 code", c)
		}
	}
	for in, want := range map[string]string{"USD": "USD", "eur": "EUR", " gbp ": "GBP", "CHF": "CHF"} {
		if got, err := room.CheckCurrency(in); err != nil || got != want {
			t.Errorf("CheckCurrency(%q) = %q, %v", in, got, err)
		}
	}
	// No decimals (JPY, KRW), three (KWD, BHD), not a currency (XXX), junk.
	for _, in := range []string{"JPY", "KRW", "KWD", "BHD", "XXX", "US", "USDD", "", "€"} {
		if _, err := room.CheckCurrency(in); tandem.ErrorCode(err) != "invalid_currency" {
			t.Errorf("CheckCurrency(%q): %v, want invalid_currency", in, err)
		}
	}
}
