package store

import (
	"context"
	"time"
)

// Sealing is a completed document waiting for its seal (its signed PDF
// with the audit trail). Instances take turns: each claims a sealing for
// a while before working on it, and a sealing that failed, or whose
// instance died, is due again later.
type Sealing struct {
	Account   string
	Room      string
	Document  string
	Completed string    // SHA-256 of the completed PDF
	Attempts  int       // claims so far
	LastError string    // why the last attempt failed, in words
	DueAt     time.Time // when it may next be tried
}

// SealKey is the hub's own sealing certificate and key, made on first
// start and shared by every instance: the certificate chain (signing
// certificate first) and the private key, both PEM.
type SealKey struct {
	Chain     []byte
	Key       []byte
	CreatedAt time.Time
}

// Sealings keeps the sealing queue and the hub's sealing key.
type Sealings interface {
	// DueSealings lists up to limit documents, of every account, whose
	// seal is due at now, the longest due first.
	DueSealings(ctx context.Context, now time.Time, limit int) ([]Sealing, error)
	// ClaimSealing makes the seal of a document due at until instead if
	// it is due at now, counting an attempt; it reports whether it did (an
	// instance that claimed it first makes it false).
	ClaimSealing(ctx context.Context, roomID, document string, now, until time.Time) (bool, error)
	// SealingFailed records why an attempt failed, and when to try again.
	SealingFailed(ctx context.Context, roomID, document string, next time.Time, reason string) error
	// Sealing returns the sealing of one document of the account; a
	// *tandem.Error of kind not_found when the document does not wait for
	// a seal.
	Sealing(ctx context.Context, account, roomID, document string) (Sealing, error)

	// SealKey returns the hub's sealing key; not_found before one is made.
	SealKey(ctx context.Context) (SealKey, error)
	// CreateSealKey keeps k as the hub's sealing key unless there is one
	// already, and returns the one kept: instances that start together
	// all end up with the first one written.
	CreateSealKey(ctx context.Context, k SealKey) (SealKey, error)
}
