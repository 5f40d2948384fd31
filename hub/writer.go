package hub

import (
	"context"
	"errors"
	"runtime/debug"
	"time"

	"github.com/coder/websocket"
	"github.com/rs/zerolog"
)

// A socket's write side runs on a goroutine only while it has something
// to do. Whatever gives it work (an event queued, a resync asked, a pong
// to send, the socket's end) first leaves the work where the stream finds
// it (a channel or its queue), then wakes the writer: a goroutine that
// calls the stream's write until it reports errIdle, waits writerLinger
// for more, and is gone. An idle socket is then its read loop alone,
// blocked in the network poller: the writer's stack, grown by the store
// reads and encoding of a catch-up, is not kept for the hours a socket
// may sit idle.
//
// The writer's state makes sure one goroutine at most writes at a time,
// and that no wake-up is lost: one that comes while a writer runs makes it
// look again before it goes.
const (
	writerIdle    int32 = iota // no goroutine; the next wake starts one
	writerRunning              // a goroutine writes
	writerAgain                // a goroutine writes, and was woken meanwhile
	writerDone                 // the socket is closed; wakes do nothing
)

// errIdle is what a stream's write returns when it sent all that was
// ready: the writer goes until the next wake-up.
var errIdle = errors.New("hub: nothing to write")

// stream is what a socket sends: a room's events or an account's feed.
type stream interface {
	listener
	// attach gives the stream its socket, before it joins its topic.
	attach(s *socket)
	// write sends what is ready: the first call starts the stream (backlog,
	// synced), the next ones send what came since. It returns errIdle when
	// nothing is left; any other error ends the socket, as closeFor says.
	// Calls never overlap.
	write(ctx context.Context) error
	// closed is called once, when the socket ends, before its close
	// handshake.
	closed(ctx context.Context)
}

// wake has the socket's writer look for work, starting its goroutine if
// none runs. It never blocks: a listener calls it from the broadcast.
func (s *socket) wake() {
	for {
		switch s.writer.Load() {
		case writerIdle:
			if s.writer.CompareAndSwap(writerIdle, writerRunning) {
				go s.writeOn()
				return
			}
		case writerRunning:
			if s.writer.CompareAndSwap(writerRunning, writerAgain) {
				// A lingering writer waits on kick; one writing sees
				// writerAgain, and a kick left over costs it one look.
				select {
				case s.kick <- struct{}{}:
				default:
				}
				return
			}
		default: // woken already, or closed
			return
		}
	}
}

// writeOn is the writer's goroutine: it calls the stream's write until it
// is idle and was not woken meanwhile, or until the socket ends, which it
// then closes.
func (s *socket) writeOn() {
	defer func() {
		if v := recover(); v != nil {
			s.recovered(v)
		}
	}()
	for {
		err := s.stream.write(s.ctx)
		if err != errIdle {
			s.finish(err, true)
			return
		}
		if s.writer.CompareAndSwap(writerAgain, writerRunning) {
			continue // woken while writing: look again
		}
		if !s.linger() {
			if s.writer.CompareAndSwap(writerRunning, writerIdle) {
				return
			}
			// Woken as it was going: look again.
			s.writer.Store(writerRunning)
		}
	}
}

// writerLinger is how long a writer with nothing to send waits for more
// before it goes. A socket that receives often (a live room) keeps its
// writer, and the stack it grew, instead of starting a goroutine and
// growing its stack again for each event; one left idle loses it soon.
const writerLinger = time.Second

// linger waits up to writerLinger for a wake, and reports whether one
// came: the writer then looks again.
func (s *socket) linger() bool {
	if s.lingerTimer == nil {
		s.lingerTimer = time.NewTimer(writerLinger)
	} else {
		s.lingerTimer.Reset(writerLinger)
	}
	select {
	case <-s.kick:
		s.lingerTimer.Stop()
		s.writer.CompareAndSwap(writerAgain, writerRunning)
		return true
	case <-s.lingerTimer.C:
		return false
	}
}

// finish ends the socket once its stream's write returned err: the
// stream is told (the customer's presence ends), the connection closed as
// closeFor says (unless closed is false: it was dropped), the read loop
// and keep-alive stopped, and all it held let go, even if one of those
// steps panics (recovered then ends the panic's goroutine). It runs once.
func (s *socket) finish(err error, closed bool) {
	if s.writer.Swap(writerDone) == writerDone {
		return
	}
	defer s.release()
	defer s.cancel()
	if s.stopRead != nil { // started: joined its topic, read loop and keep-alive running
		defer s.stopRead()
		s.stopPings()
		s.stream.closed(s.ctx)
	}
	if closed {
		s.closeFor(s.ctx, err)
	}
	if closed && s.core.log.GetLevel() <= zerolog.DebugLevel && zerolog.GlobalLevel() <= zerolog.DebugLevel {
		l := s.log()
		l.Debug().Err(err).Msg("websocket closed")
	}
}

// recovered ends the socket after a panic v on one of its goroutines, as
// net/http does a handler's: logged, the connection dropped, what it held
// let go.
func (s *socket) recovered(v any) {
	l := s.log()
	l.Error().Interface("panic", v).Bytes("stack", debug.Stack()).Msg("websocket")
	_ = s.c.CloseNow()
	s.finish(nil, false)
}

// closeNow drops a socket that never started (its topic could not be
// joined): 1011, and what it held let go.
func (s *socket) closeNow(reason string) {
	if s.writer.Swap(writerDone) == writerDone {
		return
	}
	defer s.release()
	defer s.cancel()
	_ = s.c.Close(websocket.StatusInternalError, reason)
}
