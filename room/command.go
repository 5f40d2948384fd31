package room

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Roles of participants.
const (
	RoleCustomer = "customer"
)

// CustomerParticipant is the participant id of the customer in a
// one-customer room. Several signers will bring more ids.
const CustomerParticipant = "customer"

// Limits on what a command may carry.
const (
	MaxNameLen  = 200
	MaxEmailLen = 254
)

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
		return Draft{}, Coded(KindInvalid, "invalid_mode", "mode must be %q or %q", ModeLive, ModePreplan)
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

// ValidateCustomer checks a customer's name and contact and returns them
// normalised: trimmed, the phone reduced to digits and a leading +, the
// email's domain in lower case.
func ValidateCustomer(c Customer) (Customer, error) {
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		return c, Coded(KindInvalid, "invalid_name", "the customer's name is required")
	}
	if !utf8.ValidString(c.Name) || utf8.RuneCountInString(c.Name) > MaxNameLen {
		return c, Coded(KindInvalid, "invalid_name", "the customer's name must be at most %d characters", MaxNameLen)
	}
	if strings.IndexFunc(c.Name, unicode.IsControl) >= 0 {
		return c, Coded(KindInvalid, "invalid_name", "the customer's name may not contain control characters")
	}
	if strings.TrimSpace(c.Phone) != "" {
		p, err := NormalizePhone(c.Phone)
		if err != nil {
			return c, err
		}
		c.Phone = p
	} else {
		c.Phone = ""
	}
	if strings.TrimSpace(c.Email) != "" {
		e, err := NormalizeEmail(c.Email)
		if err != nil {
			return c, err
		}
		c.Email = e
	} else {
		c.Email = ""
	}
	return c, nil
}

// Destination returns where an invitation on ch goes for customer c.
func Destination(ch Channel, c Customer) (string, error) {
	switch ch {
	case ChannelSMS:
		if c.Phone == "" {
			return "", Coded(KindInvalid, "phone_required", "a phone number is required to invite by SMS")
		}
		return c.Phone, nil
	case ChannelEmail:
		if c.Email == "" {
			return "", Coded(KindInvalid, "email_required", "an email address is required to invite by email")
		}
		return c.Email, nil
	default:
		return "", Coded(KindInvalid, "invalid_channel", "channel must be %q or %q", ChannelSMS, ChannelEmail)
	}
}

// NormalizePhone checks that s can be a phone number (7 to 15 digits, the
// E.164 range, with the usual separators) and returns it as digits with a
// leading + if it had one. Region-aware E.164 normalisation happens at the
// edge, where the account's default region is known.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == '+' && i == 0:
			b.WriteRune(c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return "", Coded(KindInvalid, "invalid_phone", "%q is not a phone number", s)
		}
	}
	out := b.String()
	digits := len(strings.TrimPrefix(out, "+"))
	if digits < 7 || digits > 15 {
		return "", Coded(KindInvalid, "invalid_phone", "%q is not a phone number: it must have 7 to 15 digits", s)
	}
	return out, nil
}

// NormalizeEmail checks that s is a bare email address and returns it with
// its domain in lower case.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > MaxEmailLen {
		return "", Coded(KindInvalid, "invalid_email", "the email address is longer than %d characters", MaxEmailLen)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", Coded(KindInvalid, "invalid_email", "%q is not an email address", s)
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") {
		return "", Coded(KindInvalid, "invalid_email", "%q is not an email address", s)
	}
	return s[:at] + "@" + strings.ToLower(s[at+1:]), nil
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
		return Draft{}, Coded(KindConflict, "room_closed", "the session is closed")
	case StatusPending:
	default:
		return Draft{}, Coded(KindConflict, "already_invited", "the customer has already been invited")
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

// Join returns the event that records participant id joining s, or no
// event if it is already connected.
func Join(s State, id, role, client string) []Draft {
	if p, ok := s.Participant(id); ok && p.Connected {
		return nil
	}
	actor := Actor{Kind: ActorKind(role), ID: id}
	if role == RoleCustomer {
		actor = Actor{Kind: ActorCustomer, Name: s.Customer.Name}
	}
	return []Draft{{Type: TypeParticipantJoined, Actor: actor, Data: ParticipantJoined{Participant: id, Role: role, Client: client}}}
}

// Leave returns the event that records participant id leaving s, or no
// event if it is not connected.
func Leave(s State, id, reason string) []Draft {
	p, ok := s.Participant(id)
	if !ok || !p.Connected {
		return nil
	}
	actor := Actor{Kind: ActorKind(p.Role), ID: id}
	if p.Role == RoleCustomer {
		actor = Actor{Kind: ActorCustomer, Name: s.Customer.Name}
	}
	return []Draft{{Type: TypeParticipantLeft, Actor: actor, Data: ParticipantLeft{Participant: id, Role: p.Role, Reason: reason}}}
}

// Close returns the events that end the session of s: the current link is
// revoked, then the room is closed. Closing a closed room is a conflict.
func Close(s State, agent Actor, reason string) ([]Draft, error) {
	if s.Status == StatusClosed {
		return nil, Coded(KindConflict, "room_closed", "the session is already closed")
	}
	var ds []Draft
	if s.Invite != nil {
		ds = append(ds, Draft{Type: TypeLinkRevoked, Actor: agent, Data: LinkRevoked{Link: s.Invite.Link, Reason: "closed"}})
	}
	return append(ds, Draft{Type: TypeRoomClosed, Actor: agent, Data: RoomClosed{Reason: reason}}), nil
}

// Limits of an activity report.
const (
	MaxActivityWhat = 32
	MaxActivityRef  = 64
)

// ReportActivity returns the event that records what participant (acting
// as actor) is doing in s. What is a word of lower-case letters, digits and
// underscores; ref, if any, is printable ASCII. A closed room takes no more
// activity.
func ReportActivity(s State, actor Actor, participant, what, ref string) (Draft, error) {
	if s.Status == StatusClosed {
		return Draft{}, Coded(KindConflict, "room_closed", "the session is closed")
	}
	if what == "" || len(what) > MaxActivityWhat || strings.IndexFunc(what, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')
	}) >= 0 {
		return Draft{}, Coded(KindInvalid, "invalid_activity", "what must be 1 to %d lower-case letters, digits or underscores", MaxActivityWhat)
	}
	if len(ref) > MaxActivityRef || strings.IndexFunc(ref, func(c rune) bool { return c < 0x21 || c > 0x7e }) >= 0 {
		return Draft{}, Coded(KindInvalid, "invalid_activity", "ref must be at most %d printable ASCII characters", MaxActivityRef)
	}
	if actor.Kind == ActorCustomer {
		actor = Actor{Kind: ActorCustomer, Name: s.Customer.Name}
	}
	return Draft{Type: TypeActivity, Actor: actor, Data: Activity{Participant: participant, What: what, Ref: ref}}, nil
}
