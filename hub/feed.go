package hub

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// The account feed (GET /api/v1/feed) tells an agent's page, a toolbar or
// a browser extension which rooms of the account changed, with each room's
// new state, so a session list stays live without a WebSocket per room.
//
// The broker carries only a wake-up per committed change ("feed:" + the
// account id); what changed is read from the store, by the time of each
// room's last event. A wake-up lost by the broker is therefore healed by
// the next one, by the Resync a broker calls after a drop, or by the sweep
// every feedSweep. Each read covers the rooms changed since feedMargin
// before the previous read began (by this instance's clock, never by a
// room's time, so an instance whose clock runs ahead cannot push the
// window past other instances' changes): a change committed late (a slow
// transaction) or stamped by an instance whose clock is a little behind is
// still found, as long as instances' clocks agree within the margin
// (docs/deploy.md). A room goes out again only when its seq moved.
const (
	feedMargin = 15 * time.Second
	// feedMaxAge bounds how far back since may reach: older resumes read
	// the list instead (GET /api/v1/rooms).
	feedMaxAge   = 7 * 24 * time.Hour
	feedSweep    = 30 * time.Second
	feedCoalesce = 200 * time.Millisecond
	feedPage     = 200
	feedFrame    = 25 // rooms per frame, to stay far below clients' frame limits
	// feedSessionCheck is how often, at most, a feed checks that its
	// agent's session is still there (a sign-out on any instance).
	feedSessionCheck = 10 * time.Second
)

func feedTopic(account string) string { return "feed:" + account }

// feedNotice is what published puts on an account's feed topic: the room
// and its last seq. Receivers only use it as a wake-up.
func feedNotice(account string, ev room.Event) room.Event {
	return room.Event{Room: feedTopic(account), Seq: ev.Seq, Type: "feed.changed", At: ev.At, Actor: ev.Actor,
		Data: json.RawMessage(`{"room":"` + ev.Room + `"}`)}
}

// feedWaiter is one feed connection's wake-up: a channel of one, so a burst
// of changes costs one read of the store.
type feedWaiter chan struct{}

func (w feedWaiter) wake() {
	select {
	case w <- struct{}{}:
	default:
	}
}

// feedRoom is the local feed connections of one account, with the broker
// subscription they share.
type feedRoom struct {
	mu          sync.Mutex
	waiters     map[feedWaiter]struct{}
	unsubscribe func()
}

var _ Receiver = (*feedRoom)(nil)

func (f *feedRoom) wakeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for w := range f.waiters {
		w.wake()
	}
}

// Receive implements Receiver.
func (f *feedRoom) Receive(room.Event) { f.wakeAll() }

// Resync implements Receiver.
func (f *feedRoom) Resync() { f.wakeAll() }

// feeds subscribes this instance to an account's feed topic while it has
// a feed connection of that account.
type feeds struct {
	broker   Broker
	mu       sync.Mutex
	accounts map[string]*feedRoom
}

func (fs *feeds) join(ctx context.Context, account string) (feedWaiter, error) {
	w := make(feedWaiter, 1)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f := fs.accounts[account]
	if f == nil {
		f = &feedRoom{waiters: map[feedWaiter]struct{}{}}
		unsub, err := fs.broker.Subscribe(ctx, feedTopic(account), f)
		if err != nil {
			return nil, err
		}
		f.unsubscribe = unsub
		fs.accounts[account] = f
	}
	f.mu.Lock()
	f.waiters[w] = struct{}{}
	f.mu.Unlock()
	return w, nil
}

func (fs *feeds) leave(account string, w feedWaiter) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f := fs.accounts[account]
	if f == nil {
		return
	}
	f.mu.Lock()
	delete(f.waiters, w)
	empty := len(f.waiters) == 0
	f.mu.Unlock()
	if empty {
		delete(fs.accounts, account)
		f.unsubscribe()
	}
}

// handleFeed serves GET /api/v1/feed?agent=me&since=RFC3339: the account's
// changed rooms, live (docs/protocol.md).
func (h *Hub) handleFeed(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	q := r.URL.Query()
	fc := &feedConn{wsConn: wsConn{h: h, p: p, replies: make(chan []byte, 8)}}
	switch a := q.Get("agent"); a {
	case "":
	case "me":
		fc.agent = p.user.ID
	default:
		if !room.ValidID("us", a) {
			h.writeError(w, r, room.Errorf(room.KindInvalid, "agent must be \"me\" or a user id"))
			return
		}
		fc.agent = a
	}
	if s := q.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			h.writeError(w, r, room.Errorf(room.KindInvalid, "since must be a time such as 2026-11-25T10:00:00Z, the updated_at of the last room received"))
			return
		}
		now := h.now()
		switch {
		case t.Before(now.Add(-feedMaxAge)):
			h.writeError(w, r, room.Errorf(room.KindInvalid, "since is more than 7 days ago: read the list (GET /api/v1/rooms) instead"))
			return
		case t.After(now):
			t = now // a client's clock ahead of ours must not skip changes
		}
		fc.since = t
	}
	c, done, ok := h.upgrade(w, r)
	if !ok {
		return
	}
	defer done()
	fc.c = c
	fc.log = h.log.With().Str("feed", p.account()).Str("conn", room.NewID("cn")).Logger()
	ctx, cancel := context.WithCancel(h.ctx)
	defer cancel()
	fc.serve(ctx, cancel)
}

// feedConn is one feed WebSocket. It shares the room WebSocket's reading,
// pinging and writing.
type feedConn struct {
	wsConn
	agent string
	since time.Time // zero: from the moment of connecting
	// sent is the seq and change time of each room sent that a read may
	// still return, so a re-read room goes out only when it moved.
	sent map[string]sentRoom
	// from is where the next read starts: feedMargin before the previous
	// read began.
	from time.Time
	// checked is when the session was last found alive.
	checked time.Time
}

type sentRoom struct {
	seq int64
	at  time.Time
}

func (fc *feedConn) serve(ctx context.Context, cancel context.CancelFunc) {
	h := fc.h
	account := fc.p.account()
	wake, err := h.feeds.join(ctx, account)
	if err != nil {
		fc.log.Error().Err(err).Msg("subscribe feed")
		_ = fc.c.Close(websocket.StatusInternalError, "cannot subscribe to the feed")
		return
	}
	defer h.feeds.leave(account, wake)
	rctx, rcancel := context.WithCancel(context.Background())
	defer rcancel()
	go fc.readLoop(rctx, cancel)
	go fc.pingLoop(ctx, cancel)
	fc.closeFor(ctx, fc.loop(ctx, wake))
}

// errSessionEnded closes a feed whose agent signed out, or whose session
// expired: the feed carries every room's customer, and must not outlive
// the right to read them.
var errSessionEnded = &closeError{closeUnauthorized, "session ended; sign in again"}

// loop sends ready, then the changed rooms at each wake-up, at most once
// per feedCoalesce.
func (fc *feedConn) loop(ctx context.Context, wake feedWaiter) error {
	h := fc.h
	fc.sent = map[string]sentRoom{}
	ready := h.now()
	fc.checked = ready
	if fc.since.IsZero() {
		fc.from = ready.Add(-feedMargin)
	} else {
		fc.from = fc.since.Add(-feedMargin)
		wake.wake()
	}
	if err := fc.writeJSON(ctx, map[string]any{"type": "ready", "at": ready}); err != nil {
		return err
	}
	sweep := time.NewTicker(feedSweep)
	defer sweep.Stop()
	var expiry <-chan time.Time
	if fc.p.session != nil {
		t := time.NewTimer(fc.p.session.ExpiresAt.Sub(ready))
		defer t.Stop()
		expiry = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-expiry:
			return errSessionEnded
		case b := <-fc.replies:
			if err := fc.write(ctx, b); err != nil {
				return err
			}
			continue
		case <-sweep.C:
		case <-wake:
		}
		if err := fc.checkSession(ctx); err != nil {
			return err
		}
		if err := fc.send(ctx); err != nil {
			return err
		}
		// Let a burst of changes gather before the next read.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(feedCoalesce):
		}
	}
}

// checkSession ends the feed once its agent's session is gone (signed out,
// password reset, expired).
// It reads the store at most every feedSessionCheck.
func (fc *feedConn) checkSession(ctx context.Context) error {
	now := fc.h.now()
	if fc.p.session == nil || now.Sub(fc.checked) < feedSessionCheck {
		return nil
	}
	_, err := fc.h.store.AuthSession(ctx, fc.p.session.TokenHash, now)
	if room.IsKind(err, room.KindNotFound) {
		return errSessionEnded
	}
	if err == nil {
		fc.checked = now
	}
	return err
}

// send reads the rooms changed since fc.from and sends those that moved.
func (fc *feedConn) send(ctx context.Context) error {
	h := fc.h
	began := h.now()
	q := store.ChangeQuery{Agent: fc.agent, Since: fc.from, Limit: feedPage}
	for {
		rooms, err := h.store.ChangedRooms(ctx, fc.p.account(), q)
		if err != nil {
			return err
		}
		var out []room.State
		for _, r := range rooms {
			if s, ok := fc.sent[r.ID]; ok && s.seq >= r.Seq {
				continue
			}
			fc.sent[r.ID] = sentRoom{seq: r.Seq, at: r.UpdatedAt}
			out = append(out, r)
		}
		for len(out) > 0 {
			n := min(len(out), feedFrame)
			if err := fc.writeJSON(ctx, map[string]any{"type": "rooms", "rooms": out[:n]}); err != nil {
				return err
			}
			out = out[n:]
		}
		if len(rooms) < feedPage {
			break
		}
		last := rooms[len(rooms)-1]
		q.Since, q.AfterID = last.UpdatedAt, last.ID
	}
	fc.from = began.Add(-feedMargin)
	// What the next reads cannot return is forgotten.
	for id, s := range fc.sent {
		if s.at.Before(fc.from) {
			delete(fc.sent, id)
		}
	}
	return nil
}
