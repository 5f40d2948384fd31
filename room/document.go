package room

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tandemhq/tandem"
)

// Documents in a room: a PDF (from the asset library or attached) with
// fields, sent to the customer, who opens it, fills and signs it, and
// finishes or declines it. The log keeps every value filled; the state
// keeps where each document stands and which fields are filled.
const (
	// TypeDocumentAdded puts a document in the room. Its data is
	// DocumentAdded.
	TypeDocumentAdded = "document.added"
	// TypeDocumentSent makes a document reach the customer: at once in a
	// live room, with Invite client in a pre-planned one. Data: DocumentRef.
	TypeDocumentSent = "document.sent"
	// TypeDocumentOpened records the customer opening it. Data: DocumentRef.
	TypeDocumentOpened = "document.opened"
	// TypeDocumentPageViewed records a page the customer looked at. Data:
	// PageViewed.
	TypeDocumentPageViewed = "document.page_viewed"
	// TypeDocumentFieldFilled records a field filled. Data: FieldFilled.
	TypeDocumentFieldFilled = "document.field_filled"
	// TypeDocumentCompleted records the customer finishing it. Data:
	// DocumentCompletion.
	TypeDocumentCompleted = "document.completed"
	// TypeDocumentDeclined records the customer declining it. Data:
	// DocumentDecline.
	TypeDocumentDeclined = "document.declined"
)

func init() {
	register(TypeDocumentAdded, on(applyDocumentAdded))
	register(TypeDocumentSent, on(documentStep(DocumentSent)))
	register(TypeDocumentOpened, on(documentStep(DocumentOpened)))
	register(TypeDocumentPageViewed, on(applyPageViewed))
	register(TypeDocumentFieldFilled, on(applyFieldFilled))
	register(TypeDocumentCompleted, on(func(s *State, e Event, d DocumentCompletion) error {
		return documentStep(DocumentCompleted)(s, e, DocumentRef{Document: d.Document})
	}))
	register(TypeDocumentDeclined, on(func(s *State, e Event, d DocumentDecline) error {
		return documentStep(DocumentDeclined)(s, e, DocumentRef{Document: d.Document})
	}))
	// The timeline never shows a signature: the customer's view of a
	// filled signature or initials carries no value either.
	registerView(TypeDocumentFieldFilled, hide(func(d *FieldFilled) {
		if d.Signature {
			d.Value = ""
		}
	}))
}

// DocumentStatus is where a document stands.
type DocumentStatus string

// The statuses of a document, in the order they come.
const (
	DocumentPending    DocumentStatus = "pending" // pre-planned, waiting for Invite client
	DocumentSent       DocumentStatus = "sent"
	DocumentOpened     DocumentStatus = "opened"
	DocumentInProgress DocumentStatus = "in_progress" // a field was filled
	DocumentCompleted  DocumentStatus = "completed"
	DocumentDeclined   DocumentStatus = "declined"
)

// Final reports whether a document in status d takes no more changes.
func (d DocumentStatus) Final() bool { return d == DocumentCompleted || d == DocumentDeclined }

// DocumentField is a field of a document as the state shows it.
type DocumentField struct {
	Field
	Filled bool `json:"filled"`
}

// Document is a document of a room.
type Document struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Status      DocumentStatus  `json:"status"`
	Pages       int             `json:"pages"`
	ContentType string          `json:"content_type"`
	Fields      []DocumentField `json:"fields"`
	// File is the SHA-256 of the original file, in the account's files.
	File      string    `json:"file"`
	AddedAt   time.Time `json:"added_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DocumentAdded is the data of document.added.
type DocumentAdded struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Asset       string  `json:"asset,omitempty"` // the asset it came from, if any
	File        string  `json:"file"`
	ContentType string  `json:"content_type"`
	Pages       int     `json:"pages"`
	Fields      []Field `json:"fields"`
	// Values are the agent's fields, filled before sending.
	Values map[string]string `json:"values,omitempty"`
}

// DocumentRef is the data of events about one document.
type DocumentRef struct {
	Document string `json:"document"`
}

// PageViewed is the data of document.page_viewed.
type PageViewed struct {
	Document string `json:"document"`
	Page     int    `json:"page"`
}

// FieldFilled is the data of document.field_filled. Signature says the
// value is a signature or initials (a PNG data URL), which views leave out.
type FieldFilled struct {
	Document  string `json:"document"`
	Field     string `json:"field"`
	Value     string `json:"value,omitempty"`
	Signature bool   `json:"signature,omitempty"`
}

// DocumentCompletion is the data of document.completed: the SHA-256 of
// the completed PDF.
type DocumentCompletion struct {
	Document string `json:"document"`
	SHA256   string `json:"sha256"`
}

// DocumentDecline is the data of document.declined.
type DocumentDecline struct {
	Document string `json:"document"`
	Reason   string `json:"reason,omitempty"`
}

// Limits of what a document carries.
const (
	MaxDocumentsPerRoom = 100
	MaxTextValueLen     = 2000      // characters of a text field's value
	MaxSignatureBytes   = 256 << 10 // a signature's PNG data URL
	MaxDeclineReasonLen = 500
)

// CodeRequiredFields is the error of a document whose required fields are
// not all filled; the error's Fields name them.
const CodeRequiredFields = "required_fields"

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
	values := map[string]string{}
	var missing []string
	for _, f := range fields {
		v, given := d.Values[f.ID]
		if f.Role != FieldByAgent {
			if given {
				return nil, tandem.Errorf(tandem.KindInvalid, "field %s is the customer's to fill", f.ID)
			}
			continue
		}
		if strings.TrimSpace(v) == "" {
			if f.Required {
				missing = append(missing, f.ID)
			}
			continue
		}
		if v, err = CheckValue(f, v); err != nil {
			return nil, err
		}
		values[f.ID] = v
	}
	for id := range d.Values {
		if !hasField(fields, id) {
			return nil, tandem.Errorf(tandem.KindInvalid, "the document has no field %q", id)
		}
	}
	if len(missing) > 0 {
		e := tandem.Coded(tandem.KindInvalid, CodeRequiredFields, "fill the required fields first: %s", labels(fields, missing))
		e.Fields = missing
		return nil, e
	}
	drafts := []Draft{{Type: TypeDocumentAdded, Actor: d.Agent, Data: DocumentAdded{
		ID: d.ID, Name: name, Asset: d.Asset, File: d.File, ContentType: d.ContentType, Pages: d.Pages, Fields: fields, Values: values,
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

// FillField records the customer's value of one of their fields.
func FillField(s State, docID, fieldID, value string) (Draft, error) {
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
	v, err := CheckValue(f.Field, value)
	if err != nil {
		return Draft{}, err
	}
	sig := f.Type == FieldSignature || f.Type == FieldInitials
	return Draft{Type: TypeDocumentFieldFilled, Actor: Actor{Kind: ActorCustomer}, Data: FieldFilled{Document: docID, Field: fieldID, Value: v, Signature: sig}}, nil
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
		e := tandem.Coded(tandem.KindInvalid, CodeRequiredFields, "fill the required fields first: %s", labels(plain(d.Fields), missing))
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

func applyDocumentAdded(s *State, e Event, d DocumentAdded) error {
	fields := make([]DocumentField, len(d.Fields))
	for i, f := range d.Fields {
		_, filled := d.Values[f.ID]
		fields[i] = DocumentField{Field: f, Filled: filled}
	}
	doc := Document{ID: d.ID, Name: d.Name, Status: DocumentPending, Pages: d.Pages, ContentType: d.ContentType, Fields: fields, File: d.File, AddedAt: e.At, UpdatedAt: e.At}
	s.Documents = append(append([]Document(nil), s.Documents...), doc)
	return nil
}

// documentStep returns the applier that moves a document to status to.
func documentStep(to DocumentStatus) func(s *State, e Event, d DocumentRef) error {
	return func(s *State, e Event, d DocumentRef) error {
		return s.changeDocument(d.Document, e.At, func(doc *Document) { doc.Status = to })
	}
}

func applyPageViewed(s *State, e Event, d PageViewed) error {
	return s.changeDocument(d.Document, e.At, func(doc *Document) {
		if doc.Status == DocumentSent {
			doc.Status = DocumentOpened
		}
	})
}

func applyFieldFilled(s *State, e Event, d FieldFilled) error {
	return s.changeDocument(d.Document, e.At, func(doc *Document) {
		fields := append([]DocumentField(nil), doc.Fields...)
		for i := range fields {
			if fields[i].ID == d.Field {
				fields[i].Filled = d.Value != ""
			}
		}
		doc.Fields = fields
		doc.Status = DocumentInProgress
	})
}

// changeDocument changes the document id of s through a copy, so that
// earlier states keep theirs.
func (s *State) changeDocument(id string, at time.Time, change func(*Document)) error {
	docs := append([]Document(nil), s.Documents...)
	for i := range docs {
		if docs[i].ID == id {
			change(&docs[i])
			docs[i].UpdatedAt = at
			s.Documents = docs
			return nil
		}
	}
	return fmt.Errorf("no document %q", id)
}
