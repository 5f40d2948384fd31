package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/room"
)

// queueSize bounds the events received but not yet returned by Next. When
// it is full the reader stops reading: the hub then closes the connection
// as a slow consumer and the subscription resumes later.
const queueSize = 64

// ErrClosed is returned by Next and WaitSynced after Close.
var ErrClosed = errors.New("client: subscription closed")

// errGap ends a connection that skipped an event; the subscription resumes
// from the last event it has, so nothing is delivered out of order.
var errGap = errors.New("client: gap in the event stream")

// Subscription follows a room's events over a WebSocket that it reconnects
// by itself. Next returns each event exactly once, in seq order, however
// often the connection drops. It ends on Close, at the end of the context
// given to Subscribe, or when the hub refuses it for good (see Next).
//
// Next must be called from one goroutine at a time; the other methods are
// safe for concurrent use.
type Subscription struct {
	reconnector // the reader goroutine, its context and its end
	c           *Client
	roomID      string

	events chan room.Event // bounded: see queueSize

	synced     chan struct{} // closed at the first synced frame
	syncedOnce sync.Once
	syncs      atomic.Int64
	reconnects atomic.Int64
	dups       atomic.Int64 // events the hub sent twice (dropped here)
	gaps       atomic.Int64 // times the hub skipped an event (healed by resuming)
	last       atomic.Int64 // the seq of the last event Next returned

	recv int64 // the seq of the last event queued; only the reader uses it

	mu     sync.Mutex
	conn   *websocket.Conn // the current connection, for Close
	closed bool
}

// Subscribe follows the room's events after since (0 for all of them):
// every event with a greater seq, then new ones as they happen. It returns
// once connected; an error of the first connection, such as a 404
// *APIError for an unknown room, is returned here. Afterwards the
// Subscription reconnects by itself. ctx bounds the whole subscription, not
// only the call.
func (c *Client) Subscribe(ctx context.Context, roomID string, since int64) (*Subscription, error) {
	if roomID == "" {
		return nil, errNoRoom
	}
	if since < 0 {
		return nil, fmt.Errorf("client: subscribe: since %d < 0", since)
	}
	sctx, cancel := context.WithCancel(ctx)
	conn, err := c.dial(sctx, roomID, since, true)
	if err != nil {
		cancel()
		return nil, err
	}
	return c.start(sctx, cancel, roomID, since, conn), nil
}

// SubscribeSnapshot is Subscribe for a client that has nothing yet: it
// returns the room's current state, from the hub's snapshot frame, and a
// Subscription of the events that follow it.
func (c *Client) SubscribeSnapshot(ctx context.Context, roomID string) (*Subscription, room.State, error) {
	if roomID == "" {
		return nil, room.State{}, errNoRoom
	}
	sctx, cancel := context.WithCancel(ctx)
	conn, err := c.dial(sctx, roomID, 0, false)
	if err != nil {
		cancel()
		return nil, room.State{}, err
	}
	st, err := readSnapshot(sctx, conn)
	if err != nil {
		conn.CloseNow()
		cancel()
		return nil, room.State{}, err
	}
	return c.start(sctx, cancel, roomID, st.Seq, conn), st, nil
}

// readSnapshot reads frames up to the snapshot, which the hub sends first
// when it is not given since.
func readSnapshot(ctx context.Context, conn *websocket.Conn) (room.State, error) {
	for {
		typ, b, err := conn.Read(ctx)
		if err != nil {
			return room.State{}, fmt.Errorf("client: read snapshot: %w", err)
		}
		if typ != websocket.MessageText {
			continue
		}
		var f struct {
			Type  string     `json:"type"`
			State room.State `json:"state"`
		}
		if err := json.Unmarshal(b, &f); err != nil {
			return room.State{}, fmt.Errorf("client: read snapshot: %w: %w", ErrProtocol, err)
		}
		switch {
		case f.Type == "snapshot":
			return f.State, nil
		case strings.Contains(f.Type, "."):
			return room.State{}, fmt.Errorf("client: read snapshot: %w: event before the snapshot", ErrProtocol)
		}
	}
}

func (c *Client) start(ctx context.Context, cancel context.CancelFunc, roomID string, since int64, conn *websocket.Conn) *Subscription {
	s := &Subscription{
		reconnector: newReconnector(ctx, cancel, c.backoff),
		c:           c,
		roomID:      roomID,
		events:      make(chan room.Event, queueSize),
		synced:      make(chan struct{}),
		recv:        since,
		conn:        conn,
	}
	s.last.Store(since)
	go s.run(s, conn)
	return s
}

// serve reads one connection until it ends, and closes it. progressed
// reports whether it brought anything new (an event, or the synced frame),
// which makes it healthy enough to reset the backoff.
func (s *Subscription) serve(conn *websocket.Conn) (progressed bool, err error) {
	defer s.setConn(nil)
	defer conn.CloseNow()
	for {
		typ, b, err := conn.Read(s.ctx)
		if err != nil {
			return progressed, err
		}
		if typ != websocket.MessageText {
			continue
		}
		var head struct {
			Type string `json:"type"`
			Seq  int64  `json:"seq"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			return progressed, fmt.Errorf("client: room %s: %w: frame is not JSON: %w", s.roomID, ErrProtocol, err)
		}
		if !strings.Contains(head.Type, ".") { // a control frame
			if head.Type == "synced" {
				if head.Seq > s.recv { // the hub claims events we never got
					s.gaps.Add(1)
					return progressed, errGap
				}
				progressed = true
				s.syncs.Add(1)
				s.syncedOnce.Do(func() { close(s.synced) })
			}
			continue // snapshot (only on a first connection), pong, error, or unknown
		}
		var e room.Event
		if err := json.Unmarshal(b, &e); err != nil {
			return progressed, fmt.Errorf("client: room %s: %w: bad event: %w", s.roomID, ErrProtocol, err)
		}
		if e.Room != "" && e.Room != s.roomID {
			return progressed, fmt.Errorf("client: room %s: %w: event of room %q", s.roomID, ErrProtocol, e.Room)
		}
		if e.Seq <= s.recv {
			s.dups.Add(1)
			continue // a duplicate
		}
		if e.Seq != s.recv+1 {
			s.gaps.Add(1)
			return progressed, errGap
		}
		if err := enqueue(s.ctx, s.events, e); err != nil {
			return progressed, err
		}
		s.recv = e.Seq
		progressed = true
	}
}

// stopped returns ErrClosed after Close, the context's error once it has
// ended, and nil otherwise.
func (s *Subscription) stopped() error {
	if s.isClosed() {
		return ErrClosed
	}
	if err := s.ctx.Err(); err != nil {
		return fmt.Errorf("client: subscription ended: %w", err)
	}
	return nil
}

func (s *Subscription) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// connect connects again after the last event received.
func (s *Subscription) connect() (*websocket.Conn, error) {
	conn, err := s.c.dial(s.ctx, s.roomID, s.recv, true)
	if err != nil {
		return nil, err
	}
	if !s.setConn(conn) {
		conn.CloseNow()
		return nil, ErrClosed
	}
	s.reconnects.Add(1)
	return conn, nil
}

// setConn records the current connection for Close, unless Close has
// already been called.
func (s *Subscription) setConn(conn *websocket.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed && conn != nil {
		return false
	}
	s.conn = conn
	return true
}

// Next returns the next event of the room, waiting for it if need be.
// Events come exactly once and in seq order, across reconnections; types
// unknown to this package are returned too, to be ignored by the caller.
//
// Next fails when ctx ends (the subscription goes on) or when the
// subscription has ended: ErrClosed after Close, the context's error when
// Subscribe's context ended, an *APIError when the hub refused to
// reconnect (401, 403, 404, 410), a *CloseError when it closed the
// connection for good (4400, 4401, 1009), or an ErrProtocol error. Events
// received before the end are returned first, except after Close.
func (s *Subscription) Next(ctx context.Context) (room.Event, error) {
	if s.isClosed() {
		return room.Event{}, ErrClosed
	}
	select {
	case e := <-s.events:
		return s.deliver(e), nil
	default:
	}
	select {
	case e := <-s.events:
		return s.deliver(e), nil
	case <-s.done:
		select {
		case e := <-s.events:
			return s.deliver(e), nil
		default:
			return room.Event{}, s.err
		}
	case <-ctx.Done():
		return room.Event{}, ctx.Err()
	}
}

func (s *Subscription) deliver(e room.Event) room.Event {
	s.last.Store(e.Seq)
	return e
}

// LastSeq returns the seq of the last event Next returned, or the seq the
// subscription started from. Pass it as since to subscribe again later
// without missing or repeating anything.
func (s *Subscription) LastSeq() int64 {
	return s.last.Load()
}

// Synced returns a channel closed when the subscription's first connection
// has caught up: the hub's synced frame arrived, so every event up to the
// room's head at connection time has been received (Next returns them
// without waiting) and new events will follow as they happen. Tests wait on
// it before acting on the room. If the backlog is longer than the
// subscription's buffer, the channel closes only as Next consumes it.
func (s *Subscription) Synced() <-chan struct{} {
	return s.synced
}

// WaitSynced waits until Synced is closed. Unlike a bare receive on Synced,
// it also returns if the subscription ends first, with the error Next would
// return, or when ctx ends.
func (s *Subscription) WaitSynced(ctx context.Context) error {
	select {
	case <-s.synced:
		return nil
	default:
	}
	select {
	case <-s.synced:
		return nil
	case <-s.done:
		return s.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Syncs returns how many synced frames the subscription has received: one
// per connection that caught up. After a reconnection, a test can wait for
// it to grow to know that the new connection is live.
func (s *Subscription) Syncs() int {
	return int(s.syncs.Load())
}

// Duplicates is how many events the hub sent that this subscription had
// already received. Next never returns them; a correct hub sends none, so
// tests and load tools check this is zero.
func (s *Subscription) Duplicates() int {
	return int(s.dups.Load())
}

// Gaps is how many times the hub skipped an event on a connection. The
// subscription heals a gap by resuming from its last seq, so Next never
// shows one; a correct hub makes none.
func (s *Subscription) Gaps() int {
	return int(s.gaps.Load())
}

// Reconnects returns how many times the subscription has connected again
// after losing its connection.
func (s *Subscription) Reconnects() int {
	return int(s.reconnects.Load())
}

// Done returns a channel closed when the subscription has ended for good:
// after Close, the end of its context, or a refusal of the hub. Next then
// returns the remaining events and the reason.
func (s *Subscription) Done() <-chan struct{} {
	return s.done
}

// Close ends the subscription: it closes the WebSocket with a normal
// closure, so the hub knows the client left on purpose, and waits for the
// reader goroutine to return. It is safe to call more than once.
func (s *Subscription) Close() error {
	s.mu.Lock()
	first := !s.closed
	s.closed = true
	conn := s.conn
	s.mu.Unlock()
	if first && conn != nil {
		// The close handshake is bounded by the websocket package (5 s
		// to write, 5 s to hear back). Its error is of no use to us.
		_ = conn.Close(websocket.StatusNormalClosure, "")
	}
	s.cancel()
	<-s.done
	return nil
}
