package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/tandemhq/tandem/room"
)

// Brand is what a page shows of an account: its name, accent color
// ("#rrggbb", empty for Tandem's) and the address of its logo (a path on
// the hub, empty if none).
type Brand struct {
	Name        string `json:"name"`
	AccentColor string `json:"accent_color,omitempty"`
	LogoURL     string `json:"logo_url,omitempty"`
}

// AccountBrand is the signed-in agent's account's brand, its help line,
// and the agent's own photo.
type AccountBrand struct {
	Brand
	HelpLine string `json:"help_line,omitempty"`
	PhotoURL string `json:"photo_url,omitempty"`
}

// RoomBrand is what a customer's room shows around it: the company's
// brand, the help line, the agent, and until when the link lets the
// customer in.
type RoomBrand struct {
	Brand
	HelpLine string `json:"help_line,omitempty"`
	Agent    struct {
		Name     string `json:"name"`
		PhotoURL string `json:"photo_url,omitempty"`
	} `json:"agent"`
	ExpiresAt time.Time `json:"expires_at"`
}

// PublicBrand is the brand the hub's sign-in page shows: its one
// account's, or Tandem's when it has several.
func (c *Client) PublicBrand(ctx context.Context) (Brand, error) {
	var out Brand
	err := c.do(ctx, http.MethodGet, c.endpoint(nil, "api", "v1", "brand"), nil, &out)
	return out, err
}

// AccountBrand is the signed-in agent's account's brand.
func (c *Client) AccountBrand(ctx context.Context) (AccountBrand, error) {
	var out AccountBrand
	err := c.do(ctx, http.MethodGet, c.endpoint(nil, "api", "v1", "account", "brand"), nil, &out)
	return out, err
}

// RenameAccount changes the account's name (admins only).
func (c *Client) RenameAccount(ctx context.Context, name string) (AccountBrand, error) {
	var out AccountBrand
	err := c.do(ctx, http.MethodPatch, c.endpoint(nil, "api", "v1", "account"), map[string]string{"name": name}, &out)
	return out, err
}

// PutLogo sends the account's logo, a PNG, JPEG or WebP image (admins
// only).
func (c *Client) PutLogo(ctx context.Context, img io.Reader) (AccountBrand, error) {
	return c.putImage(ctx, img, "account", "logo")
}

// DeleteLogo removes the account's logo (admins only).
func (c *Client) DeleteLogo(ctx context.Context) (AccountBrand, error) {
	var out AccountBrand
	err := c.do(ctx, http.MethodDelete, c.endpoint(nil, "api", "v1", "account", "logo"), nil, &out)
	return out, err
}

// PutPhoto sends the signed-in agent's photo, which the customers of
// their rooms see.
func (c *Client) PutPhoto(ctx context.Context, img io.Reader) (AccountBrand, error) {
	return c.putImage(ctx, img, "me", "photo")
}

// DeletePhoto removes the signed-in agent's photo.
func (c *Client) DeletePhoto(ctx context.Context) (AccountBrand, error) {
	var out AccountBrand
	err := c.do(ctx, http.MethodDelete, c.endpoint(nil, "api", "v1", "me", "photo"), nil, &out)
	return out, err
}

func (c *Client) putImage(ctx context.Context, img io.Reader, segs ...string) (AccountBrand, error) {
	var out AccountBrand
	u := c.endpoint(nil, append([]string{"api", "v1"}, segs...)...)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), img)
	if err != nil {
		return out, err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	err = c.send(req, "PUT "+u.Path, &out)
	return out, err
}

// CustomerRoom is the room as its customer sees it, with what the room
// shows around it: customers only (an agent's answer has no brand).
func (c *Client) CustomerRoom(ctx context.Context, roomID string) (room.State, RoomBrand, error) {
	if roomID == "" {
		return room.State{}, RoomBrand{}, errNoRoom
	}
	var raw json.RawMessage
	var st room.State
	var out struct {
		Brand RoomBrand `json:"brand"`
	}
	if err := c.do(ctx, http.MethodGet, c.endpoint(nil, "api", "v1", "rooms", roomID), nil, &raw); err != nil {
		return st, out.Brand, err
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return st, out.Brand, fmt.Errorf("client: get room: %w: %w", ErrProtocol, err)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return st, out.Brand, fmt.Errorf("client: get room: %w: %w", ErrProtocol, err)
	}
	return st, out.Brand, nil
}
