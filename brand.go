package tandem

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A brand is an account's name, logo and accent color, shown on the
// sign-in page, in the console's header and in the customer's room, with
// the help line at the foot of the room.

// Limits of a brand.
const (
	// MaxHelpLineLen is how many characters the room's help line has at
	// most.
	MaxHelpLineLen = 200
	// MinAccentContrast is the least contrast an accent color has with
	// white, the color of the text on buttons (WCAG 2 AA, normal text).
	MinAccentContrast = 4.5
)

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// CheckAccentColor trims and checks an accent color: "" (Tandem's), or
// "#rrggbb" on which white text contrasts at least MinAccentContrast:1.
// It is returned in lower case.
func CheckAccentColor(c string) (string, error) {
	c = strings.ToLower(strings.TrimSpace(c))
	if c == "" {
		return "", nil
	}
	if !hexColor.MatchString(c) {
		return c, Coded(KindInvalid, "invalid_settings", "accent_color %q must be a color as #rrggbb, such as #1f5fbf", c)
	}
	if r := ContrastWithWhite(c); r < MinAccentContrast {
		return c, Coded(KindInvalid, "invalid_settings",
			"accent_color %s is too light: white text on it has a contrast of %.1f:1, and buttons need at least %.1f:1; pick a darker shade", c, math.Floor(r*10)/10, MinAccentContrast)
	}
	return c, nil
}

// ContrastWithWhite is the WCAG 2 contrast ratio of white with the color
// "#rrggbb" (1 to 21); 1 for anything else.
func ContrastWithWhite(c string) float64 {
	if !hexColor.MatchString(c) {
		return 1
	}
	var lum float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(c[1+2*i:3+2*i], 16, 8)
		ch := float64(v) / 255
		if ch <= 0.04045 {
			ch /= 12.92
		} else {
			ch = math.Pow((ch+0.055)/1.055, 2.4)
		}
		lum += w * ch
	}
	return 1.05 / (lum + 0.05)
}

// CheckHelpLine trims and checks the room's help line: one line of at
// most MaxHelpLineLen characters, without control or invisible formatting
// characters.
func CheckHelpLine(h string) (string, error) {
	h = strings.TrimSpace(h)
	bad := func(format string, args ...any) (string, error) {
		return h, Coded(KindInvalid, "invalid_settings", "help_line "+format, args...)
	}
	switch {
	case !utf8.ValidString(h) || utf8.RuneCountInString(h) > MaxHelpLineLen:
		return bad("must be at most %d characters", MaxHelpLineLen)
	case strings.ContainsAny(h, "\r\n"):
		return bad("must be one line")
	case strings.IndexFunc(h, HiddenRune) >= 0:
		return bad("may not contain control or invisible formatting characters")
	}
	return h, nil
}

// DefaultBrandName is the name the sign-in page shows when it cannot
// tell whose hub it is.
const DefaultBrandName = "Tandem"
