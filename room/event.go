package room

import (
	"encoding/json"
	"strings"
	"time"
)

// Event types. Types are dotted lower case: the part before the dot names
// the subject (room, participant, and later document, request, payment,
// chat…), the part after it what happened. Clients must ignore types they
// do not know: new ones are added over time.
const (
	TypeRoomCreated       = "room.created"
	TypeRoomInvited       = "room.invited"
	TypeLinkRevoked       = "room.link_revoked"
	TypeParticipantJoined = "participant.joined"
	TypeParticipantLeft   = "participant.left"
	TypeRoomClosed        = "room.closed"
	TypeActivity          = "participant.activity"
)

// ActorKind says who caused an event.
type ActorKind string

// The kinds of actor.
const (
	ActorAgent    ActorKind = "agent"
	ActorCustomer ActorKind = "customer"
	ActorSystem   ActorKind = "system"
)

// Actor is who caused an event: an agent (by user id), the customer, or the
// system itself (timers, delivery callbacks, presence clean-up).
type Actor struct {
	Kind ActorKind `json:"kind"`
	ID   string    `json:"id,omitempty"`
	Name string    `json:"name,omitempty"`
}

// System is the actor of events nobody in the room caused directly.
var System = Actor{Kind: ActorSystem}

// Event is one entry of a room's log. Seq numbers a room's events 1, 2, 3 …
// with no gaps; (Room, Seq) identifies an event for ever.
type Event struct {
	Room  string          `json:"room"`
	Seq   int64           `json:"seq"`
	Type  string          `json:"type"`
	At    time.Time       `json:"at"`
	Actor Actor           `json:"actor"`
	Data  json.RawMessage `json:"data"`
}

// ValidType reports whether t has the shape of an event type: two or more
// dot-separated words of lower-case letters, digits and underscores.
func ValidType(t string) bool {
	if len(t) == 0 || len(t) > 64 || !strings.Contains(t, ".") {
		return false
	}
	for _, part := range strings.Split(t, ".") {
		if part == "" {
			return false
		}
		for _, c := range part {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
				return false
			}
		}
	}
	return true
}

// Draft is an event before it has a place in the log: the hub gives it a
// room, a sequence number and a time when it appends it.
type Draft struct {
	Type  string
	Actor Actor
	Data  any
}

// Seal turns drafts into events numbered from after, in order.
func Seal(roomID string, after int64, at time.Time, drafts []Draft) ([]Event, error) {
	evs := make([]Event, len(drafts))
	for i, d := range drafts {
		data, err := json.Marshal(d.Data)
		if err != nil {
			return nil, Errorf(KindInternal, "encode %s data: %v", d.Type, err)
		}
		evs[i] = Event{Room: roomID, Seq: after + int64(i) + 1, Type: d.Type, At: at.UTC(), Actor: d.Actor, Data: data}
	}
	return evs, nil
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

// RoomInvited is the data of room.invited: a link went out to the customer.
type RoomInvited struct {
	Link      string    `json:"link"` // the link's id, never its token
	Channel   Channel   `json:"channel"`
	To        string    `json:"to"`
	ExpiresAt time.Time `json:"expires_at"`
	Attempt   int       `json:"attempt"`
}

// LinkRevoked is the data of room.link_revoked.
type LinkRevoked struct {
	Link   string `json:"link"`
	Reason string `json:"reason,omitempty"`
}

// ParticipantJoined is the data of participant.joined.
type ParticipantJoined struct {
	Participant string `json:"participant"` // "customer" in a one-customer room
	Role        string `json:"role"`
	Client      string `json:"client,omitempty"` // e.g. "iPhone Safari", from the User-Agent
}

// ParticipantLeft is the data of participant.left.
type ParticipantLeft struct {
	Participant string `json:"participant"`
	Role        string `json:"role"`
	Reason      string `json:"reason,omitempty"` // "closed", "shutdown", "timeout"
}

// RoomClosed is the data of room.closed.
type RoomClosed struct {
	Reason string `json:"reason,omitempty"`
}

// Activity is the data of participant.activity: what someone in the room
// is doing now ("viewing", "typing"…), as their client reports it. Ref is
// the client's own correlation id, echoed back so that it can recognise
// its event in the stream.
type Activity struct {
	Participant string `json:"participant"`
	What        string `json:"what"`
	Ref         string `json:"ref,omitempty"`
}
