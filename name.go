package tandem

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLen bounds a person's name (a customer's, a contact's, a
// user's), in characters.
const MaxNameLen = 200

// HiddenRune reports whether r is a character a name or label must not hold: a
// control character, or a Unicode format character (category Cf: the
// bidi controls U+202A–U+202E and U+2066–U+2069, the zero-width
// characters U+200B–U+200F and U+2060, U+FEFF, the soft hyphen, tags…),
// which draw nothing themselves but can reverse or hide part of a name on
// the screens that show it, so that it passes for another.
func HiddenRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// CheckName trims a person's name and checks that it shows as it is
// written: not empty, at most MaxNameLen characters of valid UTF-8, and
// with no control or format character. whose says whose name it is in the
// error ("the customer's name"), an invalid_name error of KindInvalid.
func CheckName(name, whose string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return name, Coded(KindInvalid, "invalid_name", "%s is required", whose)
	}
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxNameLen {
		return name, Coded(KindInvalid, "invalid_name", "%s must be at most %d characters", whose, MaxNameLen)
	}
	if i := strings.IndexFunc(name, HiddenRune); i >= 0 {
		r, _ := utf8.DecodeRuneInString(name[i:])
		if unicode.IsControl(r) {
			return name, Coded(KindInvalid, "invalid_name", "%s may not contain control characters such as line breaks", whose)
		}
		return name, Coded(KindInvalid, "invalid_name",
			"%s contains an invisible formatting character (%U), such as those that reverse text or hide part of it; retype it without", whose, r)
	}
	return name, nil
}
