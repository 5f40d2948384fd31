package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// decideFunc decides what a presence change records, given the room's
// state and how many instances hold the participant once the change is
// written.
type decideFunc = func(s room.State, holders int) []room.Draft

// follow is the decision of a hub: the customer joins when an instance
// holds it and the state says it is not connected, and leaves when none
// does and the state says it is. room.Join and room.Leave return nothing
// when the state already says so.
func follow(client string) decideFunc {
	return func(s room.State, holders int) []room.Draft {
		if holders > 0 {
			return room.Join(s, room.CustomerParticipant, room.RoleCustomer, client)
		}
		return room.Leave(s, room.CustomerParticipant, "disconnected")
	}
}

// hold returns the change of instance taking the customer's presence at at
// for a minute.
func hold(instance string, at time.Time) store.PresenceChange {
	return store.PresenceChange{Instance: instance, Participant: room.CustomerParticipant, Hold: true, At: at, ExpiresAt: at.Add(time.Minute)}
}

// release returns the change of instance releasing the customer at at.
func release(instance string, at time.Time) store.PresenceChange {
	return store.PresenceChange{Instance: instance, Participant: room.CustomerParticipant, At: at}
}

// reap returns the release of the customer's row of instance by a reaper at
// at: only if the row has expired.
func reap(instance string, at time.Time) store.PresenceChange {
	ch := release(instance, at)
	ch.OnlyIfExpired = true
	return ch
}

// holdersAfter counts the instances of rows that hold the participant once
// p is written.
func holdersAfter(rows []store.PresenceRow, p store.PresenceChange) int {
	n, held := 0, false
	for _, r := range rows {
		if r.Instance == p.Instance {
			held = true
			if !p.Hold && (!p.OnlyIfExpired || !r.ExpiresAt.After(stored(p.At))) {
				continue // released
			}
		}
		n++
	}
	if p.Hold && !held {
		n++
	}
	return n
}

// presenceTries bounds how many times changePresence decides again.
const presenceTries = 200

// changePresence changes presence p in room id of account as a hub's
// commit path does: it reads the room and the rows of the participant,
// counts the holders p leaves, decides on that (decide may be nil: no
// events) and commits the change with the head and the count it decided
// on, deciding again on a seq or presence conflict. It returns the state
// and the events written and the count. It may run in any goroutine.
func changePresence(st store.Store, account, id string, p store.PresenceChange, decide decideFunc) (room.State, []room.Event, int, error) {
	for range presenceTries {
		s, err := st.Room(ctx, account, id)
		if err != nil {
			return room.State{}, nil, 0, err
		}
		rows, err := st.PresenceHolders(ctx, account, id, p.Participant)
		if err != nil {
			return room.State{}, nil, 0, err
		}
		p.Holders = holdersAfter(rows, p)
		c := store.Change{Account: account, Room: id, Head: s.Seq, State: s, Presence: &p}
		if decide != nil {
			if c.Events, err = room.Number(id, s.Seq, stored(p.At), decide(s, p.Holders)); err != nil {
				return room.State{}, nil, 0, err
			}
		}
		for _, e := range c.Events {
			if c.State, err = room.Apply(c.State, e); err != nil {
				return room.State{}, nil, 0, err
			}
		}
		err = commit(st, c)
		if isConflict(err, tandem.CodeSeqConflict) || isConflict(err, tandem.CodePresenceConflict) {
			continue
		}
		if err != nil {
			return room.State{}, nil, 0, err
		}
		return c.State, c.Events, p.Holders, nil
	}
	return room.State{}, nil, 0, fmt.Errorf("room %s: presence still in conflict after %d tries", id, presenceTries)
}

// changePresence is changePresence for f's account, failing t on an error.
func (f *fixture) changePresence(t *testing.T, id string, p store.PresenceChange, decide decideFunc) (room.State, []room.Event) {
	t.Helper()
	s, evs, _, err := changePresence(f.st, f.account, id, p, decide)
	if err != nil {
		t.Fatalf("change presence of %s by %s in room %s: %v", p.Participant, p.Instance, id, err)
	}
	return s, evs
}

// holders returns the rows of participant in room id of account.
func holders(t *testing.T, st store.Store, account, id, participant string) []store.PresenceRow {
	t.Helper()
	rows, err := st.PresenceHolders(ctx, account, id, participant)
	if err != nil {
		t.Fatalf("holders of %s in room %s: %v", participant, id, err)
	}
	return rows
}

// expired returns ExpiredPresence(now, limit), failing t on an error.
func expired(t *testing.T, st store.Store, now time.Time, limit int) []store.PresenceRow {
	t.Helper()
	rows, err := st.ExpiredPresence(ctx, now, limit)
	if err != nil {
		t.Fatalf("expired presence at %v: %v", now, err)
	}
	return rows
}

func testPresence(t *testing.T, open Open) {
	f := newFixture(t, open)
	s, _, _ := f.invite(t, f.newRoom(t, t0), t0)
	steps := []struct {
		instance string
		hold     bool
		holders  []string // the instances holding the customer after the step
		event    string   // appended, if any
	}{
		{"A", true, []string{"A"}, room.TypeParticipantJoined},
		{"B", true, []string{"A", "B"}, ""},
		{"A", true, []string{"A", "B"}, ""}, // held again: still one row
		{"C", true, []string{"A", "B", "C"}, ""},
		{"A", false, []string{"B", "C"}, ""},
		{"A", false, []string{"B", "C"}, ""}, // released again: harmless
		{"B", false, []string{"C"}, ""},
		{"D", false, []string{"C"}, ""}, // never held
		{"C", false, nil, room.TypeParticipantLeft},
		{"C", false, nil, ""},
		{"D", false, nil, ""},
		{"B", true, []string{"B"}, room.TypeParticipantJoined},
	}
	for i, step := range steps {
		at := t0.Add(time.Duration(i+1) * time.Second).In(elsewhere)
		p := release(step.instance, at)
		if step.hold {
			p = hold(step.instance, at)
		}
		before := f.room(t, s.ID)
		logBefore := f.events(t, f.account, s.ID)
		rows := holders(t, f.st, f.account, s.ID, room.CustomerParticipant)
		p.Holders = len(step.holders)
		if got := holdersAfter(rows, p); got != p.Holders {
			t.Fatalf("step %d: the rows %+v leave %d holders, want %d", i, rows, got, p.Holders)
		}
		c := store.Change{Account: f.account, Room: s.ID, Head: before.Seq, State: before, Presence: &p}
		if step.event != "" {
			c = appendChange(t, before, seal(t, s.ID, before.Seq, at, follow(step.instance)(before, p.Holders)...)...)
			c.Presence = &p
			if len(c.Events) != 1 || c.Events[0].Type != step.event {
				t.Fatalf("step %d: the hub decides %+v, want one %s", i, c.Events, step.event)
			}
		} else if evs := follow(step.instance)(before, p.Holders); len(evs) != 0 {
			t.Fatalf("step %d: the hub decides %+v, want nothing", i, evs)
		}
		next := f.commit(t, c)
		wantEqual(t, fmt.Sprintf("step %d: stored state", i), f.room(t, s.ID), next)
		wantEqual(t, fmt.Sprintf("step %d: log", i), f.events(t, f.account, s.ID), append(logBefore, normal(c.Events)...))
		rows = holders(t, f.st, f.account, s.ID, room.CustomerParticipant)
		var got []string
		for _, r := range rows {
			if r.Account != f.account || r.Room != s.ID || r.Participant != room.CustomerParticipant {
				t.Fatalf("step %d: row %+v", i, r)
			}
			got = append(got, r.Instance)
		}
		wantEqual(t, fmt.Sprintf("step %d: holders, by instance", i), got, step.holders)
		if next.CustomerConnected() != (len(step.holders) > 0) {
			t.Fatalf("step %d: %d holders but the customer connected is %v", i, len(step.holders), next.CustomerConnected())
		}
	}

	// Holders are counted per participant.
	other := store.PresenceChange{Instance: "A", Participant: "us_other", Hold: true, At: t0, ExpiresAt: t0.Add(time.Minute), Holders: 1}
	s = f.room(t, s.ID)
	f.commit(t, store.Change{Account: f.account, Room: s.ID, Head: s.Seq, State: s, Presence: &other})
	if rows := holders(t, f.st, f.account, s.ID, "us_other"); len(rows) != 1 || rows[0].Instance != "A" {
		t.Fatalf("another participant's holders: %+v", rows)
	}
	if rows := holders(t, f.st, f.account, s.ID, room.CustomerParticipant); len(rows) != 1 || rows[0].Instance != "B" {
		t.Fatalf("the customer's holders after another participant was held: %+v, want B's", rows)
	}
	if rows := holders(t, f.st, f.account, s.ID, "nobody"); len(rows) != 0 {
		t.Fatalf("holders of nobody: %+v", rows)
	}
}

func testPresenceScoped(t *testing.T, open Open) {
	f := newFixture(t, open)
	s, _, _ := f.invite(t, f.newRoom(t, t0), t0)
	at := t0.Add(time.Minute)
	s, _ = f.changePresence(t, s.ID, hold("A", at), follow("A"))
	evs := f.events(t, f.account, s.ID)
	msgs := f.messages(t, f.account)
	rows := expired(t, f.st, t0.Add(24*time.Hour), 100)

	theirs := s
	theirs.Account = f.other
	for _, c := range []struct {
		name    string
		account string
		id      string
		p       store.PresenceChange
	}{
		{"another account holds", f.other, s.ID, hold("B", at)},
		{"another account releases", f.other, s.ID, release("A", at)},
		{"another account reaps", f.other, s.ID, reap("A", at.Add(time.Hour))},
		{"an unknown room", f.account, room.NewID("rm"), hold("A", at)},
	} {
		p := c.p
		p.Holders = holdersAfter(rows, p)
		st := theirs
		st.Account, st.ID = c.account, c.id
		err := commit(f.st, store.Change{Account: c.account, Room: c.id, Head: s.Seq, State: st, Presence: &p})
		wantErr(t, err, tandem.KindNotFound, tandem.CodeRoomNotFound)
		_, err = f.st.PresenceHolders(ctx, c.account, c.id, room.CustomerParticipant)
		wantErr(t, err, tandem.KindNotFound, tandem.CodeRoomNotFound)
		f.unchanged(t, s.ID, s, evs, msgs)
		wantEqual(t, c.name+": presence", expired(t, f.st, t0.Add(24*time.Hour), 100), rows)
	}
	if n := len(holders(t, f.st, f.account, s.ID, room.CustomerParticipant)); n != 1 {
		t.Fatalf("%d holders after another account's changes, want 1", n)
	}
}

func testTouchPresence(t *testing.T, open Open) {
	f := newFixture(t, open)
	r1, r2 := f.newRoom(t, t0), f.newRoom(t, t0)
	at := t0.In(elsewhere)
	for _, c := range []struct {
		id       string
		instance string
	}{{r1.ID, "A"}, {r2.ID, "A"}, {r1.ID, "B"}} {
		f.changePresence(t, c.id, hold(c.instance, at), nil)
	}
	later := at.Add(10 * time.Minute)
	n, err := f.st.TouchPresence(ctx, "A", later)
	if err != nil || n != 2 {
		t.Fatalf("touch A: %d rows, %v; want 2", n, err)
	}
	rows := expired(t, f.st, at.Add(5*time.Minute), 100)
	wantEqual(t, "rows expired after A's heartbeat", rows, []store.PresenceRow{
		{Account: f.account, Room: r1.ID, Participant: room.CustomerParticipant, Instance: "B", ConnectedAt: stored(at), ExpiresAt: stored(at.Add(time.Minute))},
	})
	if n, err := f.st.TouchPresence(ctx, "Z", later); err != nil || n != 0 {
		t.Fatalf("touch an instance with no rows: %d rows, %v", n, err)
	}
	all := expired(t, f.st, later, 100)
	if len(all) != 3 {
		t.Fatalf("%d rows expired at the heartbeat's time, want 3: %+v", len(all), all)
	}
	for _, r := range all {
		want := stored(at.Add(time.Minute))
		if r.Instance == "A" {
			want = stored(later)
		}
		if !r.ExpiresAt.Equal(want) || !r.ConnectedAt.Equal(stored(at)) || r.ExpiresAt.Location() != time.UTC || r.ConnectedAt.Location() != time.UTC {
			t.Fatalf("row %+v: want it connected at %v, expiring at %v", r, stored(at), want)
		}
	}
	wantEqual(t, "r1's holders", holders(t, f.st, f.account, r1.ID, room.CustomerParticipant), []store.PresenceRow{
		{Account: f.account, Room: r1.ID, Participant: room.CustomerParticipant, Instance: "A", ConnectedAt: stored(at), ExpiresAt: stored(later)},
		{Account: f.account, Room: r1.ID, Participant: room.CustomerParticipant, Instance: "B", ConnectedAt: stored(at), ExpiresAt: stored(at.Add(time.Minute))},
	})

	// Holding a row again extends it but keeps when it was taken.
	f.changePresence(t, r1.ID, hold("B", at.Add(time.Hour)), nil)
	rows = expired(t, f.st, at.Add(time.Hour), 100)
	if len(rows) != 2 || rows[0].Instance != "A" || rows[1].Instance != "A" {
		t.Fatalf("rows expired after B held again: %+v, want A's two", rows)
	}
	rows = expired(t, f.st, at.Add(time.Hour+time.Minute), 100)
	if len(rows) != 3 || rows[2].Instance != "B" || rows[2].ConnectedAt != stored(at) || rows[2].ExpiresAt != stored(at.Add(time.Hour+time.Minute)) {
		t.Fatalf("B's row held again: %+v, want it connected at %v", rows, stored(at))
	}
	if _, err := f.st.TouchPresence(ctx, "", at); !tandem.IsKind(err, tandem.KindInvalid) {
		t.Fatalf("touch with no instance: %v, want kind %q", err, tandem.KindInvalid)
	}
}

func testExpiredPresence(t *testing.T, open Open) {
	f := newFixture(t, open)
	mine := f.newRoom(t, t0)
	theirs := f.commit(t, createChange(t, f.other, createdEventsIn(t, f.other, room.NewID("rm"), t0, f.otherAgent(t))))
	at := t0.In(elsewhere)
	type row struct {
		account string
		room    string
		inst    string
		expires time.Time
	}
	rows := []row{
		{f.account, mine.ID, "A", at.Add(time.Minute)},
		{f.other, theirs.ID, "B", at.Add(2 * time.Minute)},
		{f.account, mine.ID, "C", at.Add(3 * time.Minute)},
		{f.other, theirs.ID, "A", at.Add(4 * time.Minute)},
	}
	var want []store.PresenceRow
	for i, r := range rows {
		connected := at.Add(time.Duration(i) * time.Second)
		p := store.PresenceChange{Instance: r.inst, Participant: room.CustomerParticipant, Hold: true, At: connected, ExpiresAt: r.expires}
		if _, _, _, err := changePresence(f.st, r.account, r.room, p, nil); err != nil {
			t.Fatalf("hold row %d: %v", i, err)
		}
		want = append(want, store.PresenceRow{Account: r.account, Room: r.room, Participant: room.CustomerParticipant, Instance: r.inst,
			ConnectedAt: stored(connected), ExpiresAt: stored(r.expires)})
	}
	if rows := expired(t, f.st, at, 100); len(rows) != 0 {
		t.Fatalf("rows expired before any expiry: %+v", rows)
	}
	// A row expires at its expires_at, not after.
	wantEqual(t, "rows expired at the third expiry", expired(t, f.st, at.Add(3*time.Minute), 100), want[:3])
	wantEqual(t, "rows expired at the third expiry, limit 2", expired(t, f.st, at.Add(3*time.Minute), 2), want[:2])
	wantEqual(t, "all rows expired", expired(t, f.st, at.Add(time.Hour), 100), want)
	if rows := expired(t, f.st, at.Add(time.Hour), 0); len(rows) != 0 {
		t.Fatalf("limit 0 listed %d rows", len(rows))
	}

	// Released rows are gone.
	if _, _, _, err := changePresence(f.st, f.other, theirs.ID, release("B", at), nil); err != nil {
		t.Fatalf("release: %v", err)
	}
	wantEqual(t, "rows expired after a release", expired(t, f.st, at.Add(time.Hour), 100), []store.PresenceRow{want[0], want[2], want[3]})
}
