package storetest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// erased is the text an erasure leaves in a room's messages, in these
// tests.
const erased = "[erased]"

// eraseChange returns the change that erases the customer's personal data
// from room s of account as a hub decides it: the log masked by
// room.Redact, the room.contact_erased event, the state they fold to, and
// the erasure of the room's links and messages.
func eraseChange(t *testing.T, st store.Store, account string, s room.State, agent room.Actor, at time.Time) store.Change {
	t.Helper()
	redacted, err := room.Redact(allEvents(t, st, account, s.ID))
	if err != nil {
		t.Fatal(err)
	}
	masked := fold(t, redacted)
	evs := seal(t, s.ID, s.Seq, at, room.EraseContact(masked, agent, "ct_1")...)
	return store.Change{Account: account, Room: s.ID, Head: s.Seq, Events: evs, State: apply(t, masked, normal(evs)), Rewrite: redacted,
		Erase: &store.Erasure{Body: erased, CancelPending: store.MessageFailed}}
}

// testErase erases a room's personal data: its log is rewritten in place,
// keeping every event, and its links' and messages' addresses and texts
// are cleared; pending messages are never sent.
func testErase(t *testing.T, open Open) {
	f := newFixture(t, open)
	s := f.newRoom(t, t0)
	s, l, pending := f.invite(t, s, t0.Add(time.Second))
	s = f.join(t, s, t0.Add(2*time.Second))
	sent := f.newMessage(s, t0.Add(3*time.Second))
	sent.Subject, sent.Status, sent.SentAt, sent.Error, sent.Provider = "Your session", store.MessageSent, storedPtr(t0.Add(4*time.Second)), "slow", "smtp"
	c := appendChange(t, s, note(s.ID, s.Seq+1, t0.Add(3*time.Second), `{}`))
	c.Messages = []store.Message{sent}
	s = f.commit(t, c)
	other, otherLink, otherMessage := f.invite(t, f.newRoom(t, t0), t0.Add(time.Second))
	before := f.events(t, f.account, s.ID)

	// Another account cannot erase the room.
	theirs := eraseChange(t, f.st, f.account, s, f.actor(), t0.Add(time.Minute))
	theirs.Account, theirs.State.Account = f.other, f.other
	wantErr(t, commit(f.st, theirs), tandem.KindNotFound, tandem.CodeRoomNotFound)
	wantEqual(t, "the room's log after another account's erasure", f.events(t, f.account, s.ID), before)
	wantEqual(t, "the room's link after another account's erasure", f.link(t, l.ID), storedLink(l))

	c = eraseChange(t, f.st, f.account, s, f.actor(), t0.Add(time.Minute))
	next := f.commit(t, c)
	got := f.room(t, s.ID)
	wantEqual(t, "state after erasure", got, next)
	if got.Customer.Name != room.ErasedName || got.Seq != s.Seq+1 || !got.ContactErased {
		t.Fatalf("state after erasure: %+v", got)
	}
	after := f.events(t, f.account, s.ID)
	wantEqual(t, "the log after erasure", after, append(normal(c.Rewrite), normal(c.Events)...))
	raw, _ := json.Marshal(after)
	if len(after) != len(before)+1 || strings.Contains(string(raw), "Sam Lee") || strings.Contains(string(raw), "+14155550134") {
		t.Fatalf("log after erasure: %s", raw)
	}
	for i, e := range before {
		if a := after[i]; a.Seq != e.Seq || a.Type != e.Type || !a.At.Equal(e.At) {
			t.Fatalf("event %d was %s at %v, is %s at %v after erasure", e.Seq, e.Type, e.At, a.Type, a.At)
		}
	}
	if got := f.events(t, f.account, s.ID)[0].Data; string(got) == string(before[0].Data) {
		t.Fatal("room.created was not rewritten")
	}

	// Its messages keep nothing but their place; the one to send never
	// goes. The other room's link and message are left alone.
	wantPending := storedMessage(pending)
	wantPending.To, wantPending.Body, wantPending.Link, wantPending.Status = "", erased, "", store.MessageFailed
	wantSent := storedMessage(sent)
	wantSent.To, wantSent.Subject, wantSent.Body, wantSent.Link, wantSent.Error = "", "", erased, "", ""
	for _, m := range f.messages(t, f.account) {
		switch m.ID {
		case pending.ID:
			wantEqual(t, "the pending message after erasure", m, wantPending)
		case sent.ID:
			wantEqual(t, "the sent message after erasure", m, wantSent)
		case otherMessage.ID:
			wantEqual(t, "another room's message", m, storedMessage(otherMessage))
		default:
			t.Fatalf("an unknown message %+v", m)
		}
	}
	ms := claim(t, f.st, t0.Add(time.Hour), time.Minute, 10)
	if ids := messageIDs(ms); !slices.Equal(ids, []string{otherMessage.ID}) {
		t.Fatalf("claimed %v after the erasure, want only the other room's message", ids)
	}
	wantLink := storedLink(l)
	wantLink.To = ""
	wantEqual(t, "the link after erasure", f.link(t, l.ID), wantLink)
	wantEqual(t, "another room's link", f.link(t, otherLink.ID), storedLink(otherLink))

	// An erasure alone clears the links and messages, and leaves the log
	// and the state as they are.
	evs := f.events(t, f.account, other.ID)
	f.commit(t, store.Change{Account: f.account, Room: other.ID, Head: other.Seq, Erase: &store.Erasure{Body: "gone", CancelPending: store.MessageFailed}})
	wantEqual(t, "the log after an erasure alone", f.events(t, f.account, other.ID), evs)
	wantEqual(t, "the state after an erasure alone", f.room(t, other.ID), other)
	wantLink = storedLink(otherLink)
	wantLink.To = ""
	wantEqual(t, "the link after an erasure alone", f.link(t, otherLink.ID), wantLink)
	wantOther := claimed(otherMessage, 1)
	wantOther.To, wantOther.Body, wantOther.Link, wantOther.Status = "", "gone", "", store.MessageFailed
	for _, m := range f.messages(t, f.account) {
		if m.ID == otherMessage.ID {
			wantEqual(t, "the message claimed before an erasure alone", m, wantOther)
		}
	}
	if ms := claim(t, f.st, t0.Add(24*time.Hour), time.Minute, 10); len(ms) != 0 {
		t.Fatalf("claimed %v after the erasures", messageIDs(ms))
	}
}

// testRewriteRefuses checks that a rewrite only masks events that are in
// the log as they are: it never changes an event's type, never reaches
// past the head or into another room, and a refused rewrite writes nothing
// of its change.
func testRewriteRefuses(t *testing.T, open Open) {
	f := newFixture(t, open)
	s, l, _ := f.invite(t, f.newRoom(t, t0), t0)
	s = f.commit(t, appendChange(t, s, note(s.ID, s.Seq+1, t0, `{"n":1}`)))
	theirs := f.newRoom(t, t0)
	evs := f.events(t, f.account, s.ID)
	msgs := f.messages(t, f.account)
	at := t0.Add(time.Minute)

	// with is an erasure of the room that rewrites evs.
	with := func(evs ...room.Event) store.Change {
		c := eraseChange(t, f.st, f.account, s, f.actor(), at)
		c.Rewrite = evs
		return c
	}
	retyped := evs[2]
	retyped.Type, retyped.Data = room.TypeRoomClosed, json.RawMessage(`{}`)
	masked := evs[0]
	masked.Data = json.RawMessage(`{"account":"` + f.account + `"}`)
	past := note(s.ID, s.Seq+1, at, `{}`)
	elsewhereEvent := evs[2]
	elsewhereEvent.Room = theirs.ID
	notJSON := evs[2]
	notJSON.Data = json.RawMessage(`{`)
	zero := evs[2]
	zero.Seq = 0
	stale := with(masked)
	stale.Head--
	stale.Events = seal(t, s.ID, stale.Head, at, room.EraseContact(s, f.actor(), "ct_1")...)
	stale.State.Seq = stale.Head + 1
	cases := []struct {
		name string
		c    store.Change
		kind tandem.Kind
		code string
	}{
		{"another type", with(masked, retyped), tandem.KindInvalid, ""},
		{"an event past the head", with(masked, past), tandem.KindInvalid, ""},
		{"seq 0", with(zero), tandem.KindInvalid, ""},
		{"an event twice", with(masked, masked), tandem.KindInvalid, ""},
		{"an event of another room", with(elsewhereEvent), tandem.KindInvalid, ""},
		{"data that is not JSON", with(notJSON), tandem.KindInvalid, ""},
		{"an erasure that sends on", func() store.Change {
			c := with(masked)
			c.Erase.CancelPending = store.MessagePending
			return c
		}(), tandem.KindInvalid, ""},
		{"a stale head", stale, tandem.KindConflict, tandem.CodeSeqConflict},
	}
	for _, tc := range cases {
		wantErr(t, commit(f.st, tc.c), tc.kind, tc.code)
		f.unchanged(t, s.ID, s, evs, msgs)
		wantEqual(t, tc.name+": link", f.link(t, l.ID), storedLink(l))
	}

	// A rewrite alone writes the events it changes, and the state.
	rewritten := evs[2]
	rewritten.Data, rewritten.Actor = json.RawMessage(`{"n":2}`), room.Actor{Kind: room.ActorAgent, ID: f.agent.ID}
	same := evs[1]
	st := s
	st.Company = "Rewritten"
	f.commit(t, store.Change{Account: f.account, Room: s.ID, Head: s.Seq, State: st, Rewrite: []room.Event{same, rewritten}})
	want := slices.Clone(evs)
	want[2] = rewritten
	wantEqual(t, "the log after a rewrite", f.events(t, f.account, s.ID), want)
	wantEqual(t, "the state after a rewrite", f.room(t, s.ID), st)
	wantEqual(t, "messages after a rewrite", f.messages(t, f.account), msgs)
}
