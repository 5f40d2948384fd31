package tandem

import (
	"math"
	"strings"
	"testing"
)

func TestContrastWithWhite(t *testing.T) {
	for _, tc := range []struct {
		color string
		want  float64
	}{
		{"#000000", 21}, {"#ffffff", 1}, {"#767676", 4.54}, {"#777777", 4.48}, {"#2457d6", 6.16}, {"#ffcc00", 1.51}, {"nope", 1},
	} {
		if got := ContrastWithWhite(tc.color); math.Abs(got-tc.want) > 0.05 {
			t.Errorf("ContrastWithWhite(%s) = %.2f, want %.2f", tc.color, got, tc.want)
		}
	}
}

func TestCheckAccentColor(t *testing.T) {
	if c, err := CheckAccentColor(" #1F5FBF "); err != nil || c != "#1f5fbf" {
		t.Errorf("a dark blue: %q %v", c, err)
	}
	if c, err := CheckAccentColor(""); err != nil || c != "" {
		t.Errorf("none: %q %v", c, err)
	}
	// #777777 is just below 4.5:1; #767676 just above.
	if _, err := CheckAccentColor("#777777"); err == nil || !strings.Contains(err.Error(), "4.4:1") {
		t.Errorf("#777777: %v, want refused with its ratio", err)
	}
	if _, err := CheckAccentColor("#767676"); err != nil {
		t.Errorf("#767676: %v", err)
	}
	for _, bad := range []string{"blue", "#fff", "#12345g", "1f5fbf", "#1f5fbf00"} {
		if _, err := CheckAccentColor(bad); err == nil {
			t.Errorf("%q taken", bad)
		}
	}
}

func TestCheckHelpLine(t *testing.T) {
	if h, err := CheckHelpLine("  Questions? Call 1-800-555-0100, Mon–Fri 9–5 "); err != nil || h != "Questions? Call 1-800-555-0100, Mon–Fri 9–5" {
		t.Errorf("%q %v", h, err)
	}
	for _, bad := range []string{"a\nb", "a\rb", strings.Repeat("é", MaxHelpLineLen+1), "call \u202e1-800", "tab\x00"} {
		if _, err := CheckHelpLine(bad); err == nil {
			t.Errorf("%q taken", bad)
		}
	}
	if _, err := CheckHelpLine(strings.Repeat("é", MaxHelpLineLen)); err != nil {
		t.Errorf("200 characters: %v", err)
	}
}
