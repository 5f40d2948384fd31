package storetest

import (
	"testing"
	"time"

	"github.com/tandemhq/tandem"
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

func testCommitCreate(t *testing.T, open Open) {
	f := newFixture(t, open)

	// A pre-planned room: room.created alone.
	at := t0.In(elsewhere)
	evs := f.createdEvents(t, room.NewID("rm"), at, f.actor())
	s := f.commit(t, createChange(t, f.account, evs))
	got := f.room(t, s.ID)
	wantEqual(t, "created room", got, s)
	if got.ID != evs[0].Room || got.Account != f.account || got.Seq != 1 || got.Status != room.StatusPending || got.Agent != f.actor() ||
		!got.CreatedAt.Equal(stored(at)) || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("created room: %+v", got)
	}
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
	c := createChange(t, f.account, evs)
	c.Links, c.Messages = []store.Link{l}, []store.Message{m}
	live := f.commit(t, c)
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
	s = f.commit(t, createChange(t, f.account, evs))
	if got := f.room(t, s.ID); got.Customer.Name != odd.Name {
		t.Fatalf("customer %q, want %q", got.Customer.Name, odd.Name)
	}
	wantEqual(t, "odd room", f.room(t, s.ID), s)
	wantEqual(t, "odd room's events", f.events(t, f.account, s.ID), normal(evs))

	// The state is kept as it is given: the store does not fold the
	// events again, the caller did.
	c = createChange(t, f.account, f.createdEvents(t, room.NewID("rm"), at, f.actor()))
	c.State.Company = "As the caller says"
	wantEqual(t, "a state kept as given", f.room(t, f.commit(t, c).ID), c.State)
}

func testCommitCreateRefuses(t *testing.T, open Open) {
	f := newFixture(t, open)
	existing := f.newRoom(t, t0)
	_, usedLink, _ := f.invite(t, existing, t0)
	existing = f.room(t, existing.ID)
	existingEvents := f.events(t, f.account, existing.ID)
	msgs := f.messages(t, f.account)

	id := room.NewID("rm")
	created := f.createdEvents(t, id, t0, f.actor())
	s0 := fold(t, normal(created))
	withSeq := func(e room.Event, seq int64) room.Event { e.Seq = seq; return e }
	// with is the change that creates room id with evs, in state s0.
	with := func(evs ...room.Event) store.Change {
		return store.Change{Account: f.account, Room: id, Create: true, Events: evs, State: s0}
	}
	withState := func(change func(*room.State)) store.Change {
		c := with(created...)
		change(&c.State)
		return c
	}
	badLink := f.newLink(s0, t0)
	badLink.Room = existing.ID
	otherLink := f.newLink(s0, t0)
	otherLink.Account = f.other
	badMessage := f.newMessage(s0, t0)
	badMessage.Account = f.other
	dupLink := f.newLink(s0, t0)
	dupLink.ID = usedLink.ID
	headed := with(created...)
	headed.Head = 1
	theirs := with(created...)
	theirs.Account = f.other
	withDup := with(created...)
	withDup.Links, withDup.Messages = []store.Link{dupLink}, []store.Message{f.newMessage(s0, t0)}
	withDup.Contact = &store.ContactUse{Owner: f.agent.ID, Name: "Sam Lee", Phone: "+14155550134", At: t0}

	cases := []struct {
		name string
		c    store.Change
		kind tandem.Kind
	}{
		{"no events", with(), tandem.KindInvalid},
		{"a head", headed, tandem.KindInvalid},
		{"first seq 2", with(withSeq(created[0], 2)), tandem.KindInvalid},
		{"first seq 0", with(withSeq(created[0], 0)), tandem.KindInvalid},
		{"not room.created first", with(note(id, 1, t0, `{}`)), tandem.KindInvalid},
		{"room.created twice", with(created[0], withSeq(created[0], 2)), tandem.KindInvalid},
		{"a gap", with(created[0], note(id, 3, t0, `{}`)), tandem.KindInvalid},
		{"a repeated seq", with(created[0], note(id, 1, t0, `{}`)), tandem.KindInvalid},
		{"an event of another room", with(created[0], note(existing.ID, 2, t0, `{}`)), tandem.KindInvalid},
		{"data that is not JSON", with(created[0], note(id, 2, t0, `{"a":`)), tandem.KindInvalid},
		{"a room of another account", theirs, tandem.KindInvalid},
		{"a state of another room", withState(func(s *room.State) { s.ID = existing.ID }), tandem.KindInvalid},
		{"a state of another account", withState(func(s *room.State) { s.Account = f.other }), tandem.KindInvalid},
		{"a state at another seq", withState(func(s *room.State) { s.Seq = 2 }), tandem.KindInvalid},
		{"a link of another room", store.Change{Account: f.account, Room: id, Create: true, Events: created, State: s0, Links: []store.Link{badLink}}, tandem.KindInvalid},
		{"a link of another account", store.Change{Account: f.account, Room: id, Create: true, Events: created, State: s0, Links: []store.Link{otherLink}}, tandem.KindInvalid},
		{"a message of another account", store.Change{Account: f.account, Room: id, Create: true, Events: created, State: s0, Messages: []store.Message{badMessage}}, tandem.KindInvalid},
		// Refused only when written: the room's row, its events and its
		// contact must go too.
		{"a link id in use", withDup, tandem.KindConflict},
	}
	for _, tc := range cases {
		err := commit(f.st, tc.c)
		if !tandem.IsKind(err, tc.kind) {
			t.Fatalf("%s: error %v (kind %q), want kind %q", tc.name, err, tandem.ErrorKind(err), tc.kind)
		}
		for _, account := range []string{f.account, f.other} {
			if _, err := f.st.Room(ctx, account, id); !tandem.IsKind(err, tandem.KindNotFound) {
				t.Fatalf("%s: the refused room was written: %v", tc.name, err)
			}
		}
		f.unchanged(t, existing.ID, existing, existingEvents, msgs)
		if _, err := f.st.LinkByToken(ctx, dupLink.TokenHash); !tandem.IsKind(err, tandem.KindNotFound) {
			t.Fatalf("%s: the link of the refused room was written: %v", tc.name, err)
		}
		if cs, err := f.st.Contacts(ctx, f.account, store.ContactQuery{}); err != nil || len(cs) != 0 {
			t.Fatalf("%s: the contact of the refused room was written: %+v, %v", tc.name, cs, err)
		}
	}

	// The id of an existing room, in its account or another one.
	err := commit(f.st, createChange(t, f.account, f.createdEvents(t, existing.ID, t0.Add(time.Hour), f.actor())))
	wantErr(t, err, tandem.KindConflict, "")
	err = commit(f.st, createChange(t, f.other, createdEventsIn(t, f.other, existing.ID, t0.Add(time.Hour), f.otherAgent(t))))
	wantErr(t, err, tandem.KindConflict, "")
	_, err = f.st.Room(ctx, f.other, existing.ID)
	wantErr(t, err, tandem.KindNotFound, tandem.CodeRoomNotFound)
	f.unchanged(t, existing.ID, existing, existingEvents, msgs)

	// Once the refusals are over, the room can be created.
	f.commit(t, createChange(t, f.account, created))
}
