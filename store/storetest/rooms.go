package storetest

import (
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

func testCommitAppend(t *testing.T, open Open) {
	f := newFixture(t, open)
	s := f.newRoom(t, t0)
	invited, l, m := f.invite(t, s, t0.Add(time.Minute).In(elsewhere))
	got := f.room(t, s.ID)
	if got.Seq != 2 || got.Status != room.StatusInvited || got.Invite == nil || got.Invite.Link != l.ID ||
		!got.UpdatedAt.Equal(stored(t0.Add(time.Minute))) || !got.CreatedAt.Equal(stored(t0)) {
		t.Fatalf("invited: %+v", got)
	}
	wantEqual(t, "room after invite", got, invited)
	wantEqual(t, "state after invite", got, fold(t, f.events(t, f.account, s.ID)))
	wantEqual(t, "link", f.link(t, l.ID), storedLink(l))
	wantEqual(t, "messages", f.messages(t, f.account), []store.Message{storedMessage(m)})

	joined := f.join(t, invited, t0.Add(2*time.Minute))
	if got := f.room(t, s.ID); got.Seq != 3 || got.Status != room.StatusConnected || !got.CustomerConnected() {
		t.Fatalf("joined: %+v", got)
	}
	wantEqual(t, "room after join", f.room(t, s.ID), joined)

	// Several events in one commit: the customer leaves, the link is
	// revoked and the room closes.
	ds := room.Leave(joined, room.CustomerParticipant, "closed")
	closing, err := room.Close(joined, f.actor(), "done")
	if err != nil {
		t.Fatal(err)
	}
	evs := seal(t, s.ID, joined.Seq, t0.Add(3*time.Minute).In(elsewhere), append(ds, closing...)...)
	if len(evs) != 3 {
		t.Fatalf("closing makes %d events, want 3", len(evs))
	}
	c := appendChange(t, joined, evs...)
	c.RevokeLinks = []string{l.ID}
	closed := f.commit(t, c)
	all := f.events(t, f.account, s.ID)
	if len(all) != 6 {
		t.Fatalf("%d events after closing, want 6", len(all))
	}
	for i, e := range all {
		if e.Seq != int64(i)+1 || e.Room != s.ID {
			t.Fatalf("event %d is %s #%d", i, e.Room, e.Seq)
		}
	}
	wantEqual(t, "the closing events", all[3:], normal(evs))
	got = f.room(t, s.ID)
	if got.Seq != 6 || got.Status != room.StatusClosed || got.ClosedAt == nil || !got.ClosedAt.Equal(stored(t0.Add(3*time.Minute))) {
		t.Fatalf("closed: %+v", got)
	}
	wantEqual(t, "room after close", got, closed)
	wantEqual(t, "state after close", got, fold(t, all))
	wantEqual(t, "revoked link", f.link(t, l.ID).RevokedAt, storedPtr(t0.Add(3*time.Minute)))
}

func testCommitSeqConflict(t *testing.T, open Open) {
	f := newFixture(t, open)
	s := f.newRoom(t, t0)
	invited, l, _ := f.invite(t, s, t0)
	before := f.events(t, f.account, s.ID)
	msgs := f.messages(t, f.account)
	at := t0.Add(time.Minute)

	// A change decided at head, with its events numbered after it, as a
	// writer with a stale or wrong view of the room would make it.
	change := func(head int64) (store.Change, store.Link, store.Message) {
		nl, nm := f.newLink(invited, at), f.newMessage(invited, at)
		evs := []room.Event{note(s.ID, head+1, at, `{}`)}
		st := invited
		st.Seq, st.UpdatedAt = head+1, stored(at)
		return store.Change{Account: f.account, Room: s.ID, Head: head, Events: evs, State: st,
			Links: []store.Link{nl}, Messages: []store.Message{nm}, RevokeLinks: []string{l.ID}}, nl, nm
	}
	for _, head := range []int64{0, 1, invited.Seq + 1, invited.Seq + 10} {
		c, nl, _ := change(head)
		err := commit(f.st, c)
		if !isConflict(err, tandem.CodeSeqConflict) {
			t.Fatalf("head %d, the room at %d: error %v (kind %q, code %q), want a seq_conflict", head, invited.Seq, err, tandem.ErrorKind(err), tandem.ErrorCode(err))
		}
		f.unchanged(t, s.ID, invited, before, msgs)
		if _, err := f.st.Link(ctx, f.account, nl.ID); !tandem.IsKind(err, tandem.KindNotFound) {
			t.Fatalf("head %d: the link of a conflicting commit was written: %v", head, err)
		}
		if _, err := f.st.LinkByToken(ctx, nl.TokenHash); !tandem.IsKind(err, tandem.KindNotFound) {
			t.Fatalf("head %d: the link of a conflicting commit was written: %v", head, err)
		}
		if got := f.link(t, l.ID); got.RevokedAt != nil {
			t.Fatalf("head %d: a conflicting commit revoked a link", head)
		}
	}

	// The right head goes in, with all that goes with it.
	join := room.Join(invited, room.CustomerParticipant, room.RoleCustomer, "test")
	nl, nm := f.newLink(invited, at), f.newMessage(invited, at)
	c := appendChange(t, invited, seal(t, s.ID, invited.Seq, at, join...)...)
	c.Links, c.Messages, c.RevokeLinks = []store.Link{nl}, []store.Message{nm}, []string{l.ID}
	joined := f.commit(t, c)
	if got := f.room(t, s.ID); got.Seq != invited.Seq+1 {
		t.Fatalf("seq %d after the commit, want %d", got.Seq, invited.Seq+1)
	}
	wantEqual(t, "new link", f.link(t, nl.ID), storedLink(nl))
	wantEqual(t, "revoked link", f.link(t, l.ID).RevokedAt, storedPtr(at))
	wantEqual(t, "messages", f.messages(t, f.account), append([]store.Message{storedMessage(nm)}, msgs...))
	// And the same change again is now behind the head: a second writer
	// that decided on the same state loses, and writes nothing.
	before, msgs = f.events(t, f.account, s.ID), f.messages(t, f.account)
	err := commit(f.st, store.Change{Account: c.Account, Room: c.Room, Head: c.Head, Events: c.Events, State: c.State})
	wantErr(t, err, tandem.KindConflict, tandem.CodeSeqConflict)
	f.unchanged(t, s.ID, joined, before, msgs)
}

func testCommitRefuses(t *testing.T, open Open) {
	f := newFixture(t, open)
	s := f.newRoom(t, t0)
	s, used, _ := f.invite(t, s, t0)
	evs := f.events(t, f.account, s.ID)
	msgs := f.messages(t, f.account)
	at := t0.Add(time.Minute)
	next := s.Seq + 1

	// A room of another account, and a room that does not exist.
	theirs := f.commit(t, createChange(t, f.other, createdEventsIn(t, f.other, room.NewID("rm"), t0, f.otherAgent(t))))
	theirEvents := allEvents(t, f.st, f.other, theirs.ID)
	for _, id := range []string{theirs.ID, room.NewID("rm")} {
		st := s
		st.ID = id
		err := commit(f.st, appendChange(t, st, note(id, next, at, `{}`)))
		wantErr(t, err, tandem.KindNotFound, tandem.CodeRoomNotFound)
	}
	wantEqual(t, "events of the other account's room", allEvents(t, f.st, f.other, theirs.ID), theirEvents)

	otherLink := f.newLink(s, at)
	otherLink.Room = theirs.ID
	strangerLink := f.newLink(s, at)
	strangerLink.Account = f.other
	strangerMessage := f.newMessage(s, at)
	strangerMessage.Account = f.other
	otherRoomMessage := f.newMessage(s, at)
	otherRoomMessage.Room = theirs.ID
	dupLink := f.newLink(s, at)
	dupLink.ID = used.ID
	dupToken := f.newLink(s, at)
	dupToken.TokenHash = used.TokenHash
	dupMessage := f.newMessage(s, at)
	dupMessage.ID = msgs[0].ID
	again := createdEventsIn(t, f.account, s.ID, at, f.actor())[0]
	again.Seq = next
	stolen := createdEventsIn(t, f.other, s.ID, at, f.actor())[0]
	stolen.Seq = next
	ok := note(s.ID, next, at, `{}`)
	withSeq := func(e room.Event, seq int64) room.Event { e.Seq = seq; return e }
	// with is a change at the room's head with events evs and the state
	// they would bring the room to.
	with := func(evs ...room.Event) store.Change {
		st := s
		st.Seq, st.UpdatedAt = s.Seq+int64(len(evs)), stored(at)
		return store.Change{Account: f.account, Room: s.ID, Head: s.Seq, Events: evs, State: st}
	}
	also := func(c store.Change, change func(*store.Change)) store.Change { change(&c); return c }
	cases := []struct {
		name string
		c    store.Change
		kind tandem.Kind
	}{
		{"an event of another room", with(note(theirs.ID, next, at, `{}`)), tandem.KindInvalid},
		{"data that is not JSON", with(note(s.ID, next, at, `nope`)), tandem.KindInvalid},
		{"room.created again", with(again), tandem.KindInvalid},
		{"room.created of another account", with(stolen), tandem.KindInvalid},
		{"room.created on no head", also(with(), func(c *store.Change) {
			c.Head, c.Events, c.State = 0, []room.Event{withSeq(again, 1)}, fold(t, normal([]room.Event{withSeq(again, 1)}))
		}), tandem.KindInvalid},
		// Events that do not follow the head the change was decided at
		// are the caller's mistake, not a conflict.
		{"the head's seq", with(note(s.ID, s.Seq, at, `{}`)), tandem.KindInvalid},
		{"seq 1", with(note(s.ID, 1, at, `{}`)), tandem.KindInvalid},
		{"a gap", with(note(s.ID, next+1, at, `{}`)), tandem.KindInvalid},
		{"far ahead", with(note(s.ID, 100, at, `{}`)), tandem.KindInvalid},
		{"a gap inside", with(ok, note(s.ID, next+2, at, `{}`)), tandem.KindInvalid},
		{"a repeat inside", with(ok, ok), tandem.KindInvalid},
		{"backwards", with(note(s.ID, next+1, at, `{}`), ok), tandem.KindInvalid},
		{"a state of another room", also(with(ok), func(c *store.Change) { c.State.ID = theirs.ID }), tandem.KindInvalid},
		{"a state of another account", also(with(ok), func(c *store.Change) { c.State.Account = f.other }), tandem.KindInvalid},
		{"a state at another seq", also(with(ok), func(c *store.Change) { c.State.Seq = s.Seq }), tandem.KindInvalid},
		{"revocations without events", also(with(), func(c *store.Change) { c.RevokeLinks = []string{used.ID} }), tandem.KindInvalid},
		{"a link of another room", also(with(ok), func(c *store.Change) { c.Links = []store.Link{otherLink} }), tandem.KindInvalid},
		{"a link of another account", also(with(ok), func(c *store.Change) { c.Links = []store.Link{strangerLink} }), tandem.KindInvalid},
		{"a message of another account", also(with(ok), func(c *store.Change) { c.Messages = []store.Message{strangerMessage} }), tandem.KindInvalid},
		{"a message of another room", also(with(ok), func(c *store.Change) { c.Messages = []store.Message{otherRoomMessage} }), tandem.KindInvalid},
		// Refused only as they are written: the events already written in
		// the transaction must go too.
		{"a link id in use", also(with(ok), func(c *store.Change) {
			c.Links, c.Messages = []store.Link{dupLink}, []store.Message{f.newMessage(s, at)}
		}), tandem.KindConflict},
		{"a link token in use", also(with(ok), func(c *store.Change) {
			c.Links, c.Messages = []store.Link{dupToken}, []store.Message{f.newMessage(s, at)}
		}), tandem.KindConflict},
		{"a message id in use", also(with(ok), func(c *store.Change) {
			c.Links, c.Messages, c.RevokeLinks = []store.Link{f.newLink(s, at)}, []store.Message{dupMessage}, []string{used.ID}
		}), tandem.KindConflict},
	}
	for _, tc := range cases {
		err := commit(f.st, tc.c)
		if !tandem.IsKind(err, tc.kind) {
			t.Fatalf("%s: error %v (kind %q), want kind %q", tc.name, err, tandem.ErrorKind(err), tc.kind)
		}
		if tandem.ErrorCode(err) == tandem.CodeSeqConflict {
			t.Fatalf("%s: refused as a seq conflict, which would make the caller retry for ever: %v", tc.name, err)
		}
		f.unchanged(t, s.ID, s, evs, msgs)
		for _, l := range tc.c.Links {
			if l.ID != used.ID {
				if _, err := f.st.Link(ctx, f.account, l.ID); !tandem.IsKind(err, tandem.KindNotFound) {
					t.Fatalf("%s: the link of a refused commit was written: %v", tc.name, err)
				}
			}
		}
		wantEqual(t, tc.name+": link", f.link(t, used.ID), storedLink(used))
	}
	f.commit(t, with(ok))
}

func testCommitRevokesLinks(t *testing.T, open Open) {
	f := newFixture(t, open)
	a, b := f.newRoom(t, t0), f.newRoom(t, t0)
	a, la, _ := f.invite(t, a, t0)
	b, lb, _ := f.invite(t, b, t0)

	closing, err := room.Close(a, f.actor(), "done")
	if err != nil {
		t.Fatal(err)
	}
	at := t0.Add(time.Minute).In(elsewhere)
	evs := seal(t, a.ID, a.Seq, at, closing...)
	evs[1].At = at.Add(time.Second) // links are revoked at the first event's time
	// Ids of another room's link and of no link are left alone.
	c := appendChange(t, a, evs...)
	c.RevokeLinks = []string{la.ID, lb.ID, room.NewID("ln")}
	a = f.commit(t, c)
	want := storedLink(la)
	want.RevokedAt = storedPtr(at)
	wantEqual(t, "revoked link", f.link(t, la.ID), want)
	byToken, err := f.st.LinkByToken(ctx, la.TokenHash)
	if err != nil {
		t.Fatalf("revoked link by token: %v", err)
	}
	wantEqual(t, "revoked link by token", byToken, want)
	wantEqual(t, "another room's link", f.link(t, lb.ID), storedLink(lb))

	// Revoking a revoked link keeps the time it was first revoked.
	c = appendChange(t, a, note(a.ID, a.Seq+1, at.Add(time.Hour), `{}`))
	c.RevokeLinks = []string{la.ID}
	f.commit(t, c)
	wantEqual(t, "link revoked twice", f.link(t, la.ID), want)

	// Room b revokes its own link.
	c = appendChange(t, b, note(b.ID, b.Seq+1, at.Add(2*time.Hour), `{}`))
	c.RevokeLinks = []string{lb.ID}
	f.commit(t, c)
	wantEqual(t, "b's link", f.link(t, lb.ID).RevokedAt, storedPtr(at.Add(2*time.Hour)))
}
