package client

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Person is a user of the account as an admin manages them. Status is
// "active", "invited" (no password chosen yet) or "deactivated".
type Person struct {
	ID            string     `json:"id"`
	Email         string     `json:"email"`
	Name          string     `json:"name"`
	Role          string     `json:"role"`
	Team          string     `json:"team"`
	Status        string     `json:"status"`
	CreatedAt     time.Time  `json:"created_at"`
	DeactivatedAt *time.Time `json:"deactivated_at,omitempty"`
}

// NewPerson is a person to invite: Role is "agent" (the default) or
// "admin"; Team is optional.
type NewPerson struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Role  string `json:"role,omitempty"`
	Team  string `json:"team,omitempty"`
}

// PersonPatch changes a person; nil leaves a part as it is. Active false
// deactivates them (signed out everywhere at once), true reactivates them.
type PersonPatch struct {
	Name   *string `json:"name,omitempty"`
	Role   *string `json:"role,omitempty"`
	Team   *string `json:"team,omitempty"`
	Active *bool   `json:"active,omitempty"`
}

type personAnswer struct {
	User Person `json:"user"`
}

// People lists the account's users by name. Admins only.
func (c *Client) People(ctx context.Context) ([]Person, error) {
	var out struct {
		Users []Person `json:"users"`
	}
	err := c.do(ctx, http.MethodGet, c.endpoint(nil, "api", "v1", "users"), nil, &out)
	return out.Users, err
}

// InvitePerson adds a user to the account and emails them a link to
// choose their password. Admins only; an email already used to sign in
// to Tandem is email_taken.
func (c *Client) InvitePerson(ctx context.Context, in NewPerson) (Person, error) {
	var out personAnswer
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, "api", "v1", "users"), in, &out)
	return out.User, err
}

// UpdatePerson changes a user's name, role, team or activity. Admins
// only; an admin cannot demote or deactivate themselves (self_change), and
// the account keeps an active admin (last_admin).
func (c *Client) UpdatePerson(ctx context.Context, id string, p PersonPatch) (Person, error) {
	var out personAnswer
	err := c.do(ctx, http.MethodPatch, c.endpoint(nil, "api", "v1", "users", id), p, &out)
	return out.User, err
}

// ResendInvitation emails an invited user a new link. Admins only.
func (c *Client) ResendInvitation(ctx context.Context, id string) (Person, error) {
	var out personAnswer
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, "api", "v1", "users", id, "invitation"), nil, &out)
	return out.User, err
}

// AcceptInvitation chooses the password of an invited user with the token
// of their invitation link, and signs the Client in as them.
func (c *Client) AcceptInvitation(ctx context.Context, token, password string) (User, error) {
	in := struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}{token, password}
	var out struct {
		User  User   `json:"user"`
		Token string `json:"token"`
	}
	if err := c.do(ctx, http.MethodPost, c.endpoint(nil, "api", "v1", "invitation", "accept"), in, &out); err != nil {
		return User{}, err
	}
	if out.Token == "" {
		return User{}, fmt.Errorf("client: accept invitation: %w: no token in the answer", ErrProtocol)
	}
	c.setToken(out.Token)
	return out.User, nil
}
