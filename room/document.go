package room

import (
	"fmt"
	"time"
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
		return s.changeDocument(d.Document, e.At, func(doc *Document) {
			doc.Status, doc.Completed = DocumentCompleted, d.SHA256
		})
	}))
	register(TypeDocumentDeclined, on(func(s *State, e Event, d DocumentDecline) error {
		return documentStep(DocumentDeclined)(s, e, DocumentRef{Document: d.Document})
	}))
	// A signature's drawing is never in the log (FillField's caller keeps
	// it as a file); should an old event carry one, the customer's view
	// leaves it out.
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
	// File is the SHA-256 of the original file, in the account's files;
	// Completed that of the completed PDF, once there is one; Signed that
	// of the sealed PDF with its audit trail, once it is sealed.
	File      string    `json:"file"`
	Completed string    `json:"completed,omitempty"`
	Signed    string    `json:"signed,omitempty"`
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
	// Values are the agent's fields, filled before sending; Files the
	// agent's drawings (signature, initials), by the SHA-256 of each PNG
	// in the account's files: a drawing is never in the log.
	Values map[string]string `json:"values,omitempty"`
	Files  map[string]string `json:"files,omitempty"`
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
// field is a signature or initials: the drawing is not in the log, which
// every agent's timeline reads, but in the account's files, File being
// its SHA-256. Value is "" and File too when the field was cleared.
type FieldFilled struct {
	Document  string `json:"document"`
	Field     string `json:"field"`
	Value     string `json:"value,omitempty"`
	Signature bool   `json:"signature,omitempty"`
	File      string `json:"file,omitempty"`
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

func applyDocumentAdded(s *State, e Event, d DocumentAdded) error {
	fields := make([]DocumentField, len(d.Fields))
	for i, f := range d.Fields {
		_, drawn := d.Files[f.ID]
		fields[i] = DocumentField{Field: f, Filled: drawn || f.answered(d.Values[f.ID])}
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
				fields[i].Filled = d.File != "" || fields[i].answered(d.Value)
			}
		}
		doc.Fields = fields
		if doc.Status != DocumentPending {
			doc.Status = DocumentInProgress
		}
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
