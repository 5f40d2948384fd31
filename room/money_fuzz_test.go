package room_test

import (
	"strings"
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

// FuzzParseAmount: whatever is typed, an amount is either refused with
// invalid_amount or read into minor units within the bounds that
// FormatAmount writes back as the same number.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"125.50", "125.5", "0.01", "1e3", "12,50", "0.001", "-1", "999999.99", "1000000", "00.10", " 7 ", "\x00", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := room.ParseAmount(s)
		if err != nil {
			if tandem.ErrorCode(err) != room.CodeInvalidAmount {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if n <= 0 || n > room.MaxAmountMinor {
			t.Fatalf("%q read as %d", s, n)
		}
		back, err := room.ParseAmount(room.FormatAmount(n))
		if err != nil || back != n {
			t.Fatalf("%q: %d written %q reads %d, %v", s, n, room.FormatAmount(n), back, err)
		}
		if strings.ContainsAny(strings.TrimSpace(s), "eE,+-") {
			t.Fatalf("%q was taken as an amount", s)
		}
	})
}
