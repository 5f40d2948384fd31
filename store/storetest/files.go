package storetest

import (
	"strings"
	"testing"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// addDocument commits a document.added of a one-page PDF whose content is
// sha to the room in state s, recording its file, and returns the state.
func (f *fixture) addDocument(t *testing.T, s room.State, docID, sha string) room.State {
	t.Helper()
	ds, err := room.AddDocument(s, room.NewDocument{Agent: f.actor(), ID: docID, Name: "Credit application", File: sha, ContentType: "application/pdf", Pages: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := appendChange(t, s, seal(t, s.ID, s.Seq, t0, ds...)...)
	c.Documents = []store.DocumentFiles{{Document: docID, File: sha}}
	return f.commit(t, c)
}

func (f *fixture) inUse(t *testing.T, account, sha string) bool {
	t.Helper()
	used, err := f.st.FileInUse(ctx, account, sha)
	if err != nil {
		t.Fatalf("file in use: %v", err)
	}
	return used
}

func testDocumentFiles(t *testing.T, open Open) {
	f := newFixture(t, open)
	shaC := strings.Repeat("c", 64)
	s := f.newRoom(t, t0)
	if f.inUse(t, f.account, shaA) {
		t.Fatal("a file nothing keeps is in use")
	}
	s = f.addDocument(t, s, "dc_one", shaA)
	if !f.inUse(t, f.account, shaA) {
		t.Error("a document's original is not in use")
	}
	if f.inUse(t, f.other, shaA) {
		t.Error("another account's document keeps a file of this account")
	}

	// Completing records the completed PDF and keeps the original. (The
	// store writes what it is given: a note stands for the events.)
	prev := s
	c := appendChange(t, s, note(s.ID, s.Seq+1, t0, `{}`))
	c.Documents = []store.DocumentFiles{{Document: "dc_one", File: shaA, Completed: shaB}}
	s = f.commit(t, c)
	if !f.inUse(t, f.account, shaB) || !f.inUse(t, f.account, shaA) {
		t.Error("after completion, want the original and the completed PDF in use")
	}

	// A change refused leaves no file recorded.
	stale := appendChange(t, prev, note(prev.ID, prev.Seq+1, t0, `{}`))
	stale.Documents = []store.DocumentFiles{{Document: "dc_two", File: shaC}}
	if err := commit(f.st, stale); !isConflict(err, "seq_conflict") {
		t.Fatalf("a stale change: %v, want seq_conflict", err)
	}
	if f.inUse(t, f.account, shaC) {
		t.Error("a refused change recorded its document's file")
	}

	// An asset and a document may share content: deleting the asset
	// leaves it in use.
	a := newAsset(t, f.st, f.account, "Credit application", "", shaA)
	if _, err := f.st.DeleteAsset(ctx, f.account, a.ID); err != nil {
		t.Fatal(err)
	}
	if !f.inUse(t, f.account, shaA) {
		t.Error("the document's file is no longer in use once the asset that shared it is deleted")
	}
}

// Files uploaded for a room's request stay in use with the room, for its
// account only.
func testRequestFiles(t *testing.T, open Open) {
	f := newFixture(t, open)
	s := f.newRoom(t, t0)
	if f.inUse(t, f.account, shaB) {
		t.Fatal("a file nothing keeps is in use")
	}
	c := appendChange(t, s, note(s.ID, s.Seq+1, t0, `{}`))
	c.RequestFiles = []store.RequestFile{{Request: "rq_one", File: "fl_one", SHA256: shaB}}
	prev := s
	f.commit(t, c)
	if !f.inUse(t, f.account, shaB) {
		t.Error("a request's file is not in use")
	}
	if f.inUse(t, f.other, shaB) {
		t.Error("another account's request keeps a file of this account")
	}
	// A change refused leaves no file recorded.
	shaC := strings.Repeat("c", 64)
	stale := appendChange(t, prev, note(prev.ID, prev.Seq+1, t0, `{}`))
	stale.RequestFiles = []store.RequestFile{{Request: "rq_one", File: "fl_two", SHA256: shaC}}
	if err := commit(f.st, stale); !isConflict(err, "seq_conflict") {
		t.Fatalf("a stale change: %v, want seq_conflict", err)
	}
	if f.inUse(t, f.account, shaC) {
		t.Error("a refused change recorded its request's file")
	}
}
