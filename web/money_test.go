package web_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/room"
)

// The console offers the currencies the hub takes, no more and no fewer:
// src/money.ts lists them for the Payment Request's choice.
func TestConsoleCurrenciesAreTheHubs(t *testing.T) {
	src, err := os.ReadFile("src/money.ts")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)export const currencies = \((.*?)\)\.split`).FindSubmatch(src)
	if m == nil {
		t.Fatal("src/money.ts has no list of currencies")
	}
	got := strings.Fields(strings.NewReplacer(`"`, " ", "+", " ").Replace(string(m[1])))
	if want := room.Currencies(); !slices.Equal(got, want) {
		t.Fatalf("src/money.ts lists %v\nthe hub takes %v", got, want)
	}
}
