package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/room"
)

// FeedQuery selects the rooms a Feed reports.
type FeedQuery struct {
	Agent string // "me" for only the signed-in agent's rooms, a user id, or "" for the whole account
	// Since resumes: rooms whose last change is at Since or later are
	// reported first. Zero: only what changes from now on.
	Since time.Time
}

// Feed follows the changes of an account's rooms over the hub's feed
// WebSocket (GET /api/v1/feed), reconnecting by itself: each batch holds
// the new state of rooms that changed. A room may be reported more than
// once, never with an older state after a newer one within a connection;
// keep the state with the highest Seq. After a reconnection the Feed
// resumes from the newest change it reported, so nothing is missed. It
// reconnects as a Subscription does: with the same backoff, honouring the
// hub's Retry-After, and not after a refusal that retrying cannot cure.
type Feed struct {
	reconnector // the reader goroutine, its context and its end
	c           *Client
	q           FeedQuery
	out         chan []room.State

	mu   sync.Mutex
	mark time.Time // the newest UpdatedAt reported
}

// Feed connects to the account feed and returns once the hub is ready: what
// changes afterwards is reported (list the rooms after this returns to
// have the present). ctx bounds the whole feed.
func (c *Client) Feed(ctx context.Context, q FeedQuery) (*Feed, error) {
	fctx, cancel := context.WithCancel(ctx)
	f := &Feed{reconnector: newReconnector(fctx, cancel, c.backoff), c: c, q: q, out: make(chan []room.State, queueSize), mark: q.Since}
	conn, err := f.connect()
	if err != nil {
		cancel()
		return nil, err
	}
	go f.run(f, conn)
	return f, nil
}

func (f *Feed) dial() (*websocket.Conn, error) {
	q := url.Values{}
	if f.q.Agent != "" {
		q.Set("agent", f.q.Agent)
	}
	f.mu.Lock()
	if !f.mark.IsZero() {
		q.Set("since", f.mark.UTC().Format(time.RFC3339Nano))
	}
	f.mu.Unlock()
	conn, err := f.c.dialWS(f.ctx, f.c.endpoint(q, "api", "v1", "feed"))
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			return nil, err
		}
		return nil, fmt.Errorf("client: feed: %w", err)
	}
	return conn, nil
}

// readReady reads the hub's first frame, which says it is subscribed. A
// feed that has reported nothing yet resumes, after a drop, from the time
// the hub gave there.
func (f *Feed) readReady(conn *websocket.Conn) error {
	_, b, err := conn.Read(f.ctx)
	if err != nil {
		return fmt.Errorf("client: feed: read ready: %w", err)
	}
	var head struct {
		Type string    `json:"type"`
		At   time.Time `json:"at"`
	}
	if err := json.Unmarshal(b, &head); err != nil || head.Type != "ready" {
		return fmt.Errorf("client: feed: %w: first frame is not ready: %.80s", ErrProtocol, b)
	}
	f.mu.Lock()
	if f.mark.IsZero() {
		f.mark = head.At
	}
	f.mu.Unlock()
	return nil
}

// connect connects and reads the ready frame; again, it resumes from the
// newest change reported.
func (f *Feed) connect() (*websocket.Conn, error) {
	conn, err := f.dial()
	if err != nil {
		return nil, err
	}
	if err := f.readReady(conn); err != nil {
		conn.CloseNow()
		return nil, err
	}
	return conn, nil
}

// stopped returns ErrClosed once the feed is closed or its context has
// ended, and nil before.
func (f *Feed) stopped() error {
	if f.ctx.Err() != nil {
		return ErrClosed
	}
	return nil
}

// serve reads one connection until it ends, and closes it. progressed
// reports whether it brought rooms: the ready frame alone proves nothing,
// as the hub sends it before it reads its database.
func (f *Feed) serve(conn *websocket.Conn) (progressed bool, err error) {
	defer conn.CloseNow()
	for {
		_, b, err := conn.Read(f.ctx)
		if err != nil {
			return progressed, err
		}
		var fr struct {
			Type  string       `json:"type"`
			Rooms []room.State `json:"rooms"`
		}
		if err := json.Unmarshal(b, &fr); err != nil {
			return progressed, fmt.Errorf("client: feed: %w: %w", ErrProtocol, err)
		}
		if fr.Type != "rooms" || len(fr.Rooms) == 0 {
			continue // pong, error, or a frame type this package does not know
		}
		if err := enqueue(f.ctx, f.out, fr.Rooms); err != nil {
			return progressed, err
		}
		progressed = true
		f.mu.Lock()
		for _, r := range fr.Rooms {
			if r.UpdatedAt.After(f.mark) {
				f.mark = r.UpdatedAt
			}
		}
		f.mu.Unlock()
	}
}

// Next returns the next batch of changed rooms, waiting for one. It fails
// when ctx ends (the feed goes on), with ErrClosed after Close or the end
// of Feed's context, with the *APIError of a refused reconnection (401,
// 403, 404, 410), with a *CloseError 4401 when the agent's session ended
// (or 1009 for a frame over the size limit), or with an ErrProtocol error.
func (f *Feed) Next(ctx context.Context) ([]room.State, error) {
	select {
	case rs := <-f.out:
		return rs, nil
	case <-f.done:
		select {
		case rs := <-f.out:
			return rs, nil
		default:
			return nil, f.err
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close ends the feed and waits for its reader to stop.
func (f *Feed) Close() error {
	f.cancel()
	<-f.done
	return nil
}
