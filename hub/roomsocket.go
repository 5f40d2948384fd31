package hub

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// RoomAccess is a room WebSocket as the edge authorised it.
type RoomAccess struct {
	Account string
	Room    string
	// Since is the seq the client has: it gets the events after it. A
	// negative Since asks for a snapshot of the state instead.
	Since int64
	// CustomerLink, for the customer, is the id of the link their room
	// pass came through: the socket closes once it is revoked, and the
	// customer's presence is tracked while it is open. Empty for agents.
	CustomerLink string
	// Credential is what the socket was opened with.
	Credential Credential
	// Client describes the customer's browser for the agent's timeline
	// ("iPhone Safari").
	Client string
	// Origins are the origins the handshake accepts besides the
	// request's own host.
	Origins []string
}

// ServeRoom makes r a WebSocket of a room: backlog or snapshot, synced,
// then live events, each once and in order (docs/protocol.md). An error
// means the request was not upgraded; the caller answers it.
func (c *Core) ServeRoom(w http.ResponseWriter, r *http.Request, a RoomAccess) error {
	rs := &roomSocket{a: a, queue: newQueue(c.cfg.QueueSize), metrics: c.metrics}
	return c.serve(w, r, a.Credential, a.Origins, newSocketName("room", a.Room), RoomTopic(a.Room), rs, true)
}

// roomSocket is one room WebSocket.
type roomSocket struct {
	s       *socket
	a       RoomAccess
	metrics *metrics
	queue   *queue
	started bool  // whether the backlog or snapshot and synced went out
	last    int64 // seq of the last event sent
}

var _ stream = (*roomSocket)(nil)

func (rs *roomSocket) attach(s *socket) { rs.s = s }

func (rs *roomSocket) receive(ev room.Event, raw []byte) {
	if !rs.queue.push(encoded{Event: ev, raw: raw}) {
		rs.needResync(resyncOverflow) // wakes the writer
		return
	}
	rs.s.wake()
}

func (rs *roomSocket) resync() { rs.needResync(resyncBroker) }

func (rs *roomSocket) needResync(reason string) {
	if rs.queue.flagResync() {
		rs.metrics.resyncs.WithLabelValues(reason).Inc()
	}
	rs.s.wake()
}

// write implements stream: the first call sends the backlog or snapshot
// and the synced frame, each call then the live events queued, healing
// any gap from the store, until nothing is ready.
func (rs *roomSocket) write(ctx context.Context) error {
	if !rs.started {
		rs.started = true
		if err := rs.start(ctx); err != nil {
			return err
		}
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-rs.s.ended:
			return err
		case <-rs.queue.resync:
			if err := rs.catchUp(ctx, -1); err != nil {
				return err
			}
		case b := <-rs.s.replies:
			if err := rs.s.write(ctx, b); err != nil {
				return err
			}
		case <-rs.queue.ready:
			for _, ev := range rs.queue.drain() {
				if err := rs.live(ctx, ev); err != nil {
					return err
				}
			}
		default:
			return errIdle
		}
	}
}

// start records the customer's presence, and sends the backlog or
// snapshot, then the synced frame.
func (rs *roomSocket) start(ctx context.Context) error {
	c := rs.s.core
	if rs.customer() {
		c.presence.enter(ctx, rs.a.Account, rs.a.Room, room.CustomerParticipant, rs.a.Client)
	}
	// Read after joining the room's topic, so nothing falls between the
	// state read here and the live stream.
	st, err := c.cfg.Log.Room(ctx, rs.a.Account, rs.a.Room)
	if err != nil {
		return err
	}
	// A credential ended since the socket opened sees nothing of the room.
	if err := rs.s.endedErr(); err != nil {
		return err
	}
	switch {
	case rs.a.Since < 0:
		view := st
		if rs.customer() {
			view = st.ForCustomer()
		}
		if err := rs.s.writeJSON(ctx, map[string]any{"type": "snapshot", "room": rs.a.Room, "seq": st.Seq, "state": view}); err != nil {
			return err
		}
		rs.last = st.Seq
	case rs.a.Since > st.Seq:
		return &closeError{CloseSinceAhead, "since is after the room's last event"}
	default:
		rs.last = rs.a.Since
		if err := rs.catchUp(ctx, -1); err != nil {
			return err
		}
	}
	return rs.s.writeJSON(ctx, map[string]any{"type": "synced", "room": rs.a.Room, "seq": rs.last})
}

// closed implements stream: the customer's presence ends with their
// socket.
func (rs *roomSocket) closed(ctx context.Context) {
	if !rs.started || !rs.customer() {
		return
	}
	c := rs.s.core
	reason := "closed"
	if c.ctx.Err() != nil {
		reason = "shutdown"
	}
	c.presence.exit(ctx, rs.a.Account, rs.a.Room, room.CustomerParticipant, reason)
}

// live sends one event that came from the broker, unless it was sent
// already, reading from the store what the broker skipped before it.
func (rs *roomSocket) live(ctx context.Context, ev encoded) error {
	if ev.Seq <= rs.last {
		return nil // already sent from the store
	}
	if ev.Seq > rs.last+1 {
		// The broker skipped or reordered: read what is missing.
		rs.metrics.resyncs.WithLabelValues(resyncGap).Inc()
		if err := rs.catchUp(ctx, ev.Seq-1); err != nil {
			return err
		}
	}
	return rs.send(ctx, ev.Event, ev.raw)
}

// customer reports whether the socket is the room's customer's, who sees
// the room through room.ForCustomer.
func (rs *roomSocket) customer() bool { return rs.a.CustomerLink != "" }

// send writes one event's frame (raw, its encoding; nil to encode it here)
// and checks whether it ends the socket.
func (rs *roomSocket) send(ctx context.Context, ev room.Event, raw []byte) error {
	if raw == nil || rs.customer() {
		view := ev
		if rs.customer() {
			view = room.ForCustomer(ev)
		}
		var err error
		if raw, err = encodeEvent(view); err != nil {
			return err
		}
	}
	if err := rs.sendFrame(ctx, ev.Seq, raw); err != nil {
		return err
	}
	return rs.checkRevoked(ev)
}

// sendFrame writes the frame of event seq, unless the socket must close
// first.
func (rs *roomSocket) sendFrame(ctx context.Context, seq int64, frame []byte) error {
	if err := rs.s.endedErr(); err != nil {
		return err
	}
	if err := rs.s.write(ctx, frame); err != nil {
		return err
	}
	rs.metrics.deliveries.Inc()
	rs.last = seq
	return nil
}

// checkRevoked ends a customer's connection once the link it came through
// is revoked: whoever holds the old link must not keep watching the room.
func (rs *roomSocket) checkRevoked(ev room.Event) error {
	if rs.a.CustomerLink == "" || ev.Type != room.TypeLinkRevoked {
		return nil
	}
	var d room.LinkRevoked
	if json.Unmarshal(ev.Data, &d) == nil && d.Link == rs.a.CustomerLink {
		return &closeError{CloseAccessEnded, "this link was revoked; open the newest link you were sent"}
	}
	return nil
}

// catchUp sends the events after rs.last from the store, up to seq until
// (or all of them if until < 0). An agent's socket writes each event's
// frame as the store builds it from what it keeps (EventsJSON), corked: a
// resume of many events encodes none of them, and writes them in a few
// writes to the connection. A customer's sees each event
// through room.ForCustomer, so its frames are encoded here.
func (rs *roomSocket) catchUp(ctx context.Context, until int64) error {
	if rs.customer() {
		return rs.catchUpEvents(ctx, until)
	}
	return rs.catchUpFrames(ctx, until)
}

// catchUpFrames is catchUp for an agent's socket: the stored frames, as
// they are.
func (rs *roomSocket) catchUpFrames(ctx context.Context, until int64) error {
	log := rs.s.core.cfg.Log
	return catchUpPages(rs, until,
		func(after int64) ([]store.EventJSON, error) {
			return log.EventsJSON(ctx, rs.a.Account, rs.a.Room, after, tandem.MaxEventsPage)
		},
		func(ev store.EventJSON) int64 { return ev.Seq },
		func(ev store.EventJSON) error { return rs.sendFrame(ctx, ev.Seq, ev.JSON) },
		rs.s.corked)
}

// catchUpEvents is catchUp for a customer's socket: each event through the
// customer's view, encoded here.
func (rs *roomSocket) catchUpEvents(ctx context.Context, until int64) error {
	log := rs.s.core.cfg.Log
	return catchUpPages(rs, until,
		func(after int64) ([]room.Event, error) {
			return log.Events(ctx, rs.a.Account, rs.a.Room, after, tandem.MaxEventsPage)
		},
		func(ev room.Event) int64 { return ev.Seq },
		func(ev room.Event) error { return rs.send(ctx, ev, nil) },
		func(f func() error) error { return f() })
}

// catchUpPages sends, page by page from read, the events after rs.last up
// to seq until (all of them if until < 0); send moves rs.last. Each page's
// sends run inside page (an agent's socket gathers them into few writes):
// nothing gathered waits while the next page is read, not even a pong.
func catchUpPages[T any](rs *roomSocket, until int64, read func(after int64) ([]T, error), seq func(T) int64, send func(T) error, page func(func() error) error) error {
	for until < 0 || rs.last < until {
		evs, err := read(rs.last)
		if err != nil {
			return err
		}
		done := false
		err = page(func() error {
			for _, ev := range evs {
				if until >= 0 && seq(ev) > until {
					done = true
					return nil
				}
				if err := send(ev); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || done || len(evs) < tandem.MaxEventsPage {
			return err
		}
	}
	return nil
}

// encoded is an event with its JSON frame.
type encoded struct {
	room.Event
	raw []byte
}

// encodeEvent is an event's frame.
func encodeEvent(ev room.Event) ([]byte, error) { return json.Marshal(ev) }
