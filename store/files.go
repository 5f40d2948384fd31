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

// Files tells which content of an account's blob store is still used.
type Files interface {
	// FileInUse reports whether an asset or a room's document of the
	// account keeps the content sha256 (as an original, a completed or a
	// signed PDF), so that it is removed from the blob store only when nothing
	// does.
	FileInUse(ctx context.Context, account, sha256 string) (bool, error)
}
