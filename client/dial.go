package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/coder/websocket"
)

// dial opens the room's WebSocket with the Client's credentials: the bearer
// token, and the room cookie from the jar (the handshake is sent by the
// Client's http.Client, whose jar adds it).
func (c *Client) dial(ctx context.Context, roomID string, since int64, withSince bool) (*websocket.Conn, error) {
	q := url.Values{}
	if withSince {
		q.Set("since", strconv.FormatInt(since, 10))
	}
	conn, err := c.dialWS(ctx, c.endpoint(q, "api", "v1", "rooms", roomID, "ws"))
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			return nil, err
		}
		return nil, fmt.Errorf("client: subscribe to room %s: %w", roomID, err)
	}
	return conn, nil
}

// dialWS opens the WebSocket at u (an http or https endpoint) with the
// Client's credentials. A refused handshake is an *APIError.
func (c *Client) dialWS(ctx context.Context, u *url.URL) (*websocket.Conn, error) {
	if u.Scheme == "https" {
		u.Scheme = "wss"
	} else {
		u.Scheme = "ws"
	}
	h := http.Header{}
	if tok := c.Token(); tok != "" {
		h.Set("Authorization", "Bearer "+tok)
	}
	conn, resp, err := websocket.Dial(ctx, u.String(), &websocket.DialOptions{HTTPClient: c.hc, HTTPHeader: h})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			var b []byte
			if resp.Body != nil {
				b, _ = readBody(resp.Body)
				resp.Body.Close()
			}
			return nil, newAPIError(resp, b)
		}
		return nil, err
	}
	conn.SetReadLimit(maxFrame)
	return conn, nil
}
