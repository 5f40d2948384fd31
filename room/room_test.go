package room_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/room"
)

var (
	t0    = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	agent = room.Actor{Kind: room.ActorAgent, ID: "us_1", Name: "Ana"}
)

func mustSeal(t *testing.T, id string, after int64, ds ...room.Draft) []room.Event {
	t.Helper()
	evs, err := room.Seal(id, after, t0, ds)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func created(t *testing.T, mode room.Mode) room.State {
	t.Helper()
	d, err := room.Create(room.CreateRoom{Account: "ac_1", Agent: agent, Mode: mode, Channel: room.ChannelSMS, Customer: room.Customer{Name: " Sam Lee ", Phone: "+1 (415) 555-0134"}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := room.Fold(mustSeal(t, "rm_1", 0, d))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func apply(t *testing.T, s room.State, ds ...room.Draft) room.State {
	t.Helper()
	for _, e := range mustSeal(t, s.ID, s.Seq, ds...) {
		var err error
		if s, err = room.Apply(s, e); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestLifecycle(t *testing.T) {
	s := created(t, room.ModePreplan)
	if s.ID != "rm_1" || s.Account != "ac_1" || s.Seq != 1 || s.Status != room.StatusPending || s.Customer.Name != "Sam Lee" || s.Customer.Phone != "+14155550134" {
		t.Fatalf("created: %+v", s)
	}
	d, err := room.Invite(s, room.InviteCustomer{Agent: agent, Link: "ln_1", ExpiresAt: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	s = apply(t, s, d)
	if s.Status != room.StatusInvited || s.Invite == nil || s.Invite.To != "+14155550134" || s.Invite.Attempt != 1 || !s.Invite.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("invited: %+v %+v", s, s.Invite)
	}
	if _, err := room.Invite(s, room.InviteCustomer{Agent: agent, Link: "ln_2"}); room.ErrorCode(err) != "already_invited" {
		t.Fatalf("second invite: %v", err)
	}
	s = apply(t, s, room.Join(s, room.CustomerParticipant, room.RoleCustomer, "iPhone Safari")...)
	if s.Status != room.StatusConnected || !s.CustomerConnected() || !s.EverConnected {
		t.Fatalf("joined: %+v", s)
	}
	if ds := room.Join(s, room.CustomerParticipant, room.RoleCustomer, ""); len(ds) != 0 {
		t.Fatalf("joining twice records %d events", len(ds))
	}
	s = apply(t, s, room.Leave(s, room.CustomerParticipant, "closed")...)
	if s.Status != room.StatusLeft || s.CustomerConnected() {
		t.Fatalf("left: %+v", s)
	}
	if ds := room.Leave(s, room.CustomerParticipant, "closed"); len(ds) != 0 {
		t.Fatalf("leaving twice records %d events", len(ds))
	}
	ds, err := room.Close(s, agent, "done")
	if err != nil || len(ds) != 2 || ds[0].Type != room.TypeLinkRevoked {
		t.Fatalf("close: %+v %v", ds, err)
	}
	s = apply(t, s, ds...)
	if s.Status != room.StatusClosed || s.ClosedAt == nil || !s.Invite.ExpiresAt.Equal(t0) {
		t.Fatalf("closed: %+v", s)
	}
	if _, err := room.Close(s, agent, ""); room.ErrorCode(err) != "room_closed" {
		t.Fatalf("closing twice: %v", err)
	}
	if _, err := room.Invite(s, room.InviteCustomer{}); room.ErrorCode(err) != "room_closed" {
		t.Fatalf("invite a closed room: %v", err)
	}
}

func TestApplyRefusesGapsRepeatsAndStrangers(t *testing.T) {
	s := created(t, room.ModeLive)
	ev := mustSeal(t, "rm_1", 1, room.Draft{Type: "test.note", Actor: room.System})[0]
	if _, err := room.Apply(s, ev); err != nil {
		t.Fatal(err)
	}
	gap := ev
	gap.Seq = 3
	if _, err := room.Apply(s, gap); !room.IsKind(err, room.KindConflict) {
		t.Fatalf("gap: %v", err)
	}
	repeat := ev
	repeat.Seq = 1
	if _, err := room.Apply(s, repeat); !room.IsKind(err, room.KindConflict) {
		t.Fatalf("repeat: %v", err)
	}
	other := ev
	other.Room = "rm_2"
	if _, err := room.Apply(s, other); err == nil {
		t.Fatal("an event of another room was applied")
	}
	if _, err := room.Fold(mustSeal(t, "rm_1", 0, room.Draft{Type: "test.note"})); err == nil {
		t.Fatal("a log not starting with room.created folded")
	}
}

// Unknown event types (from a newer version) only advance Seq.
func TestApplyIgnoresUnknownTypes(t *testing.T) {
	s := created(t, room.ModeLive)
	next := apply(t, s, room.Draft{Type: "document.signed", Data: map[string]string{"doc": "d1"}})
	if next.Seq != 2 || next.Status != s.Status {
		t.Fatalf("after an unknown type: %+v", next)
	}
}

// States are values: applying to one never changes an earlier one.
func TestStatesAreValues(t *testing.T) {
	s := created(t, room.ModeLive)
	a := apply(t, s, room.Join(s, room.CustomerParticipant, room.RoleCustomer, "")...)
	b := apply(t, a, room.Leave(a, room.CustomerParticipant, "closed")...)
	if !a.Participants[0].Connected || b.Participants[0].Connected {
		t.Fatalf("a=%+v b=%+v", a.Participants, b.Participants)
	}
}

func TestStateRoundTripsThroughJSON(t *testing.T) {
	s := created(t, room.ModeLive)
	d, _ := room.Invite(s, room.InviteCustomer{Agent: agent, Link: "ln_1", ExpiresAt: t0.Add(time.Hour)})
	s = apply(t, s, d)
	s = apply(t, s, room.Join(s, room.CustomerParticipant, room.RoleCustomer, "Mac Safari")...)
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back room.State
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) {
		t.Fatalf("round trip:\n%s\n%s", b, b2)
	}
}

func TestCustomerValidation(t *testing.T) {
	for _, tc := range []struct {
		in   room.Customer
		ch   room.Channel
		code string
	}{
		{room.Customer{Name: "", Phone: "4155550134"}, room.ChannelSMS, "invalid_name"},
		{room.Customer{Name: strings.Repeat("é", room.MaxNameLen+1), Phone: "4155550134"}, room.ChannelSMS, "invalid_name"},
		{room.Customer{Name: "Sam\x00Lee", Phone: "4155550134"}, room.ChannelSMS, "invalid_name"},
		{room.Customer{Name: "Sam\nLee", Phone: "4155550134"}, room.ChannelSMS, "invalid_name"},
		{room.Customer{Name: "A", Phone: "123456"}, room.ChannelSMS, "invalid_phone"},
		{room.Customer{Name: "A", Phone: "1234567890123456"}, room.ChannelSMS, "invalid_phone"},
		{room.Customer{Name: "A", Phone: "41+55550134"}, room.ChannelSMS, "invalid_phone"},
		{room.Customer{Name: "A", Email: "not-an-email"}, room.ChannelEmail, "invalid_email"},
		{room.Customer{Name: "A", Email: "a@localhost"}, room.ChannelEmail, "invalid_email"},
		{room.Customer{Name: "A", Email: strings.Repeat("a", 250) + "@x.com"}, room.ChannelEmail, "invalid_email"},
		{room.Customer{Name: "A"}, room.ChannelSMS, "phone_required"},
		{room.Customer{Name: "A", Phone: "4155550134"}, room.ChannelEmail, "email_required"},
		{room.Customer{Name: "A", Phone: "4155550134"}, "pigeon", "invalid_channel"},
	} {
		_, err := room.Create(room.CreateRoom{Mode: room.ModeLive, Channel: tc.ch, Customer: tc.in})
		if got := room.ErrorCode(err); got != tc.code {
			t.Errorf("%+v on %s: %q (%v), want %q", tc.in, tc.ch, got, err, tc.code)
		}
		if !room.IsKind(err, room.KindInvalid) {
			t.Errorf("%+v: kind %q, want invalid", tc.in, room.ErrorKind(err))
		}
	}
	c, err := room.ValidateCustomer(room.Customer{Name: "Sam", Phone: "415.555.0134", Email: "Sam@Example.COM"})
	if err != nil || c.Phone != "4155550134" || c.Email != "Sam@example.com" {
		t.Fatalf("normalised %+v %v", c, err)
	}
}

func TestErrors(t *testing.T) {
	err := room.Coded(room.KindGone, "link_expired", "expired %d", 7)
	wrapped := errors.Join(errors.New("context"), err)
	if room.ErrorKind(wrapped) != room.KindGone || room.ErrorCode(wrapped) != "link_expired" || room.ErrorMessage(wrapped) != "expired 7" {
		t.Fatalf("wrapped error: %v", wrapped)
	}
	plain := errors.New("disk on fire")
	if room.ErrorKind(plain) != room.KindInternal || room.ErrorCode(plain) != "internal" || strings.Contains(room.ErrorMessage(plain), "disk") {
		t.Fatalf("plain error leaks or is misclassified: %s %s", room.ErrorCode(plain), room.ErrorMessage(plain))
	}
	if room.ErrorKind(nil) != "" || room.ErrorCode(nil) != "" {
		t.Fatal("nil has a kind")
	}
}

func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := room.NewID("rm")
		if !room.ValidID("rm", id) || seen[id] {
			t.Fatalf("id %q invalid or repeated", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "rm_", "rm_short", "ln_" + strings.Repeat("a", 24), "rm_" + strings.Repeat("A", 24), "rm_" + strings.Repeat("1", 24)} {
		if room.ValidID("rm", bad) {
			t.Errorf("ValidID accepted %q", bad)
		}
	}
}

func TestValidType(t *testing.T) {
	for _, ok := range []string{"room.created", "participant.joined", "document.field_filled", "a.b.c"} {
		if !room.ValidType(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"", "room", "Room.Created", "room..x", ".x", "x.", "room.created!", strings.Repeat("a.", 40)} {
		if room.ValidType(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzApply(f *testing.F) {
	f.Add("participant.joined", `{"participant":"customer","role":"customer"}`)
	f.Add("room.invited", `{"link":"ln_1","channel":"sms","to":"+1415","expires_at":"2026-01-01T00:00:00Z"}`)
	f.Add("participant.left", `{"participant":"nobody"}`)
	f.Fuzz(func(t *testing.T, typ, data string) {
		s := created(t, room.ModeLive)
		ev := room.Event{Room: s.ID, Seq: 2, Type: typ, At: t0, Data: json.RawMessage(data)}
		next, err := room.Apply(s, ev)
		if err != nil {
			if next.Seq != s.Seq {
				t.Fatalf("a refused event changed the state")
			}
			return
		}
		if next.Seq != 2 {
			t.Fatalf("seq %d after applying event 2", next.Seq)
		}
	})
}

func TestActivity(t *testing.T) {
	s := created(t, room.ModeLive)
	s = apply(t, s, room.Join(s, room.CustomerParticipant, room.RoleCustomer, "")...)
	d, err := room.ReportActivity(s, room.Actor{Kind: room.ActorCustomer}, room.CustomerParticipant, "viewing", "r-1")
	if err != nil {
		t.Fatal(err)
	}
	if d.Actor.Name != "Sam Lee" {
		t.Fatalf("the customer's activity is by %+v", d.Actor)
	}
	s = apply(t, s, d)
	p, _ := s.Participant(room.CustomerParticipant)
	if p.Activity != "viewing" || p.ActivityAt == nil || !p.ActivityAt.Equal(t0) || !p.Connected {
		t.Fatalf("after activity: %+v", p)
	}
	// An agent's activity is recorded; it changes no participant.
	d, err = room.ReportActivity(s, agent, agent.ID, "typing", "")
	if err != nil {
		t.Fatal(err)
	}
	if next := apply(t, s, d); len(next.Participants) != 1 || next.Seq != s.Seq+1 {
		t.Fatalf("after an agent's activity: %+v", next)
	}
	for _, bad := range []struct{ what, ref string }{
		{"", ""}, {"Viewing", ""}, {"view ing", ""}, {strings.Repeat("a", room.MaxActivityWhat+1), ""},
		{"viewing", "has space"}, {"viewing", "é"}, {"viewing", strings.Repeat("r", room.MaxActivityRef+1)},
	} {
		if _, err := room.ReportActivity(s, agent, agent.ID, bad.what, bad.ref); room.ErrorCode(err) != "invalid_activity" {
			t.Errorf("activity %q ref %q: %v, want invalid_activity", bad.what, bad.ref, err)
		}
	}
	ds, _ := room.Close(s, agent, "")
	s = apply(t, s, ds...)
	if _, err := room.ReportActivity(s, agent, agent.ID, "typing", ""); room.ErrorCode(err) != "room_closed" {
		t.Fatalf("activity in a closed room: %v", err)
	}
}
