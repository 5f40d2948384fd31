package room

import (
	"time"

	"github.com/tandemhq/tandem"
)

// Event types of a link the agent makes again by hand: sent again to the
// contact in use (room.invited, after room.link_revoked reason "resent"),
// or given to the agent to read out on a phone call.
const (
	// TypeLinkCopied records a new link given to the agent rather than
	// sent: they pass it on themselves (a phone call). Its data is
	// LinkCopied.
	TypeLinkCopied = "room.link_copied"
)

// Reasons of room.link_revoked for the links replaced by hand.
const (
	RevokedResent = "resent"
	RevokedCopied = "copied"
)

func init() {
	register(TypeLinkCopied, on(applyLinkCopied))
	registerView(TypeLinkCopied, hide(func(d *LinkCopied) { d.Link, d.Previous = "", "" }))
}

// LinkCopied is the data of room.link_copied.
type LinkCopied struct {
	Link      string    `json:"link"`     // the new link's id
	Previous  string    `json:"previous"` // the link it replaces, revoked just before
	ExpiresAt time.Time `json:"expires_at"`
}

// NewLink is the command that replaces the link of a room by a new one:
// sent again (Resend), or given to the agent (CopyLink).
type NewLink struct {
	Agent     Actor
	Link      string // id of the new link
	ExpiresAt time.Time
}

// relinkable says why the link of s may not be replaced by hand, if it may
// not: the room is closed, was never invited, or the customer is in the
// room now. A link replaced ends the passes it gave (the customer's
// access), so a customer in the room would be put out of it; one who is
// in it needs no link.
func relinkable(s State) error {
	switch {
	case s.Status == StatusClosed:
		return tandem.Coded(tandem.KindConflict, "room_closed", "the session is closed")
	case s.Invite == nil:
		return tandem.Coded(tandem.KindConflict, "not_invited", "the customer has not been invited yet: use Invite client")
	case s.CustomerConnected():
		return tandem.Coded(tandem.KindConflict, "customer_in_room", "the customer is in the room now and needs no new link")
	case s.ContactErased:
		return tandem.Coded(tandem.KindConflict, "contact_erased", "the customer's contact was erased")
	}
	return nil
}

// Resend returns the events that send the link of s again, on a new link,
// to the contact in use: the old link revoked (reason "resent"), then
// room.invited with the next attempt.
func Resend(s State, c NewLink) ([]Draft, error) {
	if err := relinkable(s); err != nil {
		return nil, err
	}
	to, err := Destination(s.Channel, s.Customer)
	if err != nil {
		return nil, err
	}
	return []Draft{
		{Type: TypeLinkRevoked, Actor: c.Agent, Data: LinkRevoked{Link: s.Invite.Link, Reason: RevokedResent}},
		{Type: TypeRoomInvited, Actor: c.Agent, Data: RoomInvited{Link: c.Link, Channel: s.Channel, To: to, ExpiresAt: c.ExpiresAt.UTC(), Attempt: s.Invite.Attempt + 1}},
	}, nil
}

// CopyLink returns the events that give the agent a new link to s to pass
// on themselves: the old link revoked (reason "copied"), then
// room.link_copied. Nothing is sent; what is known of the last message's
// delivery stays.
func CopyLink(s State, c NewLink) ([]Draft, error) {
	if err := relinkable(s); err != nil {
		return nil, err
	}
	return []Draft{
		{Type: TypeLinkRevoked, Actor: c.Agent, Data: LinkRevoked{Link: s.Invite.Link, Reason: RevokedCopied}},
		{Type: TypeLinkCopied, Actor: c.Agent, Data: LinkCopied{Link: c.Link, Previous: s.Invite.Link, ExpiresAt: c.ExpiresAt.UTC()}},
	}, nil
}

func applyLinkCopied(s *State, e Event, d LinkCopied) error {
	if s.Invite != nil {
		inv := *s.Invite
		inv.Link, inv.ExpiresAt = d.Link, d.ExpiresAt
		s.Invite = &inv
	}
	return nil
}
