package room_test

import (
	"strings"
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

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
		if _, err := room.ReportActivity(s, agent, agent.ID, bad.what, bad.ref); tandem.ErrorCode(err) != "invalid_activity" {
			t.Errorf("activity %q ref %q: %v, want invalid_activity", bad.what, bad.ref, err)
		}
	}
	ds, _ := room.Close(s, agent, "")
	s = apply(t, s, ds...)
	if _, err := room.ReportActivity(s, agent, agent.ID, "typing", ""); tandem.ErrorCode(err) != "room_closed" {
		t.Fatalf("activity in a closed room: %v", err)
	}
}
