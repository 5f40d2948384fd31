package room

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tandemhq/tandem"
)

// The values of fields: what a customer (or an agent, before sending) may
// write in a field of each type.

// CheckValue checks a value for field f and returns it normalised.
func CheckValue(f Field, v string) (string, error) {
	bad := func(format string, args ...any) (string, error) {
		return "", tandem.Coded(tandem.KindInvalid, "invalid_value", "%s: %s", f.label(), fmt.Sprintf(format, args...))
	}
	switch f.Type {
	case FieldText:
		v = strings.TrimSpace(v)
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) > MaxTextValueLen || strings.ContainsRune(v, 0) {
			return bad("a text of at most %d characters", MaxTextValueLen)
		}
	case FieldNumber:
		v = strings.TrimSpace(v)
		if _, err := strconv.ParseFloat(v, 64); err != nil || len(v) > 32 || strings.ContainsAny(v, "eEinfINFxX") {
			return bad("%q is not a number such as 1250 or 12.5", v)
		}
	case FieldDate:
		v = strings.TrimSpace(v)
		if _, err := time.Parse("2006-01-02", v); err != nil {
			return bad("%q is not a date written 2026-12-03", v)
		}
	case FieldCheckbox:
		if v != "true" && v != "false" {
			return bad("a checkbox is true or false")
		}
	case FieldSelect:
		if !contains(f.Options, v) {
			return bad("%q is not one of the options", v)
		}
	case FieldSignature, FieldInitials:
		if len(v) > MaxSignatureBytes || !strings.HasPrefix(v, "data:image/png;base64,") {
			return bad("a signature is a PNG data URL of at most %d KiB", MaxSignatureBytes>>10)
		}
	default:
		return bad("unknown field type %q", f.Type)
	}
	return v, nil
}

// FilledDocument is a document with the current values of its fields
// (the agent's, and what the customer filled so far).
type FilledDocument struct {
	Document
	Values map[string]string `json:"values"`
}

// DocumentValues folds a room's log (or its start) into the current
// values of document docID's fields: the agent's, from document.added
// (their drawings in files),
// then each document.field_filled in turn (an empty one clears a field).
// A signature or initials the customer drew is in files instead, by the
// SHA-256 of its PNG in the account's files.
func DocumentValues(evs []Event, docID string) (values, files map[string]string, err error) {
	values, files = map[string]string{}, map[string]string{}
	for _, e := range evs {
		switch e.Type {
		case TypeDocumentAdded:
			var d DocumentAdded
			if err := json.Unmarshal(e.Data, &d); err != nil {
				return nil, nil, fmt.Errorf("event %d: %w", e.Seq, err)
			}
			if d.ID == docID {
				for k, v := range d.Values {
					values[k] = v
				}
				for k, f := range d.Files {
					files[k] = f
				}
			}
		case TypeDocumentFieldFilled:
			var d FieldFilled
			if err := json.Unmarshal(e.Data, &d); err != nil {
				return nil, nil, fmt.Errorf("event %d: %w", e.Seq, err)
			}
			if d.Document != docID {
				continue
			}
			delete(values, d.Field)
			delete(files, d.Field)
			switch {
			case d.File != "":
				files[d.Field] = d.File
			case d.Value != "":
				values[d.Field] = d.Value
			}
		}
	}
	return values, files, nil
}

// answered reports whether value v fills field f: any value does, but a
// checkbox only when ticked, so that a required box ("I agree") must be.
func (f Field) answered(v string) bool {
	if f.Type == FieldCheckbox {
		return v == "true"
	}
	return v != ""
}

func (f Field) label() string {
	if f.Label != "" {
		return f.Label
	}
	return f.ID
}

func (d Document) field(id string) (DocumentField, bool) {
	for _, f := range d.Fields {
		if f.ID == id {
			return f, true
		}
	}
	return DocumentField{}, false
}

func hasField(fs []Field, id string) bool {
	for _, f := range fs {
		if f.ID == id {
			return true
		}
	}
	return false
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func plain(fs []DocumentField) []Field {
	out := make([]Field, len(fs))
	for i, f := range fs {
		out[i] = f.Field
	}
	return out
}

// labels names the fields ids of fs, for a message.
func labels(fs []Field, ids []string) string {
	var names []string
	for _, f := range fs {
		if contains(ids, f.ID) {
			names = append(names, f.label())
		}
	}
	return strings.Join(names, ", ")
}
