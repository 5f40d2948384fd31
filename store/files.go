package store

import "context"

// DocumentFiles are the files a document of a room keeps in the blob store:
// its original (File) and, once the customer finished it, the completed
// PDF (Completed). A Change records them with the events that add and
// complete the document, so that a file is never removed while a room
// still points at it.
type DocumentFiles struct {
	Document  string // the document's id in the room
	File      string // SHA-256 of the original
	Completed string // SHA-256 of the completed PDF, once there is one
}

// Files tells which content of an account's blob store is still used.
type Files interface {
	// FileInUse reports whether an asset or a room's document of the
	// account keeps the content sha256 (as an original or a completed
	// PDF), so that it is removed from the blob store only when nothing
	// does.
	FileInUse(ctx context.Context, account, sha256 string) (bool, error)
}
