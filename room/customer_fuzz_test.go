package room_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

// A customer's name, phone and email come straight from agents' requests
// (create, re-engage, contact edits). Whatever they hold, the checks below
// either refuse them with the documented code or return a normalised form
// that is within the documented limits and normalises to itself, so that
// what is stored never changes when it is checked again.

// phoneShape is what NormalizePhone returns: 7 to 15 digits, with a
// leading + if the input had one.
var phoneShape = regexp.MustCompile(`^\+?[0-9]{7,15}$`)

// hidden is what a name may not hold: control characters, and format
// characters (bidi overrides, zero-width spaces) that disguise it.
func hidden(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }

// refusedAs fails unless err is an invalid *tandem.Error with code.
func refusedAs(t *testing.T, err error, codes ...string) {
	t.Helper()
	var e *tandem.Error
	if !errors.As(err, &e) || e.Kind != tandem.KindInvalid {
		t.Fatalf("refused with %T %v, want an invalid *tandem.Error", err, err)
	}
	for _, c := range codes {
		if e.Code == c {
			return
		}
	}
	t.Fatalf("refused with code %q (%v), want one of %q", e.Code, err, codes)
}

func checkPhone(t *testing.T, in string) (string, bool) {
	t.Helper()
	out, err := room.NormalizePhone(in)
	if err != nil {
		refusedAs(t, err, "invalid_phone")
		return "", false
	}
	if !phoneShape.MatchString(out) {
		t.Fatalf("NormalizePhone(%q) = %q: not 7 to 15 digits with an optional leading +", in, out)
	}
	if again, err := room.NormalizePhone(out); err != nil || again != out {
		t.Fatalf("NormalizePhone(%q) = %q, but that normalises to %q, %v", in, out, again, err)
	}
	return out, true
}

func checkEmail(t *testing.T, in string) (string, bool) {
	t.Helper()
	out, err := room.NormalizeEmail(in)
	if err != nil {
		refusedAs(t, err, "invalid_email")
		return "", false
	}
	if len(out) > room.MaxEmailLen {
		t.Fatalf("NormalizeEmail(%q) = %q: %d bytes, over %d", in, out, len(out), room.MaxEmailLen)
	}
	if !utf8.ValidString(out) {
		t.Fatalf("NormalizeEmail(%q) = %q: not UTF-8", in, out)
	}
	at := strings.LastIndexByte(out, '@')
	if at < 1 || !strings.Contains(out[at+1:], ".") || strings.ToLower(out[at+1:]) != out[at+1:] {
		t.Fatalf("NormalizeEmail(%q) = %q: not local@lower.case.domain", in, out)
	}
	if again, err := room.NormalizeEmail(out); err != nil || again != out {
		t.Fatalf("NormalizeEmail(%q) = %q, but that normalises to %q, %v", in, out, again, err)
	}
	return out, true
}

// FuzzValidateCustomer checks NormalizePhone on the phone, NormalizeEmail
// on the email, and ValidateCustomer on the three together, whatever each
// holds: one target, since fuzzing runs one at a time.
func FuzzValidateCustomer(f *testing.F) {
	f.Add("Sam Lee", "+1 (415) 555-0134", "Sam@Example.COM")
	f.Add("  Sam  ", "", "")
	f.Add("", "4155550134", "")
	f.Add("Sam\nLee", "4155550134", "")
	f.Add(strings.Repeat("é", room.MaxNameLen), "", "a@b.co")
	f.Add(strings.Repeat("é", room.MaxNameLen+1), "", "a@b.co")
	f.Add("\u2028Sam\u2029", "  ", " \t")
	f.Add("Sam", "phone", "email")
	f.Add("\xffSam", "4155550134", "")
	f.Add("Sam \u202eeeL", "4155550134", "")
	f.Add("Sam\u200b", "4155550134", "")
	for _, phone := range []string{
		"415.555.0134", "  +44 20 7946 0958 ", "+", "++4155550134", "41+55550134", "123456", "1234567",
		"123456789012345", "1234567890123456", "+٤١٥٥٥٥٠١٣٤", "415 555 0134 ext 2", "\u00a04155550134",
		"415\x00550134", "\xff4155550134", "(((((((1234567",
	} {
		f.Add("Sam", phone, "")
	}
	for _, email := range []string{
		"sam.lee+tag@mail.example.co.uk", " a@b.c ", "a@localhost", "@x.com", "a@", "a@.com", "a..b@x.com",
		"a@x..com", "\"quoted\"@x.com", "a@[127.0.0.1]", "a@b@c.com", "élodie@exemple.fr", "用户@例子.广告",
		"a@İSTANBUL.COM", "a@KELVIN\u212a.com", "a b@x.com", "a@x.com\n", strings.Repeat("a", 240) + "@example.com",
		strings.Repeat("a", 250) + "@x.com", "\xffa@x.com",
		strings.Repeat("a", 245) + "@ȺȺ.co", // 253 bytes, 255 once lowered: Ⱥ (U+023A) is 2 bytes, ⱥ (U+2C65) 3
	} {
		f.Add("Sam", "", email)
	}
	f.Fuzz(func(t *testing.T, name, phone, email string) {
		wantPhone, phoneOK := checkPhone(t, phone)
		wantEmail, emailOK := checkEmail(t, email)
		in := room.Customer{Name: name, Phone: phone, Email: email}
		out, err := room.ValidateCustomer(in)
		if err != nil {
			refusedAs(t, err, "invalid_name", "invalid_phone", "invalid_email")
			return
		}
		if out.Name == "" || out.Name != strings.TrimSpace(out.Name) || !utf8.ValidString(out.Name) ||
			utf8.RuneCountInString(out.Name) > room.MaxNameLen || strings.IndexFunc(out.Name, hidden) >= 0 {
			t.Fatalf("ValidateCustomer(%+v) kept the name %q", in, out.Name)
		}
		// The contact is normalised as NormalizePhone and NormalizeEmail
		// say, and left out when blank.
		if out.Phone != wantPhone || !phoneOK && strings.TrimSpace(phone) != "" {
			t.Fatalf("ValidateCustomer(%+v) kept the phone %q, NormalizePhone says %q", in, out.Phone, wantPhone)
		}
		if out.Email != wantEmail || !emailOK && strings.TrimSpace(email) != "" {
			t.Fatalf("ValidateCustomer(%+v) kept the email %q, NormalizeEmail says %q", in, out.Email, wantEmail)
		}
		if again, err := room.ValidateCustomer(out); err != nil || again != out {
			t.Fatalf("ValidateCustomer(%+v) = %+v, but that validates to %+v, %v", in, out, again, err)
		}
	})
}
