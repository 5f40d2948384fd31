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
// resumes from the newest change it reported, so nothing is missed.
type Feed struct {
	c      *Client
	q      FeedQuery
	ctx    context.Context
	cancel context.CancelFunc
	out    chan []room.State
	ready  chan struct{}
	done   chan struct{}
	err    error

	mu   sync.Mutex
	mark time.Time // the newest UpdatedAt reported
}

// Feed connects to the account feed and returns once the hub is ready: what
// changes afterwards is reported (list the rooms after this returns to
// have the present). ctx bounds the whole feed.
func (c *Client) Feed(ctx context.Context, q FeedQuery) (*Feed, error) {
	fctx, cancel := context.WithCancel(ctx)
	f := &Feed{c: c, q: q, ctx: fctx, cancel: cancel, out: make(chan []room.State, queueSize), ready: make(chan struct{}), done: make(chan struct{}), mark: q.Since}
	conn, err := f.dial()
	if err != nil {
		cancel()
		return nil, err
	}
	if err := f.readReady(conn); err != nil {
		conn.CloseNow()
		cancel()
		return nil, err
	}
	go f.run(conn)
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

func (f *Feed) run(conn *websocket.Conn) {
	defer close(f.done)
	defer f.cancel()
	backoff := minBackoff
	for {
		began := time.Now()
		err := f.serve(conn)
		conn.CloseNow()
		if f.ctx.Err() != nil {
			f.err = ErrClosed
			return
		}
		if errors.Is(err, ErrProtocol) {
			f.err = err
			return
		}
		var ce websocket.CloseError
		if errors.As(err, &ce) && ce.Code == CloseAccessEnded {
			f.err = &CloseError{Code: int(ce.Code), Reason: ce.Reason}
			return
		}
		// Only a connection that lasted starts the backoff again: one the
		// hub closes right after ready (its database is away) must not
		// bring the client back at once.
		if time.Since(began) > maxBackoff {
			backoff = minBackoff
		}
		for {
			if !sleep(f.ctx, jitter(backoff)) {
				f.err = ErrClosed
				return
			}
			backoff = min(backoff*2, maxBackoff)
			c, err := f.dial()
			var ae *APIError
			if errors.As(err, &ae) && permanent(ae.StatusCode) {
				f.err = ae
				return
			}
			if err == nil {
				if err = f.readReady(c); err == nil {
					conn = c
					break
				}
				c.CloseNow()
			}
		}
	}
}

func (f *Feed) serve(conn *websocket.Conn) error {
	for {
		_, b, err := conn.Read(f.ctx)
		if err != nil {
			return err
		}
		var fr struct {
			Type  string       `json:"type"`
			Rooms []room.State `json:"rooms"`
		}
		if err := json.Unmarshal(b, &fr); err != nil {
			return fmt.Errorf("client: feed: %w: %w", ErrProtocol, err)
		}
		if fr.Type != "rooms" || len(fr.Rooms) == 0 {
			continue // pong, error, or a frame type this package does not know
		}
		select {
		case f.out <- fr.Rooms:
		case <-f.ctx.Done():
			return f.ctx.Err()
		}
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
// of Feed's context, with the *APIError of a refused reconnection, or with
// a *CloseError 4401 when the agent's session ended.
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
