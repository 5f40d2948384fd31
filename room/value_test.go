package room_test

import (
	"strings"
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

// Every type of field takes the values its rule allows, normalised, and
// refuses the rest with invalid_value naming the field.
func TestCheckValuePerType(t *testing.T) {
	field := func(typ room.FieldType) room.Field {
		f := room.Field{ID: "f", Type: typ, Role: room.FieldByCustomer, Label: "The field", Page: 1, W: .1, H: .1}
		if typ == room.FieldSelect {
			f.Options = []string{"12 months", "24 months"}
		}
		return f
	}
	png := "data:image/png;base64,iVBORw0KGgo="
	for _, tc := range []struct {
		typ      room.FieldType
		in, want string
		refused  bool
	}{
		{typ: room.FieldText, in: "  Ria Novak ", want: "Ria Novak"},
		{typ: room.FieldText, in: strings.Repeat("é", room.MaxTextValueLen), want: strings.Repeat("é", room.MaxTextValueLen)},
		{typ: room.FieldText, in: strings.Repeat("é", room.MaxTextValueLen+1), refused: true},
		{typ: room.FieldText, in: "a\x00b", refused: true},
		{typ: room.FieldText, in: "\xff\xfe", refused: true},
		{typ: room.FieldNumber, in: "1250", want: "1250"},
		{typ: room.FieldNumber, in: " -12.5 ", want: "-12.5"},
		{typ: room.FieldNumber, in: "1e5", refused: true},
		{typ: room.FieldNumber, in: "Inf", refused: true},
		{typ: room.FieldNumber, in: "0x10", refused: true},
		{typ: room.FieldNumber, in: "12,5", refused: true},
		{typ: room.FieldDate, in: "2026-12-03", want: "2026-12-03"},
		{typ: room.FieldDate, in: "2026-02-30", refused: true},
		{typ: room.FieldDate, in: "12/03/2026", refused: true},
		{typ: room.FieldCheckbox, in: "true", want: "true"},
		{typ: room.FieldCheckbox, in: "false", want: "false"},
		{typ: room.FieldCheckbox, in: "yes", refused: true},
		{typ: room.FieldSelect, in: "24 months", want: "24 months"},
		{typ: room.FieldSelect, in: "36 months", refused: true},
		{typ: room.FieldSignature, in: png, want: png},
		{typ: room.FieldInitials, in: png, want: png},
		{typ: room.FieldSignature, in: "data:image/jpeg;base64,/9j/", refused: true},
		{typ: room.FieldSignature, in: "data:image/png;base64," + strings.Repeat("A", room.MaxSignatureBytes), refused: true},
	} {
		got, err := room.CheckValue(field(tc.typ), tc.in)
		switch {
		case tc.refused && (tandem.ErrorCode(err) != "invalid_value" || !strings.Contains(err.Error(), "The field")):
			t.Errorf("%s %.30q: %v, want invalid_value naming the field", tc.typ, tc.in, err)
		case !tc.refused && (err != nil || got != tc.want):
			t.Errorf("%s %.30q: %.30q, %v; want %.30q", tc.typ, tc.in, got, err, tc.want)
		}
	}
}
