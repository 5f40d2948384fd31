package room

import (
	"strings"
	"time"
)

// Event types of an invitation's life after room.invited.
const (
	// TypeDelivery records what the SMS or email provider says happened to
	// the message that carries the current link.
	TypeDelivery = "invitation.delivery"
	// TypeContactChanged records the agent correcting the customer's
	// contact or switching channel (Re-engage).
	TypeContactChanged = "room.contact_changed"
	// TypeReminded records a reminder: the invitation sent again, on a new
	// link, to a customer who has not opened it.
	TypeReminded = "invitation.reminded"
	// TypeNoticed records a "new in your room" notice: the agent added
	// something while the customer was away, and the customer was told,
	// on a new link.
	TypeNoticed = "invitation.noticed"
)

// IsItem reports whether events of type t put something new in front of
// the customer: a document, a request or a payment added to the room
// ("document.added", "request.added", "payment.added"). Added by an agent
// while the customer is away, such an event earns the customer a notice.
func IsItem(t string) bool {
	subject, action, _ := strings.Cut(t, ".")
	return action == "added" && (subject == "document" || subject == "request" || subject == "payment")
}

// DeliveryStatus is where the message carrying an invitation stands.
type DeliveryStatus string

// The delivery statuses. Queued, sent and delivered follow each other;
// undelivered, failed and invalid end the message. A status only ever
// moves forward: providers report out of order and repeat themselves.
const (
	DeliveryQueued      DeliveryStatus = "queued"      // the provider has it
	DeliverySent        DeliveryStatus = "sent"        // it left the provider
	DeliveryDelivered   DeliveryStatus = "delivered"   // the handset or mail server took it
	DeliveryUndelivered DeliveryStatus = "undelivered" // the carrier gave up
	DeliveryFailed      DeliveryStatus = "failed"      // it could not be sent
	DeliveryInvalid     DeliveryStatus = "invalid"     // the number or address cannot receive it
)

// rank orders the statuses: a report is recorded only if it ranks higher
// than what the invitation has.
func (d DeliveryStatus) rank() int {
	switch d {
	case DeliveryQueued:
		return 1
	case DeliverySent:
		return 2
	case DeliveryDelivered:
		return 3
	case DeliveryUndelivered, DeliveryFailed:
		return 4
	case DeliveryInvalid:
		return 5
	}
	return 0
}

// Valid reports whether d is one of the delivery statuses.
func (d DeliveryStatus) Valid() bool { return d.rank() > 0 }

// Final reports whether the message has ended badly: Re-engage is the way
// on.
func (d DeliveryStatus) Final() bool { return d.rank() >= 4 }

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

// Delivery is the data of invitation.delivery.
type Delivery struct {
	Link     string         `json:"link"`    // the invitation's link id
	Message  string         `json:"message"` // the outbox message id
	Status   DeliveryStatus `json:"status"`
	Provider string         `json:"provider,omitempty"` // "twilio", "smtp", "dev"
	Code     string         `json:"code,omitempty"`     // the provider's error code
	Reason   string         `json:"reason,omitempty"`   // in words, for the agent
}

// MaxReasonLen bounds a delivery reason.
const MaxReasonLen = 300

// ReportDelivery returns the event that records d for the invitation of s,
// or none if d does not move it forward: it is about an earlier link, or
// the invitation already has d.Status or a later one. A repeat adds no
// event.
func ReportDelivery(s State, d Delivery) ([]Draft, error) {
	if !d.Status.Valid() {
		return nil, Coded(KindInvalid, "invalid_delivery", "unknown delivery status %q", d.Status)
	}
	if s.Invite == nil || s.Invite.Link != d.Link || d.Status.rank() <= s.Invite.Delivery.rank() {
		return nil, nil
	}
	d.Reason = truncate(d.Reason, MaxReasonLen)
	return []Draft{{Type: TypeDelivery, Actor: System, Data: d}}, nil
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
		return nil, Coded(KindConflict, "room_closed", "the session is closed")
	case s.EverConnected:
		return nil, Coded(KindConflict, "already_connected", "the customer has connected already; Re-engage is only for a customer who has not")
	case s.Invite == nil:
		return nil, Coded(KindConflict, "not_invited", "the customer has not been invited yet: use Invite client")
	}
	if c.Channel != ChannelSMS && c.Channel != ChannelEmail {
		return nil, Coded(KindInvalid, "invalid_channel", "channel must be %q or %q", ChannelSMS, ChannelEmail)
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

// NoticeDue reports whether the customer of s should get a "new in your
// room" notice at now: something was added while they were away, they were
// invited (a pre-planned room's items wait for Invite client) and are not
// in the room, the link is valid, its message did not fail, and the last
// notice is at least every ago.
func NoticeDue(s State, every time.Duration, now time.Time) bool {
	if s.NewItemsAt == nil || s.Invite == nil || s.Status == StatusClosed || s.CustomerConnected() || s.ContactErased {
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

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
