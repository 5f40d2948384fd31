package storetest

import (
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

func testPresenceRefuses(t *testing.T, open Open) {
	f := newFixture(t, open)
	s, _, _ := f.invite(t, f.newRoom(t, t0), t0)
	theirs := f.newRoom(t, t0)
	evs := f.events(t, f.account, s.ID)
	msgs := f.messages(t, f.account)
	at := t0.Add(time.Minute)

	joined := seal(t, s.ID, s.Seq, at, room.Join(s, room.CustomerParticipant, room.RoleCustomer, "A")...)
	again := createdEventsIn(t, f.account, s.ID, at, f.actor())[0]
	again.Seq = s.Seq + 1
	withSeq := func(e room.Event, seq int64) room.Event { e.Seq = seq; return e }
	// with is the change of A taking the customer, which makes one
	// holder, with events evs.
	with := func(evs ...room.Event) store.Change {
		p := hold("A", at)
		p.Holders = 1
		st := s
		st.Seq = s.Seq + int64(len(evs))
		return store.Change{Account: f.account, Room: s.ID, Head: s.Seq, Events: evs, State: st, Presence: &p}
	}
	dupMessage := with(joined...)
	dupMessage.State = apply(t, s, normal(joined))
	dupMessage.Messages = []store.Message{msgs[0]}
	cases := []struct {
		name string
		c    store.Change
		kind tandem.Kind
	}{
		{"an event after the head", with(withSeq(joined[0], s.Seq+2)), tandem.KindInvalid},
		{"an event at the head", with(withSeq(joined[0], s.Seq)), tandem.KindInvalid},
		{"an event of another room", with(note(theirs.ID, s.Seq+1, at, `{}`)), tandem.KindInvalid},
		{"data that is not JSON", with(note(s.ID, s.Seq+1, at, `nope`)), tandem.KindInvalid},
		{"room.created again", with(again), tandem.KindInvalid},
		// Refused as it is written, after the presence row.
		{"a message id in use", dupMessage, tandem.KindConflict},
	}
	// Changes that make no sense.
	for _, p := range []store.PresenceChange{
		{Participant: room.CustomerParticipant, Hold: true, At: at, ExpiresAt: at.Add(time.Minute), Holders: 1},
		{Instance: "A", Hold: true, At: at, ExpiresAt: at.Add(time.Minute), Holders: 1},
		{Instance: "A", Participant: room.CustomerParticipant, Hold: true, At: at, Holders: 1},
		{Participant: room.CustomerParticipant, At: at},
		{Instance: "A", Participant: room.CustomerParticipant, At: at, Holders: -1},
	} {
		c := with()
		c.Presence = &p
		cases = append(cases, struct {
			name string
			c    store.Change
			kind tandem.Kind
		}{"the change " + p.Instance + "/" + p.Participant, c, tandem.KindInvalid})
	}
	for _, tc := range cases {
		err := commit(f.st, tc.c)
		wantErr(t, err, tc.kind, "")
		// Nothing is written, not even the presence.
		f.unchanged(t, s.ID, s, evs, msgs)
		if rows := holders(t, f.st, f.account, s.ID, room.CustomerParticipant); len(rows) != 0 {
			t.Fatalf("%s: holders %+v after a refused change, want none", tc.name, rows)
		}
	}
	if rows := expired(t, f.st, t0.Add(24*time.Hour), 100); len(rows) != 0 {
		t.Fatalf("refused changes left presence rows: %+v", rows)
	}

	// The room still takes a good change.
	next, got := f.changePresence(t, s.ID, hold("A", at), follow("A"))
	wantEqual(t, "events after refusals", got, normal(joined))
	if !next.CustomerConnected() || !f.room(t, s.ID).CustomerConnected() {
		t.Fatalf("the customer is not connected after a hold: %+v", next)
	}
}

// testPresenceConflict checks that a presence change is written only on
// the room's head and the count of holders it was decided on.
func testPresenceConflict(t *testing.T, open Open) {
	f := newFixture(t, open)
	s, _, _ := f.invite(t, f.newRoom(t, t0), t0)
	at := t0.Add(time.Minute)
	s, _ = f.changePresence(t, s.ID, hold("A", at), follow("A"))
	evs := f.events(t, f.account, s.ID)
	msgs := f.messages(t, f.account)
	rows := holders(t, f.st, f.account, s.ID, room.CustomerParticipant)
	if len(rows) != 1 {
		t.Fatalf("holders: %+v", rows)
	}
	unchanged := func(what string) {
		t.Helper()
		f.unchanged(t, s.ID, s, evs, msgs)
		wantEqual(t, what+": holders", holders(t, f.st, f.account, s.ID, room.CustomerParticipant), rows)
	}
	leave := seal(t, s.ID, s.Seq, at, room.Leave(s, room.CustomerParticipant, "disconnected")...)

	// Holders the store does not find: nothing is written, neither the
	// row nor the events decided with it.
	for _, tc := range []struct {
		name string
		p    store.PresenceChange
		n    int
		evs  []room.Event
	}{
		{"B takes the customer, as if the first", hold("B", at), 1, nil},
		{"B takes the customer, as if the third", hold("B", at), 3, nil},
		{"A releases the customer, as if the last, and it leaves", release("A", at), 1, leave},
		{"B releases the customer it does not hold, as if the last", release("B", at), 0, leave},
		{"a reaper releases A's row, live at the time", reap("A", at), 0, leave},
	} {
		p := tc.p
		p.Holders = tc.n
		c := appendChange(t, s, tc.evs...)
		c.Presence = &p
		wantErr(t, commit(f.st, c), tandem.KindConflict, tandem.CodePresenceConflict)
		unchanged(tc.name)
	}

	// A presence change decided on a head that has moved, even one that
	// records nothing, is a seq conflict, and writes nothing.
	for _, head := range []int64{s.Seq - 1, s.Seq + 1} {
		p := hold("B", at)
		p.Holders = 2
		st := s
		st.Seq = head
		wantErr(t, commit(f.st, store.Change{Account: f.account, Room: s.ID, Head: head, State: st, Presence: &p}), tandem.KindConflict, tandem.CodeSeqConflict)
		unchanged("a stale head")
	}

	// The right head and count: the row is written.
	p := hold("B", at)
	p.Holders = 2
	f.commit(t, store.Change{Account: f.account, Room: s.ID, Head: s.Seq, State: s, Presence: &p})
	if got := holders(t, f.st, f.account, s.ID, room.CustomerParticipant); len(got) != 2 || got[1].Instance != "B" {
		t.Fatalf("holders after B took the customer: %+v", got)
	}
	f.unchanged(t, s.ID, s, evs, msgs)
}

func testReapPresence(t *testing.T, open Open) {
	f := newFixture(t, open)
	s, _, _ := f.invite(t, f.newRoom(t, t0), t0)
	at := t0
	s, evs := f.changePresence(t, s.ID, hold("A", at), follow("A"))
	if len(evs) != 1 {
		t.Fatalf("hold: %d events", len(evs))
	}

	// A reaper lists A's row, then A's heartbeat comes: the reaper's
	// release leaves the row alone.
	now := at.Add(2 * time.Minute)
	rows := expired(t, f.st, now, 100)
	if len(rows) != 1 || rows[0].Instance != "A" {
		t.Fatalf("expired rows: %+v, want A's", rows)
	}
	if n, err := f.st.TouchPresence(ctx, "A", now.Add(time.Minute)); err != nil || n != 1 {
		t.Fatalf("touch A: %d, %v", n, err)
	}
	next, evs := f.changePresence(t, s.ID, reap("A", now), follow("reaper"))
	if len(evs) != 0 {
		t.Fatalf("reaping a row touched since it was listed appended %+v", evs)
	}
	if !next.CustomerConnected() || len(holders(t, f.st, f.account, s.ID, room.CustomerParticipant)) != 1 {
		t.Fatalf("reaping a touched row released it: %+v", next)
	}

	// No heartbeat comes again: two reapers race to release the row, and
	// the customer leaves once.
	now = now.Add(2 * time.Minute)
	rows = expired(t, f.st, now, 100)
	if len(rows) != 1 {
		t.Fatalf("expired rows: %+v, want A's", rows)
	}
	var lefts atomic.Int64
	parallel(4, func(i int) {
		r := rows[0]
		_, evs, _, err := changePresence(f.st, r.Account, r.Room, reap(r.Instance, now), follow("reaper"))
		if err != nil {
			t.Errorf("reaper %d: %v", i, err)
			return
		}
		lefts.Add(int64(len(evs)))
	})
	if t.Failed() {
		t.FailNow()
	}
	if lefts.Load() != 1 {
		t.Fatalf("%d events appended by the reapers, want one participant.left", lefts.Load())
	}
	final := f.room(t, s.ID)
	all := f.events(t, f.account, s.ID)
	if final.CustomerConnected() || all[len(all)-1].Type != room.TypeParticipantLeft || final.Seq != s.Seq+1 {
		t.Fatalf("after the reapers: seq %d, connected %v, last event %s", final.Seq, final.CustomerConnected(), all[len(all)-1].Type)
	}
	if rows := expired(t, f.st, now.Add(time.Hour), 100); len(rows) != 0 {
		t.Fatalf("rows left after reaping: %+v", rows)
	}
}

// testConcurrentPresence has the connections of two instances come and go
// in random interleavings, each changing the presence as a hub does: the
// log must record the customer joining and leaving in turn, and end where
// the holders are.
func testConcurrentPresence(t *testing.T, open Open) {
	f := newFixture(t, open)
	s, _, _ := f.invite(t, f.newRoom(t, t0), t0)
	const workers, changes = 6, 25
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	var clock atomic.Int64
	parallel(workers, func(w int) {
		rng := rand.New(rand.NewPCG(seed, uint64(w)))
		instance := []string{"A", "B"}[w%2]
		for i := range changes {
			at := t0.Add(time.Duration(clock.Add(1)) * time.Millisecond)
			p := release(instance, at)
			if rng.IntN(2) == 0 {
				p = hold(instance, at)
			}
			next, _, n, err := changePresence(f.st, f.account, s.ID, p, follow(instance))
			if err != nil {
				t.Errorf("worker %d, change %d: %v", w, i, err)
				return
			}
			if n < 0 || n > 2 {
				t.Errorf("worker %d: %d holders of the customer between instances A and B", w, n)
			}
			if next.CustomerConnected() != (n > 0) {
				t.Errorf("worker %d, change %d: %d holders, but the customer connected is %v", w, i, n, next.CustomerConnected())
				return
			}
		}
	})
	if t.Failed() {
		t.FailNow()
	}

	check := func(when string) {
		t.Helper()
		n := len(holders(t, f.st, f.account, s.ID, room.CustomerParticipant))
		final := f.room(t, s.ID)
		if final.CustomerConnected() != (n > 0) {
			t.Fatalf("%s: %d holders, but the customer connected is %v", when, n, final.CustomerConnected())
		}
		all := f.events(t, f.account, s.ID)
		wantEqual(t, when+": state", final, fold(t, all))
		last := ""
		for _, e := range all {
			if e.Type != room.TypeParticipantJoined && e.Type != room.TypeParticipantLeft {
				continue
			}
			if e.Type == last || (last == "" && e.Type != room.TypeParticipantJoined) {
				t.Fatalf("%s: event %d is %s after %q: the log does not alternate", when, e.Seq, e.Type, last)
			}
			last = e.Type
		}
		if (last == room.TypeParticipantJoined) != (n > 0) {
			t.Fatalf("%s: %d holders, but the last presence event is %q", when, n, last)
		}
		t.Logf("%s: %d events, %d holders", when, len(all), n)
	}
	check("after the race")

	// Both instances let go: the customer has left.
	for _, instance := range []string{"A", "B"} {
		at := t0.Add(time.Duration(clock.Add(1)) * time.Millisecond)
		f.changePresence(t, s.ID, release(instance, at), follow(instance))
	}
	check("after both released")
	if f.room(t, s.ID).CustomerConnected() {
		t.Fatal("the customer is connected with no holders")
	}
}
