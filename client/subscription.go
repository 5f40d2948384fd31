package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/room"
)

// Reconnection backoff: it doubles from minBackoff to maxBackoff, with
// jitter, and starts again from minBackoff after a connection that made
// progress. A Retry-After of the hub is honoured up to maxRetryWait.
const (
	minBackoff   = 100 * time.Millisecond
	maxBackoff   = 5 * time.Second
	maxRetryWait = time.Minute

	// queueSize bounds the events received but not yet returned by Next.
	// When it is full the reader stops reading: the hub then closes the
	// connection as a slow consumer and the subscription resumes later.
	queueSize = 64
)

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
	c      *Client
	roomID string
	ctx    context.Context // ends the reader and the connection
	cancel context.CancelFunc

	events chan room.Event // bounded: see queueSize
	done   chan struct{}   // closed when the reader has returned
	err    error           // why the reader returned; written before done is closed

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
		c:      c,
		roomID: roomID,
		ctx:    ctx,
		cancel: cancel,
		events: make(chan room.Event, queueSize),
		done:   make(chan struct{}),
		synced: make(chan struct{}),
		recv:   since,
		conn:   conn,
	}
	s.last.Store(since)
	go s.run(conn)
	return s
}

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

// run is the reader goroutine: it serves connections one after the other
// until one ends for good.
func (s *Subscription) run(conn *websocket.Conn) {
	backoff := minBackoff
	var err error
	for {
		var progressed bool
		progressed, err = s.serve(conn)
		conn.CloseNow()
		s.setConn(nil)
		if err = s.final(err); err != nil {
			break
		}
		if progressed {
			backoff = minBackoff
		}
		if conn, err = s.redial(&backoff); err != nil {
			break
		}
		s.reconnects.Add(1)
	}
	s.err = err
	s.cancel()
	close(s.done)
}

// serve reads one connection until it ends. progressed reports whether it
// brought anything new (an event, or the synced frame), which makes it
// healthy enough to reset the backoff.
func (s *Subscription) serve(conn *websocket.Conn) (progressed bool, err error) {
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
		select {
		case s.events <- e:
		case <-s.ctx.Done():
			return progressed, s.ctx.Err()
		}
		s.recv = e.Seq
		progressed = true
	}
}

// final returns the error that ends the subscription after a connection
// ended with err, or nil if it should reconnect.
func (s *Subscription) final(err error) error {
	if e := s.stopped(); e != nil {
		return e
	}
	if errors.Is(err, ErrProtocol) {
		return err
	}
	if errors.Is(err, websocket.ErrMessageTooBig) {
		return &CloseError{Code: CloseMessageTooBig, Reason: fmt.Sprintf("a frame is over the client's limit of %d bytes", maxFrame)}
	}
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case CloseMessageTooBig, CloseSinceAhead, CloseAccessEnded:
			return &CloseError{Code: int(ce.Code), Reason: ce.Reason}
		}
	}
	return nil
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

// redial connects again after the last event received, waiting with
// backoff between attempts, until it succeeds or retrying cannot help.
func (s *Subscription) redial(backoff *time.Duration) (*websocket.Conn, error) {
	var wait time.Duration
	for {
		wait = max(wait, jitter(*backoff))
		*backoff = min(*backoff*2, maxBackoff)
		if !sleep(s.ctx, wait) {
			return nil, s.stopped()
		}
		conn, err := s.c.dial(s.ctx, s.roomID, s.recv, true)
		if err == nil {
			if !s.setConn(conn) {
				conn.CloseNow()
				return nil, ErrClosed
			}
			return conn, nil
		}
		if e := s.stopped(); e != nil {
			return nil, e
		}
		wait = 0
		var ae *APIError
		if errors.As(err, &ae) {
			if permanent(ae.StatusCode) {
				return nil, ae
			}
			wait = min(ae.RetryAfter, maxRetryWait)
		}
	}
}

// permanent reports whether a handshake refused with status will be
// refused again: every client error but a timeout or a rate limit.
func permanent(status int) bool {
	return status >= 400 && status <= 499 &&
		status != http.StatusRequestTimeout && status != http.StatusTooManyRequests
}

// jitter returns a duration between d/2 and d, so that clients dropped
// together do not come back together.
func jitter(d time.Duration) time.Duration {
	return d/2 + rand.N(d/2+1)
}

// sleep waits for d or the end of ctx, and reports whether ctx is still
// alive.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
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
