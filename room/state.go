package room

import (
	"encoding/json"
	"fmt"
	"time"
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

// Invitation is the current invitation of a room.
type Invitation struct {
	Link      string    `json:"link"`
	Channel   Channel   `json:"channel"`
	To        string    `json:"to"`
	SentAt    time.Time `json:"sent_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Attempt   int       `json:"attempt"`
	// Delivery is what the provider last said of the message carrying the
	// link, with its error code and reason when it went wrong.
	Delivery       DeliveryStatus `json:"delivery,omitempty"`
	DeliveryCode   string         `json:"delivery_code,omitempty"`
	DeliveryReason string         `json:"delivery_reason,omitempty"`
	DeliveryAt     *time.Time     `json:"delivery_at,omitempty"`
	// Reminders is how many reminders went out for this invitation, the
	// last at RemindedAt.
	Reminders  int        `json:"reminders,omitempty"`
	RemindedAt *time.Time `json:"reminded_at,omitempty"`
	// NoticedAt is when the last "new in your room" notice went out.
	NoticedAt *time.Time `json:"noticed_at,omitempty"`
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
	// NewItemsAt is when an agent first added something the customer has
	// not seen, while the customer was away; a notice or the customer's
	// coming clears it.
	NewItemsAt *time.Time `json:"new_items_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	ClosedAt   *time.Time `json:"closed_at,omitempty"`
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

// Apply returns the state after e. It refuses an event that is not the next
// one in the log, so a fold can never skip or repeat an event. Events of
// types Apply does not know only advance Seq: the log may hold types from a
// newer version of Tandem.
func Apply(s State, e Event) (State, error) {
	if e.Seq != s.Seq+1 {
		return s, Errorf(KindConflict, "room %s: event seq %d does not follow %d", s.ID, e.Seq, s.Seq)
	}
	if s.Seq > 0 && e.Room != s.ID {
		return s, Errorf(KindInvalid, "event of room %s applied to room %s", e.Room, s.ID)
	}
	if s.Seq == 0 && e.Type != TypeRoomCreated {
		return s, Errorf(KindInvalid, "room %s: first event is %s, not %s", e.Room, e.Type, TypeRoomCreated)
	}
	next := s
	next.Seq = e.Seq
	next.UpdatedAt = e.At
	if err := apply(&next, e); err != nil {
		return s, fmt.Errorf("apply %s #%d to room %s: %w", e.Type, e.Seq, e.Room, err)
	}
	if IsItem(e.Type) && e.Actor.Kind == ActorAgent && !next.CustomerConnected() && next.NewItemsAt == nil {
		at := e.At
		next.NewItemsAt = &at
	}
	next.InviteStatus = next.inviteStatus()
	return next, nil
}

func apply(s *State, e Event) error {
	switch e.Type {
	case TypeRoomCreated:
		var d RoomCreated
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return err
		}
		s.ID, s.Account, s.Mode, s.Channel, s.Customer, s.Agent, s.Company = e.Room, d.Account, d.Mode, d.Channel, d.Customer, d.Agent, d.Company
		s.Status = StatusPending
		s.CreatedAt = e.At
		s.Participants = []Participant{}
	case TypeRoomInvited:
		var d RoomInvited
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return err
		}
		s.Invite = &Invitation{Link: d.Link, Channel: d.Channel, To: d.To, SentAt: e.At, ExpiresAt: d.ExpiresAt, Attempt: d.Attempt}
		s.NewItemsAt = nil // the invitation itself tells of what is waiting
		s.Channel = d.Channel
		if s.Status == StatusPending {
			s.Status = StatusInvited
		}
	case TypeLinkRevoked:
		var d LinkRevoked
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return err
		}
		if s.Invite != nil && s.Invite.Link == d.Link {
			inv := *s.Invite
			inv.ExpiresAt = e.At
			s.Invite = &inv
		}
	case TypeDelivery:
		var d Delivery
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return err
		}
		if s.Invite != nil && s.Invite.Link == d.Link {
			inv := *s.Invite
			at := e.At
			inv.Delivery, inv.DeliveryCode, inv.DeliveryReason, inv.DeliveryAt = d.Status, d.Code, d.Reason, &at
			s.Invite = &inv
		}
	case TypeReminded:
		var d Reminded
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return err
		}
		if s.Invite != nil {
			at := e.At
			s.Invite = &Invitation{Link: d.Link, Channel: d.Channel, To: d.To, SentAt: s.Invite.SentAt, ExpiresAt: d.ExpiresAt,
				Attempt: s.Invite.Attempt, Reminders: d.Reminder, RemindedAt: &at}
		}
		s.NewItemsAt = nil // so does a reminder
	case TypeNoticed:
		var d Reminded
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return err
		}
		if s.Invite != nil {
			inv := *s.Invite
			at := e.At
			inv.Link, inv.ExpiresAt, inv.NoticedAt = d.Link, d.ExpiresAt, &at
			inv.Delivery, inv.DeliveryCode, inv.DeliveryReason, inv.DeliveryAt = "", "", "", nil
			s.Invite = &inv
		}
		s.NewItemsAt = nil
	case TypeContactErased:
		s.ContactErased = true
		s.Customer = Masked(s.Customer)
		if s.Invite != nil {
			inv := *s.Invite
			inv.To, inv.DeliveryReason = maskTo(inv.Channel, inv.To), ""
			s.Invite = &inv
		}
	case TypeContactChanged:
		var d ContactChanged
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return err
		}
		s.Channel, s.Customer = d.Channel, d.Customer
	case TypeParticipantJoined:
		var d ParticipantJoined
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return err
		}
		s.setParticipant(Participant{ID: d.Participant, Role: d.Role, Connected: true, Client: d.Client, JoinedAt: e.At})
		if d.Role == RoleCustomer {
			s.EverConnected = true
			s.NewItemsAt = nil
			if s.Status != StatusClosed {
				s.Status = StatusConnected
			}
		}
	case TypeParticipantLeft:
		var d ParticipantLeft
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return err
		}
		p, ok := s.Participant(d.Participant)
		if !ok {
			return fmt.Errorf("participant %q left without joining", d.Participant)
		}
		at := e.At
		p.Connected, p.LeftAt = false, &at
		s.setParticipant(p)
		if d.Role == RoleCustomer && s.Status == StatusConnected {
			s.Status = StatusLeft
		}
	case TypeActivity:
		var d Activity
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return err
		}
		if p, ok := s.Participant(d.Participant); ok {
			at := e.At
			p.Activity, p.ActivityAt = d.What, &at
			s.setParticipant(p)
		}
	case TypeRoomClosed:
		at := e.At
		s.Status, s.ClosedAt = StatusClosed, &at
	}
	return nil
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
