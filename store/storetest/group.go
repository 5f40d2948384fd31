package storetest

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// The group commit: a batch of changes of many rooms shares one
// transaction, and each change keeps a result of its own.

// withMessage returns c with a message of room s added: a change that is
// not a simple append, written on its own path.
func (f *fixture) withMessage(c store.Change, s room.State, at time.Time) store.Change {
	c.Messages = append(c.Messages, f.newMessage(s, at))
	return c
}

// testCommitBatchMany commits one batch of appends to many rooms, some of
// several events: every one is written, its events in order and its state.
func testCommitBatchMany(t *testing.T, open Open) {
	f := newFixture(t, open)
	const rooms = 40
	states := make([]room.State, rooms)
	batch := make([]store.Change, rooms)
	for i := range states {
		states[i] = f.newRoom(t, t0)
		s := states[i]
		var evs []room.Event
		for n := range 1 + i%3 {
			evs = append(evs, note(s.ID, s.Seq+1+int64(n), t0.Add(time.Duration(n)*time.Second), fmt.Sprintf(`{"room":%d,"n":%d}`, i, n)))
		}
		batch[i] = appendChange(t, s, evs...)
	}
	// Shuffled, so that the batch's order is not the rooms' order.
	order := rand.Perm(rooms)
	shuffled := make([]store.Change, rooms)
	for i, j := range order {
		shuffled[i] = batch[j]
	}
	errs := f.st.Commit(ctx, shuffled)
	if len(errs) != rooms {
		t.Fatalf("%d results for %d changes", len(errs), rooms)
	}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("change %d of the batch: %v", i, err)
		}
	}
	for i, s := range states {
		c := batch[i]
		wantEqual(t, "state of a room of the batch", f.room(t, s.ID), c.State)
		all := f.events(t, f.account, s.ID)
		wantEqual(t, "events of a room of the batch", all[s.Seq:], normal(c.Events))
		wantEqual(t, "a room of the batch folded", fold(t, all), c.State)
	}
}

// testCommitBatchRefusals commits one batch in which changes are refused
// for every reason a change is: each gets its own error and writes
// nothing, and every other change of the batch is written in full.
func testCommitBatchRefusals(t *testing.T, open Open) {
	f := newFixture(t, open)
	at := t0.Add(time.Minute)
	fresh := func() room.State { return f.newRoom(t, t0) }
	invited, taken, _ := f.invite(t, fresh(), t0)

	// Written: simple appends, and changes with a link and a message.
	okSimple1, okSimple2, okLinked, okMessaged := fresh(), fresh(), fresh(), fresh()
	toSimple1 := appendChange(t, okSimple1, note(okSimple1.ID, okSimple1.Seq+1, at, `{"ok":1}`))
	toSimple2 := appendChange(t, okSimple2, note(okSimple2.ID, okSimple2.Seq+1, at, `{"ok":2}`), note(okSimple2.ID, okSimple2.Seq+2, at, `{"ok":3}`))
	newLink := f.newLink(okLinked, at)
	toLinked := appendChange(t, okLinked, note(okLinked.ID, okLinked.Seq+1, at, `{"linked":true}`))
	toLinked.Links = []store.Link{newLink}
	toMessaged := f.withMessage(appendChange(t, okMessaged, note(okMessaged.ID, okMessaged.Seq+1, at, `{"messaged":true}`)), okMessaged, at)

	// Refused.
	stale := fresh()
	staleSimple := appendChange(t, stale, note(stale.ID, stale.Seq+1, at, `{"stale":true}`))
	staleMessaged := fresh()
	staleWithMessage := f.withMessage(appendChange(t, staleMessaged, note(staleMessaged.ID, staleMessaged.Seq+1, at, `{"stale":true}`)), staleMessaged, at)
	// Other writers move both rooms before the batch is committed.
	stale = f.commit(t, appendChange(t, stale, note(stale.ID, stale.Seq+1, t0, `{"meanwhile":true}`)))
	staleMessaged = f.commit(t, appendChange(t, staleMessaged, note(staleMessaged.ID, staleMessaged.Seq+1, t0, `{"meanwhile":true}`)))
	mine := fresh()
	theirs := appendChange(t, mine, note(mine.ID, mine.Seq+1, at, `{"theirs":true}`))
	theirs.Account, theirs.State.Account = f.other, f.other
	unknown := mine
	unknown.ID = room.NewID("rm")
	toUnknown := appendChange(t, unknown, note(unknown.ID, unknown.Seq+1, at, `{"unknown":true}`))
	bad := fresh()
	invalid := appendChange(t, bad, note(bad.ID, bad.Seq+1, at, `{}`))
	invalid.Events[0].Data = []byte(`not JSON`)
	held := fresh()
	p := hold("instance-a", at)
	p.Holders = 2 // one instance would hold the customer once it is written
	presenceConflict := appendChange(t, held, note(held.ID, held.Seq+1, at, `{"held":true}`))
	presenceConflict.Presence = &p
	reused := fresh()
	dupLink := f.newLink(reused, at)
	dupLink.ID = taken.ID
	linkTaken := f.withMessage(appendChange(t, reused, note(reused.ID, reused.Seq+1, at, `{"reused":true}`)), reused, at)
	linkTaken.Links = []store.Link{dupLink}

	before := map[string][]room.Event{}
	for _, s := range []room.State{stale, staleMessaged, mine, bad, held, reused, invited} {
		before[s.ID] = f.events(t, f.account, s.ID)
	}
	msgs := f.messages(t, f.account)

	batch := []store.Change{staleSimple, toSimple1, theirs, toLinked, invalid, presenceConflict, toUnknown, toMessaged, linkTaken, toSimple2, staleWithMessage}
	errs := f.st.Commit(ctx, batch)
	if len(errs) != len(batch) {
		t.Fatalf("%d results for %d changes: %v", len(errs), len(batch), errs)
	}
	wantErr(t, errs[0], tandem.KindConflict, tandem.CodeSeqConflict)
	wantErr(t, errs[2], tandem.KindNotFound, tandem.CodeRoomNotFound)
	wantErr(t, errs[4], tandem.KindInvalid, "")
	wantErr(t, errs[5], tandem.KindConflict, tandem.CodePresenceConflict)
	wantErr(t, errs[6], tandem.KindNotFound, tandem.CodeRoomNotFound)
	wantErr(t, errs[8], tandem.KindConflict, "")
	wantErr(t, errs[10], tandem.KindConflict, tandem.CodeSeqConflict)
	for _, i := range []int{1, 3, 7, 9} {
		if errs[i] != nil {
			t.Fatalf("change %d of the batch: %v", i, errs[i])
		}
	}

	// The written changes are there in full.
	for _, c := range []store.Change{toSimple1, toSimple2, toLinked, toMessaged} {
		wantEqual(t, "state of a written change", f.room(t, c.Room), c.State)
		wantEqual(t, "events of a written change", f.events(t, f.account, c.Room)[c.Head:], normal(c.Events))
	}
	wantEqual(t, "the written change's link", f.link(t, newLink.ID), storedLink(newLink))
	wantEqual(t, "the written change's message", f.messages(t, f.account)[0], storedMessage(toMessaged.Messages[0]))
	if got := len(f.messages(t, f.account)); got != len(msgs)+1 {
		t.Fatalf("%d messages after the batch, want %d: a refused change's message was written", got, len(msgs)+1)
	}

	// The refused ones wrote nothing.
	for _, s := range []room.State{stale, staleMessaged, mine, bad, held, reused, invited} {
		wantEqual(t, "state after a refused change", f.room(t, s.ID), s)
		wantEqual(t, "events after a refused change", f.events(t, f.account, s.ID), before[s.ID])
	}
	if rows := holders(t, f.st, f.account, held.ID, room.CustomerParticipant); len(rows) != 0 {
		t.Fatalf("the presence conflict left rows: %+v", rows)
	}
	wantEqual(t, "the link whose id was reused", f.link(t, taken.ID), storedLink(taken))
	if _, err := f.st.Room(ctx, f.account, unknown.ID); !tandem.IsKind(err, tandem.KindNotFound) {
		t.Fatalf("the unknown room was made: %v", err)
	}
	if _, err := f.st.Room(ctx, f.other, mine.ID); !tandem.IsKind(err, tandem.KindNotFound) {
		t.Fatalf("the other account's change made its room: %v", err)
	}
}

// testCommitBatchSameRoom commits batches naming a room more than once,
// each change decided on the state the one before it leaves: all are
// written, in the batch's order, whether simple or not.
func testCommitBatchSameRoom(t *testing.T, open Open) {
	f := newFixture(t, open)
	at := t0.Add(time.Minute)
	a, b := f.newRoom(t, t0), f.newRoom(t, t0)

	a1 := appendChange(t, a, note(a.ID, a.Seq+1, at, `{"a":1}`))
	a2 := appendChange(t, a1.State, note(a.ID, a.Seq+2, at, `{"a":2}`), note(a.ID, a.Seq+3, at, `{"a":3}`))
	b1 := f.withMessage(appendChange(t, b, note(b.ID, b.Seq+1, at, `{"b":1}`)), b, at)
	b2 := appendChange(t, b1.State, note(b.ID, b.Seq+2, at, `{"b":2}`))
	b3 := f.withMessage(appendChange(t, b2.State, note(b.ID, b.Seq+3, at, `{"b":3}`)), b, at)
	a3 := f.withMessage(appendChange(t, a2.State, note(a.ID, a.Seq+4, at, `{"a":4}`)), a, at)
	made := createChange(t, f.account, f.createdEvents(t, room.NewID("rm"), at, f.actor()))
	m1 := appendChange(t, made.State, note(made.Room, 2, at, `{"made":2}`))

	errs := f.st.Commit(ctx, []store.Change{b1, a1, m1, b2, a2, made, b3, a3})
	wantErr(t, errs[2], tandem.KindNotFound, tandem.CodeRoomNotFound) // before its room is made
	for i, err := range errs {
		if i != 2 && err != nil {
			t.Fatalf("change %d of the batch: %v", i, err)
		}
	}
	wantEqual(t, "room a", f.room(t, a.ID), a3.State)
	wantEqual(t, "room a's events", f.events(t, f.account, a.ID)[a.Seq:], normal(append(append(append([]room.Event{}, a1.Events...), a2.Events...), a3.Events...)))
	wantEqual(t, "room b", f.room(t, b.ID), b3.State)
	wantEqual(t, "room b's events", f.events(t, f.account, b.ID)[b.Seq:], normal(append(append(append([]room.Event{}, b1.Events...), b2.Events...), b3.Events...)))
	wantEqual(t, "the room made", f.room(t, made.Room), made.State)

	// A room's later change refused with the earlier: decided on a state
	// that was never written.
	c := f.newRoom(t, t0)
	bad := appendChange(t, c, note(c.ID, c.Seq+1, at, `{}`))
	bad.Head, bad.Events[0].Seq = c.Seq+1, c.Seq+2
	bad.State.Seq++
	next := appendChange(t, bad.State, note(c.ID, c.Seq+3, at, `{}`))
	ok := appendChange(t, a3.State, note(a.ID, a3.State.Seq+1, at, `{"a":5}`))
	errs = f.st.Commit(ctx, []store.Change{bad, next, ok})
	wantErr(t, errs[0], tandem.KindConflict, tandem.CodeSeqConflict)
	wantErr(t, errs[1], tandem.KindConflict, tandem.CodeSeqConflict)
	if errs[2] != nil {
		t.Fatalf("the change to another room: %v", errs[2])
	}
	wantEqual(t, "room c after refused changes", f.room(t, c.ID), c)
	wantEqual(t, "room a after a batch with refused changes", f.room(t, a.ID), ok.State)
}

// testConcurrentBatches has writers commit batches at once, each batch
// changing every shared room in an order of its own, some changes simple
// and some not: whatever locks the batches wait for or deadlock on, every
// change is either written or refused as a seq conflict, and each room's
// log holds every change written once, with no gap.
func testConcurrentBatches(t *testing.T, open Open) {
	f := newFixture(t, open)
	const writers, rooms, batches = 6, 5, 12
	shared := make([]room.State, rooms)
	for i := range shared {
		shared[i] = f.newRoom(t, t0)
	}
	var mu sync.Mutex
	written := map[string]int{} // data of a written change → times written
	perRoom := make([]int, rooms)
	parallel(writers, func(w int) {
		rng := rand.New(rand.NewPCG(uint64(w), 17))
		for n := range batches {
			order := rng.Perm(rooms)
			batch := make([]store.Change, 0, rooms)
			for _, r := range order {
				s, err := f.st.Room(ctx, f.account, shared[r].ID)
				if err != nil {
					t.Errorf("writer %d: reload: %v", w, err)
					return
				}
				c := appendChange(t, s, note(s.ID, s.Seq+1, t0, fmt.Sprintf(`{"w":%d,"n":%d,"r":%d}`, w, n, r)))
				if rng.IntN(3) == 0 {
					c = f.withMessage(c, s, t0)
				}
				batch = append(batch, c)
			}
			errs := f.st.Commit(ctx, batch)
			if len(errs) != len(batch) {
				t.Errorf("writer %d: %d results for %d changes", w, len(errs), len(batch))
				return
			}
			mu.Lock()
			for i, err := range errs {
				switch {
				case err == nil:
					written[string(batch[i].Events[0].Data)]++
					perRoom[order[i]]++
				case !isConflict(err, tandem.CodeSeqConflict):
					t.Errorf("writer %d: change to room %s: %v", w, batch[i].Room, err)
				}
			}
			mu.Unlock()
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	total := 0
	for r, s := range shared {
		all := f.events(t, f.account, s.ID)
		if len(all) != 1+perRoom[r] {
			t.Fatalf("room %d has %d events, %d changes to it were written", r, len(all), perRoom[r])
		}
		for i, e := range all {
			if e.Seq != int64(i)+1 {
				t.Fatalf("room %d: event %d has seq %d: a gap or a repeat", r, i, e.Seq)
			}
			if i > 0 && written[string(e.Data)] != 1 {
				t.Fatalf("room %d: event %s was reported written %d times", r, e.Data, written[string(e.Data)])
			}
		}
		wantEqual(t, "a shared room", f.room(t, s.ID), fold(t, all))
		total += perRoom[r]
	}
	if total != len(written) {
		t.Fatalf("%d changes reported written, %d in the logs", len(written), total)
	}
	if total < batches {
		t.Fatalf("only %d changes written in %d batches of %d writers", total, batches, writers)
	}
	t.Logf("%d of %d changes written", total, writers*batches*rooms)
}
