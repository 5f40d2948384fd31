package hub

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// WebSocket limits and application close codes (docs/protocol.md).
const (
	maxFrame    = 16 << 10
	pongTimeout = 15 * time.Second

	closeSinceAhead   websocket.StatusCode = 4400
	closeUnauthorized websocket.StatusCode = 4401
)

// handleWS serves GET /api/v1/rooms/{id}/ws?since=N.
func (h *Hub) handleWS(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	roomID := roomIDFrom(r)
	since := int64(-1)
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := queryInt(v, 0, "since")
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		since = n
	}
	// The room must exist in the caller's account before anything else.
	if _, err := h.store.Room(r.Context(), p.account(), roomID); err != nil {
		h.writeError(w, r, err)
		return
	}
	c, done, ok := h.upgrade(w, r)
	if !ok {
		return
	}
	defer done()
	// The request's context ends with the handler in some servers and not
	// in others; the connection lives by the hub's.
	ctx, cancel := context.WithCancel(h.ctx)
	defer cancel()
	wc := &wsConn{
		h: h, c: c, p: p, room: roomID, since: since,
		client:  describeClient(r.UserAgent()),
		replies: make(chan []byte, 8),
		log:     h.log.With().Str("room", roomID).Str("conn", room.NewID("cn")).Logger(),
	}
	wc.serve(ctx, cancel)
}

// upgrade makes the request a WebSocket, after checking its Origin and
// that the hub is not shutting down (both answered as HTTP errors). done
// must be called when the connection is over. ok is false when the
// request has been answered instead.
func (h *Hub) upgrade(w http.ResponseWriter, r *http.Request) (c *websocket.Conn, done func(), ok bool) {
	if o := r.Header.Get("Origin"); o != "" && !strings.EqualFold(o, h.origin) {
		h.writeError(w, r, room.Coded(room.KindForbidden, "forbidden_origin", "WebSockets are only accepted from %s", h.origin))
		return nil, nil, false
	}
	if !h.track() {
		h.writeError(w, r, room.Errorf(room.KindUnavailable, "the hub is shutting down; reconnect"))
		return nil, nil, false
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: []string{h.cfg.PublicURL.Host}})
	if err != nil {
		h.conns.Done()
		return nil, nil, false // Accept has answered the request
	}
	c.SetReadLimit(maxFrame)
	h.stats.conns.Add(1)
	return c, func() { h.stats.conns.Add(-1); h.conns.Done() }, true
}

// track counts a new connection unless the hub is shutting down.
func (h *Hub) track() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return false
	}
	h.conns.Add(1)
	return true
}

// wsConn is one room WebSocket.
type wsConn struct {
	h       *Hub
	c       *websocket.Conn
	p       principal
	room    string
	since   int64
	client  string
	last    int64 // seq of the last event sent
	replies chan []byte
	log     zerolog.Logger
}

// closeError is how the write loop says why it stopped.
type closeError struct {
	code   websocket.StatusCode
	reason string
}

func (e *closeError) Error() string { return e.reason }

func (wc *wsConn) serve(ctx context.Context, cancel context.CancelFunc) {
	h := wc.h
	account := wc.p.account()
	sub, err := h.topics.join(ctx, wc.room, h.cfg.QueueSize)
	if err != nil {
		wc.log.Error().Err(err).Msg("subscribe room")
		_ = wc.c.Close(websocket.StatusInternalError, "cannot subscribe to the room")
		return
	}
	defer h.topics.leave(wc.room, sub)

	if wc.p.customer != nil {
		h.enter(ctx, account, wc.room, room.CustomerParticipant, wc.client)
		defer func() {
			reason := "closed"
			if h.ctx.Err() != nil {
				reason = "shutdown"
			}
			h.exit(account, wc.room, room.CustomerParticipant, reason)
		}()
	}

	// The read loop outlives ctx: coder/websocket drops the connection when
	// a Read's context ends, and the close handshake below (1001 on
	// shutdown) needs the read side to take the client's close frame.
	rctx, rcancel := context.WithCancel(context.Background())
	defer rcancel()
	go wc.readLoop(rctx, cancel)
	go wc.pingLoop(ctx, cancel)
	err = wc.writeLoop(ctx, sub)
	wc.closeFor(ctx, err)
	wc.log.Debug().Err(err).Int64("last", wc.last).Msg("websocket closed")
}

// closeFor closes the connection as err, what ended its write loop, says:
// with the code and reason of a closeError, 1001 when the hub shuts down,
// at once when the client went away, 1013 after an error frame when the
// store is unavailable, 1011 otherwise. ctx is the connection's.
func (wc *wsConn) closeFor(ctx context.Context, err error) {
	h := wc.h
	var ce *closeError
	switch {
	case errors.As(err, &ce):
		if ce.code == websocket.StatusPolicyViolation {
			h.stats.slowCloses.Add(1)
			h.metrics.slowCloses.Inc()
		}
		_ = wc.c.Close(ce.code, ce.reason)
	case h.ctx.Err() != nil:
		_ = wc.c.Close(websocket.StatusGoingAway, "server shutting down; reconnect with since")
	case ctx.Err() != nil:
		// The client went away or stopped answering pings.
		_ = wc.c.CloseNow()
	case store.IsUnavailable(err):
		// The store went away under a live connection: say so, then let
		// the client come back (to any instance) once it returns.
		wc.log.Warn().Err(err).Msg("websocket: store unavailable")
		if b, jerr := json.Marshal(errorFrame("store_unavailable", "the database cannot be reached right now; reconnect with since shortly")); jerr == nil {
			wctx, wcancel := context.WithTimeout(context.Background(), time.Second)
			_ = wc.c.Write(wctx, websocket.MessageText, b)
			wcancel()
		}
		_ = wc.c.Close(websocket.StatusTryAgainLater, "store unavailable; reconnect with since")
	default:
		wc.log.Error().Err(err).Msg("websocket")
		_ = wc.c.Close(websocket.StatusInternalError, "internal error; reconnect with since")
	}
}

// readLoop reads the client's frames: it must always run, or pings and
// close frames go unanswered.
func (wc *wsConn) readLoop(ctx context.Context, cancel context.CancelFunc) {
	defer cancel()
	for {
		typ, data, err := wc.c.Read(ctx)
		if err != nil {
			return
		}
		var f struct {
			Type string `json:"type"`
		}
		var reply any
		switch {
		case typ != websocket.MessageText || json.Unmarshal(data, &f) != nil:
			reply = errorFrame("invalid_frame", "frames must be JSON objects with a type")
		case f.Type == "ping":
			reply = map[string]string{"type": "pong"}
		default:
			reply = errorFrame("unknown_frame", "unknown frame type "+truncate(f.Type, 40))
		}
		b, _ := json.Marshal(reply)
		select {
		case wc.replies <- b:
		case <-ctx.Done():
			return
		default:
			// A client flooding us with frames it does not read the answers
			// to loses the answers, not our memory.
		}
	}
}

func errorFrame(code, msg string) map[string]any {
	return map[string]any{"type": "error", "error": errorDetail{Code: code, Message: msg}}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// pingLoop closes a connection whose peer stopped answering.
func (wc *wsConn) pingLoop(ctx context.Context, cancel context.CancelFunc) {
	t := time.NewTicker(wc.h.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pctx, pcancel := context.WithTimeout(ctx, pongTimeout)
			err := wc.c.Ping(pctx)
			pcancel()
			if err != nil {
				cancel()
				return
			}
		}
	}
}

// writeLoop sends the backlog or snapshot, the synced frame, then live
// events, each once and in order, healing any gap from the store.
func (wc *wsConn) writeLoop(ctx context.Context, sub *subscriber) error {
	h := wc.h
	account := wc.p.account()
	// Read after joining the room's topic, so nothing falls between the
	// state read here and the live stream.
	s, err := h.store.Room(ctx, account, wc.room)
	if err != nil {
		return err
	}
	switch {
	case wc.since < 0:
		if err := wc.writeJSON(ctx, map[string]any{"type": "snapshot", "room": wc.room, "seq": s.Seq, "state": s}); err != nil {
			return err
		}
		wc.last = s.Seq
	case wc.since > s.Seq:
		return &closeError{closeSinceAhead, "since is after the room's last event"}
	default:
		wc.last = wc.since
		if err := wc.catchUp(ctx, -1); err != nil {
			return err
		}
	}
	if err := wc.writeJSON(ctx, map[string]any{"type": "synced", "room": wc.room, "seq": wc.last}); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-sub.resync:
			if err := wc.catchUp(ctx, -1); err != nil {
				return err
			}
		case b := <-wc.replies:
			if err := wc.write(ctx, b); err != nil {
				return err
			}
		case ev := <-sub.queue:
			if ev.Seq <= wc.last {
				continue // already sent from the store
			}
			if ev.Seq > wc.last+1 {
				// The broker skipped or reordered: read what is missing.
				h.metrics.resyncs.WithLabelValues(resyncGap).Inc()
				if err := wc.catchUp(ctx, ev.Seq-1); err != nil {
					return err
				}
			}
			if err := wc.write(ctx, ev.raw); err != nil {
				return err
			}
			h.metrics.deliveries.Inc()
			wc.last = ev.Seq
			if err := wc.checkRevoked(ev.Event); err != nil {
				return err
			}
		}
	}
}

// checkRevoked ends a customer's connection once the link it came through
// is revoked: whoever holds the old link must not keep watching the room.
func (wc *wsConn) checkRevoked(ev room.Event) error {
	if wc.p.customer == nil || ev.Type != room.TypeLinkRevoked {
		return nil
	}
	var d room.LinkRevoked
	if json.Unmarshal(ev.Data, &d) == nil && d.Link == wc.p.customer.Link {
		return &closeError{closeUnauthorized, "this link was revoked; open the newest link you were sent"}
	}
	return nil
}

// catchUp sends the events after wc.last from the store, up to seq until
// (or all of them if until < 0).
func (wc *wsConn) catchUp(ctx context.Context, until int64) error {
	h := wc.h
	for until < 0 || wc.last < until {
		evs, err := h.store.Events(ctx, wc.p.account(), wc.room, wc.last, maxEventsPage)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			if until >= 0 && ev.Seq > until {
				return nil
			}
			if err := wc.writeJSON(ctx, ev); err != nil {
				return err
			}
			h.metrics.deliveries.Inc()
			wc.last = ev.Seq
			if err := wc.checkRevoked(ev); err != nil {
				return err
			}
		}
		if len(evs) < maxEventsPage {
			return nil
		}
	}
	return nil
}

func (wc *wsConn) writeJSON(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return wc.write(ctx, b)
}

// write sends one frame with the hub's write deadline: a client that does
// not take it in time is closed as slow.
func (wc *wsConn) write(ctx context.Context, b []byte) error {
	wctx, cancel := context.WithTimeout(ctx, wc.h.cfg.WriteTimeout)
	defer cancel()
	err := wc.c.Write(wctx, websocket.MessageText, b)
	// wctx keeps the first reason it ended: the deadline, or ctx (client
	// gone, shutdown) before it. Once the deadline closed the socket the
	// read loop fails too and cancels ctx, so ctx is no guide here.
	if err != nil && errors.Is(wctx.Err(), context.DeadlineExceeded) {
		return &closeError{websocket.StatusPolicyViolation, "slow consumer; reconnect with since"}
	}
	return err
}

// describeClient names a browser for the agent's timeline ("iPhone Safari").
func describeClient(ua string) string {
	device := ""
	switch {
	case strings.Contains(ua, "iPhone"):
		device = "iPhone"
	case strings.Contains(ua, "iPad"):
		device = "iPad"
	case strings.Contains(ua, "Android"):
		device = "Android"
	case strings.Contains(ua, "Windows"):
		device = "Windows"
	case strings.Contains(ua, "Macintosh"):
		device = "Mac"
	case strings.Contains(ua, "Linux"):
		device = "Linux"
	}
	browser := ""
	switch {
	case strings.Contains(ua, "Edg/"):
		browser = "Edge"
	case strings.Contains(ua, "Firefox/"), strings.Contains(ua, "FxiOS/"):
		browser = "Firefox"
	case strings.Contains(ua, "Chrome/"), strings.Contains(ua, "CriOS/"):
		browser = "Chrome"
	case strings.Contains(ua, "Safari/"):
		browser = "Safari"
	}
	return strings.TrimSpace(device + " " + browser)
}
