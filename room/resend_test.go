package room_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

func TestResendAndCopyLink(t *testing.T) {
	s := created(t, room.ModePreplan)
	nl := func(id string) room.NewLink {
		return room.NewLink{Agent: agent, Link: id, ExpiresAt: t0.Add(time.Hour)}
	}
	if _, err := room.Resend(s, nl("ln_0")); tandem.ErrorCode(err) != "not_invited" {
		t.Fatalf("resend before the invitation: %v", err)
	}
	d, err := room.Invite(s, room.InviteCustomer{Agent: agent, Link: "ln_1", ExpiresAt: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	s = apply(t, s, d)
	dd, err := room.ReportDelivery(s, room.Delivery{Link: "ln_1", Status: room.DeliveryDelivered})
	if err != nil {
		t.Fatal(err)
	}
	s = apply(t, s, dd...)

	// Copy link: the link changes, the delivery of the last message stays.
	ds, err := room.CopyLink(s, nl("ln_2"))
	if err != nil || len(ds) != 2 || ds[0].Type != room.TypeLinkRevoked || ds[0].Data.(room.LinkRevoked).Reason != room.RevokedCopied || ds[1].Type != room.TypeLinkCopied {
		t.Fatalf("copy link: %+v %v", ds, err)
	}
	s = apply(t, s, ds...)
	if s.Invite.Link != "ln_2" || s.Invite.Delivery != room.DeliveryDelivered || s.Invite.Attempt != 1 || s.InviteStatus != room.InviteDelivered {
		t.Fatalf("after copy: %+v", s.Invite)
	}

	// Resend: a new invitation, to the contact in use.
	ds, err = room.Resend(s, nl("ln_3"))
	if err != nil || len(ds) != 2 || ds[0].Data.(room.LinkRevoked).Link != "ln_2" || ds[0].Data.(room.LinkRevoked).Reason != room.RevokedResent {
		t.Fatalf("resend: %+v %v", ds, err)
	}
	s = apply(t, s, ds...)
	if s.Invite.Link != "ln_3" || s.Invite.Attempt != 2 || s.Invite.To != "+14155550134" || s.Invite.Delivery != "" || s.Status != room.StatusInvited {
		t.Fatalf("after resend: %+v", s.Invite)
	}

	// A customer in the room keeps their access: no new link then.
	s = apply(t, s, room.Join(s, room.CustomerParticipant, room.RoleCustomer, "")...)
	if _, err := room.Resend(s, nl("ln_4")); tandem.ErrorCode(err) != "customer_in_room" {
		t.Fatalf("resend with the customer in: %v", err)
	}
	if _, err := room.CopyLink(s, nl("ln_4")); tandem.ErrorCode(err) != "customer_in_room" {
		t.Fatalf("copy with the customer in: %v", err)
	}
	s = apply(t, s, room.Leave(s, room.CustomerParticipant, "closed")...)
	if _, err := room.CopyLink(s, nl("ln_4")); err != nil {
		t.Fatalf("copy after the customer left: %v", err)
	}

	// The customer's view names no link.
	ev := room.ForCustomer(room.Event{Type: room.TypeLinkCopied, Data: []byte(`{"link":"ln_2","previous":"ln_1","expires_at":"2026-01-01T00:00:00Z"}`)})
	if strings.Contains(string(ev.Data), "ln_") {
		t.Fatalf("customer's view of link_copied: %s", ev.Data)
	}

	ds, err = room.Close(s, agent, "  Signed the lease  ")
	if err != nil {
		t.Fatal(err)
	}
	s = apply(t, s, ds...)
	if s.Outcome != "Signed the lease" || s.ForCustomer().Outcome != "" {
		t.Fatalf("outcome: %q / customer %q", s.Outcome, s.ForCustomer().Outcome)
	}
	ev = room.ForCustomer(room.Event{Type: room.TypeRoomClosed, Data: []byte(`{"reason":"Signed the lease"}`)})
	if strings.Contains(string(ev.Data), "lease") {
		t.Fatalf("customer's view of room.closed: %s", ev.Data)
	}
	for _, c := range []func(room.State, room.NewLink) ([]room.Draft, error){room.Resend, room.CopyLink} {
		if _, err := c(s, nl("ln_5")); tandem.ErrorCode(err) != "room_closed" {
			t.Fatalf("new link of a closed room: %v", err)
		}
	}
}

func TestCloseOutcome(t *testing.T) {
	s := created(t, room.ModeLive)
	for _, bad := range []string{strings.Repeat("x", room.MaxOutcomeLen+1), "a\x00b", "bell\a", "\xff"} {
		if _, err := room.Close(s, agent, bad); tandem.ErrorCode(err) != "invalid_outcome" {
			t.Errorf("outcome %q: %v", bad, err)
		}
	}
	if _, err := room.Close(s, agent, "Line one\nline two\twith a tab"); err != nil {
		t.Errorf("outcome on two lines: %v", err)
	}
}
