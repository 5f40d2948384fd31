package app

import (
	"errors"
	"regexp"
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

// e164Shape is a number in E.164: a +, a country code that does not start
// with 0, and at most 15 digits in all.
var e164Shape = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// FuzzE164 feeds e164 what agents type as a customer's phone, read in any
// region an account may name: the number is refused as invalid_phone or
// returned in E.164, and that form is one the domain takes (room's
// NormalizePhone) and reads back to itself, whatever the region.
func FuzzE164(f *testing.F) {
	for _, s := range []struct{ raw, region string }{
		{"+1 (415) 555-0134", "US"}, {"(415) 555-0134", "US"}, {"415.555.0134", "us"}, {"020 7946 0958", "GB"},
		{"07700 900123", "GB"}, {"+44 7700 900123", "FR"}, {"06 12 34 56 78", "FR"}, {"+33612345678", ""},
		{"0612345678", ""}, {"0612345678", "ZZ"}, {"0612345678", "001"}, {"1234567", "NU"}, {"+683 7290", "NU"},
		{"+800 1234 5678", "US"}, {"+1 555 0100", "US"}, {"00 44 7700 900123", "FR"}, {"011 44 7700 900123", "US"},
		{"+999999999999999", "US"}, {"0000000", "DE"}, {"+0 415 555 0134", "US"}, {"415-555-0134 ", "uS"},
		{"  +49 30 901820  ", "DE"}, {"1 2 3 4 5 6 7 8 9 0 1 2 3 4 5", "US"}, {"+", "US"}, {"", "US"},
	} {
		f.Add(s.raw, s.region)
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		out, err := e164(raw, region)
		if err != nil {
			var e *tandem.Error
			if !errors.As(err, &e) || e.Kind != tandem.KindInvalid || e.Code != "invalid_phone" {
				t.Fatalf("e164(%q, %q) refused with %T %v, want invalid_phone", raw, region, err, err)
			}
			return
		}
		if !e164Shape.MatchString(out) {
			t.Fatalf("e164(%q, %q) = %q: not E.164", raw, region, out)
		}
		if n, err := room.NormalizePhone(out); err != nil || n != out {
			t.Fatalf("e164(%q, %q) = %q, which the domain normalises to %q, %v", raw, region, out, n, err)
		}
		for _, r := range []string{region, "US", "GB", ""} {
			if again, err := e164(out, r); err != nil || again != out {
				t.Fatalf("e164(%q, %q) = %q, but e164(%q, %q) = %q, %v", raw, region, out, out, r, again, err)
			}
		}
	})
}
