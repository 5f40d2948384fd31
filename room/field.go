package room

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/tandemhq/tandem"
)

// FieldType is what a field of a document asks for.
type FieldType string

// The types of field.
const (
	FieldText      FieldType = "text"
	FieldNumber    FieldType = "number"
	FieldDate      FieldType = "date"
	FieldCheckbox  FieldType = "checkbox"
	FieldSelect    FieldType = "select"
	FieldSignature FieldType = "signature"
	FieldInitials  FieldType = "initials"
)

// FieldRole is who fills a field in.
type FieldRole string

// The roles that fill fields.
const (
	FieldByAgent    FieldRole = "agent"
	FieldByCustomer FieldRole = "customer"
)

// Limits on a document's fields.
const (
	MaxFields        = 500 // fields of one document
	MaxFieldLabelLen = 200 // characters of a label
	MaxFieldOptions  = 100 // options of a select
	MaxFieldOption   = 200 // characters of one option
	MaxFieldIDLen    = 64  // bytes of a field id
)

// Field is a place on a page of a document where someone writes, ticks,
// picks or signs. Its rectangle is in fractions of the page (0 to 1),
// measured from the page's top-left corner.
type Field struct {
	ID       string    `json:"id"`
	Type     FieldType `json:"type"`
	Role     FieldRole `json:"role"`
	Required bool      `json:"required"`
	Label    string    `json:"label"`
	Page     int       `json:"page"`
	X        float64   `json:"x"`
	Y        float64   `json:"y"`
	W        float64   `json:"w"`
	H        float64   `json:"h"`
	Options  []string  `json:"options,omitempty"`
}

// ValidFieldType reports whether t is a type of field.
func ValidFieldType(t FieldType) bool {
	switch t {
	case FieldText, FieldNumber, FieldDate, FieldCheckbox, FieldSelect, FieldSignature, FieldInitials:
		return true
	}
	return false
}

// ValidateFields checks the fields of a document of pages pages and returns
// them normalised: labels and options trimmed, and an id given to every
// field without one (a field that has one keeps it). The error, an
// invalid_fields error of KindInvalid, names the field at fault by its
// position (1 is the first) and its label or id.
func ValidateFields(fields []Field, pages int) ([]Field, error) {
	if len(fields) > MaxFields {
		return nil, fieldsError("a document has at most %d fields, not %d", MaxFields, len(fields))
	}
	out := make([]Field, len(fields))
	ids := make(map[string]bool, len(fields))
	for i, f := range fields {
		f.ID = strings.TrimSpace(f.ID)
		if f.ID != "" {
			if !validFieldID(f.ID) {
				return nil, fieldsError("field %d: its id must be 1 to %d letters, digits, '_' or '-'", i+1, MaxFieldIDLen)
			}
			if ids[f.ID] {
				return nil, fieldsError("field %d: another field already has the id %q", i+1, f.ID)
			}
			ids[f.ID] = true
		}
		var err error
		if f, err = checkField(f, pages); err != nil {
			return nil, fieldsError("field %d (%s): %v", i+1, fieldName(f), err)
		}
		out[i] = f
	}
	for i := range out {
		for out[i].ID == "" {
			if id := NewID("fd"); !ids[id] {
				out[i].ID, ids[id] = id, true
			}
		}
	}
	return out, nil
}

func fieldsError(format string, args ...any) error {
	return tandem.Coded(tandem.KindInvalid, "invalid_fields", format, args...)
}

// fieldName is how an error names a field: its label, else its id, else
// its type.
func fieldName(f Field) string {
	switch {
	case f.Label != "":
		return fmt.Sprintf("%q", f.Label)
	case f.ID != "":
		return f.ID
	case f.Type != "":
		return "a " + string(f.Type) + " field"
	}
	return "no label"
}

func validFieldID(id string) bool {
	if len(id) > MaxFieldIDLen {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return id != ""
}

// checkField checks one field's own rules.
func checkField(f Field, pages int) (Field, error) {
	var err error
	if f.Label, err = checkText(f.Label, "its label", MaxFieldLabelLen, true); err != nil {
		return f, err
	}
	if !ValidFieldType(f.Type) {
		return f, fmt.Errorf("type must be one of text, number, date, checkbox, select, signature, initials, not %q", f.Type)
	}
	if f.Role != FieldByAgent && f.Role != FieldByCustomer {
		return f, fmt.Errorf("role must be %q or %q, not %q", FieldByAgent, FieldByCustomer, f.Role)
	}
	if f.Page < 1 || f.Page > pages {
		return f, fmt.Errorf("page must be between 1 and %d, not %d", pages, f.Page)
	}
	for _, v := range []struct {
		name string
		v    float64
	}{{"x", f.X}, {"y", f.Y}, {"w", f.W}, {"h", f.H}} {
		if math.IsNaN(v.v) || v.v < 0 || v.v > 1 {
			return f, fmt.Errorf("%s must be a fraction of the page between 0 and 1", v.name)
		}
	}
	if f.W <= 0 || f.H <= 0 {
		return f, fmt.Errorf("w and h must be more than 0")
	}
	if f.X+f.W > 1 || f.Y+f.H > 1 {
		return f, fmt.Errorf("the field must lie within the page: x+w and y+h at most 1")
	}
	if f.Type != FieldSelect {
		if len(f.Options) > 0 {
			return f, fmt.Errorf("only a select field has options")
		}
		f.Options = nil
		return f, nil
	}
	if len(f.Options) == 0 {
		return f, fmt.Errorf("a select field needs options")
	}
	if len(f.Options) > MaxFieldOptions {
		return f, fmt.Errorf("a select field has at most %d options", MaxFieldOptions)
	}
	seen := make(map[string]bool, len(f.Options))
	opts := make([]string, len(f.Options))
	for j, o := range f.Options {
		if o, err = checkText(o, fmt.Sprintf("option %d", j+1), MaxFieldOption, false); err != nil {
			return f, err
		}
		if seen[o] {
			return f, fmt.Errorf("option %q is there twice", o)
		}
		seen[o], opts[j] = true, o
	}
	f.Options = opts
	return f, nil
}

// checkText trims s and checks it is at most max characters of UTF-8
// without control or format characters; empty only if it may be.
func checkText(s, what string, max int, mayBeEmpty bool) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && !mayBeEmpty:
		return s, fmt.Errorf("%s is empty", what)
	case !utf8.ValidString(s) || utf8.RuneCountInString(s) > max:
		return s, fmt.Errorf("%s must be at most %d characters", what, max)
	case strings.IndexFunc(s, tandem.HiddenRune) >= 0:
		return s, fmt.Errorf("%s may not contain control or invisible formatting characters", what)
	}
	return s, nil
}
