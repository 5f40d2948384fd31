package room_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

var (
	t0    = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	agent = room.Actor{Kind: room.ActorAgent, ID: "us_1", Name: "Ana"}
)

func mustNumber(t *testing.T, id string, after int64, ds ...room.Draft) []room.Event {
	t.Helper()
	evs, err := room.Number(id, after, t0, ds)
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
	s, err := room.Fold(mustNumber(t, "rm_1", 0, d))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func apply(t *testing.T, s room.State, ds ...room.Draft) room.State {
	t.Helper()
	for _, e := range mustNumber(t, s.ID, s.Seq, ds...) {
		var err error
		if s, err = room.Apply(s, e); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestApplyRefusesGapsRepeatsAndStrangers(t *testing.T) {
	s := created(t, room.ModeLive)
	ev := mustNumber(t, "rm_1", 1, room.Draft{Type: "test.note", Actor: room.System})[0]
	if _, err := room.Apply(s, ev); err != nil {
		t.Fatal(err)
	}
	gap := ev
	gap.Seq = 3
	if _, err := room.Apply(s, gap); !tandem.IsKind(err, tandem.KindConflict) {
		t.Fatalf("gap: %v", err)
	}
	repeat := ev
	repeat.Seq = 1
	if _, err := room.Apply(s, repeat); !tandem.IsKind(err, tandem.KindConflict) {
		t.Fatalf("repeat: %v", err)
	}
	other := ev
	other.Room = "rm_2"
	if _, err := room.Apply(s, other); err == nil {
		t.Fatal("an event of another room was applied")
	}
	if _, err := room.Fold(mustNumber(t, "rm_1", 0, room.Draft{Type: "test.note"})); err == nil {
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

func TestErrors(t *testing.T) {
	err := tandem.Coded(tandem.KindGone, "link_expired", "expired %d", 7)
	wrapped := errors.Join(errors.New("context"), err)
	if tandem.ErrorKind(wrapped) != tandem.KindGone || tandem.ErrorCode(wrapped) != "link_expired" || tandem.ErrorMessage(wrapped) != "expired 7" {
		t.Fatalf("wrapped error: %v", wrapped)
	}
	plain := errors.New("disk on fire")
	if tandem.ErrorKind(plain) != tandem.KindInternal || tandem.ErrorCode(plain) != "internal" || strings.Contains(tandem.ErrorMessage(plain), "disk") {
		t.Fatalf("plain error leaks or is misclassified: %s %s", tandem.ErrorCode(plain), tandem.ErrorMessage(plain))
	}
	if tandem.ErrorKind(nil) != "" || tandem.ErrorCode(nil) != "" {
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
