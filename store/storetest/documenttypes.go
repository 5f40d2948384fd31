package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// docType is a document type of account, as the store gives it back
// after a create at t0.
func docType(account, code, name, category string) store.DocumentType {
	return store.DocumentType{ID: room.NewID("dt"), Account: account, Code: code, Name: name, Category: category,
		Description: "about " + name, CreatedAt: stored(t0), UpdatedAt: stored(t0)}
}

func docTypeCodes(ts []store.DocumentType) string {
	codes := make([]string, len(ts))
	for i, t := range ts {
		codes[i] = t.Code
	}
	return strings.Join(codes, ",")
}

func listDocTypes(t *testing.T, st store.Store, account string, q store.DocumentTypeQuery) string {
	t.Helper()
	ts, err := st.DocumentTypes(ctx, account, q)
	if err != nil {
		t.Fatalf("document types %+v: %v", q, err)
	}
	return docTypeCodes(ts)
}

func testDocumentTypes(t *testing.T, open Open) {
	f := newFixture(t, open)
	st := f.st
	photo := docType(f.account, "photo_id", "Photo ID", "Identity")
	photo.CreatedAt = t0.In(elsewhere) // written in another zone, read back in UTC
	types := []store.DocumentType{
		photo,
		docType(f.account, "pay_stub", "Pay stub", "Income"),
		docType(f.account, "bank_statement", "bank statement", "income"),
		docType(f.account, "w2_100", "W-2 (100%)", "Tax"),
		docType(f.account, "passport", "Passport", "Identity"),
	}
	if err := st.CreateDocumentTypes(ctx, f.account, types, false); err != nil {
		t.Fatal(err)
	}
	photo.CreatedAt = stored(t0)
	got, err := st.DocumentType(ctx, f.account, photo.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "document type", got, photo)

	for _, tc := range []struct {
		q    string
		want string
	}{
		{"", "passport,photo_id,bank_statement,pay_stub,w2_100"}, // by category, then name, in any case
		{"PHOTO", "photo_id"},
		{"  pass ", "passport"},
		{"income", "bank_statement,pay_stub"}, // the category
		{"_stub", "pay_stub"},                 // the code
		{"y_", "pay_stub"},                    // "_" is not a wildcard
		{"%", "w2_100"},                       // nor is "%"
		{"0%", "w2_100"},
		{"a%", ""},
		{"zzz", ""},
	} {
		if codes := listDocTypes(t, st, f.account, store.DocumentTypeQuery{Q: tc.q}); codes != tc.want {
			t.Errorf("document types %q: %q, want %q", tc.q, codes, tc.want)
		}
	}
	if _, err := st.DocumentType(ctx, f.account, room.NewID("dt")); tandem.ErrorCode(err) != "document_type_not_found" {
		t.Errorf("an unknown document type: %v, want document_type_not_found", err)
	}
}

func testDocumentTypesCodeTaken(t *testing.T, open Open) {
	f := newFixture(t, open)
	st := f.st
	if err := st.CreateDocumentTypes(ctx, f.account, []store.DocumentType{docType(f.account, "photo_id", "Photo ID", "Identity")}, false); err != nil {
		t.Fatal(err)
	}
	// A batch with a code taken is refused whole.
	batch := []store.DocumentType{docType(f.account, "passport", "Passport", "Identity"), docType(f.account, "photo_id", "Another photo ID", "Identity")}
	err := st.CreateDocumentTypes(ctx, f.account, batch, false)
	if !tandem.IsKind(err, tandem.KindConflict) || tandem.ErrorCode(err) != "code_taken" {
		t.Fatalf("a code taken: %v, want a conflict code_taken", err)
	}
	if codes := listDocTypes(t, st, f.account, store.DocumentTypeQuery{}); codes != "photo_id" {
		t.Errorf("after a refused batch: %q, want photo_id alone", codes)
	}
	// Another account may use the same code.
	if err := st.CreateDocumentTypes(ctx, f.other, []store.DocumentType{docType(f.other, "photo_id", "Photo ID", "Identity")}, false); err != nil {
		t.Errorf("the same code in another account: %v", err)
	}
}

func testDocumentTypesSeed(t *testing.T, open Open) {
	f := newFixture(t, open)
	st := f.st
	mine := docType(f.account, "photo_id", "Our own photo ID", "Identity")
	if err := st.CreateDocumentTypes(ctx, f.account, []store.DocumentType{mine}, false); err != nil {
		t.Fatal(err)
	}
	seed := func() []store.DocumentType {
		return []store.DocumentType{docType(f.account, "photo_id", "Photo ID", "Identity"), docType(f.account, "passport", "Passport", "Identity")}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- st.CreateDocumentTypes(ctx, f.account, seed(), true)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("seeding at the same time: %v", err)
		}
	}
	ts, err := st.DocumentTypes(ctx, f.account, store.DocumentTypeQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if codes := docTypeCodes(ts); codes != "photo_id,passport" {
		t.Fatalf("after seeding four times: %q, want photo_id (ours) and passport once each", codes)
	}
	wantEqual(t, "a type seeded over", ts[0], mine)
}

func testDocumentTypesRetired(t *testing.T, open Open) {
	f := newFixture(t, open)
	st := f.st
	a, b := docType(f.account, "photo_id", "Photo ID", "Identity"), docType(f.account, "passport", "Passport", "Identity")
	b.Retired = true
	if err := st.CreateDocumentTypes(ctx, f.account, []store.DocumentType{a, b}, false); err != nil {
		t.Fatal(err)
	}
	if codes := listDocTypes(t, st, f.account, store.DocumentTypeQuery{}); codes != "photo_id" {
		t.Errorf("active types: %q, want photo_id", codes)
	}
	if codes := listDocTypes(t, st, f.account, store.DocumentTypeQuery{Q: "pass"}); codes != "" {
		t.Errorf("searching a retired type: %q, want none", codes)
	}
	if codes := listDocTypes(t, st, f.account, store.DocumentTypeQuery{IncludeRetired: true}); codes != "passport,photo_id" {
		t.Errorf("all types: %q, want passport,photo_id", codes)
	}
	got, err := st.DocumentType(ctx, f.account, b.ID)
	if err != nil {
		t.Fatalf("a retired type read alone: %v", err)
	}
	wantEqual(t, "a retired type", got, b)
}

func testDocumentTypesUpdate(t *testing.T, open Open) {
	f := newFixture(t, open)
	st := f.st
	a := docType(f.account, "photo_id", "Photo ID", "Identity")
	if err := st.CreateDocumentTypes(ctx, f.account, []store.DocumentType{a}, false); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(time.Hour)
	want := a
	want.Name, want.Category, want.Description, want.Retired, want.UpdatedAt = "Government ID", "Papers", "", true, stored(later)
	change := want
	change.Code, change.CreatedAt, change.UpdatedAt = "changed", later, later.In(elsewhere) // the code and creation time stay
	got, err := st.UpdateDocumentType(ctx, change)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "updated", got, want)
	if codes := listDocTypes(t, st, f.account, store.DocumentTypeQuery{Q: "government", IncludeRetired: true}); codes != "photo_id" {
		t.Errorf("searching the new name: %q, want photo_id", codes)
	}
	if codes := listDocTypes(t, st, f.account, store.DocumentTypeQuery{Q: "papers", IncludeRetired: true}); codes != "photo_id" {
		t.Errorf("searching the new category: %q, want photo_id", codes)
	}
	want.Retired, want.UpdatedAt = false, stored(later.Add(time.Minute))
	change = want
	if got, err = st.UpdateDocumentType(ctx, change); err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "restored", got, want)

	missing := want
	missing.ID = room.NewID("dt")
	if _, err := st.UpdateDocumentType(ctx, missing); tandem.ErrorCode(err) != "document_type_not_found" {
		t.Errorf("updating an unknown type: %v, want document_type_not_found", err)
	}
}

func testDocumentTypesScoped(t *testing.T, open Open) {
	f := newFixture(t, open)
	st := f.st
	theirs := docType(f.other, "photo_id", "Photo ID", "Identity")
	if err := st.CreateDocumentTypes(ctx, f.other, []store.DocumentType{theirs}, false); err != nil {
		t.Fatal(err)
	}
	if codes := listDocTypes(t, st, f.account, store.DocumentTypeQuery{IncludeRetired: true}); codes != "" {
		t.Errorf("another account's types show through: %q", codes)
	}
	if _, err := st.DocumentType(ctx, f.account, theirs.ID); tandem.ErrorCode(err) != "document_type_not_found" {
		t.Errorf("reading another account's type: %v, want document_type_not_found", err)
	}
	change := theirs
	change.Account, change.Name = f.account, "Taken over"
	if _, err := st.UpdateDocumentType(ctx, change); tandem.ErrorCode(err) != "document_type_not_found" {
		t.Errorf("updating another account's type: %v, want document_type_not_found", err)
	}
	// A type is written in the account it is created for, whatever its
	// Account says.
	stray := docType(f.other, "passport", "Passport", "Identity")
	if err := st.CreateDocumentTypes(ctx, f.account, []store.DocumentType{stray}, false); err != nil {
		t.Fatal(err)
	}
	if codes := listDocTypes(t, st, f.other, store.DocumentTypeQuery{}); codes != "photo_id" {
		t.Errorf("the other account's types: %q, want photo_id alone", codes)
	}
	got, err := st.DocumentType(ctx, f.other, theirs.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "another account's type, after the attempts", got, theirs)
}
