package room_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

func okField(t room.FieldType) room.Field {
	f := room.Field{Type: t, Role: room.FieldByCustomer, Label: "Field", Page: 1, X: 0.1, Y: 0.2, W: 0.3, H: 0.05}
	if t == room.FieldSelect {
		f.Options = []string{"Yes", "No"}
	}
	return f
}

func TestValidateFieldsAcceptsEveryType(t *testing.T) {
	for _, typ := range []room.FieldType{room.FieldText, room.FieldNumber, room.FieldDate, room.FieldCheckbox,
		room.FieldSelect, room.FieldSignature, room.FieldInitials} {
		t.Run(string(typ), func(t *testing.T) {
			f := okField(typ)
			f.Role, f.Required, f.Page = room.FieldByAgent, true, 2
			got, err := room.ValidateFields([]room.Field{f}, 2)
			if err != nil {
				t.Fatal(err)
			}
			if !room.ValidID("fd", got[0].ID) {
				t.Errorf("id %q was not assigned", got[0].ID)
			}
			got[0].ID = ""
			if fmt.Sprint(got[0]) != fmt.Sprint(f) {
				t.Errorf("got %+v, want %+v", got[0], f)
			}
		})
	}
}

func TestValidateFieldsKeepsIDsAndTrims(t *testing.T) {
	a, b := okField(room.FieldText), okField(room.FieldSelect)
	a.ID, a.Label = "name", "  Full name "
	b.Options = []string{" Yes ", "No"}
	got, err := room.ValidateFields([]room.Field{a, b}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].ID != "name" || got[0].Label != "Full name" {
		t.Errorf("first field %+v", got[0])
	}
	if got[1].ID == "" || got[1].ID == "name" || got[1].Options[0] != "Yes" {
		t.Errorf("second field %+v", got[1])
	}
	again, err := room.ValidateFields(got, 1)
	if err != nil || again[1].ID != got[1].ID {
		t.Errorf("ids are not stable: %+v, %v", again, err)
	}
	if none, err := room.ValidateFields(nil, 1); err != nil || len(none) != 0 {
		t.Errorf("no fields: %+v, %v", none, err)
	}
}

func TestValidateFieldsRefuses(t *testing.T) {
	many := make([]room.Field, room.MaxFields+1)
	for i := range many {
		many[i] = okField(room.FieldText)
	}
	opts := make([]string, room.MaxFieldOptions+1)
	for i := range opts {
		opts[i] = fmt.Sprint(i)
	}
	tests := []struct {
		name   string
		change func(*room.Field)
		fields []room.Field
		want   string
	}{
		{"unknown type", func(f *room.Field) { f.Type = "radio" }, nil, "type"},
		{"no type", func(f *room.Field) { f.Type = "" }, nil, "type"},
		{"unknown role", func(f *room.Field) { f.Role = "admin" }, nil, "role"},
		{"page 0", func(f *room.Field) { f.Page = 0 }, nil, "page"},
		{"page past the end", func(f *room.Field) { f.Page = 3 }, nil, "page"},
		{"negative x", func(f *room.Field) { f.X = -0.1 }, nil, "x must"},
		{"y over 1", func(f *room.Field) { f.Y = 1.5 }, nil, "y must"},
		{"NaN w", func(f *room.Field) { f.W = math.NaN() }, nil, "w must"},
		{"zero width", func(f *room.Field) { f.W = 0 }, nil, "more than 0"},
		{"zero height", func(f *room.Field) { f.H = 0 }, nil, "more than 0"},
		{"past the right edge", func(f *room.Field) { f.X, f.W = 0.8, 0.3 }, nil, "within the page"},
		{"past the bottom", func(f *room.Field) { f.Y, f.H = 0.9, 0.2 }, nil, "within the page"},
		{"label too long", func(f *room.Field) { f.Label = strings.Repeat("a", room.MaxFieldLabelLen+1) }, nil, "label"},
		{"label with a control character", func(f *room.Field) { f.Label = "a\nb" }, nil, "label"},
		{"label with a bidi override", func(f *room.Field) { f.Label = "a\u202eb" }, nil, "label"},
		{"options on a text field", func(f *room.Field) { f.Options = []string{"a"} }, nil, "only a select"},
		{"select without options", func(f *room.Field) { f.Type = room.FieldSelect }, nil, "needs options"},
		{"select with an empty option", func(f *room.Field) { f.Type, f.Options = room.FieldSelect, []string{"a", " "} }, nil, "option 2"},
		{"select with a repeated option", func(f *room.Field) { f.Type, f.Options = room.FieldSelect, []string{"a", "a"} }, nil, "twice"},
		{"select with too many options", func(f *room.Field) { f.Type, f.Options = room.FieldSelect, opts }, nil, "at most"},
		{"select with a long option", func(f *room.Field) {
			f.Type, f.Options = room.FieldSelect, []string{strings.Repeat("o", room.MaxFieldOption+1)}
		}, nil, "option 1"},
		{"bad id", func(f *room.Field) { f.ID = "a b" }, nil, "id"},
		{"long id", func(f *room.Field) { f.ID = strings.Repeat("a", room.MaxFieldIDLen+1) }, nil, "id"},
		{"repeated id", nil, []room.Field{{ID: "x", Type: "text", Role: "agent", Page: 1, W: 0.1, H: 0.1}, {ID: "x", Type: "text", Role: "agent", Page: 1, W: 0.1, H: 0.1}}, "field 2"},
		{"too many fields", nil, many, "at most"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fields := tc.fields
			if fields == nil {
				f := okField(room.FieldText)
				f.Label = "Amount"
				tc.change(&f)
				fields = []room.Field{okField(room.FieldText), f}
			}
			_, err := room.ValidateFields(fields, 2)
			if tandem.ErrorCode(err) != "invalid_fields" || !tandem.IsKind(err, tandem.KindInvalid) {
				t.Fatalf("error %v, want invalid_fields", err)
			}
			msg := tandem.ErrorMessage(err)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message %q does not say %q", msg, tc.want)
			}
			if tc.fields == nil && !strings.Contains(msg, "field 2") {
				t.Errorf("message %q does not name the field at fault", msg)
			}
		})
	}
}
