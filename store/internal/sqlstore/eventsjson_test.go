package sqlstore

import (
	"encoding/json"
	"testing"
)

// appendJSONString writes a string as json.Marshal does, whatever bytes it
// holds.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "rm_abc", `"quoted" \ back`, "<>&", "\u2028\u2029", "\x00\x01\x1f\x7f", "\b\f\n\r\t",
		"é🦀", "\xff", "a\xc3", "\xe2\x80", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, []byte(s)); string(got) != string(want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}

// appendCompactJSON writes valid JSON text as json.Marshal writes a
// json.RawMessage.
func FuzzAppendCompactJSON(f *testing.F) {
	for _, s := range []string{`null`, ` { "a" : [ 1 , 2 ] } `, "[\n\t]", `"<b>&amp;</b>"`, "\"\u2028\u2029\"",
		`{"e":"\"<\\"}`, `"\u003c"`, `{"k":"a b\tc"}`, `"é🦀 ` + "\xe2\x80\xa8" + `"`, `12345678901234567890123`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) {
			return
		}
		want, err := json.Marshal(json.RawMessage(s))
		if err != nil {
			t.Fatal(err)
		}
		if got := appendCompactJSON(nil, []byte(s)); string(got) != string(want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}
