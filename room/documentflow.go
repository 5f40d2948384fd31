package room

import (
	"strings"
	"unicode/utf8"

	"github.com/tandemhq/tandem"
)

// The commands of documents: what an agent and the customer do with a
// document, each a pure function of the room's State returning the
// events to append.

// NewDocument is what an agent puts in a room.
type NewDocument struct {
	Agent       Actor
	ID          string // made by the caller (NewID("dc"))
	Name        string
	Asset       string
	File        string
	ContentType string
	Pages       int
	Fields      []Field
	Values      map[string]string // the agent's fields
	// Files are the agent's drawings (signature, initials): the SHA-256 of
	// each, kept by the caller in the account's files after CheckValue.
	Files map[string]string
}

// AddDocument returns the events that put d in s: document.added, and
// document.sent unless the room is pre-planned and not invited yet (it
// then waits for Invite client, SendPending). Every required agent field
// must have a value (required_fields, naming those missing); values are
// checked by the type of their field.
func AddDocument(s State, d NewDocument) ([]Draft, error) {
	if s.Status == StatusClosed {
		return nil, tandem.Coded(tandem.KindConflict, "room_closed", "the session is closed")
	}
	if len(s.Documents) >= MaxDocumentsPerRoom {
		return nil, tandem.Errorf(tandem.KindInvalid, "a room holds at most %d documents", MaxDocumentsPerRoom)
	}
	if _, ok := s.Document(d.ID); ok || d.ID == "" {
		return nil, tandem.Errorf(tandem.KindInvalid, "document %q is in the room already", d.ID)
	}
	name := strings.TrimSpace(d.Name)
	if name == "" || utf8.RuneCountInString(name) > MaxNameLen {
		return nil, tandem.Coded(tandem.KindInvalid, "invalid_name", "a document needs a name of at most %d characters", MaxNameLen)
	}
	fields, err := ValidateFields(d.Fields, d.Pages)
	if err != nil {
		return nil, err
	}
	values, files := map[string]string{}, map[string]string{}
	var missing []string
	for _, f := range fields {
		v, given := d.Values[f.ID]
		file, drawn := d.Files[f.ID]
		drawing := f.Type == FieldSignature || f.Type == FieldInitials
		switch {
		case f.Role != FieldByAgent && (given || drawn):
			return nil, tandem.Errorf(tandem.KindInvalid, "field %s is the customer's to fill", f.ID)
		case f.Role != FieldByAgent:
			continue
		case drawn && (!drawing || !validSHA256(file)):
			return nil, tandem.Coded(tandem.KindInvalid, "invalid_value", "%s: only a signature or initials is a drawing's file", f.label())
		case drawn:
			files[f.ID] = file
			continue
		case drawing && strings.TrimSpace(v) != "":
			return nil, tandem.Coded(tandem.KindInvalid, "invalid_value", "%s: a signature is a PNG data URL of at most %d KiB", f.label(), MaxSignatureBytes>>10)
		case strings.TrimSpace(v) == "":
			if f.Required {
				missing = append(missing, f.ID)
			}
			continue
		}
		if v, err = CheckValue(f, v); err != nil {
			return nil, err
		}
		if f.Required && !f.answered(v) {
			missing = append(missing, f.ID) // a required box left unticked
		}
		values[f.ID] = v
	}
	for _, m := range []map[string]string{d.Values, d.Files} {
		for id := range m {
			if !hasField(fields, id) {
				return nil, tandem.Errorf(tandem.KindInvalid, "the document has no field %q", id)
			}
		}
	}
	if len(missing) > 0 {
		e := tandem.Coded(tandem.KindIncomplete, CodeRequiredFields, "fill the required fields first: %s", labels(fields, missing))
		e.Fields = missing
		return nil, e
	}
	drafts := []Draft{{Type: TypeDocumentAdded, Actor: d.Agent, Data: DocumentAdded{
		ID: d.ID, Name: name, Asset: d.Asset, File: d.File, ContentType: d.ContentType, Pages: d.Pages, Fields: fields, Values: values, Files: files,
	}}}
	if s.Status != StatusPending {
		drafts = append(drafts, Draft{Type: TypeDocumentSent, Actor: d.Agent, Data: DocumentRef{Document: d.ID}})
	}
	return drafts, nil
}

// SendPending returns the events that send every pending document of s:
// Invite client makes them reach the customer with the invitation.
func SendPending(s State, agent Actor) []Draft {
	var out []Draft
	for _, d := range s.Documents {
		if d.Status == DocumentPending {
			out = append(out, Draft{Type: TypeDocumentSent, Actor: agent, Data: DocumentRef{Document: d.ID}})
		}
	}
	return out
}

// OpenDocument records the customer opening a document, the first time.
func OpenDocument(s State, docID string) ([]Draft, error) {
	d, err := customerDocument(s, docID)
	if err != nil || d.Status != DocumentSent {
		return nil, err
	}
	return []Draft{{Type: TypeDocumentOpened, Actor: Actor{Kind: ActorCustomer}, Data: DocumentRef{Document: docID}}}, nil
}

// ViewPage records the customer looking at a page of a document.
func ViewPage(s State, docID string, page int) (Draft, error) {
	d, err := customerDocument(s, docID)
	if err != nil {
		return Draft{}, err
	}
	if page < 1 || page > d.Pages {
		return Draft{}, tandem.Errorf(tandem.KindInvalid, "the document has pages 1 to %d, not %d", d.Pages, page)
	}
	return Draft{Type: TypeDocumentPageViewed, Actor: Actor{Kind: ActorCustomer}, Data: PageViewed{Document: docID, Page: page}}, nil
}

// FillField records the customer's value of one of their fields; an empty
// value clears it. A signature or initials field takes the SHA-256 of its
// drawing, kept by the caller in the account's files once CheckValue
// passed it, as file, and no value.
func FillField(s State, docID, fieldID, value, file string) (Draft, error) {
	d, err := customerDocument(s, docID)
	if err != nil {
		return Draft{}, err
	}
	f, ok := d.field(fieldID)
	if !ok {
		return Draft{}, tandem.Coded(tandem.KindNotFound, "field_not_found", "the document has no field %q", fieldID)
	}
	if f.Role != FieldByCustomer {
		return Draft{}, tandem.Coded(tandem.KindForbidden, "agent_field", "field %q is the agent's to fill", fieldID)
	}
	data := FieldFilled{Document: docID, Field: fieldID, Signature: f.Type == FieldSignature || f.Type == FieldInitials}
	switch {
	case data.Signature && value != "":
		return Draft{}, tandem.Coded(tandem.KindInvalid, "invalid_value", "%s: a signature is a PNG data URL of at most %d KiB", f.label(), MaxSignatureBytes>>10)
	case data.Signature && file != "" && !validSHA256(file):
		return Draft{}, tandem.Coded(tandem.KindInvalid, "invalid_value", "%s: the drawing's file must be named by its SHA-256", f.label())
	case data.Signature:
		data.File = file
	case file != "":
		return Draft{}, tandem.Coded(tandem.KindInvalid, "invalid_value", "%s takes a value, not a file", f.label())
	case strings.TrimSpace(value) != "":
		if data.Value, err = CheckValue(f.Field, value); err != nil {
			return Draft{}, err
		}
	}
	return Draft{Type: TypeDocumentFieldFilled, Actor: Actor{Kind: ActorCustomer}, Data: data}, nil
}

// validSHA256 reports whether s is a SHA-256 in lower-case hex.
func validSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// CompleteDocument records the customer finishing a document whose
// completed PDF has the SHA-256 sha. Every required customer field must be
// filled (required_fields, naming those missing).
func CompleteDocument(s State, docID, sha string) (Draft, error) {
	d, err := customerDocument(s, docID)
	if err != nil {
		return Draft{}, err
	}
	if missing := d.Missing(); len(missing) > 0 {
		e := tandem.Coded(tandem.KindIncomplete, CodeRequiredFields, "fill the required fields first: %s", labels(plain(d.Fields), missing))
		e.Fields = missing
		return Draft{}, e
	}
	return Draft{Type: TypeDocumentCompleted, Actor: Actor{Kind: ActorCustomer}, Data: DocumentCompletion{Document: docID, SHA256: sha}}, nil
}

// DeclineDocument records the customer declining a document.
func DeclineDocument(s State, docID, reason string) (Draft, error) {
	if _, err := customerDocument(s, docID); err != nil {
		return Draft{}, err
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > MaxDeclineReasonLen {
		return Draft{}, tandem.Errorf(tandem.KindInvalid, "the reason has at most %d characters", MaxDeclineReasonLen)
	}
	return Draft{Type: TypeDocumentDeclined, Actor: Actor{Kind: ActorCustomer}, Data: DocumentDecline{Document: docID, Reason: reason}}, nil
}

// Missing lists the required customer fields of d not filled yet.
func (d Document) Missing() []string {
	var out []string
	for _, f := range d.Fields {
		if f.Required && f.Role == FieldByCustomer && !f.Filled {
			out = append(out, f.ID)
		}
	}
	return out
}

// Document returns the document of s with id, if any.
func (s State) Document(id string) (Document, bool) {
	for _, d := range s.Documents {
		if d.ID == id {
			return d, true
		}
	}
	return Document{}, false
}

// customerDocument is a document the customer may act on: sent, not
// finished, in a room that is not closed.
func customerDocument(s State, id string) (Document, error) {
	d, ok := s.Document(id)
	if !ok || d.Status == DocumentPending {
		return d, tandem.Coded(tandem.KindNotFound, "document_not_found", "no document %s in this room", id)
	}
	if d.Status.Final() {
		return d, tandem.Coded(tandem.KindConflict, "document_"+string(d.Status), "the document is %s and takes no more changes", d.Status)
	}
	if s.Status == StatusClosed {
		return d, tandem.Coded(tandem.KindConflict, "room_closed", "the session is closed")
	}
	return d, nil
}
