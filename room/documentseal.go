package room

import "github.com/tandemhq/tandem"

// Sealing: once a document is completed, the hub makes its signed PDF —
// the completed pages and an audit trail, under a PDF digital signature —
// and records it with document.sealed. Until then the document reads as
// "sealing pending".

// TypeDocumentSealed records the signed PDF of a completed document.
// Data: DocumentSealed.
const TypeDocumentSealed = "document.sealed"

func init() {
	register(TypeDocumentSealed, on(func(s *State, e Event, d DocumentSealed) error {
		return s.changeDocument(d.Document, e.At, func(doc *Document) { doc.Signed = d.SHA256 })
	}))
}

// DocumentSealed is the data of document.sealed: the signed PDF's SHA-256
// and size, the subject of the certificate that sealed it, and the
// timestamp authority that timestamped the seal, if any.
type DocumentSealed struct {
	Document    string `json:"document"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	Certificate string `json:"certificate"`
	Timestamp   string `json:"timestamp_authority,omitempty"`
}

// SealPending reports whether d is completed and waits for its seal.
func (d Document) SealPending() bool { return d.Status == DocumentCompleted && d.Signed == "" }

// SealDocument records the signed PDF of a completed document: once.
func SealDocument(s State, sealed DocumentSealed) (Draft, error) {
	d, ok := s.Document(sealed.Document)
	if !ok {
		return Draft{}, tandem.Coded(tandem.KindNotFound, "document_not_found", "no document %s in this room", sealed.Document)
	}
	if d.Status != DocumentCompleted {
		return Draft{}, tandem.Coded(tandem.KindConflict, "not_completed", "document %s is not completed: only a completed document is sealed", d.ID)
	}
	if d.Signed != "" {
		return Draft{}, tandem.Coded(tandem.KindConflict, "already_sealed", "document %s is sealed already", d.ID)
	}
	if !validSHA256(sealed.SHA256) || sealed.Size <= 0 {
		return Draft{}, tandem.Errorf(tandem.KindInvalid, "a seal names its file by SHA-256 and size")
	}
	return Draft{Type: TypeDocumentSealed, Actor: System, Data: sealed}, nil
}
