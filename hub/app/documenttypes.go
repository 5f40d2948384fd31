package app

import (
	"context"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Limits of a document type, in characters.
const (
	MaxDocumentTypeName        = 100
	MaxDocumentTypeCategory    = 60
	MaxDocumentTypeDescription = 500
	// MaxDocumentTypeSearchLen bounds a search of the catalog, in bytes.
	MaxDocumentTypeSearchLen = 100
)

// documentTypeCode is what a type's code looks like: integrators match on
// it, so it is plain lower-case ASCII.
var documentTypeCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// PresetDocumentType is one of the types every account's catalog starts
// with.
type PresetDocumentType struct {
	Code, Name, Category string
}

// PresetDocumentTypes are the types every account's catalog starts with,
// written the first time the catalog is read. An admin may rename or
// retire them like any other.
var PresetDocumentTypes = []PresetDocumentType{
	{"photo_id", "Photo ID", "Identity"},
	{"drivers_license", "Driver's license (front and back)", "Identity"},
	{"passport", "Passport", "Identity"},
	{"proof_of_address", "Proof of address", "Address"},
	{"pay_stub", "Pay stub", "Income"},
	{"bank_statement", "Bank statement", "Income"},
	{"tax_return", "Tax return", "Income"},
	{"insurance_card", "Insurance card", "Insurance"},
}

// seedDocumentTypes writes the preset types into the account's catalog,
// once per account in this instance's life. It is idempotent in the
// store (a code there already, preset or the admin's own, is passed over),
// so instances, and requests of one instance, that seed at the same time
// write each type once.
func (a *App) seedDocumentTypes(ctx context.Context, account string) error {
	if _, done := a.seeded.Load(account); done {
		return nil
	}
	now := a.now()
	ts := make([]store.DocumentType, len(PresetDocumentTypes))
	for i, p := range PresetDocumentTypes {
		ts[i] = store.DocumentType{ID: room.NewID("dt"), Account: account, Code: p.Code, Name: p.Name, Category: p.Category,
			CreatedAt: now, UpdatedAt: now}
	}
	if err := a.store.CreateDocumentTypes(ctx, account, ts, true); err != nil {
		return err
	}
	a.seeded.Store(account, struct{}{})
	return nil
}

// DocumentTypes lists the caller's catalog by category then name,
// searched in the name, code and category; retired types only with
// includeRetired. Agents only.
func (a *App) DocumentTypes(ctx context.Context, c Caller, q string, includeRetired bool) ([]store.DocumentType, error) {
	if c.User == nil {
		return nil, tandem.Errorf(tandem.KindForbidden, "only the account's agents see its document types")
	}
	if len(q) > MaxDocumentTypeSearchLen {
		return nil, tandem.Errorf(tandem.KindInvalid, "q must be at most %d bytes", MaxDocumentTypeSearchLen)
	}
	if !storable(q) {
		return nil, tandem.Errorf(tandem.KindInvalid, "q must be UTF-8 text without NUL characters")
	}
	if err := a.seedDocumentTypes(ctx, c.Account()); err != nil {
		return nil, err
	}
	return a.store.DocumentTypes(ctx, c.Account(), store.DocumentTypeQuery{Q: q, IncludeRetired: includeRetired})
}

// DocumentType is one type of account's catalog, retired or not
// (document_type_not_found if it has none such): what a document request
// names. The preset types are seeded first, so their ids resolve even in
// an account whose catalog nobody has listed yet.
func (a *App) DocumentType(ctx context.Context, account, id string) (store.DocumentType, error) {
	if err := a.seedDocumentTypes(ctx, account); err != nil {
		return store.DocumentType{}, err
	}
	return a.store.DocumentType(ctx, account, id)
}

// NewDocumentType is a type an admin adds to the catalog.
type NewDocumentType struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Category    string `json:"category"`
	Description string `json:"description"`
}

// DocumentTypePatch changes a type; nil leaves a part as it is. Code is
// refused unless it is the type's own: it never changes.
type DocumentTypePatch struct {
	Code        *string `json:"code"`
	Name        *string `json:"name"`
	Category    *string `json:"category"`
	Description *string `json:"description"`
	Retired     *bool   `json:"retired"`
}

// checkDocumentTypeWriter refuses a caller who may not change the
// catalog: only admins may.
func checkDocumentTypeWriter(c Caller) error {
	if !c.Admin() {
		return tandem.Errorf(tandem.KindForbidden, "only an admin of the account may change its document types")
	}
	return nil
}

// CreateDocumentType adds a type to the caller's catalog: admins only.
// A code the account has already is code_taken.
func (a *App) CreateDocumentType(ctx context.Context, c Caller, in NewDocumentType) (store.DocumentType, error) {
	if err := checkDocumentTypeWriter(c); err != nil {
		return store.DocumentType{}, err
	}
	code := strings.TrimSpace(in.Code)
	if !documentTypeCode.MatchString(code) {
		return store.DocumentType{}, tandem.Coded(tandem.KindInvalid, "invalid_code",
			"a code is a lower-case letter followed by up to 39 lower-case letters, digits or underscores, such as photo_id")
	}
	t := store.DocumentType{ID: room.NewID("dt"), Account: c.Account(), Code: code}
	if err := checkDocumentTypeText(&t, &in.Name, &in.Category, &in.Description); err != nil {
		return store.DocumentType{}, err
	}
	// Seeded first, so that a preset's code is taken here as it will be
	// everywhere else.
	if err := a.seedDocumentTypes(ctx, c.Account()); err != nil {
		return store.DocumentType{}, err
	}
	t.CreatedAt = a.now()
	t.UpdatedAt = t.CreatedAt
	if err := a.store.CreateDocumentTypes(ctx, c.Account(), []store.DocumentType{t}, false); err != nil {
		return store.DocumentType{}, err
	}
	return t, nil
}

// UpdateDocumentType applies patch to a type of the caller's catalog:
// admins only. Retiring hides a type from new requests; it is never
// deleted.
func (a *App) UpdateDocumentType(ctx context.Context, c Caller, id string, patch DocumentTypePatch) (store.DocumentType, error) {
	if err := checkDocumentTypeWriter(c); err != nil {
		return store.DocumentType{}, err
	}
	t, err := a.DocumentType(ctx, c.Account(), id)
	if err != nil {
		return t, err
	}
	if patch.Code != nil && *patch.Code != t.Code {
		return store.DocumentType{}, tandem.Coded(tandem.KindInvalid, "invalid_code",
			"a document type's code never changes: integrators rely on it; add a new type and retire this one instead")
	}
	if err := checkDocumentTypeText(&t, patch.Name, patch.Category, patch.Description); err != nil {
		return store.DocumentType{}, err
	}
	if patch.Retired != nil {
		t.Retired = *patch.Retired
	}
	t.UpdatedAt = a.now()
	return a.store.UpdateDocumentType(ctx, t)
}

// checkDocumentTypeText checks the name, category and description given
// (nil: left as they are) and sets them on t, trimmed.
func checkDocumentTypeText(t *store.DocumentType, name, category, description *string) error {
	var err error
	if name != nil {
		if t.Name, err = checkLabel(*name, "invalid_name", "a document type's name", MaxDocumentTypeName, true); err != nil {
			return err
		}
	}
	if category != nil {
		if t.Category, err = checkLabel(*category, "invalid_category", "a document type's category", MaxDocumentTypeCategory, true); err != nil {
			return err
		}
	}
	if description != nil {
		if t.Description, err = checkLabel(*description, "invalid_description", "a document type's description", MaxDocumentTypeDescription, false); err != nil {
			return err
		}
	}
	return nil
}

// checkLabel trims s and checks that it shows as it is written: valid
// UTF-8 of at most max characters, without control or invisible
// formatting characters (line breaks allowed in a multiline one), and not
// empty if required. The error is of KindInvalid with code.
func checkLabel(s, code, what string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	multiline := !required
	switch {
	case s == "" && required:
		return s, tandem.Coded(tandem.KindInvalid, code, "%s is required", what)
	case !utf8.ValidString(s) || utf8.RuneCountInString(s) > max:
		return s, tandem.Coded(tandem.KindInvalid, code, "%s is at most %d characters", what, max)
	case strings.IndexFunc(s, func(r rune) bool { return tandem.HiddenRune(r) && !(multiline && r == '\n') }) >= 0:
		return s, tandem.Coded(tandem.KindInvalid, code, "%s may not contain control or invisible formatting characters", what)
	}
	return s, nil
}
