package app

import (
	"strings"
	"unicode/utf8"
)

// storable reports whether s is text every store can keep and compare:
// UTF-8 without NUL, which PostgreSQL's text refuses. A request's string
// that is not is refused (or matches nothing) before it reaches a store.
func storable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
