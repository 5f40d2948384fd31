package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// OpenLink opens a room link as the customer would, so that the Client can
// then read the room (Room, Events) and follow it (Subscribe) with the
// customer's rights. It returns the room's id.
//
// The hub answers with the room cookie, which the Client keeps in its
// cookie jar. Since the cookie must be set for the address the Client talks
// to, only the link's token is taken from linkURL: the link is always
// opened at the Client's base URL, even when linkURL names the hub's public
// address (as the links in invitations do). linkURL may be absolute or
// relative ("/r/{token}"). Errors never repeat the link, which is a secret.
func (c *Client) OpenLink(ctx context.Context, linkURL string) (roomID string, err error) {
	token, query, err := linkToken(linkURL)
	if err != nil {
		return "", err
	}
	u := c.endpoint(nil, "r", token)
	u.RawQuery = query
	var out struct {
		Room string `json:"room"`
	}
	resp, err := c.call(ctx, c.noRedirect, http.MethodGet, u, "GET /r/…", nil, &out)
	var ae *APIError
	if errors.As(err, &ae) && resp != nil && resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		// A hub that ignored Accept redirects to the room's page,
		// /room/{id}; the cookie is in the jar all the same.
		if id := roomFromLocation(resp.Header.Get("Location")); id != "" {
			return id, nil
		}
	}
	if err != nil {
		return "", err
	}
	if out.Room == "" {
		return "", fmt.Errorf("client: open link: %w: no room in the answer", ErrProtocol)
	}
	return out.Room, nil
}

// linkToken extracts the token of a room link: the path segment after the
// last "/r/".
func linkToken(linkURL string) (token, query string, err error) {
	u, err := url.Parse(linkURL)
	if err != nil {
		return "", "", errors.New("client: open link: the link is not a URL")
	}
	notLink := errors.New("client: open link: the link's path is not /r/{token}")
	switch i := strings.LastIndex(u.Path, "/r/"); {
	case i >= 0:
		token = u.Path[i+len("/r/"):]
	case strings.HasPrefix(u.Path, "r/"): // relative to the base URL
		token = u.Path[len("r/"):]
	default:
		return "", "", notLink
	}
	token = strings.TrimSuffix(token, "/")
	if token == "" || strings.Contains(token, "/") {
		return "", "", notLink
	}
	return token, u.RawQuery, nil
}

// roomFromLocation returns the id in a /room/{id} redirect, or "".
func roomFromLocation(loc string) string {
	u, err := url.Parse(loc)
	if err != nil {
		return ""
	}
	i := strings.LastIndex(u.Path, "/room/")
	if i < 0 {
		return ""
	}
	id := strings.TrimSuffix(u.Path[i+len("/room/"):], "/")
	if id == "" || strings.Contains(id, "/") {
		return ""
	}
	return id
}
