package hub

import (
	"context"
	"net/http"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// The account feed (GET /api/v1/feed) tells an agent's page, a toolbar or
// a browser extension which rooms of the account changed, with each room's
// new state, so a session list stays live without a WebSocket per room.
//
// The broker carries the last event of each committed change on the
// account's topic, which the feed only uses as a wake-up; what changed is
// read from the store, by the time of each room's last event. A wake-up
// lost by the broker is therefore healed by the next one, by the Resync a
// broker calls after a drop, or by the sweep every FeedSweep. Each read
// covers the rooms changed since FeedMargin before the previous read began
// (by this instance's clock, never by a room's time, so an instance whose
// clock runs ahead cannot push the window past other instances' changes):
// a change committed late (a slow transaction) or stamped by an instance
// whose clock is a little behind is still found, as long as instances'
// clocks agree within the margin (docs/deploy.md). A room goes out again
// only when its seq moved.
const (
	FeedMargin = 15 * time.Second
	// FeedMaxAge bounds how far back since may reach: older resumes read
	// the list instead (GET /api/v1/rooms).
	FeedMaxAge   = 7 * 24 * time.Hour
	FeedSweep    = 30 * time.Second
	feedCoalesce = 200 * time.Millisecond
	feedFrame    = 25 // rooms per frame, to stay far below clients' frame limits
)

// FeedAccess is an account feed as the edge authorised it.
type FeedAccess struct {
	Account string
	// Agent, if set, keeps the rooms of that agent only.
	Agent string
	// Since is the updated_at of the last room the client received; zero
	// means from the moment of connecting.
	Since time.Time
	// Credential is what the socket was opened with: the feed carries
	// every room's customer, and must not outlive the right to read them.
	Credential Credential
	// Origins are the origins the handshake accepts besides the
	// request's own host.
	Origins []string
}

// ServeFeed makes r an account feed WebSocket (docs/protocol.md). An error
// means the request was not upgraded; the caller answers it.
func (c *Core) ServeFeed(w http.ResponseWriter, r *http.Request, a FeedAccess) error {
	fs := &feedSocket{a: a, wake: make(chan struct{}, 1), sent: map[string]sentRoom{}}
	return c.serve(w, r, a.Credential, a.Origins, newSocketName("feed", a.Account), AccountTopic(a.Account), fs, false)
}

// feedSocket is one feed WebSocket.
type feedSocket struct {
	s    *socket
	a    FeedAccess
	wake chan struct{} // one pending wake-up: a burst of changes costs one read
	// sent is the seq and change time of each room sent that a read may
	// still return, so a re-read room goes out only when it moved.
	sent map[string]sentRoom
	// from is where the next read starts: FeedMargin before the previous
	// read began.
	from time.Time
}

type sentRoom struct {
	seq int64
	at  time.Time
}

var _ stream = (*feedSocket)(nil)

func (fs *feedSocket) attach(s *socket)       { fs.s = s }
func (fs *feedSocket) closed(context.Context) {}

// write implements stream. A feed's writer never goes idle: it keeps its
// goroutine for its sweep and its pacing of reads (an agent's page has one
// feed, against the many rooms it watches).
func (fs *feedSocket) write(ctx context.Context) error { return fs.loop(ctx) }

func (fs *feedSocket) receive(room.Event, []byte) { fs.wakeUp() }
func (fs *feedSocket) resync()                    { fs.wakeUp() }

func (fs *feedSocket) wakeUp() {
	select {
	case fs.wake <- struct{}{}:
	default:
	}
}

// loop sends ready, then the changed rooms at each wake-up, at most once
// per feedCoalesce.
func (fs *feedSocket) loop(ctx context.Context) error {
	c := fs.s.core
	ready := c.now()
	if fs.a.Since.IsZero() {
		fs.from = ready.Add(-FeedMargin)
	} else {
		fs.from = fs.a.Since.Add(-FeedMargin)
		fs.wakeUp()
	}
	if err := fs.s.writeJSON(ctx, map[string]any{"type": "ready", "at": ready}); err != nil {
		return err
	}
	sweep := time.NewTicker(FeedSweep)
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-fs.s.ended:
			return err
		case b := <-fs.s.replies:
			if err := fs.s.write(ctx, b); err != nil {
				return err
			}
			continue
		case <-sweep.C:
		case <-fs.wake:
		}
		if err := fs.s.endedErr(); err != nil {
			return err
		}
		if err := fs.send(ctx); err != nil {
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

// send reads the rooms changed since fs.from and sends those that moved.
func (fs *feedSocket) send(ctx context.Context) error {
	c := fs.s.core
	began := c.now()
	q := store.ChangeQuery{Agent: fs.a.Agent, Since: fs.from, Limit: tandem.MaxRoomsPage}
	for {
		rooms, err := c.cfg.Log.ChangedRooms(ctx, fs.a.Account, q)
		if err != nil {
			return err
		}
		var out []room.State
		for _, r := range rooms {
			if s, ok := fs.sent[r.ID]; ok && s.seq >= r.Seq {
				continue
			}
			fs.sent[r.ID] = sentRoom{seq: r.Seq, at: r.UpdatedAt}
			out = append(out, r)
		}
		for len(out) > 0 {
			n := min(len(out), feedFrame)
			if err := fs.s.writeJSON(ctx, map[string]any{"type": "rooms", "rooms": out[:n]}); err != nil {
				return err
			}
			out = out[n:]
		}
		if len(rooms) < tandem.MaxRoomsPage {
			break
		}
		last := rooms[len(rooms)-1]
		q.Since, q.AfterID = last.UpdatedAt, last.ID
	}
	fs.from = began.Add(-FeedMargin)
	// What the next reads cannot return is forgotten.
	for id, s := range fs.sent {
		if s.at.Before(fs.from) {
			delete(fs.sent, id)
		}
	}
	return nil
}
