package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/store"
)

// dueIn lists the due sealings of room roomID only: other tests of the
// suite run beside this one on the same database.
func (f *fixture) dueIn(t *testing.T, roomID string, now time.Time) []store.Sealing {
	t.Helper()
	all, err := f.st.DueSealings(ctx, now, 10000)
	if err != nil {
		t.Fatalf("due sealings: %v", err)
	}
	var out []store.Sealing
	for _, s := range all {
		if s.Room == roomID {
			out = append(out, s)
		}
	}
	return out
}

func testSealings(t *testing.T, open Open) {
	f := newFixture(t, open)
	shaSigned := strings.Repeat("d", 64)
	s := f.newRoom(t, t0)
	s = f.addDocument(t, s, "dc_one", shaA)
	if got := f.dueIn(t, s.ID, t0.Add(time.Hour)); len(got) != 0 {
		t.Fatalf("a document not completed waits for a seal: %+v", got)
	}

	// Completion with SealDue queues the seal.
	c := appendChange(t, s, note(s.ID, s.Seq+1, t0, `{}`))
	c.Documents = []store.DocumentFiles{{Document: "dc_one", File: shaA, Completed: shaB, SealDue: t0}}
	s = f.commit(t, c)
	if got := f.dueIn(t, s.ID, t0.Add(-time.Second)); len(got) != 0 {
		t.Fatalf("due before its time: %+v", got)
	}
	got := f.dueIn(t, s.ID, t0)
	if len(got) != 1 || got[0].Document != "dc_one" || got[0].Account != f.account || got[0].Completed != shaB || got[0].Attempts != 0 || !got[0].DueAt.Equal(stored(t0)) {
		t.Fatalf("due sealings: %+v", got)
	}

	// One claim wins; the sealing is due again when its lease ends.
	until := t0.Add(2 * time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 4 {
		wg.Go(func() {
			ok, err := f.st.ClaimSealing(ctx, s.ID, "dc_one", t0, until)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d claims won, want 1", wins)
	}
	if got := f.dueIn(t, s.ID, t0.Add(time.Minute)); len(got) != 0 {
		t.Fatalf("a claimed sealing is due during its lease: %+v", got)
	}
	next := t0.Add(5 * time.Minute)
	if err := f.st.SealingFailed(ctx, s.ID, "dc_one", next, "the timestamp authority did not answer"); err != nil {
		t.Fatal(err)
	}
	w, err := f.st.Sealing(ctx, f.account, s.ID, "dc_one")
	if err != nil || w.Attempts != 1 || w.LastError != "the timestamp authority did not answer" || !w.DueAt.Equal(stored(next)) {
		t.Fatalf("sealing after a failure: %+v, %v", w, err)
	}
	if _, err := f.st.Sealing(ctx, f.other, s.ID, "dc_one"); tandem.ErrorKind(err) != tandem.KindNotFound {
		t.Fatalf("another account reads the sealing: %v", err)
	}

	// Recording the signed PDF ends the wait and keeps the file.
	c = appendChange(t, s, note(s.ID, s.Seq+1, t0, `{}`))
	c.Documents = []store.DocumentFiles{{Document: "dc_one", File: shaA, Signed: shaSigned}}
	f.commit(t, c)
	if got := f.dueIn(t, s.ID, next.Add(time.Hour)); len(got) != 0 {
		t.Fatalf("a sealed document is still due: %+v", got)
	}
	if _, err := f.st.Sealing(ctx, f.account, s.ID, "dc_one"); tandem.ErrorKind(err) != tandem.KindNotFound {
		t.Fatalf("a sealed document still waits: %v", err)
	}
	if !f.inUse(t, f.account, shaSigned) || !f.inUse(t, f.account, shaB) || !f.inUse(t, f.account, shaA) {
		t.Error("the signed, completed and original files are not all in use")
	}
}

func testSealKey(t *testing.T, open Open) {
	st := open(t)
	if _, err := st.SealKey(ctx); tandem.ErrorKind(err) != tandem.KindNotFound {
		t.Fatalf("a new store's sealing key: %v, want not_found", err)
	}
	first, err := st.CreateSealKey(ctx, store.SealKey{Chain: []byte("chain one"), Key: []byte("key one"), CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	second, err := st.CreateSealKey(ctx, store.SealKey{Chain: []byte("chain two"), Key: []byte("key two"), CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if string(second.Chain) != string(first.Chain) || string(second.Key) != string(first.Key) {
		t.Fatalf("a second key replaced the first: %q then %q", first.Chain, second.Chain)
	}
	got, err := st.SealKey(ctx)
	if err != nil || string(got.Key) != string(first.Key) {
		t.Fatalf("read back: %+v, %v", got, err)
	}
	if _, err := st.CreateSealKey(ctx, store.SealKey{}); tandem.ErrorKind(err) != tandem.KindInvalid {
		t.Fatalf("an empty key: %v", err)
	}
}
