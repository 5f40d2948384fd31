package store

import (
	"context"
	"time"
)

// SignIn is an agent signed in: the credential behind the console's cookie
// and the API's bearer token. Only the hash of its token is kept. (Tandem
// says "session" for a room, as the console does, and for nothing else.)
type SignIn struct {
	TokenHash string    `json:"-"`
	Account   string    `json:"account"`
	User      string    `json:"user"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// PasswordReset is a single-use password reset token. Only its hash is kept.
type PasswordReset struct {
	TokenHash string     `json:"-"`
	Account   string     `json:"account"`
	User      string     `json:"user"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    *time.Time `json:"used_at,omitempty"`
}

// RoomPass is what a customer gets by opening a room link: the credential
// behind the room cookie, granting access to that one room until it
// expires. Only the hash of its token is kept.
type RoomPass struct {
	TokenHash string    `json:"-"`
	Account   string    `json:"account"`
	Room      string    `json:"room"`
	Link      string    `json:"link"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Credentials keeps agents' sign-ins, customers' room passes and password
// resets.
type Credentials interface {
	CreateSignIn(ctx context.Context, s SignIn) error
	// SignIn returns the live sign-in with the token hash: KindNotFound
	// if there is none or it has expired at now.
	SignIn(ctx context.Context, tokenHash string, now time.Time) (SignIn, error)
	DeleteSignIn(ctx context.Context, tokenHash string) error
	// DeleteUserSignIns signs a user out everywhere.
	DeleteUserSignIns(ctx context.Context, account, userID string) error

	CreatePasswordReset(ctx context.Context, r PasswordReset) error
	// UsePasswordReset marks the reset used at now and returns it, and
	// marks used at now every other live reset of the same user, in one
	// atomic step: a user's older (or newer) reset links die with the one
	// used, and of concurrent uses of any of a user's resets exactly one
	// succeeds. KindNotFound if unknown, KindGone if expired or already
	// used (itself, or another of the user's).
	UsePasswordReset(ctx context.Context, tokenHash string, now time.Time) (PasswordReset, error)

	CreateRoomPass(ctx context.Context, s RoomPass) error
	// RoomPass returns the live room pass with the token hash:
	// KindNotFound if there is none or it has expired at now.
	RoomPass(ctx context.Context, tokenHash string, now time.Time) (RoomPass, error)
}
