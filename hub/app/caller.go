package app

import (
	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Caller is who asks for a use case: an agent (User and SignIn set) or the
// customer of one room (Pass set). The edge finds it from the request's
// credentials; use cases check what it may do.
type Caller struct {
	User   *tandem.User
	SignIn *store.SignIn
	Pass   *store.RoomPass
}

// Account is the caller's account.
func (c Caller) Account() string {
	if c.User != nil {
		return c.User.Account
	}
	if c.Pass != nil {
		return c.Pass.Account
	}
	return ""
}

// Actor is the caller as the author of events.
func (c Caller) Actor() room.Actor {
	if c.User != nil {
		return room.Actor{Kind: room.ActorAgent, ID: c.User.ID, Name: c.User.Name}
	}
	return room.Actor{Kind: room.ActorCustomer}
}

// Team is the agent's team, if any.
func (c Caller) Team() string {
	if c.User != nil {
		return c.User.Team
	}
	return ""
}

// Admin reports whether the caller is an admin of its account.
func (c Caller) Admin() bool { return c.User != nil && c.User.Role == tandem.RoleAdmin }

// Participant is the caller's participant id in a room: the agent's user
// id, or the customer's.
func (c Caller) Participant() string {
	if c.User != nil {
		return c.User.ID
	}
	return room.CustomerParticipant
}
