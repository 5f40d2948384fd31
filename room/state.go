package room

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/tandemhq/tandem"
)

// Mode is how a session starts: live sends the link at once, preplan waits
// for the agent to stage items and press Invite client.
type Mode string

// The modes.
const (
	ModeLive    Mode = "live"
	ModePreplan Mode = "preplan"
)

// Channel is how the customer is reached.
type Channel string

// The channels.
const (
	ChannelSMS   Channel = "sms"
	ChannelEmail Channel = "email"
)

// Status is where a room stands, as an agent sees it at a glance.
type Status string

// The statuses, in the order a room usually goes through them.
const (
	StatusPending   Status = "pending"   // pre-planned, no link sent yet
	StatusInvited   Status = "invited"   // a link went out; the customer has not come yet
	StatusConnected Status = "connected" // the customer is in the room now
	StatusLeft      Status = "left"      // the customer was in the room and left
	StatusClosed    Status = "closed"    // the session is over
)

// Customer is who the room is for.
type Customer struct {
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Participant is someone who has joined the room (today: the customer).
type Participant struct {
	ID        string     `json:"id"`
	Role      string     `json:"role"`
	Connected bool       `json:"connected"`
	Client    string     `json:"client,omitempty"`
	JoinedAt  time.Time  `json:"joined_at"`
	LeftAt    *time.Time `json:"left_at,omitempty"`
	// Activity is what the participant last reported doing, and when.
	Activity   string     `json:"activity,omitempty"`
	ActivityAt *time.Time `json:"activity_at,omitempty"`
}

// State is a room as its events have made it. Apply is the only way to
// change it.
type State struct {
	ID            string        `json:"id"`
	Account       string        `json:"account"`
	Seq           int64         `json:"seq"`
	Mode          Mode          `json:"mode"`
	Status        Status        `json:"status"`
	Channel       Channel       `json:"channel"`
	Customer      Customer      `json:"customer"`
	Agent         Actor         `json:"agent"`
	Company       string        `json:"company,omitempty"`
	Invite        *Invitation   `json:"invite"`
	InviteStatus  InviteStatus  `json:"invite_status"`
	Participants  []Participant `json:"participants"`
	EverConnected bool          `json:"ever_connected"`
	// ContactErased is set once the customer's personal data were erased
	// (room.contact_erased).
	ContactErased bool `json:"contact_erased,omitempty"`
	// Documents are the room's documents, in the order they were added.
	Documents []Document `json:"documents"`
	// Requests are the documents asked of the customer, and Payments the
	// payments, in the order they were added.
	Requests []Request `json:"requests"`
	Payments []Payment `json:"payments"`
	// NewItemsAt is when an agent first added something the customer has
	// not seen, while the customer was away; a notice or the customer's
	// coming clears it.
	NewItemsAt *time.Time `json:"new_items_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	ClosedAt   *time.Time `json:"closed_at,omitempty"`
	// Outcome is what the agent wrote of the session when ending it
	// (room.closed's reason), if anything.
	Outcome string `json:"outcome,omitempty"`
	// Hash is the hash of the room's last event, the head of its chain
	// (chain.go): the next event is chained from it. Empty while the log's
	// events have none (written before logs were chained).
	Hash string `json:"hash,omitempty"`
}

// Participant returns the participant with the given id, if any.
func (s State) Participant(id string) (Participant, bool) {
	for _, p := range s.Participants {
		if p.ID == id {
			return p, true
		}
	}
	return Participant{}, false
}

// CustomerConnected reports whether the customer is in the room now.
func (s State) CustomerConnected() bool {
	p, ok := s.Participant(CustomerParticipant)
	return ok && p.Connected
}

// setParticipant replaces or adds p without touching the slice of the state
// it was copied from: states are values and earlier ones stay valid.
func (s *State) setParticipant(p Participant) {
	ps := make([]Participant, 0, len(s.Participants)+1)
	found := false
	for _, q := range s.Participants {
		if q.ID == p.ID {
			q, found = p, true
		}
		ps = append(ps, q)
	}
	if !found {
		ps = append(ps, p)
	}
	s.Participants = ps
}

// Apply returns the state after e. It refuses an event that is not the next
// one in the log, so a fold can never skip or repeat an event. Events of
// types Apply does not know only advance Seq: the log may hold types from a
// newer version of Tandem.
func Apply(s State, e Event) (State, error) {
	if e.Seq != s.Seq+1 {
		return s, tandem.Errorf(tandem.KindConflict, "room %s: event seq %d does not follow %d", s.ID, e.Seq, s.Seq)
	}
	if s.Seq > 0 && e.Room != s.ID {
		return s, tandem.Errorf(tandem.KindInvalid, "event of room %s applied to room %s", e.Room, s.ID)
	}
	if s.Seq == 0 && e.Type != TypeRoomCreated {
		return s, tandem.Errorf(tandem.KindInvalid, "room %s: first event is %s, not %s", e.Room, e.Type, TypeRoomCreated)
	}
	next := s
	next.Seq = e.Seq
	next.Hash = e.Hash
	next.UpdatedAt = e.At
	if f, ok := appliers[e.Type]; ok {
		if err := f(&next, e); err != nil {
			return s, fmt.Errorf("apply %s #%d to room %s: %w", e.Type, e.Seq, e.Room, err)
		}
	}
	if IsItem(e.Type) && e.Actor.Kind == ActorAgent && !next.CustomerConnected() && next.NewItemsAt == nil {
		at := e.At
		next.NewItemsAt = &at
	}
	next.InviteStatus = next.inviteStatus()
	return next, nil
}

// Fold applies events, in order, to the empty state.
func Fold(events []Event) (State, error) {
	var s State
	for _, e := range events {
		var err error
		if s, err = Apply(s, e); err != nil {
			return State{}, err
		}
	}
	return s, nil
}

// An applier folds one event into s, a copy of the previous state that
// Apply has already advanced to the event's Seq. It may set s's fields
// freely but must not write through a slice or pointer that the previous
// state shares: copy first (see setParticipant, and how the invitation
// appliers copy *s.Invite). An error refuses the event.
type applier func(s *State, e Event) error

// appliers holds the applier of every event type this version knows. Each
// subject's file fills it, for its own types, from an init function.
var appliers = map[string]applier{}

// register makes f the applier of events of type t. It panics on a type
// that is malformed or registered twice: both are programming errors, and
// an init-time panic fails every test of the package at once.
func register(t string, f applier) {
	if !ValidType(t) {
		panic(fmt.Sprintf("room: register %q: not a valid event type", t))
	}
	if _, dup := appliers[t]; dup {
		panic(fmt.Sprintf("room: register %q: the type has an applier already", t))
	}
	appliers[t] = f
}

// Types lists the event types this version knows (those with an
// applier), sorted.
func Types() []string {
	out := make([]string, 0, len(appliers))
	for t := range appliers {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// on returns the applier that decodes an event's data as a T and passes it
// to f: the usual shape of an applier, whose event carries a data struct.
func on[T any](f func(s *State, e Event, d T) error) applier {
	return func(s *State, e Event) error {
		var d T
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return err
		}
		return f(s, e, d)
	}
}

// MarshalJSON writes s with its lists as arrays, never null: "documents",
// "requests" and "payments" are [] in a room without any, as clients are
// promised. UnmarshalJSON
// reads it back as a fold makes it (nil), so a state survives the trip.
func (s State) MarshalJSON() ([]byte, error) {
	type plain State
	if s.Documents == nil {
		s.Documents = []Document{}
	}
	if s.Requests == nil {
		s.Requests = []Request{}
	}
	if s.Payments == nil {
		s.Payments = []Payment{}
	}
	return json.Marshal(plain(s))
}

// UnmarshalJSON implements json.Unmarshaler; see MarshalJSON.
func (s *State) UnmarshalJSON(b []byte) error {
	type plain State
	if err := json.Unmarshal(b, (*plain)(s)); err != nil {
		return err
	}
	if len(s.Documents) == 0 {
		s.Documents = nil
	}
	if len(s.Requests) == 0 {
		s.Requests = nil
	}
	if len(s.Payments) == 0 {
		s.Payments = nil
	}
	return nil
}
