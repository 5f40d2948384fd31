package store

import (
	"context"

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
	// UpdateUser replaces the name, role, team and DeactivatedAt of the
	// user u.ID of u.Account (KindNotFound if there is none), in one step
	// that also deletes every sign-in of the user when u is deactivated.
	// It fails with KindConflict (code "last_admin"), changing nothing,
	// if the account would be left without an active admin.
	UpdateUser(ctx context.Context, u tandem.User) error
}
