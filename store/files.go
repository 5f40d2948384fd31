package store

import (
	"context"
	"time"
)

// DocumentFiles are the files a document of a room keeps in the blob store:
// its original (File), once the customer finished it the completed PDF
// (Completed), and once sealed the signed PDF (Signed). A Change records
// them with the events that add, complete and seal the document, so that
// a file is never removed while a room still points at it. Empty fields
// leave what is recorded as it is.
type DocumentFiles struct {
	Document  string // the document's id in the room
	File      string // SHA-256 of the original
	Completed string // SHA-256 of the completed PDF, once there is one
	Signed    string // SHA-256 of the signed PDF; recording it ends the sealing
	// SealDue, if not zero, makes the document wait for its seal from
	// then on (see Sealings).
	SealDue time.Time
}

// RequestFile is a file the customer uploaded for a request of a room. A
// Change records it with its request.file_uploaded, so that the file stays
// in the blob store for as long as the room tells of it — also once taken
// back or replaced by a later round: the log still names it.
type RequestFile struct {
	Request string // the request's id in the room
	File    string // the file's id in the room
	SHA256  string
}

// Files tells which content of an account's blob store is still used.
type Files interface {
	// FileInUse reports whether an asset, a room's document (as an
	// original, a completed or a signed PDF), a file uploaded for a
	// room's request or an image of the brand (its logo, a user's photo)
	// of the account keeps the content sha256, so that it is removed from
	// the blob store only when nothing does.
	FileInUse(ctx context.Context, account, sha256 string) (bool, error)
}
