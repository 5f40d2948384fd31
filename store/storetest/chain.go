package storetest

import (
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// OpenWithDB returns a new, empty store and a connection to its database
// behind its back, both closed when tb ends: the chain tests play a
// database that loses, reorders or edits events through it. Statements
// use $N placeholders, which both databases accept.
type OpenWithDB func(tb testing.TB) (store.Store, *sql.DB)

// RunChain runs the tests of the rooms' hash chains (room/chain.go)
// against the stores open makes: events keep their origin and hash, a
// long chained log reads back whole, and a log changed behind the store's
// back is caught at the right seq.
func RunChain(t *testing.T, open OpenWithDB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open OpenWithDB)
	}{
		{"OriginAndHash", testOriginAndHash},
		{"ChainLong", testChainLong},
		{"ChainRewrite", testChainRewrite},
		{"AllRooms", testAllRooms},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open)
		})
	}
}

// chainFixture is a fixture with the connection behind its store.
type chainFixture struct {
	*fixture
	db *sql.DB
}

func newChainFixture(t *testing.T, open OpenWithDB) *chainFixture {
	t.Helper()
	var db *sql.DB
	f := newFixture(t, func(tb testing.TB) store.Store {
		st, raw := open(tb)
		db = raw
		return st
	})
	return &chainFixture{fixture: f, db: db}
}

// exec runs query on the database behind the store.
func (f *chainFixture) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if _, err := f.db.ExecContext(ctx, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// newChainedRoom creates a room whose log is chained from its first event.
func (f *chainFixture) newChainedRoom(t *testing.T) room.State {
	t.Helper()
	evs := normal(f.createdEvents(t, room.NewID("rm"), t0, f.actor()))
	room.Chain("", evs)
	return f.commit(t, createChange(t, f.account, evs))
}

// appendChained appends n notes to s in commits of batch events, chained,
// every third from the customer with an origin, and returns the state.
func (f *chainFixture) appendChained(t *testing.T, s room.State, n, batch int) room.State {
	t.Helper()
	for done := 0; done < n; done += batch {
		evs := make([]room.Event, 0, batch)
		for i := done; i < min(done+batch, n); i++ {
			e := note(s.ID, s.Seq+int64(len(evs))+1, stored(t0.Add(time.Duration(i)*time.Millisecond)), fmt.Sprintf(`{"i": %d, "text": "<b>é</b>"}`, i))
			if i%3 == 0 {
				e.Actor = room.Actor{Kind: room.ActorCustomer, Name: "Sam"}
				e.Origin = &room.Origin{IP: fmt.Sprintf("203.0.113.%d", i%250), UserAgent: "Mozilla/5.0 (iPhone) \"quoted\""}
			}
			evs = append(evs, e)
		}
		room.Chain(s.Hash, evs)
		s = f.commit(t, appendChange(t, s, evs...))
	}
	return s
}

// verify reads the whole log of s's room and checks its chain and head.
func (f *chainFixture) verify(t *testing.T, id string) (room.ChainReport, error) {
	t.Helper()
	r, err := room.VerifyChain(f.events(t, f.account, id))
	if err != nil {
		return r, err
	}
	return r, room.CheckHead(f.room(t, id), r)
}

// wantChainError fails t unless err is a *room.ChainError at seq with
// problem.
func wantChainError(t *testing.T, err error, seq int64, problem room.ChainProblem) {
	t.Helper()
	var ce *room.ChainError
	if !errors.As(err, &ce) || ce.Seq != seq || ce.Problem != problem {
		t.Fatalf("error %v, want a chain error at seq %d (%s)", err, seq, problem)
	}
}

// testOriginAndHash: an event's origin and hash come back as written; an
// event without them (the system's, or written before chaining) has none.
func testOriginAndHash(t *testing.T, open OpenWithDB) {
	f := newChainFixture(t, open)
	s := f.newChainedRoom(t)
	at := stored(t0.Add(time.Minute))
	evs := []room.Event{
		note(s.ID, 2, at, `{"a": 1}`),
		note(s.ID, 3, at, `{}`),
		note(s.ID, 4, at, `{}`),
	}
	evs[0].Actor = room.Actor{Kind: room.ActorCustomer, Name: "Sam"}
	evs[0].Origin = &room.Origin{IP: "2001:db8::7", UserAgent: "Mozilla/5.0 (X11; Linux) ✓ \"q\" <x>"}
	evs[1].Actor = f.actor()
	evs[1].Origin = &room.Origin{IP: "198.51.100.4"}
	room.Chain(s.Hash, evs)
	s = f.commit(t, appendChange(t, s, evs...))
	got := f.events(t, f.account, s.ID)
	wantEqual(t, "events with origins and hashes", got[1:], normal(evs))
	if got[3].Origin != nil {
		t.Fatalf("an event without an origin reads back with %+v", got[3].Origin)
	}
	if s := f.room(t, s.ID); s.Hash != evs[2].Hash {
		t.Fatalf("the room's head %q, want %q", s.Hash, evs[2].Hash)
	}
	if _, err := f.verify(t, s.ID); err != nil {
		t.Fatal(err)
	}
	var origin, hash string
	if err := f.db.QueryRowContext(ctx, `SELECT origin, hash FROM events WHERE room_id = $1 AND seq = 4`, s.ID).Scan(&origin, &hash); err != nil {
		t.Fatal(err)
	}
	if origin != "" || hash != evs[2].Hash {
		t.Fatalf("the columns of an event without origin: %q, %q", origin, hash)
	}
}

// testChainLong writes a few thousand chained events in batches, reads
// them back whole, then changes the log behind the store's back: each
// change is caught at its seq. The changes pile up from the end of the
// log, so that each is the first thing wrong when it is made.
func testChainLong(t *testing.T, open OpenWithDB) {
	f := newChainFixture(t, open)
	const n = 3000
	s := f.appendChained(t, f.newChainedRoom(t), n, 250)
	if s.Seq != n+1 {
		t.Fatalf("head at %d, want %d", s.Seq, n+1)
	}
	r, err := f.verify(t, s.ID)
	if err != nil {
		t.Fatalf("the log as written: %v", err)
	}
	if r.Events != n+1 || r.Unchained != 0 || r.Head != s.Hash {
		t.Fatalf("report %+v, head %s", r, s.Hash)
	}

	// The last event lost: no gap, but the head counts it.
	f.exec(t, `DELETE FROM events WHERE room_id = $1 AND seq = $2`, s.ID, n+1)
	_, err = f.verify(t, s.ID)
	wantChainError(t, err, n+1, room.ChainMissing)

	// Two events swapped.
	f.exec(t, `UPDATE events SET seq = -1 WHERE room_id = $1 AND seq = 2500`, s.ID)
	f.exec(t, `UPDATE events SET seq = 2500 WHERE room_id = $1 AND seq = 2501`, s.ID)
	f.exec(t, `UPDATE events SET seq = 2501 WHERE room_id = $1 AND seq = -1`, s.ID)
	_, err = f.verify(t, s.ID)
	wantChainError(t, err, 2500, room.ChainOutOfOrder)

	// One deleted.
	f.exec(t, `DELETE FROM events WHERE room_id = $1 AND seq = 1500`, s.ID)
	_, err = f.verify(t, s.ID)
	wantChainError(t, err, 1500, room.ChainMissing)

	// One's data edited.
	f.exec(t, `UPDATE events SET data = $1 WHERE room_id = $2 AND seq = 700`, `{"i": 698, "text": "changed"}`, s.ID)
	_, err = f.verify(t, s.ID)
	wantChainError(t, err, 700, room.ChainChanged)

	// One's origin edited.
	f.exec(t, `UPDATE events SET origin = $1 WHERE room_id = $2 AND seq = 5`, `{"ip":"192.0.2.1"}`, s.ID)
	_, err = f.verify(t, s.ID)
	wantChainError(t, err, 5, room.ChainChanged)
}

// testChainRewrite: an erasure's rewrite writes the log chained again,
// and the log checks after it.
func testChainRewrite(t *testing.T, open OpenWithDB) {
	f := newChainFixture(t, open)
	s := f.appendChained(t, f.newChainedRoom(t), 10, 4)
	before := f.events(t, f.account, s.ID)
	c := eraseChange(t, f.st, f.account, s, f.actor(), stored(t0.Add(time.Hour)))
	room.Chain("", c.Rewrite)
	room.Chain(c.Rewrite[len(c.Rewrite)-1].Hash, c.Events)
	c.State = apply(t, fold(t, c.Rewrite), c.Events)
	f.commit(t, c)
	after := f.events(t, f.account, s.ID)
	wantEqual(t, "the rewritten log", after[:len(before)], c.Rewrite)
	r, err := f.verify(t, s.ID)
	if err != nil {
		t.Fatalf("after the rewrite: %v", err)
	}
	if len(r.Rewrites) != 1 || r.Rewrites[0].Seq != s.Seq+1 || r.Rewrites[0].PreviousHead != s.Hash {
		t.Fatalf("rewrites %+v, want one at %d from %s", r.Rewrites, s.Seq+1, s.Hash)
	}
	if before[1].Hash == after[1].Hash {
		t.Fatal("the rewrite kept the hash of a masked event")
	}
}

// testAllRooms lists every room of every account, page by page, and finds
// a room by id alone.
func testAllRooms(t *testing.T, open OpenWithDB) {
	f := newChainFixture(t, open)
	want := map[string]string{}
	for range 5 {
		s := f.newRoom(t, t0)
		want[s.ID] = f.account
	}
	for range 3 {
		s := f.commit(t, createChange(t, f.other, createdEventsIn(t, f.other, room.NewID("rm"), t0, f.otherAgent(t))))
		want[s.ID] = f.other
	}
	got := map[string]string{}
	after := ""
	for pages := 0; ; pages++ {
		page, err := f.st.AllRooms(ctx, after, 3)
		if err != nil {
			t.Fatalf("all rooms after %q: %v", after, err)
		}
		if len(page) > 3 {
			t.Fatalf("a page of %d rooms, asked for 3", len(page))
		}
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			if r.ID <= after {
				t.Fatalf("room %s listed after %s", r.ID, after)
			}
			got[r.ID] = r.Account
			after = r.ID
		}
		if pages > 10 {
			t.Fatal("the listing does not end")
		}
	}
	wantEqual(t, "every room", got, want)
	for id, account := range want {
		ref, err := f.st.FindRoom(ctx, id)
		if err != nil || ref != (store.RoomRef{Account: account, ID: id}) {
			t.Fatalf("find room %s: %+v, %v", id, ref, err)
		}
	}
	_, err := f.st.FindRoom(ctx, "rm_nothere")
	wantErr(t, err, tandem.KindNotFound, tandem.CodeRoomNotFound)
	if page, err := f.st.AllRooms(ctx, "", 0); err != nil || len(page) != len(want) {
		t.Fatalf("all rooms with no limit: %d, %v", len(page), err)
	}
}
