package store

import (
	"context"
	"time"

	"github.com/tandemhq/tandem/room"
)

// Link is a room link sent to a customer: /r/{token}. Only the hash of the
// token is kept.
type Link struct {
	ID        string       `json:"id"`
	Account   string       `json:"account"`
	Room      string       `json:"room"`
	TokenHash string       `json:"-"`
	Channel   room.Channel `json:"channel"`
	To        string       `json:"to"`
	CreatedAt time.Time    `json:"created_at"`
	ExpiresAt time.Time    `json:"expires_at"`
	RevokedAt *time.Time   `json:"revoked_at,omitempty"`
}

// Links finds room links.
type Links interface {
	// LinkByToken returns the link with the token hash whether or not it is
	// expired or revoked (the caller tells the customer which); KindNotFound
	// if there is none.
	LinkByToken(ctx context.Context, tokenHash string) (Link, error)
	Link(ctx context.Context, account, id string) (Link, error)
}
