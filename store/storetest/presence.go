package storetest

import (
	"errors"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// decideFunc is what ChangePresence asks what to append.
type decideFunc = func(s room.State, holders int) ([]room.Event, error)

// follow is the decide of a hub: the customer joins when an instance holds
// it and the state says it is not connected, and leaves when none does and
// the state says it is. room.Join and room.Leave return nothing when the
// state already says so, which makes it idempotent.
func follow(at time.Time, client string) decideFunc {
	return func(s room.State, holders int) ([]room.Event, error) {
		var ds []room.Draft
		if holders > 0 {
			ds = room.Join(s, room.CustomerParticipant, room.RoleCustomer, client)
		} else {
			ds = room.Leave(s, room.CustomerParticipant, "disconnected")
		}
		return room.Seal(s.ID, s.Seq, at, ds)
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

// countHolders returns how many instances hold participant in room id of
// account, by releasing an instance that holds nothing: that writes
// nothing.
func countHolders(t *testing.T, st store.Store, account, id, participant string) int {
	t.Helper()
	n := -1
	_, evs, err := st.ChangePresence(ctx, account, id, store.PresenceChange{Instance: "probe-" + room.NewID("in"), Participant: participant, At: t0},
		func(_ room.State, holders int) ([]room.Event, error) { n = holders; return nil, nil })
	if err != nil {
		t.Fatalf("count holders: %v", err)
	}
	if len(evs) != 0 || n < 0 {
		t.Fatalf("count holders: %d events, %d holders", len(evs), n)
	}
	return n
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
		holders  int
		event    string // appended, if any
	}{
		{"A", true, 1, room.TypeParticipantJoined},
		{"B", true, 2, ""},
		{"A", true, 2, ""}, // held again: still one row
		{"C", true, 3, ""},
		{"A", false, 2, ""},
		{"A", false, 2, ""}, // released again: harmless
		{"B", false, 1, ""},
		{"D", false, 1, ""}, // never held
		{"C", false, 0, room.TypeParticipantLeft},
		{"C", false, 0, ""},
		{"D", false, 0, ""},
		{"B", true, 1, room.TypeParticipantJoined},
	}
	for i, step := range steps {
		at := t0.Add(time.Duration(i+1) * time.Second).In(elsewhere)
		ch := release(step.instance, at)
		if step.hold {
			ch = hold(step.instance, at)
		}
		before := f.room(t, s.ID)
		logBefore := f.events(t, f.account, s.ID)
		var (
			calls, n int
			seen     room.State
		)
		next, evs, err := f.st.ChangePresence(ctx, f.account, s.ID, ch, func(s room.State, holders int) ([]room.Event, error) {
			calls++
			seen, n = s, holders
			return follow(at, step.instance)(s, holders)
		})
		if err != nil {
			t.Fatalf("step %d (%s holds: %v): %v", i, step.instance, step.hold, err)
		}
		if calls != 1 {
			t.Fatalf("step %d: decide called %d times", i, calls)
		}
		wantEqual(t, "the state decide saw", seen, before)
		if n != step.holders {
			t.Fatalf("step %d (%s holds: %v): decide saw %d holders, want %d", i, step.instance, step.hold, n, step.holders)
		}
		if step.event == "" {
			if len(evs) != 0 {
				t.Fatalf("step %d: appended %+v, want nothing", i, evs)
			}
			wantEqual(t, "state after no event", next, before)
		} else {
			if len(evs) != 1 || evs[0].Type != step.event || evs[0].Seq != before.Seq+1 || evs[0].At != stored(at) {
				t.Fatalf("step %d: appended %+v, want one %s at seq %d", i, evs, step.event, before.Seq+1)
			}
			wantEqual(t, "state after the event", next, fold(t, append(logBefore, evs...)))
			wantEqual(t, "log after the event", f.events(t, f.account, s.ID), append(logBefore, evs...))
		}
		wantEqual(t, "stored state", f.room(t, s.ID), next)
		if next.CustomerConnected() != (step.holders > 0) {
			t.Fatalf("step %d: %d holders but the customer connected is %v", i, step.holders, next.CustomerConnected())
		}
	}

	// Holders are counted per participant.
	var n int
	_, evs, err := f.st.ChangePresence(ctx, f.account, s.ID, store.PresenceChange{Instance: "A", Participant: "us_other", Hold: true, At: t0, ExpiresAt: t0.Add(time.Minute)},
		func(_ room.State, holders int) ([]room.Event, error) { n = holders; return nil, nil })
	if err != nil || len(evs) != 0 || n != 1 {
		t.Fatalf("another participant: %d holders, %d events, %v; want 1 holder", n, len(evs), err)
	}
	if got := countHolders(t, f.st, f.account, s.ID, room.CustomerParticipant); got != 1 {
		t.Fatalf("the customer has %d holders after another participant was held, want 1", got)
	}

	// A nil decide appends nothing.
	before := f.room(t, s.ID)
	next, evs, err := f.st.ChangePresence(ctx, f.account, s.ID, release("B", t0), nil)
	if err != nil || len(evs) != 0 {
		t.Fatalf("release with no decide: %d events, %v", len(evs), err)
	}
	wantEqual(t, "state after a release with no decide", next, before)
	if got := countHolders(t, f.st, f.account, s.ID, room.CustomerParticipant); got != 0 {
		t.Fatalf("the customer has %d holders after the last release, want 0", got)
	}
}

func testPresenceRefuses(t *testing.T, open Open) {
	f := newFixture(t, open)
	s, _, _ := f.invite(t, f.newRoom(t, t0), t0)
	theirs := f.newRoom(t, t0)
	evs := f.events(t, f.account, s.ID)
	msgs := f.messages(t, f.account)
	at := t0.Add(time.Minute)

	boom := errors.New("boom")
	joined := seal(t, s.ID, s.Seq, at, room.Join(s, room.CustomerParticipant, room.RoleCustomer, "A")...)
	left, err := room.Seal(s.ID, s.Seq, at, []room.Draft{{Type: room.TypeParticipantLeft, Actor: room.System,
		Data: room.ParticipantLeft{Participant: room.CustomerParticipant, Role: room.RoleCustomer}}})
	if err != nil {
		t.Fatal(err)
	}
	again := createdEventsIn(t, f.account, s.ID, at, f.actor())[0]
	again.Seq = s.Seq + 1
	returning := func(evs []room.Event, err error) decideFunc {
		return func(room.State, int) ([]room.Event, error) { return evs, err }
	}
	withSeq := func(e room.Event, seq int64) room.Event { e.Seq = seq; return e }
	cases := []struct {
		name   string
		decide decideFunc
		kind   room.Kind
		code   string
	}{
		{"decide fails", returning(nil, boom), "", ""},
		{"decide fails with an application error", returning(nil, room.Coded(room.KindConflict, "room_closed", "closed")), room.KindConflict, "room_closed"},
		{"an event after the head", returning([]room.Event{withSeq(joined[0], s.Seq+2)}, nil), room.KindConflict, "seq_conflict"},
		{"an event at the head", returning([]room.Event{withSeq(joined[0], s.Seq)}, nil), room.KindConflict, "seq_conflict"},
		{"an event of another room", returning([]room.Event{note(theirs.ID, s.Seq+1, at, `{}`)}, nil), room.KindInvalid, ""},
		{"data that is not JSON", returning([]room.Event{note(s.ID, s.Seq+1, at, `nope`)}, nil), room.KindInvalid, ""},
		{"an event the fold refuses", returning(left, nil), room.KindInvalid, ""},
		{"room.created again", returning([]room.Event{again}, nil), room.KindInvalid, ""},
	}
	for _, tc := range cases {
		_, got, err := f.st.ChangePresence(ctx, f.account, s.ID, hold("A", at), tc.decide)
		if tc.kind == "" {
			if !errors.Is(err, boom) {
				t.Fatalf("%s: error %v, want %v", tc.name, err, boom)
			}
		} else {
			wantErr(t, err, tc.kind, tc.code)
		}
		if got != nil {
			t.Fatalf("%s: returned events %+v with an error", tc.name, got)
		}
		// Nothing is written, not even the presence.
		f.unchanged(t, s.ID, s, evs, msgs)
		if n := countHolders(t, f.st, f.account, s.ID, room.CustomerParticipant); n != 0 {
			t.Fatalf("%s: %d holders after a refused change, want 0", tc.name, n)
		}
	}

	// Changes that make no sense are refused before decide is called.
	for _, ch := range []store.PresenceChange{
		{Participant: room.CustomerParticipant, Hold: true, At: at, ExpiresAt: at.Add(time.Minute)},
		{Instance: "A", Hold: true, At: at, ExpiresAt: at.Add(time.Minute)},
		{Instance: "A", Participant: room.CustomerParticipant, Hold: true, At: at},
		{Participant: room.CustomerParticipant, At: at},
	} {
		decided := false
		_, _, err := f.st.ChangePresence(ctx, f.account, s.ID, ch, func(room.State, int) ([]room.Event, error) {
			decided = true
			return nil, nil
		})
		wantErr(t, err, room.KindInvalid, "")
		if decided {
			t.Fatalf("decide was called for %+v", ch)
		}
	}
	f.unchanged(t, s.ID, s, evs, msgs)
	if rows := expired(t, f.st, t0.Add(24*time.Hour), 100); len(rows) != 0 {
		t.Fatalf("refused changes left presence rows: %+v", rows)
	}
	if _, err := f.st.TouchPresence(ctx, "", at); !room.IsKind(err, room.KindInvalid) {
		t.Fatalf("touch with no instance: %v, want kind %q", err, room.KindInvalid)
	}

	// The room still takes a good change.
	next, got, err := f.st.ChangePresence(ctx, f.account, s.ID, hold("A", at), follow(at, "A"))
	if err != nil {
		t.Fatalf("hold after refusals: %v", err)
	}
	wantEqual(t, "events after refusals", got, normal(joined))
	if !next.CustomerConnected() {
		t.Fatalf("the customer is not connected after a hold: %+v", next)
	}
}

func testPresenceScoped(t *testing.T, open Open) {
	f := newFixture(t, open)
	s, _, _ := f.invite(t, f.newRoom(t, t0), t0)
	at := t0.Add(time.Minute)
	if _, _, err := f.st.ChangePresence(ctx, f.account, s.ID, hold("A", at), follow(at, "A")); err != nil {
		t.Fatalf("hold: %v", err)
	}
	s = f.room(t, s.ID)
	evs := f.events(t, f.account, s.ID)
	msgs := f.messages(t, f.account)
	rows := expired(t, f.st, t0.Add(24*time.Hour), 100)

	decided := false
	mustNotDecide := func(room.State, int) ([]room.Event, error) {
		decided = true
		return nil, nil
	}
	for _, c := range []struct {
		name    string
		account string
		id      string
		ch      store.PresenceChange
	}{
		{"another account holds", f.other, s.ID, hold("B", at)},
		{"another account releases", f.other, s.ID, release("A", at)},
		{"another account reaps", f.other, s.ID, reap("A", at.Add(time.Hour))},
		{"an unknown room", f.account, room.NewID("rm"), hold("A", at)},
	} {
		_, _, err := f.st.ChangePresence(ctx, c.account, c.id, c.ch, mustNotDecide)
		wantErr(t, err, room.KindNotFound, "room_not_found")
		if decided {
			t.Fatalf("%s: decide was called", c.name)
		}
		f.unchanged(t, s.ID, s, evs, msgs)
		wantEqual(t, c.name+": presence", expired(t, f.st, t0.Add(24*time.Hour), 100), rows)
	}
	if n := countHolders(t, f.st, f.account, s.ID, room.CustomerParticipant); n != 1 {
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
		if _, _, err := f.st.ChangePresence(ctx, f.account, c.id, hold(c.instance, at), nil); err != nil {
			t.Fatalf("hold: %v", err)
		}
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

	// Holding a row again extends it but keeps when it was taken.
	if _, _, err := f.st.ChangePresence(ctx, f.account, r1.ID, hold("B", at.Add(time.Hour)), nil); err != nil {
		t.Fatalf("hold again: %v", err)
	}
	rows = expired(t, f.st, at.Add(time.Hour), 100)
	if len(rows) != 2 || rows[0].Instance != "A" || rows[1].Instance != "A" {
		t.Fatalf("rows expired after B held again: %+v, want A's two", rows)
	}
	rows = expired(t, f.st, at.Add(time.Hour+time.Minute), 100)
	if len(rows) != 3 || rows[2].Instance != "B" || rows[2].ConnectedAt != stored(at) || rows[2].ExpiresAt != stored(at.Add(time.Hour+time.Minute)) {
		t.Fatalf("B's row held again: %+v, want it connected at %v", rows, stored(at))
	}
}

func testExpiredPresence(t *testing.T, open Open) {
	f := newFixture(t, open)
	mine := f.newRoom(t, t0)
	theirs, err := f.st.CreateRoom(ctx, f.other, store.Change{Events: createdEventsIn(t, f.other, room.NewID("rm"), t0, f.otherAgent(t))})
	if err != nil {
		t.Fatalf("create a room of the other account: %v", err)
	}
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
		ch := store.PresenceChange{Instance: r.inst, Participant: room.CustomerParticipant, Hold: true, At: connected, ExpiresAt: r.expires}
		if _, _, err := f.st.ChangePresence(ctx, r.account, r.room, ch, nil); err != nil {
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
	if _, _, err := f.st.ChangePresence(ctx, f.other, theirs.ID, release("B", at), nil); err != nil {
		t.Fatalf("release: %v", err)
	}
	wantEqual(t, "rows expired after a release", expired(t, f.st, at.Add(time.Hour), 100), []store.PresenceRow{want[0], want[2], want[3]})
}

func testReapPresence(t *testing.T, open Open) {
	f := newFixture(t, open)
	s, _, _ := f.invite(t, f.newRoom(t, t0), t0)
	at := t0
	s, evs, err := f.st.ChangePresence(ctx, f.account, s.ID, hold("A", at), follow(at, "A"))
	if err != nil || len(evs) != 1 {
		t.Fatalf("hold: %d events, %v", len(evs), err)
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
	next, evs, err := f.st.ChangePresence(ctx, f.account, s.ID, reap("A", now), follow(now, "reaper"))
	if err != nil || len(evs) != 0 {
		t.Fatalf("reap a row touched since it was listed: %d events, %v", len(evs), err)
	}
	if !next.CustomerConnected() || countHolders(t, f.st, f.account, s.ID, room.CustomerParticipant) != 1 {
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
		_, evs, err := f.st.ChangePresence(ctx, r.Account, r.Room, reap(r.Instance, now), follow(now, "reaper"))
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
			ch := release(instance, at)
			if rng.IntN(2) == 0 {
				ch = hold(instance, at)
			}
			n := -1
			decide := follow(at, instance)
			next, _, err := f.st.ChangePresence(ctx, f.account, s.ID, ch, func(s room.State, holders int) ([]room.Event, error) {
				if holders < 0 || holders > 2 {
					t.Errorf("worker %d: %d holders of the customer between instances A and B", w, holders)
				}
				n = holders
				return decide(s, holders)
			})
			if err != nil {
				t.Errorf("worker %d, change %d: %v", w, i, err)
				return
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
		n := countHolders(t, f.st, f.account, s.ID, room.CustomerParticipant)
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
		if _, _, err := f.st.ChangePresence(ctx, f.account, s.ID, release(instance, at), follow(at, instance)); err != nil {
			t.Fatalf("release %s: %v", instance, err)
		}
	}
	check("after both released")
	if f.room(t, s.ID).CustomerConnected() {
		t.Fatal("the customer is connected with no holders")
	}
}
