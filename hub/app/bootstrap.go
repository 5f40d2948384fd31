package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// FirstAdmin is who Bootstrap creates on a hub that has no user yet.
type FirstAdmin struct {
	AccountName string
	PhoneRegion string // the account's tandem.Account.PhoneRegion
	Name        string
	Email       string
	Password    string // generated when empty
}

// Bootstrap creates the first account and its admin if the store has no
// user yet. It returns the admin's password when it generated one (to be
// shown once), and created false when there was already a user.
func Bootstrap(ctx context.Context, st store.Store, a FirstAdmin, now time.Time) (created bool, generated string, err error) {
	n, err := st.CountUsers(ctx)
	if err != nil {
		return false, "", fmt.Errorf("bootstrap: count users: %w", err)
	}
	if n > 0 {
		return false, "", nil
	}
	email, err := room.NormalizeEmail(strings.ToLower(a.Email))
	if err != nil {
		return false, "", fmt.Errorf("bootstrap: admin email: %w", err)
	}
	name, err := tandem.CheckName(a.Name, "the admin's name")
	if err != nil {
		return false, "", fmt.Errorf("bootstrap: admin name: %w", err)
	}
	pw := a.Password
	if pw == "" {
		pw = generatePassword()
		generated = pw
	}
	if err := tandem.CheckPassword(pw); err != nil {
		return false, "", fmt.Errorf("bootstrap: admin password: %w", err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return false, "", fmt.Errorf("bootstrap: hash password: %w", err)
	}
	now = now.UTC().Truncate(time.Microsecond)
	acct := tandem.Account{ID: room.NewID("ac"), Name: a.AccountName, PhoneRegion: a.PhoneRegion, CreatedAt: now}
	if err := st.CreateAccount(ctx, acct); err != nil {
		return false, "", fmt.Errorf("bootstrap: create account: %w", err)
	}
	u := tandem.User{ID: room.NewID("us"), Account: acct.ID, Email: email, Name: name, Role: tandem.RoleAdmin, PasswordHash: string(hash), CreatedAt: now}
	if err := st.CreateUser(ctx, u); err != nil {
		if tandem.ErrorCode(err) == "email_taken" {
			// Another instance, started at the same moment on the same
			// store, made the admin first: the hub is bootstrapped. The
			// account made here has no user and stays unused.
			return false, "", nil
		}
		return false, "", fmt.Errorf("bootstrap: create admin: %w", err)
	}
	return true, generated, nil
}

// generatePassword makes a password of 128 random bits in base32.
func generatePassword() string { return rand.Text() }
