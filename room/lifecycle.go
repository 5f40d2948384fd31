package room

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tandemhq/tandem"
)

// Event types of a room's life as a whole.
const (
	// TypeRoomCreated opens a room; it is always event 1 of its log. Its
	// data is RoomCreated.
	TypeRoomCreated = "room.created"
	// TypeRoomClosed ends the session. Its data is RoomClosed.
	TypeRoomClosed = "room.closed"
)

func init() {
	register(TypeRoomCreated, on(applyRoomCreated))
	register(TypeRoomClosed, on(applyRoomClosed))
	registerView(TypeRoomCreated, hide(func(d *RoomCreated) { d.Account, d.Customer = "", Customer{} }))
	// The outcome is the agent's note on the session, not the customer's
	// to read.
	registerView(TypeRoomClosed, hide(func(d *RoomClosed) { d.Reason = "" }))
}

// RoomCreated is the data of room.created, always event 1 of a room.
type RoomCreated struct {
	Account  string   `json:"account"`
	Mode     Mode     `json:"mode"`
	Channel  Channel  `json:"channel"`
	Customer Customer `json:"customer"`
	Agent    Actor    `json:"agent"`
	// Company is the account's name when the room was made: what the
	// customer is told they deal with.
	Company string `json:"company,omitempty"`
}

// RoomClosed is the data of room.closed. Reason is the session's outcome
// as the agent wrote it, if they did.
type RoomClosed struct {
	Reason string `json:"reason,omitempty"`
}

// MaxOutcomeLen bounds the outcome an agent gives when ending a session,
// in bytes.
const MaxOutcomeLen = 500

// validOutcome checks the outcome of a session: at most MaxOutcomeLen
// bytes of UTF-8 text, no control character but line breaks and tabs.
func validOutcome(o string) error {
	bad := func() error {
		return tandem.Coded(tandem.KindInvalid, "invalid_outcome", "the outcome must be text of at most %d bytes, without control characters", MaxOutcomeLen)
	}
	if len(o) > MaxOutcomeLen || !utf8.ValidString(o) {
		return bad()
	}
	for _, r := range o {
		if r == '\n' || r == '\t' {
			continue
		}
		if unicode.IsControl(r) || r == utf8.RuneError {
			return bad()
		}
	}
	return nil
}

// CreateRoom is the command that opens a session.
type CreateRoom struct {
	Account  string
	Company  string // the account's name, shown to the customer
	Agent    Actor
	Mode     Mode
	Channel  Channel
	Customer Customer
}

// Create validates c and returns the first event of the new room. The
// customer's contact is normalised; the channel must have a contact.
func Create(c CreateRoom) (Draft, error) {
	if c.Mode != ModeLive && c.Mode != ModePreplan {
		return Draft{}, tandem.Coded(tandem.KindInvalid, "invalid_mode", "mode must be %q or %q", ModeLive, ModePreplan)
	}
	cust, err := ValidateCustomer(c.Customer)
	if err != nil {
		return Draft{}, err
	}
	if _, err := Destination(c.Channel, cust); err != nil {
		return Draft{}, err
	}
	return Draft{
		Type:  TypeRoomCreated,
		Actor: c.Agent,
		Data:  RoomCreated{Account: c.Account, Mode: c.Mode, Channel: c.Channel, Customer: cust, Agent: c.Agent, Company: c.Company},
	}, nil
}

// Close returns the events that end the session of s: the current link is
// revoked, then the room is closed. reason is the session's outcome,
// optional: trimmed, at most MaxOutcomeLen bytes of text. Closing a closed
// room is a conflict.
func Close(s State, agent Actor, reason string) ([]Draft, error) {
	if s.Status == StatusClosed {
		return nil, tandem.Coded(tandem.KindConflict, "room_closed", "the session is already closed")
	}
	reason = strings.TrimSpace(reason)
	if err := validOutcome(reason); err != nil {
		return nil, err
	}
	var ds []Draft
	if s.Invite != nil {
		ds = append(ds, Draft{Type: TypeLinkRevoked, Actor: agent, Data: LinkRevoked{Link: s.Invite.Link, Reason: "closed"}})
	}
	return append(ds, Draft{Type: TypeRoomClosed, Actor: agent, Data: RoomClosed{Reason: reason}}), nil
}

func applyRoomCreated(s *State, e Event, d RoomCreated) error {
	s.ID, s.Account, s.Mode, s.Channel, s.Customer, s.Agent, s.Company = e.Room, d.Account, d.Mode, d.Channel, d.Customer, d.Agent, d.Company
	s.Status = StatusPending
	s.CreatedAt = e.At
	s.Participants = []Participant{}
	return nil
}

func applyRoomClosed(s *State, e Event, d RoomClosed) error {
	at := e.At
	s.Status, s.ClosedAt, s.Outcome = StatusClosed, &at, d.Reason
	return nil
}
