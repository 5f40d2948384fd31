package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/coder/websocket"
)

// The reconnection policy of every WebSocket the SDK keeps open (a
// Subscription, a Feed): the wait between attempts doubles from minBackoff
// to maxBackoff, with jitter, and starts again from minBackoff after a
// connection that proved healthy: it brought something new, or it lasted
// longer than maxBackoff. A Retry-After of the hub is honoured up to
// maxRetryWait.
const (
	minBackoff   = 100 * time.Millisecond
	maxBackoff   = 5 * time.Second
	maxRetryWait = time.Minute
)

// stream is a WebSocket that the SDK keeps open by reconnecting: a
// Subscription or a Feed. Its reconnector runs its connections one after
// the other.
type stream interface {
	// serve reads conn until it ends, closes it and says why it ended.
	// healthy reports whether the connection proved the hub well, by
	// bringing something new: it starts the backoff again.
	serve(conn *websocket.Conn) (healthy bool, err error)
	// connect opens a new connection that resumes where the stream is.
	connect() (*websocket.Conn, error)
	// stopped returns the error that ends the stream once it has been
	// closed or its context has ended, and nil before.
	stopped() error
}

// backoff is the reconnection policy of one stream, with its state. The
// Client keeps a pattern that each stream copies when it starts.
type backoff struct {
	min, max     time.Duration
	maxRetryWait time.Duration // the longest Retry-After honoured

	// The clock and the dice; tests replace them.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) bool // false if ctx ended first
	randN func(n time.Duration) time.Duration             // in [0, n)

	next time.Duration // the base of the next wait; zero stands for min
}

// defaultBackoff returns the policy of streams.
func defaultBackoff() backoff {
	return backoff{
		min:          minBackoff,
		max:          maxBackoff,
		maxRetryWait: maxRetryWait,
		now:          time.Now,
		sleep:        sleep,
		randN:        rand.N[time.Duration],
	}
}

// reconnector is what a stream (a Subscription, a Feed) embeds to be kept
// open: its context, its policy, and the end of its reader goroutine.
type reconnector struct {
	ctx     context.Context // ends the reader and the connection
	cancel  context.CancelFunc
	backoff backoff       // only the reader uses it
	done    chan struct{} // closed when the reader has returned
	err     error         // why the reader returned; written before done is closed
}

func newReconnector(ctx context.Context, cancel context.CancelFunc, b backoff) reconnector {
	return reconnector{ctx: ctx, cancel: cancel, backoff: b, done: make(chan struct{})}
}

// run is the reader goroutine of s, the stream that embeds r: it serves
// connections one after the other, from conn, until one ends for good.
func (r *reconnector) run(s stream, conn *websocket.Conn) {
	defer close(r.done)
	defer r.cancel()
	r.err = r.keep(s, conn)
}

// keep serves s from conn and reconnects whenever a connection ends, until
// s ends for good; it returns why. It waits before each attempt to connect
// again, a little longer after each failure.
func (r *reconnector) keep(s stream, conn *websocket.Conn) error {
	b := &r.backoff
	for {
		began := b.now()
		healthy, err := s.serve(conn)
		if err := final(s, err); err != nil {
			return err
		}
		// A connection that lasted is healthy too, although it brought
		// nothing: one the hub ends at once (its database is away) is not,
		// and must not bring the client back at once.
		if healthy || b.now().Sub(began) > b.max {
			b.reset()
		}
		var failed error // why the last attempt failed
		for {
			if !b.sleep(r.ctx, b.delay(failed)) {
				return s.stopped()
			}
			if conn, failed = s.connect(); failed == nil {
				break
			}
			if err := final(s, failed); err != nil {
				return err
			}
		}
	}
}

// delay returns how long to wait before the next attempt, and doubles the
// base of the one after, up to max. failed is why the previous attempt
// failed (nil after a connection that ended): a Retry-After it carries is
// waited for at least, up to maxRetryWait.
func (b *backoff) delay(failed error) time.Duration {
	base := max(b.next, b.min)
	b.next = min(base*2, b.max)
	d := b.jitter(base)
	var ae *APIError
	if errors.As(failed, &ae) {
		d = max(d, min(ae.RetryAfter, b.maxRetryWait))
	}
	return d
}

// reset starts the backoff again from min.
func (b *backoff) reset() {
	b.next = 0
}

// jitter returns a duration between d/2 and d, so that clients dropped
// together do not come back together.
func (b *backoff) jitter(d time.Duration) time.Duration {
	return d/2 + b.randN(d/2+1)
}

// final returns the error that ends s after err, the end of a connection
// or a failed attempt to connect, or nil if connecting again may help.
func final(s stream, err error) error {
	if e := s.stopped(); e != nil {
		return e
	}
	return permanentError(err)
}

// permanentError returns the error that ends a stream after err, or nil if
// err is one that connecting again may cure. Retrying cannot help after a
// handshake refused for good (see permanent), a protocol violation, a
// frame over the size limit, or the close codes 4400 and 4401.
func permanentError(err error) error {
	var ae *APIError
	if errors.As(err, &ae) {
		if permanent(ae.StatusCode) {
			return ae
		}
		return nil
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

// permanent reports whether a handshake refused with status will be
// refused again: every client error but a timeout or a rate limit.
func permanent(status int) bool {
	return status >= 400 && status <= 499 &&
		status != http.StatusRequestTimeout && status != http.StatusTooManyRequests
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

// enqueue puts v in a stream's bounded queue for Next, waiting for room
// unless ctx ends first: a reader that waits stops reading its connection.
func enqueue[T any](ctx context.Context, q chan<- T, v T) error {
	select {
	case q <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
