package room_test

import (
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

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
	if _, err := room.Invite(s, room.InviteCustomer{Agent: agent, Link: "ln_2"}); tandem.ErrorCode(err) != "already_invited" {
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
	if _, err := room.Close(s, agent, ""); tandem.ErrorCode(err) != "room_closed" {
		t.Fatalf("closing twice: %v", err)
	}
	if _, err := room.Invite(s, room.InviteCustomer{}); tandem.ErrorCode(err) != "room_closed" {
		t.Fatalf("invite a closed room: %v", err)
	}
}
