package storetest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// testCommitBatch commits changes to several rooms at once: each has its
// own result, and one's refusal does not fail the others.
func testCommitBatch(t *testing.T, open Open) {
	f := newFixture(t, open)
	a, b, c, d := f.newRoom(t, t0), f.newRoom(t, t0), f.newRoom(t, t0), f.newRoom(t, t0)
	c, _, _ = f.invite(t, c, t0)
	at := t0.Add(time.Minute)

	toA := appendChange(t, a, note(a.ID, a.Seq+1, at, `{"to":"a"}`))
	// b is invited, with a link and a message, on a head that another
	// writer moves before the batch is committed.
	lB, mB := f.newLink(b, at), f.newMessage(b, at)
	inv, err := room.Invite(b, room.InviteCustomer{Agent: f.actor(), Link: lB.ID, ExpiresAt: lB.ExpiresAt})
	if err != nil {
		t.Fatal(err)
	}
	toB := appendChange(t, b, seal(t, b.ID, b.Seq, at, inv)...)
	toB.Links, toB.Messages = []store.Link{lB}, []store.Message{mB}
	b = f.commit(t, appendChange(t, b, note(b.ID, b.Seq+1, t0, `{"meanwhile":true}`)))
	lC := f.newLink(c, at)
	toC := appendChange(t, c, note(c.ID, c.Seq+1, at, `{"to":"c"}`))
	toC.Links = []store.Link{lC}
	created := createChange(t, f.account, f.createdEvents(t, room.NewID("rm"), at, f.actor()))
	toD := appendChange(t, d, note(d.ID, d.Seq+1, at, `{"to":"d"}`))
	toD.Events[0].Data = []byte(`not JSON`)
	bEvents, dEvents := f.events(t, f.account, b.ID), f.events(t, f.account, d.ID)
	msgs := f.messages(t, f.account)

	errs := f.st.Commit(ctx, []store.Change{toA, toB, toC, created, toD})
	if len(errs) != 5 {
		t.Fatalf("%d results for 5 changes: %v", len(errs), errs)
	}
	for _, i := range []int{0, 2, 3} {
		if errs[i] != nil {
			t.Fatalf("change %d of the batch: %v", i, errs[i])
		}
	}
	wantErr(t, errs[1], tandem.KindConflict, tandem.CodeSeqConflict)
	wantErr(t, errs[4], tandem.KindInvalid, "")

	// What was written is there, and only that.
	wantEqual(t, "room a", f.room(t, a.ID), toA.State)
	wantEqual(t, "room a's events", f.events(t, f.account, a.ID)[1:], normal(toA.Events))
	wantEqual(t, "room c", f.room(t, c.ID), toC.State)
	wantEqual(t, "room c's last event", f.events(t, f.account, c.ID)[c.Seq:], normal(toC.Events))
	wantEqual(t, "room c's link", f.link(t, lC.ID), storedLink(lC))
	wantEqual(t, "the new room", f.room(t, created.Room), created.State)
	wantEqual(t, "the new room's events", f.events(t, f.account, created.Room), normal(created.Events))
	f.unchanged(t, b.ID, b, bEvents, msgs)
	f.unchanged(t, d.ID, d, dEvents, msgs)
	if _, err := f.st.Link(ctx, f.account, lB.ID); !tandem.IsKind(err, tandem.KindNotFound) {
		t.Fatalf("the link of the conflicting change was written: %v", err)
	}

	// Two changes to one room decided on the same head, in one batch:
	// one is written, the other is a seq conflict, whatever the order
	// the store writes them in.
	a = toA.State
	first := appendChange(t, a, note(a.ID, a.Seq+1, at, `{"first":true}`))
	second := appendChange(t, a, note(a.ID, a.Seq+1, at, `{"second":true}`))
	errs = f.st.Commit(ctx, []store.Change{first, second})
	if len(errs) != 2 || (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("two changes on one head: %v, want one written and one refused", errs)
	}
	won := first
	if errs[0] != nil {
		won = second
		wantErr(t, errs[0], tandem.KindConflict, tandem.CodeSeqConflict)
	} else {
		wantErr(t, errs[1], tandem.KindConflict, tandem.CodeSeqConflict)
	}
	wantEqual(t, "room a after two changes on one head", f.events(t, f.account, a.ID)[a.Seq:], normal(won.Events))

	// No changes, no results.
	if errs := f.st.Commit(ctx, nil); len(errs) != 0 {
		t.Fatalf("an empty batch returned %v", errs)
	}
}

// testConcurrentCommits has writers append to one room at once, each
// deciding on the head it read and trying again on a seq conflict, in
// batches that also append to a room of the writer's own: the log must
// be gap-free and hold every append once, and a conflict on the shared
// room must never fail the change to the writer's own.
func testConcurrentCommits(t *testing.T, open Open) {
	f := newFixture(t, open)
	s := f.newRoom(t, t0)
	const writers, appends = 8, 25
	own := make([]room.State, writers)
	for w := range own {
		own[w] = f.newRoom(t, t0)
	}
	var commits, conflicts atomic.Int64
	parallel(writers, func(w int) {
		mine := own[w]
		for i := 0; i < appends; {
			head, err := f.st.Room(ctx, f.account, s.ID)
			if err != nil {
				t.Errorf("writer %d: reload: %v", w, err)
				return
			}
			e := note(s.ID, head.Seq+1, t0.Add(time.Duration(head.Seq)*time.Millisecond), fmt.Sprintf(`{"writer":%d,"n":%d}`, w, i))
			next, err := room.Apply(head, normal([]room.Event{e})[0])
			if err != nil {
				t.Errorf("writer %d: %v", w, err)
				return
			}
			o := normal([]room.Event{note(mine.ID, mine.Seq+1, t0, `{}`)})[0]
			mineNext, err := room.Apply(mine, o)
			if err != nil {
				t.Errorf("writer %d: %v", w, err)
				return
			}
			errs := f.st.Commit(ctx, []store.Change{
				{Account: f.account, Room: s.ID, Head: head.Seq, Events: []room.Event{e}, State: next},
				{Account: f.account, Room: mine.ID, Head: mine.Seq, Events: []room.Event{o}, State: mineNext},
			})
			if len(errs) != 2 || errs[1] != nil {
				t.Errorf("writer %d: the change to its own room: %v", w, errs)
				return
			}
			mine = mineNext
			switch err := errs[0]; {
			case err == nil:
				commits.Add(1)
				i++
			case isConflict(err, tandem.CodeSeqConflict):
				conflicts.Add(1)
			default:
				t.Errorf("writer %d: commit: %v", w, err)
				return
			}
		}
		own[w] = mine
	})
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("%d commits, %d seq conflicts retried", commits.Load(), conflicts.Load())
	if commits.Load() != writers*appends {
		t.Fatalf("%d commits succeeded, want %d", commits.Load(), writers*appends)
	}
	all := f.events(t, f.account, s.ID)
	if len(all) != 1+writers*appends {
		t.Fatalf("%d events, want %d", len(all), 1+writers*appends)
	}
	seen := map[string]bool{}
	for i, e := range all {
		if e.Seq != int64(i)+1 {
			t.Fatalf("event %d has seq %d: the log has a gap or a repeat", i, e.Seq)
		}
		if i == 0 {
			continue
		}
		k := string(e.Data)
		if seen[k] {
			t.Fatalf("the append %s is in the log twice", k)
		}
		seen[k] = true
	}
	for w := range writers {
		for i := range appends {
			if k := fmt.Sprintf(`{"writer":%d,"n":%d}`, w, i); !seen[k] {
				t.Fatalf("the append %s is missing", k)
			}
		}
	}
	final := f.room(t, s.ID)
	if final.Seq != int64(len(all)) {
		t.Fatalf("the room's seq is %d, its log has %d events", final.Seq, len(all))
	}
	wantEqual(t, "final state", final, fold(t, all))
	for w, mine := range own {
		evs := f.events(t, f.account, mine.ID)
		if int64(len(evs)) != mine.Seq || mine.Seq < 1+appends {
			t.Fatalf("writer %d's own room has %d events, want %d", w, len(evs), mine.Seq)
		}
		wantEqual(t, "a writer's own room", f.room(t, mine.ID), mine)
	}
}

func testRoomsScoped(t *testing.T, open Open) {
	f := newFixture(t, open)
	s := f.newRoom(t, t0)
	s, l, _ := f.invite(t, s, t0)
	evs := f.events(t, f.account, s.ID)
	msgs := f.messages(t, f.account)

	_, err := f.st.Room(ctx, f.other, s.ID)
	wantErr(t, err, tandem.KindNotFound, tandem.CodeRoomNotFound)
	_, err = f.st.Events(ctx, f.other, s.ID, 0, 100)
	wantErr(t, err, tandem.KindNotFound, tandem.CodeRoomNotFound)
	// Changes made for the other account, each whole (its state, links
	// and messages of that account too), are refused as if the room did
	// not exist.
	theirs := func(c store.Change) store.Change {
		c.Account, c.State.Account = f.other, f.other
		return c
	}
	err = commit(f.st, theirs(appendChange(t, s, note(s.ID, s.Seq+1, t0, `{}`))))
	wantErr(t, err, tandem.KindNotFound, tandem.CodeRoomNotFound)
	closing, err := room.Close(s, f.actor(), "")
	if err != nil {
		t.Fatal(err)
	}
	c := theirs(appendChange(t, s, seal(t, s.ID, s.Seq, t0, closing...)...))
	c.RevokeLinks = []string{l.ID}
	m := f.newMessage(s, t0)
	m.Account = f.other
	c.Messages = []store.Message{m}
	wantErr(t, commit(f.st, c), tandem.KindNotFound, tandem.CodeRoomNotFound)
	f.unchanged(t, s.ID, s, evs, msgs)
	wantEqual(t, "link", f.link(t, l.ID), storedLink(l))

	for _, q := range []store.RoomQuery{{}, {Agent: f.agent.ID}, {Status: s.Status}, {Limit: 200}} {
		rooms, err := f.st.ListRooms(ctx, f.other, q)
		if err != nil {
			t.Fatalf("list rooms: %v", err)
		}
		if len(rooms) != 0 {
			t.Fatalf("another account lists %d rooms with %+v", len(rooms), q)
		}
	}
	_, err = f.st.Link(ctx, f.other, l.ID)
	wantErr(t, err, tandem.KindNotFound, "")
	theirMessages, err := f.st.Messages(ctx, f.other, 100)
	if err != nil {
		t.Fatalf("messages: %v", err)
	}
	if len(theirMessages) != 0 {
		t.Fatalf("another account sees %d messages", len(theirMessages))
	}
}
