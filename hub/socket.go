package hub

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net"
	"net/http"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// WebSocket limits.
const (
	maxFrame    = 16 << 10
	pongTimeout = 15 * time.Second
)

// socket is what room and feed WebSockets share: the connection, its read
// loop and keep-alive, its writer (writer.go), deadline-bound writes and
// the close handshake. What a socket sends is the business of its stream.
type socket struct {
	core    *Core
	c       *websocket.Conn
	stream  stream
	replies chan []byte // answers of the read loop (pong, errors), sent by the writer
	ended   chan error  // why the socket must close now, from outside its loops
	// name is what the socket's log lines call it: its stream (room or
	// feed), that stream's id and the connection's own id. The logger is
	// built from it only when there is something to say, so an open
	// socket keeps no logger context of its own.
	name socketName
	// cork gathers frames into few writes during a catch-up (see
	// corked); nil if the connection was not hijacked through leanHijack.
	cork *corkConn

	// ctx is the connection's: it ends when the client goes, stops
	// answering pings, or the core shuts down; cancel ends it.
	ctx    context.Context
	cancel context.CancelFunc
	// writer is the state of the writer's goroutine (writer.go); kick
	// wakes it while it lingers, on lingerTimer.
	writer      atomic.Int32
	kick        chan struct{}
	lingerTimer *time.Timer
	// stopRead, stopPings and release are what finish undoes: the read
	// loop's context, the keep-alive, and the socket's place in its topic,
	// its credential and the core's count.
	stopRead, stopPings, release func()
}

// socketName is what a socket's log lines call it.
type socketName struct {
	kind, id, conn string
}

// newSocketName names a new connection of the stream kind ("room" or
// "feed") id.
func newSocketName(kind, id string) socketName {
	return socketName{kind: kind, id: id, conn: room.NewID("cn")}
}

// log is the core's logger with the socket's name.
func (s *socket) log() zerolog.Logger {
	return s.core.log.With().Str(s.name.kind, s.name.id).Str("conn", s.name.conn).Logger()
}

// endedErr is why the socket must close now, if it must: writers ask
// before each write, so that nothing goes out once the socket's credential
// ended, even when other work was ready at the same moment.
func (s *socket) endedErr() error {
	select {
	case err := <-s.ended:
		s.end(err) // keep it for the loop's own select
		return err
	default:
		return nil
	}
}

// end makes the socket's writer return err (the first one given), waking
// it if it is idle.
func (s *socket) end(err error) {
	select {
	case s.ended <- err:
	default:
	}
	s.wake()
}

// accept makes the request a WebSocket unless the core is shutting down.
// done must be called when the connection is over. An error means the
// request was not answered: the caller answers it. A nil socket with no
// error means the handshake failed and was answered already.
func (c *Core) accept(w http.ResponseWriter, r *http.Request, origins []string, name socketName) (s *socket, done func(), err error) {
	if !c.track() {
		return nil, nil, tandem.Errorf(tandem.KindUnavailable, "the hub is shutting down; reconnect")
	}
	// Compression stays off (coder/websocket's default): it would keep a
	// flate state per socket.
	lh := &leanHijack{ResponseWriter: w}
	conn, err := websocket.Accept(lh, r, &websocket.AcceptOptions{OriginPatterns: origins})
	if err != nil {
		c.conns.Done()
		return nil, nil, nil
	}
	conn.SetReadLimit(maxFrame)
	c.stats.conns.Add(1)
	s = &socket{core: c, c: conn, replies: make(chan []byte, 8), ended: make(chan error, 1), kick: make(chan struct{}, 1), name: name, cork: lh.conn}
	// The goroutine serve starts is the socket's first writer: until it
	// runs, a wake (its credential ended) only asks it to look.
	s.writer.Store(writerRunning)
	return s, func() { c.stats.conns.Add(-1); c.conns.Done() }, nil
}

// serve upgrades r to a socket opened with cred that sends st, which
// listens on topic, and returns once the socket runs on its own. An error
// means the request was not upgraded; the caller answers it.
func (c *Core) serve(w http.ResponseWriter, r *http.Request, cred Credential, origins []string, name socketName, topic string, st stream, encode bool) error {
	s, done, err := c.accept(w, r, origins, name)
	if s == nil {
		return err
	}
	if !c.creds.add(cred, s) {
		s.closeFor(c.ctx, errTooManySockets)
		done()
		return nil
	}
	// The request's context ends with the handler; the connection lives by
	// the core's. It keeps the request's values: what the socket causes
	// (the customer's presence) is recorded as coming from where the
	// request came from.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	stopAfter := context.AfterFunc(c.ctx, cancel)
	s.ctx, s.cancel, s.stream = ctx, cancel, st
	st.attach(s)
	joined := false
	s.release = func() {
		// Each step even if one before it panics.
		defer done()
		defer c.creds.remove(cred.Key, s)
		defer stopAfter()
		if joined {
			c.topics.leave(topic, st)
		}
	}
	// The connection is the socket's now (hijacked), and it goes on on a
	// goroutine of its own while the handler returns: as long as a handler
	// runs, net/http keeps what it held for its request (a 4 KB read and a
	// 4 KB write buffer, the request and its headers, and the handler's
	// stack, grown through the middleware), about a third of an idle
	// socket's memory. That goroutine is the socket's first writer: it
	// starts the stream, and goes once it is idle (writer.go). The edge's
	// middleware sees the request end at the upgrade (101).
	go func() {
		// net/http recovered a handler's panic and closed its connection;
		// a socket's goroutines must do the same.
		defer func() {
			if v := recover(); v != nil {
				s.recovered(v)
			}
		}()
		if err := c.topics.join(ctx, topic, st, encode); err != nil {
			l := s.log()
			l.Error().Err(err).Str("topic", topic).Msg("subscribe")
			s.closeNow("cannot subscribe")
			return
		}
		joined = true
		s.start()
		s.writeOn()
	}()
	return nil
}

// start starts the read loop and the keep-alive, and has the writer look
// for work once the connection's context ends. An open socket costs one
// goroutine, its read loop, and a second one only while it writes: the
// keep-alive is a timer, not a goroutine, and so is the watch on ctx.
func (s *socket) start() {
	// The read loop outlives ctx: coder/websocket drops the connection when
	// a Read's context ends, and the close handshake (1001 on shutdown)
	// needs the read side to take the client's close frame.
	rctx, rcancel := context.WithCancel(context.Background())
	s.stopRead = rcancel
	go s.readLoop(rctx, s.cancel)
	s.stopPings = s.keepAlive(s.ctx, s.cancel)
	context.AfterFunc(s.ctx, s.wake)
}

// closeFor closes the connection as err, what ended its writer, says:
// with the code and reason of a closeError, 1001 when the core shuts down,
// at once when the client went away, 1013 after an error frame when the
// store is unavailable, 1011 otherwise. ctx is the connection's.
func (s *socket) closeFor(ctx context.Context, err error) {
	c := s.core
	var ce *closeError
	switch {
	case errors.As(err, &ce):
		if ce.code == websocket.StatusPolicyViolation {
			c.stats.slowCloses.Add(1)
			c.metrics.slowCloses.Inc()
		}
		_ = s.c.Close(ce.code, ce.reason)
	case c.ctx.Err() != nil:
		_ = s.c.Close(websocket.StatusGoingAway, "server shutting down; reconnect with since")
	case ctx.Err() != nil:
		// The client went away or stopped answering pings.
		_ = s.c.CloseNow()
	case store.IsUnavailable(err):
		// The store went away under a live connection: say so, then let
		// the client come back (to any instance) once it returns.
		l := s.log()
		l.Warn().Err(err).Msg("websocket: store unavailable")
		if b, jerr := json.Marshal(errorFrame(tandem.CodeStoreUnavailable, "the database cannot be reached right now; reconnect with since shortly")); jerr == nil {
			wctx, wcancel := context.WithTimeout(context.Background(), time.Second)
			_ = s.c.Write(wctx, websocket.MessageText, b)
			wcancel()
		}
		_ = s.c.Close(websocket.StatusTryAgainLater, "store unavailable; reconnect with since")
	default:
		l := s.log()
		l.Error().Err(err).Msg("websocket")
		_ = s.c.Close(websocket.StatusInternalError, "internal error; reconnect with since")
	}
}

// readLoop reads the client's frames: it must always run, or pings and
// close frames go unanswered.
func (s *socket) readLoop(ctx context.Context, cancel context.CancelFunc) {
	defer cancel()
	for {
		typ, data, err := s.c.Read(ctx)
		if err != nil {
			return
		}
		b, _ := json.Marshal(replyTo(typ, data))
		select {
		case s.replies <- b:
			s.wake()
		case <-ctx.Done():
			return
		default:
			// A client flooding us with frames it does not read the answers
			// to loses the answers, not our memory.
		}
	}
}

// replyTo is the answer to one client frame: pong to a ping, an error
// frame to anything else.
func replyTo(typ websocket.MessageType, data []byte) any {
	var f struct {
		Type string `json:"type"`
	}
	switch {
	case typ != websocket.MessageText || json.Unmarshal(data, &f) != nil:
		return errorFrame("invalid_frame", "frames must be JSON objects with a type")
	case f.Type == "ping":
		return map[string]string{"type": "pong"}
	default:
		return errorFrame("unknown_frame", "unknown frame type "+truncate(f.Type, 40))
	}
}

// errorFrame is the protocol's error frame.
func errorFrame(code, msg string) map[string]any {
	return map[string]any{"type": "error", "error": map[string]string{"code": code, "message": msg}}
}

// truncate cuts s to at most n bytes, at the start of a character, so
// that what is left is still UTF-8.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// keepAlive pings the peer every PingInterval and cancels the connection
// (cancel) when a pong does not come back within pongTimeout. It is a
// timer that re-arms itself once the pong is in, not a goroutine: an idle
// socket pays for the timer only, and the timer's function runs (on its
// own goroutine, which Ping blocks until the pong, taken by the read loop)
// only while a ping is in flight. Call the function it returns once the
// socket is done.
func (s *socket) keepAlive(ctx context.Context, cancel context.CancelFunc) (stop func()) {
	interval := s.core.cfg.PingInterval
	// Armed only once t is set, so that the function never sees it unset.
	var t *time.Timer
	var stopped atomic.Bool // set by stop: a ping in flight then does not re-arm t
	t = time.AfterFunc(time.Duration(math.MaxInt64), func() {
		if ctx.Err() != nil || stopped.Load() {
			return
		}
		pctx, pcancel := context.WithTimeout(ctx, pongTimeout)
		err := s.c.Ping(pctx)
		pcancel()
		if err != nil {
			cancel()
			return
		}
		if ctx.Err() == nil && !stopped.Load() {
			t.Reset(interval)
		}
	})
	t.Reset(interval)
	return func() { stopped.Store(true); t.Stop() }
}

// corked runs fn with the socket's frames gathered into writes of up to
// corkLimit, then writes what is left within the write deadline: a client
// that does not take it in time is closed as slow, as by write.
func (s *socket) corked(fn func() error) error {
	if s.cork == nil {
		return fn()
	}
	s.cork.cork(s.core.cfg.WriteTimeout)
	err := fn()
	if uerr := s.cork.uncork(); uerr != nil {
		// Part of a frame may be out: the stream is broken, and a close
		// frame written after it would land inside that frame. The
		// connection is dropped; closeFor's close then fails at once.
		_ = s.c.CloseNow()
		var ne net.Error
		if err == nil && errors.As(uerr, &ne) && ne.Timeout() {
			return &closeError{websocket.StatusPolicyViolation, "slow consumer; reconnect with since"}
		}
		if err == nil {
			err = uerr
		}
	}
	return err
}

func (s *socket) writeJSON(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.write(ctx, b)
}

// write sends one frame with the core's write deadline: a client that does
// not take it in time is closed as slow. A frame begun is finished, within
// that deadline, even if ctx ends meanwhile: coder/websocket drops the
// connection when a Write's context ends, and a shutdown that caught a
// frame half-written would then leave the client an EOF instead of 1001.
// The writer sees ctx ended before its next frame.
func (s *socket) write(ctx context.Context, b []byte) error {
	if s.cork != nil && s.cork.gathering() {
		// Gathered in memory, or written with the cork's own deadline
		// when its buffer is full: no timer to arm and stop for each of
		// the many frames of a catch-up.
		err := s.c.Write(context.Background(), websocket.MessageText, b)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return &closeError{websocket.StatusPolicyViolation, "slow consumer; reconnect with since"}
		}
		return err
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.core.cfg.WriteTimeout)
	defer cancel()
	err := s.c.Write(wctx, websocket.MessageText, b)
	// Once the deadline closed the socket the read loop fails too and
	// cancels ctx, so ctx is no guide here: wctx's deadline is.
	if err != nil && errors.Is(wctx.Err(), context.DeadlineExceeded) {
		return &closeError{websocket.StatusPolicyViolation, "slow consumer; reconnect with since"}
	}
	return err
}
