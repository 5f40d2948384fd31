package room

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tandemhq/tandem"
)

// Limits on what a command may carry.
const (
	// MaxNameLen bounds a customer's name, in characters.
	MaxNameLen = tandem.MaxNameLen
	// MaxEmailLen bounds an email address, in bytes.
	MaxEmailLen = 254
)

// ValidateCustomer checks a customer's name and contact and returns them
// normalised: trimmed, the phone reduced to digits and a leading +, the
// email's domain in lower case. The name follows tandem.CheckName: no
// control character, and no invisible formatting character (a bidi
// override, a zero-width space) that could disguise it on screen.
func ValidateCustomer(c Customer) (Customer, error) {
	var err error
	if c.Name, err = tandem.CheckName(c.Name, "the customer's name"); err != nil {
		return c, err
	}
	if strings.TrimSpace(c.Phone) != "" {
		p, err := NormalizePhone(c.Phone)
		if err != nil {
			return c, err
		}
		c.Phone = p
	} else {
		c.Phone = ""
	}
	if strings.TrimSpace(c.Email) != "" {
		e, err := NormalizeEmail(c.Email)
		if err != nil {
			return c, err
		}
		c.Email = e
	} else {
		c.Email = ""
	}
	return c, nil
}

// Destination returns where an invitation on ch goes for customer c.
func Destination(ch Channel, c Customer) (string, error) {
	switch ch {
	case ChannelSMS:
		if c.Phone == "" {
			return "", tandem.Coded(tandem.KindInvalid, "phone_required", "a phone number is required to invite by SMS")
		}
		return c.Phone, nil
	case ChannelEmail:
		if c.Email == "" {
			return "", tandem.Coded(tandem.KindInvalid, "email_required", "an email address is required to invite by email")
		}
		return c.Email, nil
	default:
		return "", tandem.Coded(tandem.KindInvalid, "invalid_channel", "channel must be %q or %q", ChannelSMS, ChannelEmail)
	}
}

// NormalizePhone checks that s can be a phone number (7 to 15 digits, the
// E.164 range, with the usual separators) and returns it as digits with a
// leading + if it had one. Region-aware E.164 normalisation happens at the
// edge, where the account's default region is known.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == '+' && i == 0:
			b.WriteRune(c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return "", tandem.Coded(tandem.KindInvalid, "invalid_phone", "%q is not a phone number", s)
		}
	}
	out := b.String()
	digits := len(strings.TrimPrefix(out, "+"))
	if digits < 7 || digits > 15 {
		return "", tandem.Coded(tandem.KindInvalid, "invalid_phone", "%q is not a phone number: it must have 7 to 15 digits", s)
	}
	return out, nil
}

// NormalizeEmail checks that s is a bare email address, in UTF-8 and at
// most MaxEmailLen bytes, and returns it with its domain in lower case.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > MaxEmailLen {
		return "", tandem.Coded(tandem.KindInvalid, "invalid_email", "the email address is longer than %d characters", MaxEmailLen)
	}
	at := strings.LastIndexByte(s, '@')
	if !utf8.ValidString(s) || at < 1 || !dotAtom(s[:at], isAtext) || !dotAtom(s[at+1:], isDomainChar) || !strings.Contains(s[at+1:], ".") {
		return "", tandem.Coded(tandem.KindInvalid, "invalid_email", "%q is not an email address", s)
	}
	// Lower case can take more bytes than upper case (Ⱥ, U+023A, is two;
	// ⱥ three), so the limit holds for what is returned, too.
	out := s[:at] + "@" + strings.ToLower(s[at+1:])
	if len(out) > MaxEmailLen {
		return "", tandem.Coded(tandem.KindInvalid, "invalid_email", "the email address is longer than %d characters", MaxEmailLen)
	}
	return out, nil
}

// dotAtom reports whether s is one or more non-empty runs of characters
// ok accepts, joined by single dots: the shape of an email address's local
// part and domain (RFC 5322 dot-atom; quoted local parts and address
// literals are not taken).
func dotAtom(s string, ok func(rune) bool) bool {
	if s == "" {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" || strings.IndexFunc(part, func(r rune) bool { return !ok(r) }) >= 0 {
			return false
		}
	}
	return true
}

// isAtext reports whether r may stand in the local part of an address
// unquoted (RFC 5322 atext, with UTF-8 as RFC 6532 allows).
func isAtext(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r) || r > 0x7f && unicode.IsPrint(r) && !unicode.IsSpace(r)
}

// isDomainChar reports whether r may stand in a label of a domain name,
// internationalised ones included.
func isDomainChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' ||
		r > 0x7f && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r))
}
