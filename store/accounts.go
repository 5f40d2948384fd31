package store

import (
	"context"
	"time"

	"github.com/tandemhq/tandem"
)

// Accounts keeps tenants.
type Accounts interface {
	CreateAccount(ctx context.Context, a tandem.Account) error
	Account(ctx context.Context, id string) (tandem.Account, error)
	// UpdateAccountSettings replaces the account's settings.
	UpdateAccountSettings(ctx context.Context, id string, s tandem.AccountSettings) error
}

// Users keeps agents and admins.
type Users interface {
	// CreateUser fails with KindConflict (code "email_taken") if the email
	// is already used by any account.
	CreateUser(ctx context.Context, u tandem.User) error
	// UserByEmail finds a user by login email, in any account.
	UserByEmail(ctx context.Context, email string) (tandem.User, error)
	User(ctx context.Context, account, id string) (tandem.User, error)
	// CountUsers counts the users of all accounts (first-start set-up).
	CountUsers(ctx context.Context) (int, error)
	SetPasswordHash(ctx context.Context, account, userID, hash string) error
	// ListUsers lists the account's users by name (then id), at most
	// limit of them.
	ListUsers(ctx context.Context, account string, limit int) ([]tandem.User, error)
	// UpdateUser writes the fields ch sets, and only those, on the user
	// id of account (KindNotFound if there is none), and returns the user
	// as written: two admins changing one person at once each write what
	// they changed, and neither undoes the other's deactivation or role.
	// Deactivating (ch.Active false, on an active user) also deletes every
	// sign-in of the user and spends their outstanding reset and
	// invitation links, in the same step. It fails with KindConflict
	// (code "last_admin"), changing nothing, if the account would be left
	// without an active admin who has a password.
	UpdateUser(ctx context.Context, account, id string, ch UserChange) (tandem.User, error)
}

// UserChange is what an update of a user sets: each field that is not
// nil. At is when, for a deactivation.
type UserChange struct {
	Name   *string
	Role   *tandem.Role
	Team   *string
	Active *bool
	At     time.Time
}
