package room

import "fmt"

// Event types of who is in the room.
const (
	// TypeParticipantJoined records someone coming into the room. Its data
	// is ParticipantJoined.
	TypeParticipantJoined = "participant.joined"
	// TypeParticipantLeft records someone leaving the room. Its data is
	// ParticipantLeft.
	TypeParticipantLeft = "participant.left"
)

func init() {
	register(TypeParticipantJoined, on(applyParticipantJoined))
	register(TypeParticipantLeft, on(applyParticipantLeft))
}

// Roles of participants.
const (
	// RoleCustomer is the role of the customer the room is for.
	RoleCustomer = "customer"
)

// CustomerParticipant is the participant id of the customer in a
// one-customer room. Several signers will bring more ids.
const CustomerParticipant = "customer"

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

func applyParticipantJoined(s *State, e Event, d ParticipantJoined) error {
	s.setParticipant(Participant{ID: d.Participant, Role: d.Role, Connected: true, Client: d.Client, JoinedAt: e.At})
	if d.Role == RoleCustomer {
		s.EverConnected = true
		s.NewItemsAt = nil
		if s.Status != StatusClosed {
			s.Status = StatusConnected
		}
	}
	return nil
}

func applyParticipantLeft(s *State, e Event, d ParticipantLeft) error {
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
	return nil
}
