package store

import (
	"context"
	"time"

	"github.com/tandemhq/tandem"
)

// ContactUse is a customer an agent invites, for the address book.
type ContactUse struct {
	Owner, Team        string // the agent and their team
	Name, Phone, Email string // normalised: E.164, email with its domain in lower case
	At                 time.Time
	// Editable is the part of the book whose contacts this use may
	// update. A matched contact outside it (another agent's, another
	// team's) only gains the room and its last use: it keeps its name,
	// phone and email. The zero value is the whole book.
	Editable ContactScope
}

// ContactScope is a part of an account's address book: one owner's
// contacts (Owner set), one team's (Team set), or all of them (neither).
type ContactScope struct {
	Owner string
	Team  *string
}

// Holds reports whether a contact of owner and team is in the scope.
func (s ContactScope) Holds(owner, team string) bool {
	return (s.Owner == "" || owner == s.Owner) && (s.Team == nil || team == *s.Team)
}

// ContactQuery filters an address book, most recently used first.
type ContactQuery struct {
	Owner  string  // only contacts of this agent, if set
	Team   *string // only contacts of this team, if set
	Search string  // in the name (any case), the phone's digits or the email
	Limit  int     // at most this many (capped at 100; default 20)
}

// Contacts keeps address books. Contacts are made through Change.Contact.
type Contacts interface {
	Contacts(ctx context.Context, account string, q ContactQuery) ([]tandem.Contact, error)
	// Contact returns one contact; KindNotFound if it is not the account's.
	Contact(ctx context.Context, account, id string) (tandem.Contact, error)
	// UpdateContact changes a contact's name, phone and email; KindConflict
	// (code contact_exists) if another contact has the phone or email.
	UpdateContact(ctx context.Context, account string, c tandem.Contact) (tandem.Contact, error)
	// ContactRooms lists the ids of the account's rooms of a contact.
	ContactRooms(ctx context.Context, account, id string) ([]string, error)
	// DeleteContact removes a contact; KindNotFound if there is none.
	DeleteContact(ctx context.Context, account, id string) error
}
