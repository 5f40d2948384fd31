package storetest

import (
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// newLink returns a link of room s of f's account, not yet written.
func (f *fixture) newLink(s room.State, at time.Time) store.Link {
	return store.Link{ID: room.NewID("ln"), Account: f.account, Room: s.ID, TokenHash: room.NewID("tok"), Channel: s.Channel,
		To: s.Customer.Phone, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
}

// newMessage returns a message of room s of f's account, not yet written.
func (f *fixture) newMessage(s room.State, at time.Time) store.Message {
	return store.Message{ID: room.NewID("msg"), Account: f.account, Room: s.ID, Channel: s.Channel, To: s.Customer.Phone,
		Body: "Your session with Acme: https://tandem.example/r/abc", Link: "https://tandem.example/r/abc", CreatedAt: at, Status: store.MessagePending}
}

func testCreateRoom(t *testing.T, open Open) {
	f := newFixture(t, open)

	// A pre-planned room: room.created alone.
	at := t0.In(elsewhere)
	evs := f.createdEvents(t, room.NewID("rm"), at, f.actor())
	s, err := f.st.CreateRoom(ctx, f.account, store.Change{Events: evs})
	if err != nil {
		t.Fatalf("create room: %v", err)
	}
	wantEqual(t, "created room", s, fold(t, normal(evs)))
	if s.ID != evs[0].Room || s.Account != f.account || s.Seq != 1 || s.Status != room.StatusPending || s.Agent != f.actor() ||
		!s.CreatedAt.Equal(stored(at)) || s.CreatedAt.Location() != time.UTC {
		t.Fatalf("created room: %+v", s)
	}
	wantEqual(t, "room", f.room(t, s.ID), s)
	wantEqual(t, "events", f.events(t, f.account, s.ID), normal(evs))

	// A live room: created and invited in one change, with its link and
	// its message.
	id := room.NewID("rm")
	created := f.createdEvents(t, id, at, f.actor())
	l := f.newLink(fold(t, created), at)
	d, err := room.Invite(fold(t, created), room.InviteCustomer{Agent: f.actor(), Link: l.ID, ExpiresAt: l.ExpiresAt})
	if err != nil {
		t.Fatal(err)
	}
	evs = append(created, seal(t, id, 1, at, d)...)
	m := f.newMessage(fold(t, created), at)
	live, err := f.st.CreateRoom(ctx, f.account, store.Change{Events: evs, Links: []store.Link{l}, Messages: []store.Message{m}})
	if err != nil {
		t.Fatalf("create live room: %v", err)
	}
	wantEqual(t, "created live room", live, fold(t, normal(evs)))
	if live.Seq != 2 || live.Status != room.StatusInvited || live.Invite == nil || live.Invite.Link != l.ID {
		t.Fatalf("created live room: %+v", live)
	}
	wantEqual(t, "live room", f.room(t, id), live)
	wantEqual(t, "live room's events", f.events(t, f.account, id), normal(evs))
	wantEqual(t, "live room's link", f.link(t, l.ID), storedLink(l))
	wantEqual(t, "messages", f.messages(t, f.account), []store.Message{storedMessage(m)})

	// Any text the domain accepts is kept as it is: quotes, markup,
	// escapes that look like JSON's, characters beyond the BMP.
	odd := room.Customer{Name: "Zoë \"Z\" O'Neil\u2028<b>&amp;</b> \\u0000 😀", Email: "zoe@example.com"}
	cd, err := room.Create(room.CreateRoom{Account: f.account, Agent: f.actor(), Mode: room.ModePreplan, Channel: room.ChannelEmail, Customer: odd})
	if err != nil {
		t.Fatal(err)
	}
	evs = seal(t, room.NewID("rm"), 0, at, cd)
	s, err = f.st.CreateRoom(ctx, f.account, store.Change{Events: evs})
	if err != nil {
		t.Fatalf("create a room for %q: %v", odd.Name, err)
	}
	if s.Customer.Name != odd.Name {
		t.Fatalf("customer %q, want %q", s.Customer.Name, odd.Name)
	}
	wantEqual(t, "odd room", f.room(t, s.ID), s)
	wantEqual(t, "odd room's events", f.events(t, f.account, s.ID), normal(evs))
}

func testCreateRoomRefuses(t *testing.T, open Open) {
	f := newFixture(t, open)
	existing := f.newRoom(t, t0)
	_, usedLink, _ := f.invite(t, existing, t0)
	existing = f.room(t, existing.ID)
	existingEvents := f.events(t, f.account, existing.ID)
	msgs := f.messages(t, f.account)

	id := room.NewID("rm")
	created := f.createdEvents(t, id, t0, f.actor())
	s0 := fold(t, created)
	withSeq := func(e room.Event, seq int64) room.Event { e.Seq = seq; return e }
	withData := func(e room.Event, data string) room.Event { e.Data = json.RawMessage(data); return e }
	badLink := f.newLink(s0, t0)
	badLink.Room = existing.ID
	otherLink := f.newLink(s0, t0)
	otherLink.Account = f.other
	badMessage := f.newMessage(s0, t0)
	badMessage.Account = f.other
	dupLink := f.newLink(s0, t0)
	dupLink.ID = usedLink.ID

	cases := []struct {
		name    string
		account string
		c       store.Change
		kind    room.Kind
	}{
		{"no events", f.account, store.Change{}, room.KindInvalid},
		{"first seq 2", f.account, store.Change{Events: []room.Event{withSeq(created[0], 2)}}, room.KindInvalid},
		{"first seq 0", f.account, store.Change{Events: []room.Event{withSeq(created[0], 0)}}, room.KindInvalid},
		{"not room.created first", f.account, store.Change{Events: []room.Event{note(id, 1, t0, `{}`)}}, room.KindInvalid},
		{"a gap", f.account, store.Change{Events: []room.Event{created[0], note(id, 3, t0, `{}`)}}, room.KindInvalid},
		{"a repeated seq", f.account, store.Change{Events: []room.Event{created[0], note(id, 1, t0, `{}`)}}, room.KindInvalid},
		{"an event of another room", f.account, store.Change{Events: []room.Event{created[0], note(existing.ID, 2, t0, `{}`)}}, room.KindInvalid},
		{"data that is not JSON", f.account, store.Change{Events: []room.Event{created[0], note(id, 2, t0, `{"a":`)}}, room.KindInvalid},
		{"room.created data that is not a room", f.account, store.Change{Events: []room.Event{withData(created[0], `"nope"`)}}, room.KindInvalid},
		{"a room of another account", f.other, store.Change{Events: created}, room.KindInvalid},
		{"a link of another room", f.account, store.Change{Events: created, Links: []store.Link{badLink}}, room.KindInvalid},
		{"a link of another account", f.account, store.Change{Events: created, Links: []store.Link{otherLink}}, room.KindInvalid},
		{"a message of another account", f.account, store.Change{Events: created, Messages: []store.Message{badMessage}}, room.KindInvalid},
		// Refused only when written: the room's row must go too.
		{"a link id in use", f.account, store.Change{Events: created, Links: []store.Link{dupLink}, Messages: []store.Message{f.newMessage(s0, t0)}}, room.KindConflict},
	}
	for _, tc := range cases {
		_, err := f.st.CreateRoom(ctx, tc.account, tc.c)
		if !room.IsKind(err, tc.kind) {
			t.Fatalf("%s: error %v (kind %q), want kind %q", tc.name, err, room.ErrorKind(err), tc.kind)
		}
		for _, account := range []string{f.account, f.other} {
			if _, err := f.st.Room(ctx, account, id); !room.IsKind(err, room.KindNotFound) {
				t.Fatalf("%s: the refused room was written: %v", tc.name, err)
			}
		}
		f.unchanged(t, existing.ID, existing, existingEvents, msgs)
		if _, err := f.st.LinkByToken(ctx, dupLink.TokenHash); !room.IsKind(err, room.KindNotFound) {
			t.Fatalf("%s: the link of the refused room was written: %v", tc.name, err)
		}
	}

	// The id of an existing room, in its account or another one.
	again := f.createdEvents(t, existing.ID, t0.Add(time.Hour), f.actor())
	_, err := f.st.CreateRoom(ctx, f.account, store.Change{Events: again})
	wantErr(t, err, room.KindConflict, "")
	elsewhereRoom := createdEventsIn(t, f.other, existing.ID, t0.Add(time.Hour), f.otherAgent(t))
	_, err = f.st.CreateRoom(ctx, f.other, store.Change{Events: elsewhereRoom})
	wantErr(t, err, room.KindConflict, "")
	_, err = f.st.Room(ctx, f.other, existing.ID)
	wantErr(t, err, room.KindNotFound, "room_not_found")
	f.unchanged(t, existing.ID, existing, existingEvents, msgs)

	// Once the refusals are over, the room can be created.
	if _, err := f.st.CreateRoom(ctx, f.account, store.Change{Events: created}); err != nil {
		t.Fatalf("create room after refusals: %v", err)
	}
}

func testCommit(t *testing.T, open Open) {
	f := newFixture(t, open)
	s := f.newRoom(t, t0)
	invited, l, m := f.invite(t, s, t0.Add(time.Minute).In(elsewhere))
	if invited.Seq != 2 || invited.Status != room.StatusInvited || invited.Invite == nil || invited.Invite.Link != l.ID ||
		!invited.UpdatedAt.Equal(stored(t0.Add(time.Minute))) || !invited.CreatedAt.Equal(stored(t0)) {
		t.Fatalf("invited: %+v", invited)
	}
	wantEqual(t, "state after invite", invited, fold(t, f.events(t, f.account, s.ID)))
	wantEqual(t, "room after invite", f.room(t, s.ID), invited)
	wantEqual(t, "link", f.link(t, l.ID), storedLink(l))
	wantEqual(t, "messages", f.messages(t, f.account), []store.Message{storedMessage(m)})

	joined := f.join(t, invited, t0.Add(2*time.Minute))
	if joined.Seq != 3 || joined.Status != room.StatusConnected || !joined.CustomerConnected() {
		t.Fatalf("joined: %+v", joined)
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
	closed, err := f.st.Commit(ctx, f.account, s.ID, store.Change{Events: evs, RevokeLinks: []string{l.ID}})
	if err != nil {
		t.Fatalf("close: %v", err)
	}
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
	if closed.Seq != 6 || closed.Status != room.StatusClosed || closed.ClosedAt == nil || !closed.ClosedAt.Equal(stored(t0.Add(3*time.Minute))) {
		t.Fatalf("closed: %+v", closed)
	}
	wantEqual(t, "state after close", closed, fold(t, all))
	wantEqual(t, "room after close", f.room(t, s.ID), closed)
}

func testCommitSeqConflict(t *testing.T, open Open) {
	f := newFixture(t, open)
	s := f.newRoom(t, t0)
	invited, l, _ := f.invite(t, s, t0)
	before := f.events(t, f.account, s.ID)
	msgs := f.messages(t, f.account)
	at := t0.Add(time.Minute)

	// A change as a writer with a stale or wrong head would make it.
	change := func(evs []room.Event) (store.Change, store.Link, store.Message) {
		nl, nm := f.newLink(invited, at), f.newMessage(invited, at)
		return store.Change{Events: evs, Links: []store.Link{nl}, Messages: []store.Message{nm}, RevokeLinks: []string{l.ID}}, nl, nm
	}
	join := room.Join(invited, room.CustomerParticipant, room.RoleCustomer, "test")
	cases := []struct {
		name string
		evs  []room.Event
	}{
		{"the head's seq", seal(t, s.ID, invited.Seq-1, at, join...)},
		{"seq 1", seal(t, s.ID, 0, at, join...)},
		{"a gap", seal(t, s.ID, invited.Seq+1, at, join...)},
		{"far ahead", []room.Event{note(s.ID, 100, at, `{}`)}},
		{"a gap inside", []room.Event{note(s.ID, invited.Seq+1, at, `{}`), note(s.ID, invited.Seq+3, at, `{}`)}},
		{"a repeat inside", []room.Event{note(s.ID, invited.Seq+1, at, `{}`), note(s.ID, invited.Seq+1, at, `{}`)}},
		{"backwards", []room.Event{note(s.ID, invited.Seq+2, at, `{}`), note(s.ID, invited.Seq+1, at, `{}`)}},
	}
	for _, tc := range cases {
		c, nl, _ := change(tc.evs)
		_, err := f.st.Commit(ctx, f.account, s.ID, c)
		if room.ErrorKind(err) != room.KindConflict || room.ErrorCode(err) != "seq_conflict" {
			t.Fatalf("%s: error %v (kind %q, code %q), want a seq_conflict", tc.name, err, room.ErrorKind(err), room.ErrorCode(err))
		}
		f.unchanged(t, s.ID, invited, before, msgs)
		if _, err := f.st.Link(ctx, f.account, nl.ID); !room.IsKind(err, room.KindNotFound) {
			t.Fatalf("%s: the link of a conflicting commit was written: %v", tc.name, err)
		}
		if _, err := f.st.LinkByToken(ctx, nl.TokenHash); !room.IsKind(err, room.KindNotFound) {
			t.Fatalf("%s: the link of a conflicting commit was written: %v", tc.name, err)
		}
		if got := f.link(t, l.ID); got.RevokedAt != nil {
			t.Fatalf("%s: a conflicting commit revoked a link", tc.name)
		}
	}

	// The right seq goes in, with all that goes with it.
	c, nl, nm := change(seal(t, s.ID, invited.Seq, at, join...))
	joined, err := f.st.Commit(ctx, f.account, s.ID, c)
	if err != nil {
		t.Fatalf("commit at the head: %v", err)
	}
	if joined.Seq != invited.Seq+1 {
		t.Fatalf("seq %d after the commit, want %d", joined.Seq, invited.Seq+1)
	}
	wantEqual(t, "new link", f.link(t, nl.ID), storedLink(nl))
	wantEqual(t, "revoked link", f.link(t, l.ID).RevokedAt, storedPtr(at))
	wantEqual(t, "messages", f.messages(t, f.account), append([]store.Message{storedMessage(nm)}, msgs...))
	// And the same change again is now behind the head.
	_, err = f.st.Commit(ctx, f.account, s.ID, store.Change{Events: c.Events})
	wantErr(t, err, room.KindConflict, "seq_conflict")
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
	theirs, err := f.st.CreateRoom(ctx, f.other, store.Change{Events: createdEventsIn(t, f.other, room.NewID("rm"), t0, f.otherAgent(t))})
	if err != nil {
		t.Fatalf("create a room of the other account: %v", err)
	}
	theirEvents := allEvents(t, f.st, f.other, theirs.ID)
	for _, id := range []string{theirs.ID, room.NewID("rm")} {
		_, err := f.st.Commit(ctx, f.account, id, store.Change{Events: []room.Event{note(id, 2, at, `{}`)}})
		wantErr(t, err, room.KindNotFound, "room_not_found")
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
	leave, err := room.Seal(s.ID, s.Seq, at, []room.Draft{{Type: room.TypeParticipantLeft, Actor: room.System,
		Data: room.ParticipantLeft{Participant: room.CustomerParticipant, Role: room.RoleCustomer}}})
	if err != nil {
		t.Fatal(err)
	}
	ok := note(s.ID, next, at, `{}`)
	cases := []struct {
		name string
		c    store.Change
		kind room.Kind
	}{
		{"no events", store.Change{}, room.KindInvalid},
		{"no events but a link", store.Change{Links: []store.Link{f.newLink(s, at)}}, room.KindInvalid},
		{"an event of another room", store.Change{Events: []room.Event{note(theirs.ID, next, at, `{}`)}}, room.KindInvalid},
		{"data that is not JSON", store.Change{Events: []room.Event{note(s.ID, next, at, `nope`)}}, room.KindInvalid},
		{"an event the fold refuses", store.Change{Events: leave}, room.KindInvalid},
		{"room.created again", store.Change{Events: []room.Event{again}}, room.KindInvalid},
		{"room.created of another account", store.Change{Events: []room.Event{stolen}}, room.KindInvalid},
		{"a link of another room", store.Change{Events: []room.Event{ok}, Links: []store.Link{otherLink}}, room.KindInvalid},
		{"a link of another account", store.Change{Events: []room.Event{ok}, Links: []store.Link{strangerLink}}, room.KindInvalid},
		{"a message of another account", store.Change{Events: []room.Event{ok}, Messages: []store.Message{strangerMessage}}, room.KindInvalid},
		{"a message of another room", store.Change{Events: []room.Event{ok}, Messages: []store.Message{otherRoomMessage}}, room.KindInvalid},
		// Refused only as they are written: the events already written in
		// the transaction must go too.
		{"a link id in use", store.Change{Events: []room.Event{ok}, Links: []store.Link{dupLink}, Messages: []store.Message{f.newMessage(s, at)}}, room.KindConflict},
		{"a link token in use", store.Change{Events: []room.Event{ok}, Links: []store.Link{dupToken}, Messages: []store.Message{f.newMessage(s, at)}}, room.KindConflict},
		{"a message id in use", store.Change{Events: []room.Event{ok}, Links: []store.Link{f.newLink(s, at)}, Messages: []store.Message{dupMessage}, RevokeLinks: []string{used.ID}}, room.KindConflict},
	}
	for _, tc := range cases {
		_, err := f.st.Commit(ctx, f.account, s.ID, tc.c)
		if !room.IsKind(err, tc.kind) {
			t.Fatalf("%s: error %v (kind %q), want kind %q", tc.name, err, room.ErrorKind(err), tc.kind)
		}
		if room.ErrorCode(err) == "seq_conflict" {
			t.Fatalf("%s: refused as a seq conflict, which would make the caller retry for ever: %v", tc.name, err)
		}
		f.unchanged(t, s.ID, s, evs, msgs)
		for _, l := range tc.c.Links {
			if l.ID != used.ID {
				if _, err := f.st.Link(ctx, f.account, l.ID); !room.IsKind(err, room.KindNotFound) {
					t.Fatalf("%s: the link of a refused commit was written: %v", tc.name, err)
				}
			}
		}
		wantEqual(t, tc.name+": link", f.link(t, used.ID), storedLink(used))
	}
	if _, err := f.st.Commit(ctx, f.account, s.ID, store.Change{Events: []room.Event{ok}}); err != nil {
		t.Fatalf("commit after refusals: %v", err)
	}
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
	if _, err := f.st.Commit(ctx, f.account, a.ID, store.Change{Events: evs, RevokeLinks: []string{la.ID, lb.ID, room.NewID("ln")}}); err != nil {
		t.Fatalf("close: %v", err)
	}
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
	if _, err := f.st.Commit(ctx, f.account, a.ID, store.Change{Events: []room.Event{note(a.ID, a.Seq+3, at.Add(time.Hour), `{}`)}, RevokeLinks: []string{la.ID}}); err != nil {
		t.Fatalf("revoke again: %v", err)
	}
	wantEqual(t, "link revoked twice", f.link(t, la.ID), want)

	// Room b revokes its own link.
	if _, err := f.st.Commit(ctx, f.account, b.ID, store.Change{Events: []room.Event{note(b.ID, b.Seq+1, at.Add(2*time.Hour), `{}`)}, RevokeLinks: []string{lb.ID}}); err != nil {
		t.Fatalf("revoke b's link: %v", err)
	}
	wantEqual(t, "b's link", f.link(t, lb.ID).RevokedAt, storedPtr(at.Add(2*time.Hour)))
}

func testConcurrentCommits(t *testing.T, open Open) {
	f := newFixture(t, open)
	s := f.newRoom(t, t0)
	const writers, appends = 8, 25
	var commits, conflicts atomic.Int64
	parallel(writers, func(w int) {
		for i := 0; i < appends; {
			head, err := f.st.Room(ctx, f.account, s.ID)
			if err != nil {
				t.Errorf("writer %d: reload: %v", w, err)
				return
			}
			e := note(s.ID, head.Seq+1, t0.Add(time.Duration(head.Seq)*time.Millisecond), fmt.Sprintf(`{"writer":%d,"n":%d}`, w, i))
			next, err := f.st.Commit(ctx, f.account, s.ID, store.Change{Events: []room.Event{e}})
			switch {
			case err == nil:
				if next.Seq != e.Seq {
					t.Errorf("writer %d: committed seq %d, the state says %d", w, e.Seq, next.Seq)
					return
				}
				commits.Add(1)
				i++
			case room.ErrorCode(err) == "seq_conflict":
				conflicts.Add(1)
			default:
				t.Errorf("writer %d: commit: %v", w, err)
				return
			}
		}
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
}

func testRoomsScoped(t *testing.T, open Open) {
	f := newFixture(t, open)
	s := f.newRoom(t, t0)
	s, l, _ := f.invite(t, s, t0)
	evs := f.events(t, f.account, s.ID)
	msgs := f.messages(t, f.account)

	_, err := f.st.Room(ctx, f.other, s.ID)
	wantErr(t, err, room.KindNotFound, "room_not_found")
	_, err = f.st.Events(ctx, f.other, s.ID, 0, 100)
	wantErr(t, err, room.KindNotFound, "room_not_found")
	_, err = f.st.Commit(ctx, f.other, s.ID, store.Change{Events: []room.Event{note(s.ID, s.Seq+1, t0, `{}`)}})
	wantErr(t, err, room.KindNotFound, "room_not_found")
	closing, err := room.Close(s, f.actor(), "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.st.Commit(ctx, f.other, s.ID, store.Change{Events: seal(t, s.ID, s.Seq, t0, closing...), RevokeLinks: []string{l.ID}})
	wantErr(t, err, room.KindNotFound, "room_not_found")
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
	wantErr(t, err, room.KindNotFound, "")
	theirs, err := f.st.Messages(ctx, f.other, 100)
	if err != nil {
		t.Fatalf("messages: %v", err)
	}
	if len(theirs) != 0 {
		t.Fatalf("another account sees %d messages", len(theirs))
	}
}
