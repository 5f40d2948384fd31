package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// User is an agent or an admin of an account, as the hub shows it.
type User struct {
	ID      string `json:"id"`
	Account string `json:"account"`
	Email   string `json:"email"`
	Name    string `json:"name"`
	Role    string `json:"role"` // "admin" or "agent"
}

// Account is a tenant of the hub: the company the agents work for.
type Account struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Me is who the Client is signed in as, from GET /api/v1/me.
type Me struct {
	User    User    `json:"user"`
	Account Account `json:"account"`
}

// Login signs in as an agent. The Client keeps the session's token and
// sends it as a bearer token with every later request and subscription,
// until Logout or another Login.
func (c *Client) Login(ctx context.Context, email, password string) (User, error) {
	in := struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}{email, password}
	var out struct {
		User      User      `json:"user"`
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if err := c.do(ctx, http.MethodPost, c.endpoint(nil, "api", "v1", "login"), in, &out); err != nil {
		return User{}, err
	}
	if out.Token == "" {
		return User{}, fmt.Errorf("client: login: %w: no token in the answer", ErrProtocol)
	}
	c.setToken(out.Token)
	return out.User, nil
}

// Logout ends the Client's session on the hub and forgets its token. The
// token is forgotten too if the hub says the session had already ended.
func (c *Client) Logout(ctx context.Context) error {
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, "api", "v1", "logout"), nil, nil)
	var ae *APIError
	if err == nil || errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized {
		c.setToken("")
	}
	return err
}

// Me returns the signed-in user and their account; it is also the cheap
// way to check that a token is still valid.
func (c *Client) Me(ctx context.Context) (Me, error) {
	var out Me
	err := c.do(ctx, http.MethodGet, c.endpoint(nil, "api", "v1", "me"), nil, &out)
	return out, err
}

// ForgotPassword asks the hub to email a password reset link to email. It
// succeeds whether or not the address has an account, so that it cannot be
// used to find out.
func (c *Client) ForgotPassword(ctx context.Context, email string) error {
	in := struct {
		Email string `json:"email"`
	}{email}
	return c.do(ctx, http.MethodPost, c.endpoint(nil, "api", "v1", "password", "forgot"), in, nil)
}

// ResetPassword sets a new password with the token of a reset link. It
// signs the user out everywhere, this Client included if it was signed in
// as that user.
func (c *Client) ResetPassword(ctx context.Context, token, password string) error {
	in := struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}{token, password}
	return c.do(ctx, http.MethodPost, c.endpoint(nil, "api", "v1", "password", "reset"), in, nil)
}
