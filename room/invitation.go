package room

import (
	"time"

	"github.com/tandemhq/tandem"
)

// Event types of the invitation: the link that brings the customer into the
// room, and what becomes of it. What becomes of the message that carries
// it is TypeDelivery.
const (
	// TypeRoomInvited records a link going out to the customer. Its data is
	// RoomInvited.
	TypeRoomInvited = "room.invited"
	// TypeLinkRevoked records a link ceasing to open the room. Its data is
	// LinkRevoked.
	TypeLinkRevoked = "room.link_revoked"
	// TypeContactChanged records the agent correcting the customer's
	// contact or switching channel (Re-engage). Its data is ContactChanged.
	TypeContactChanged = "room.contact_changed"
	// TypeReminded records a reminder: the invitation sent again, on a new
	// link, to a customer who has not opened it. Its data is Reminded.
	TypeReminded = "invitation.reminded"
	// TypeNoticed records a "new in your room" notice: the agent added
	// something while the customer was away, and the customer was told,
	// on a new link. Its data is Reminded too.
	TypeNoticed = "invitation.noticed"
)

func init() {
	register(TypeRoomInvited, on(applyRoomInvited))
	register(TypeLinkRevoked, on(applyLinkRevoked))
	register(TypeContactChanged, on(applyContactChanged))
	register(TypeReminded, on(applyReminded))
	register(TypeNoticed, on(applyNoticed))
	registerView(TypeRoomInvited, hide(func(d *RoomInvited) { d.Link, d.To = "", "" }))
	registerView(TypeLinkRevoked, hide(func(d *LinkRevoked) { d.Link = "" }))
	registerView(TypeContactChanged, hide(func(d *ContactChanged) { d.Customer = Customer{} }))
	registerView(TypeReminded, hide(func(d *Reminded) { d.Link, d.Previous, d.To = "", "", "" }))
	registerView(TypeNoticed, hide(func(d *Reminded) { d.Link, d.Previous, d.To = "", "", "" }))
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

// InviteStatus is the invitation's status as the agent sees it at a glance.
type InviteStatus string

// The invitation statuses, in the order a session usually goes through
// them.
const (
	InvitePending   InviteStatus = "pending"   // pre-planned, not invited yet
	InviteSent      InviteStatus = "sent"      // the link went out
	InviteDelivered InviteStatus = "delivered" // the customer's phone or mail server has it
	InviteInvalid   InviteStatus = "invalid"   // the number or address cannot receive it: Re-engage
	InviteFailed    InviteStatus = "failed"    // it could not be delivered: Re-engage
	InviteConnected InviteStatus = "connected" // the customer came, once at least
)

// inviteStatus derives the agent's view from the state.
func (s State) inviteStatus() InviteStatus {
	switch {
	case s.EverConnected:
		return InviteConnected
	case s.Invite == nil:
		return InvitePending
	}
	switch s.Invite.Delivery {
	case DeliveryDelivered:
		return InviteDelivered
	case DeliveryInvalid:
		return InviteInvalid
	case DeliveryUndelivered, DeliveryFailed:
		return InviteFailed
	}
	return InviteSent
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

// InviteCustomer is the command that sends the customer a link.
type InviteCustomer struct {
	Agent     Actor
	Link      string // id of the new link
	ExpiresAt time.Time
}

// Invite returns the event that records a link going out to the customer of
// s. A room is invited once; changing the contact later is Re-engage.
func Invite(s State, c InviteCustomer) (Draft, error) {
	switch s.Status {
	case StatusClosed:
		return Draft{}, tandem.Coded(tandem.KindConflict, "room_closed", "the session is closed")
	case StatusPending:
	default:
		return Draft{}, tandem.Coded(tandem.KindConflict, "already_invited", "the customer has already been invited")
	}
	to, err := Destination(s.Channel, s.Customer)
	if err != nil {
		return Draft{}, err
	}
	attempt := 1
	if s.Invite != nil {
		attempt = s.Invite.Attempt + 1
	}
	return Draft{
		Type:  TypeRoomInvited,
		Actor: c.Agent,
		Data:  RoomInvited{Link: c.Link, Channel: s.Channel, To: to, ExpiresAt: c.ExpiresAt.UTC(), Attempt: attempt},
	}, nil
}

// ContactChanged is the data of room.contact_changed.
type ContactChanged struct {
	Channel  Channel  `json:"channel"`
	Customer Customer `json:"customer"`
}

// ReengageCustomer is the command that sends the invitation again, to a
// corrected contact or by the other channel.
type ReengageCustomer struct {
	Agent     Actor
	Channel   Channel
	Customer  Customer // the new contact; Name empty keeps the name
	Link      string   // id of the new link
	ExpiresAt time.Time
}

// Reengage returns the events that send the invitation of s again: the
// contact change (if any), the old link revoked, and the new invitation.
// It is possible until the customer has connected once: after that, the
// customer's own channel is proven.
func Reengage(s State, c ReengageCustomer) ([]Draft, error) {
	switch {
	case s.Status == StatusClosed:
		return nil, tandem.Coded(tandem.KindConflict, "room_closed", "the session is closed")
	case s.EverConnected:
		return nil, tandem.Coded(tandem.KindConflict, "already_connected", "the customer has connected already; Re-engage is only for a customer who has not")
	case s.Invite == nil:
		return nil, tandem.Coded(tandem.KindConflict, "not_invited", "the customer has not been invited yet: use Invite client")
	}
	if c.Channel != ChannelSMS && c.Channel != ChannelEmail {
		return nil, tandem.Coded(tandem.KindInvalid, "invalid_channel", "channel must be %q or %q", ChannelSMS, ChannelEmail)
	}
	cust := c.Customer
	if cust.Name == "" {
		cust.Name = s.Customer.Name
	}
	cust, err := ValidateCustomer(cust)
	if err != nil {
		return nil, err
	}
	to, err := Destination(c.Channel, cust)
	if err != nil {
		return nil, err
	}
	var ds []Draft
	if cust != s.Customer || c.Channel != s.Channel {
		ds = append(ds, Draft{Type: TypeContactChanged, Actor: c.Agent, Data: ContactChanged{Channel: c.Channel, Customer: cust}})
	}
	ds = append(ds,
		Draft{Type: TypeLinkRevoked, Actor: c.Agent, Data: LinkRevoked{Link: s.Invite.Link, Reason: "reengaged"}},
		Draft{Type: TypeRoomInvited, Actor: c.Agent, Data: RoomInvited{Link: c.Link, Channel: c.Channel, To: to, ExpiresAt: c.ExpiresAt.UTC(), Attempt: s.Invite.Attempt + 1}},
	)
	return ds, nil
}

// Reminded is the data of invitation.reminded.
type Reminded struct {
	Link      string    `json:"link"`     // the new link
	Previous  string    `json:"previous"` // the link it replaces, revoked by the same commit
	Channel   Channel   `json:"channel"`
	To        string    `json:"to"`
	ExpiresAt time.Time `json:"expires_at"`
	Reminder  int       `json:"reminder"` // 1 for the first reminder
}

// RemindPolicy is an account's reminder setting: remind After the
// invitation (or the last reminder), at most Max times.
type RemindPolicy struct {
	After time.Duration
	Max   int
}

// RemindCustomer is the command that reminds the customer of s, if a
// reminder is due at Now, on the new link Link.
type RemindCustomer struct {
	Policy    RemindPolicy
	Now       time.Time
	Link      string
	ExpiresAt time.Time
}

// ReminderDue reports whether the customer of s should be reminded at now:
// invited and never connected, the message not known to have failed (that
// is the agent's to fix, with Re-engage), the contact not erased, the link
// still valid, fewer than
// p.Max reminders so far, and p.After passed since the invitation or the
// last reminder.
func ReminderDue(s State, p RemindPolicy, now time.Time) bool {
	if p.Max <= 0 || p.After <= 0 || s.Status != StatusInvited || s.EverConnected || s.Invite == nil || s.ContactErased {
		return false
	}
	inv := s.Invite
	if inv.Delivery.Final() || !now.Before(inv.ExpiresAt) || inv.Reminders >= p.Max {
		return false
	}
	since := inv.SentAt
	if inv.RemindedAt != nil {
		since = *inv.RemindedAt
	}
	return !now.Before(since.Add(p.After))
}

// Remind returns the events of a reminder to the customer of s — the old
// link revoked, then invitation.reminded — or none if no reminder is due.
func Remind(s State, c RemindCustomer) []Draft {
	if !ReminderDue(s, c.Policy, c.Now) {
		return nil
	}
	return []Draft{
		{Type: TypeLinkRevoked, Actor: System, Data: LinkRevoked{Link: s.Invite.Link, Reason: "reminded"}},
		{Type: TypeReminded, Actor: System, Data: Reminded{Link: c.Link, Previous: s.Invite.Link, Channel: s.Invite.Channel,
			To: s.Invite.To, ExpiresAt: c.ExpiresAt.UTC(), Reminder: s.Invite.Reminders + 1}},
	}
}

// IsItem reports whether events of type t put something new in front of
// the customer: a document, a request or a payment added to the room
// ("document.added", "request.added", "payment.requested"). Added by an agent
// while the customer is away, such an event earns the customer a notice.
func IsItem(t string) bool {
	return t == TypeDocumentAdded || t == TypeRequestAdded || t == TypePaymentRequested
}

// NoticeDue reports whether the customer of s should get a "new in your
// room" notice at now: something was added while they were away — they
// were in the room before and left (one who never came gets the
// invitation's reminders, whose link shows everything waiting; a notice
// would only replace the link they have not opened yet) — they are not
// in the room, the link is valid, its message did not fail, and the last
// notice is at least every ago.
func NoticeDue(s State, every time.Duration, now time.Time) bool {
	if s.NewItemsAt == nil || s.Invite == nil || !s.EverConnected || s.Status == StatusClosed || s.CustomerConnected() || s.ContactErased {
		return false
	}
	inv := s.Invite
	if inv.Delivery.Final() || !now.Before(inv.ExpiresAt) {
		return false
	}
	return inv.NoticedAt == nil || !now.Before(inv.NoticedAt.Add(every))
}

// Notice returns the events of a notice to the customer of s — the old
// link revoked, then invitation.noticed — or none if no notice is due.
func Notice(s State, every time.Duration, c RemindCustomer) []Draft {
	if !NoticeDue(s, every, c.Now) {
		return nil
	}
	return []Draft{
		{Type: TypeLinkRevoked, Actor: System, Data: LinkRevoked{Link: s.Invite.Link, Reason: "noticed"}},
		{Type: TypeNoticed, Actor: System, Data: Reminded{Link: c.Link, Previous: s.Invite.Link, Channel: s.Invite.Channel,
			To: s.Invite.To, ExpiresAt: c.ExpiresAt.UTC(), Reminder: s.Invite.Reminders}},
	}
}

// The appliers below replace s.Invite rather than write through it: the
// previous state shares the pointer.

func applyRoomInvited(s *State, e Event, d RoomInvited) error {
	s.Invite = &Invitation{Link: d.Link, Channel: d.Channel, To: d.To, SentAt: e.At, ExpiresAt: d.ExpiresAt, Attempt: d.Attempt}
	s.NewItemsAt = nil // the invitation itself tells of what is waiting
	s.Channel = d.Channel
	if s.Status == StatusPending {
		s.Status = StatusInvited
	}
	return nil
}

func applyLinkRevoked(s *State, e Event, d LinkRevoked) error {
	if s.Invite != nil && s.Invite.Link == d.Link {
		inv := *s.Invite
		inv.ExpiresAt = e.At
		s.Invite = &inv
	}
	return nil
}

func applyContactChanged(s *State, e Event, d ContactChanged) error {
	s.Channel, s.Customer = d.Channel, d.Customer
	return nil
}

func applyReminded(s *State, e Event, d Reminded) error {
	if s.Invite != nil {
		at := e.At
		s.Invite = &Invitation{Link: d.Link, Channel: d.Channel, To: d.To, SentAt: s.Invite.SentAt, ExpiresAt: d.ExpiresAt,
			Attempt: s.Invite.Attempt, Reminders: d.Reminder, RemindedAt: &at}
	}
	s.NewItemsAt = nil // a reminder, too, tells of what is waiting
	return nil
}

// applyNoticed moves the invitation to the notice's new link; the notice is
// a new message, so what was known of the last one's delivery is dropped.
func applyNoticed(s *State, e Event, d Reminded) error {
	if s.Invite != nil {
		inv := *s.Invite
		at := e.At
		inv.Link, inv.ExpiresAt, inv.NoticedAt = d.Link, d.ExpiresAt, &at
		inv.Delivery, inv.DeliveryCode, inv.DeliveryReason, inv.DeliveryAt = "", "", "", nil
		s.Invite = &inv
	}
	s.NewItemsAt = nil
	return nil
}
