package store

import (
	"context"
	"time"
)

// DocumentType is one kind of document an account asks its customers for
// (a photo ID, a pay stub…): the catalog agents pick from when they
// request documents. Code is stable for integrators and never changes; a
// type is never deleted, only retired, so requests already made keep
// pointing at something real.
type DocumentType struct {
	ID          string    `json:"id"`
	Account     string    `json:"account"`
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Category    string    `json:"category"`
	Description string    `json:"description"`
	Retired     bool      `json:"retired"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// DocumentTypeQuery filters an account's catalog.
type DocumentTypeQuery struct {
	Q              string // in the name, code or category, any case
	IncludeRetired bool   // list retired types too
}

// DocumentTypes keeps accounts' catalogs of document types.
type DocumentTypes interface {
	// DocumentTypes lists the account's types matching q, by category
	// then name.
	DocumentTypes(ctx context.Context, account string, q DocumentTypeQuery) ([]DocumentType, error)
	// DocumentType returns one type; KindNotFound (code
	// document_type_not_found) if it is not the account's.
	DocumentType(ctx context.Context, account, id string) (DocumentType, error)
	// CreateDocumentTypes adds ts to the account's catalog, all or none.
	// With seed, a type whose code the account has already is passed
	// over, so seeding twice, even at the same time, is harmless;
	// without, a code taken is KindConflict (code code_taken).
	CreateDocumentTypes(ctx context.Context, account string, ts []DocumentType, seed bool) error
	// UpdateDocumentType sets the name, category, description, retired
	// flag and update time of t (found by t.Account and t.ID; its code
	// stays) and returns it as stored; KindNotFound if there is none.
	UpdateDocumentType(ctx context.Context, t DocumentType) (DocumentType, error)
}
