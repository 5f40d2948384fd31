package room_test

import (
	"strings"
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

func TestSealDocumentOnceAfterCompletion(t *testing.T) {
	s, doc := completedDocumentRoom(t)
	d, _ := s.Document(doc)
	if !d.SealPending() {
		t.Fatalf("a completed document waits for its seal: %+v", d)
	}
	sha := strings.Repeat("ab", 32)
	draft, err := room.SealDocument(s, room.DocumentSealed{Document: doc, SHA256: sha, Size: 1234, Certificate: "CN=Seal"})
	if err != nil {
		t.Fatal(err)
	}
	s = applyDrafts(t, s, draft)
	d, _ = s.Document(doc)
	if d.Signed != sha || d.SealPending() {
		t.Fatalf("after document.sealed: %+v", d)
	}
	if _, err := room.SealDocument(s, room.DocumentSealed{Document: doc, SHA256: sha, Size: 1}); tandem.ErrorCode(err) != "already_sealed" {
		t.Fatalf("sealing twice: %v", err)
	}
	if _, err := room.SealDocument(s, room.DocumentSealed{Document: "dc_nope", SHA256: sha, Size: 1}); tandem.ErrorCode(err) != "document_not_found" {
		t.Fatalf("sealing an unknown document: %v", err)
	}
}

// completedDocumentRoom is a live room whose customer completed dc_1.
func completedDocumentRoom(t *testing.T) (room.State, string) {
	t.Helper()
	s := roomIn(t, room.ModeLive)
	ds, err := room.AddDocument(s, leaseDoc(map[string]string{"ref": "L-1"}))
	if err != nil {
		t.Fatal(err)
	}
	s = applyDrafts(t, s, ds...)
	s = applyDrafts(t, s, must(t)(room.FillField(s, "dc_1", "born", "2000-01-01", "")))
	s = applyDrafts(t, s, must(t)(room.FillField(s, "dc_1", "sign", "", sigFile)))
	before, _ := s.Document("dc_1")
	if before.SealPending() {
		t.Fatal("a document in progress does not wait for a seal")
	}
	if _, err := room.SealDocument(s, room.DocumentSealed{Document: "dc_1", SHA256: strings.Repeat("ab", 32), Size: 1}); tandem.ErrorCode(err) != "not_completed" {
		t.Fatalf("sealing before completion: %v", err)
	}
	return applyDrafts(t, s, must(t)(room.CompleteDocument(s, "dc_1", strings.Repeat("a", 64)))), "dc_1"
}
