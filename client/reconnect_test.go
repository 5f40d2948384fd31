package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// fakeClock is a clock whose sleeps return at once, moving it on.
type fakeClock struct {
	t      time.Time
	sleeps []time.Duration
}

func (c *fakeClock) now() time.Time { return c.t }

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) bool {
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	return ctx.Err() == nil
}

// Dice that always roll the highest or the lowest number: the waits are
// then the backoff itself, or half of it.
func highest(n time.Duration) time.Duration { return n - 1 }
func lowest(time.Duration) time.Duration    { return 0 }

// testBackoff is the default policy on clock, with dice.
func testBackoff(clock *fakeClock, dice func(time.Duration) time.Duration) backoff {
	b := defaultBackoff()
	b.now, b.sleep, b.randN = clock.now, clock.sleep, dice
	return b
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// delays returns the waits before n attempts in a row that fail with
// failed.
func delays(b *backoff, n int, failed error) []time.Duration {
	var out []time.Duration
	for range n {
		out = append(out, b.delay(failed))
	}
	return out
}

// The wait doubles from the minimum to the maximum and stays there; the
// jitter takes at most half of it away.
func TestBackoffGrowsToItsCap(t *testing.T) {
	want := []time.Duration{ms(100), ms(200), ms(400), ms(800), ms(1600), ms(3200), ms(5000), ms(5000), ms(5000)}
	b := testBackoff(&fakeClock{}, highest)
	mustEqual(t, "waits, highest jitter", delays(&b, len(want), nil), want)

	b = testBackoff(&fakeClock{}, lowest)
	var halves []time.Duration
	for _, d := range want {
		halves = append(halves, d/2)
	}
	mustEqual(t, "waits, lowest jitter", delays(&b, len(want), nil), halves)

	if minBackoff != ms(100) || maxBackoff != 5*time.Second || maxRetryWait != time.Minute {
		t.Errorf("policy = %v..%v, Retry-After up to %v; want the Subscription's 100ms..5s, up to 1m", minBackoff, maxBackoff, maxRetryWait)
	}
}

// With the real dice, every wait is within [base/2, base], and the waits
// are not all the same.
func TestBackoffJitterBounds(t *testing.T) {
	b := defaultBackoff()
	seen := map[time.Duration]bool{}
	for range 1000 {
		b.reset()
		for _, base := range []time.Duration{ms(100), ms(200), ms(400), ms(800), ms(1600), ms(3200), ms(5000), ms(5000)} {
			d := b.delay(nil)
			if d < base/2 || d > base {
				t.Fatalf("wait %v for a backoff of %v, want within [%v, %v]", d, base, base/2, base)
			}
			if base == ms(100) {
				seen[d] = true
			}
		}
	}
	if len(seen) < 2 {
		t.Errorf("1000 first waits took %d value(s): no jitter", len(seen))
	}
}

// reset starts again from the minimum.
func TestBackoffReset(t *testing.T) {
	b := testBackoff(&fakeClock{}, highest)
	delays(&b, 10, nil)
	b.reset()
	mustEqual(t, "waits after reset", delays(&b, 3, nil), []time.Duration{ms(100), ms(200), ms(400)})
}

// A Retry-After of a refused handshake is a floor for the next wait, up to
// maxRetryWait; it does not change the backoff that follows.
func TestBackoffRetryAfter(t *testing.T) {
	refused := func(status int, after time.Duration) error {
		return fmt.Errorf("dial: %w", &APIError{StatusCode: status, Code: "x", RetryAfter: after})
	}
	b := testBackoff(&fakeClock{}, highest)
	for i, tc := range []struct {
		failed error
		want   time.Duration
	}{
		{refused(http.StatusTooManyRequests, 2*time.Second), 2 * time.Second}, // backoff 100ms
		{refused(http.StatusServiceUnavailable, 0), ms(200)},
		{refused(http.StatusServiceUnavailable, ms(300)), ms(400)},
		{refused(http.StatusTooManyRequests, time.Hour), time.Minute}, // backoff 800ms
		{nil, ms(1600)},
		{errors.New("connection refused"), ms(3200)},
		{refused(http.StatusServiceUnavailable, 4*time.Second), 5 * time.Second},
		{refused(http.StatusServiceUnavailable, 7*time.Second), 7 * time.Second}, // backoff 5s
		{refused(http.StatusServiceUnavailable, 2*time.Minute+1), time.Minute},
		{nil, 5 * time.Second},
	} {
		if got := b.delay(tc.failed); got != tc.want {
			t.Errorf("wait %d after %v = %v, want %v", i, tc.failed, got, tc.want)
		}
	}
}

// A refused handshake's Retry-After, date or seconds, reaches the policy
// through the *APIError.
func TestBackoffRetryAfterFromAnswer(t *testing.T) {
	for _, v := range []string{"2", time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)} {
		resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {v}}, Body: io.NopCloser(nil)}
		b := testBackoff(&fakeClock{}, highest)
		if d := b.delay(newAPIError(resp, nil)); d < time.Second || d > 3*time.Second {
			t.Errorf("Retry-After %q: wait %v, want about 2 s", v, d)
		}
	}
}

// The errors after which retrying cannot help end a stream; the others
// make it connect again.
func TestPermanentError(t *testing.T) {
	closed := func(code websocket.StatusCode) error {
		return fmt.Errorf("read: %w", websocket.CloseError{Code: code, Reason: "why"})
	}
	refused := func(status int) error {
		return &APIError{StatusCode: status, Code: fallbackCode(status)}
	}
	for _, tc := range []struct {
		name string
		err  error
		// want: 0 to retry, an HTTP status for that *APIError, a close
		// code for that *CloseError, or -1 for the error itself.
		want int
	}{
		{"401 access ended", refused(401), 401},
		{"403 forbidden", refused(403), 403},
		{"404 room gone", refused(404), 404},
		{"410 link revoked", refused(410), 410},
		{"400 bad since", refused(400), 400},
		{"408 timeout", refused(408), 0},
		{"429 rate limited", refused(429), 0},
		{"500", refused(500), 0},
		{"502", refused(502), 0},
		{"503 unavailable", refused(503), 0},
		{"close 4401 access ended", closed(CloseAccessEnded), CloseAccessEnded},
		{"close 4400 since ahead", closed(CloseSinceAhead), CloseSinceAhead},
		{"close 1009 too big", closed(CloseMessageTooBig), CloseMessageTooBig},
		{"frame over the read limit", fmt.Errorf("read: %w", websocket.ErrMessageTooBig), CloseMessageTooBig},
		{"close 1000", closed(websocket.StatusNormalClosure), 0},
		{"close 1001 going away", closed(websocket.StatusGoingAway), 0},
		{"close 1008 slow consumer", closed(websocket.StatusPolicyViolation), 0},
		{"close 1011 internal", closed(websocket.StatusInternalError), 0},
		{"close 1013 try again later", closed(websocket.StatusTryAgainLater), 0},
		{"protocol violation", fmt.Errorf("feed: %w: not JSON", ErrProtocol), -1},
		{"gap", errGap, 0},
		{"network", io.ErrUnexpectedEOF, 0},
	} {
		got := permanentError(tc.err)
		var ae *APIError
		var ce *CloseError
		switch {
		case tc.want == 0 && got != nil:
			t.Errorf("%s: %v, want a retry", tc.name, got)
		case tc.want == -1 && got != tc.err:
			t.Errorf("%s: %v, want the error itself", tc.name, got)
		case tc.want >= 400 && tc.want < 1000 && (!errors.As(got, &ae) || ae.StatusCode != tc.want):
			t.Errorf("%s: %v, want the *APIError %d", tc.name, got, tc.want)
		case tc.want >= 1000 && (!errors.As(got, &ce) || ce.Code != tc.want):
			t.Errorf("%s: %v, want a *CloseError %d", tc.name, got, tc.want)
		}
	}
}

// fakeStream plays connections and attempts to connect from scripts, on a
// fake clock.
type fakeStream struct {
	tb       testing.TB
	ctx      context.Context
	clock    *fakeClock
	serves   []fakeServe
	connects []error
}

// fakeServe is how a connection ends: after lasted, with err.
type fakeServe struct {
	healthy bool
	lasted  time.Duration
	err     error
}

func (s *fakeStream) serve(*websocket.Conn) (bool, error) {
	if len(s.serves) == 0 {
		s.tb.Fatal("a connection more than scripted")
	}
	r := s.serves[0]
	s.serves = s.serves[1:]
	s.clock.t = s.clock.t.Add(r.lasted)
	return r.healthy, r.err
}

func (s *fakeStream) connect() (*websocket.Conn, error) {
	if len(s.connects) == 0 {
		s.tb.Fatal("an attempt to connect more than scripted")
	}
	err := s.connects[0]
	s.connects = s.connects[1:]
	return nil, err
}

func (s *fakeStream) stopped() error {
	if s.ctx.Err() != nil {
		return ErrClosed
	}
	return nil
}

// keep plays a stream on a fake clock, and returns how it ended and the
// waits it made.
func keep(t *testing.T, ctx context.Context, serves []fakeServe, connects []error) ([]time.Duration, error) {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	s := &fakeStream{tb: t, ctx: ctx, clock: clock, serves: serves, connects: connects}
	r := reconnector{ctx: ctx, backoff: testBackoff(clock, highest)}
	err := r.keep(s, nil)
	if len(s.serves) > 0 || len(s.connects) > 0 {
		t.Errorf("%d connection(s) and %d attempt(s) left unplayed", len(s.serves), len(s.connects))
	}
	return clock.sleeps, err
}

func TestKeep(t *testing.T) {
	goingAway := websocket.CloseError{Code: websocket.StatusGoingAway}
	limited := func(after time.Duration) error {
		return &APIError{StatusCode: http.StatusTooManyRequests, Code: "rate_limited", RetryAfter: after}
	}

	// Failed attempts make the wait grow, a Retry-After is a floor, and a
	// healthy connection starts the backoff again; 4401 ends it all.
	t.Run("Healthy", func(t *testing.T) {
		sleeps, err := keep(t, testCtx(t),
			[]fakeServe{{err: goingAway}, {healthy: true, err: goingAway}, {err: websocket.CloseError{Code: CloseAccessEnded, Reason: "signed out"}}},
			[]error{io.ErrUnexpectedEOF, &APIError{StatusCode: 503, Code: "unavailable"}, limited(2 * time.Second), nil, nil},
		)
		var ce *CloseError
		if !errors.As(err, &ce) || ce.Code != CloseAccessEnded || ce.Reason != "signed out" {
			t.Errorf("keep = %v, want a *CloseError 4401", err)
		}
		mustEqual(t, "waits", sleeps, []time.Duration{ms(100), ms(200), ms(400), 2 * time.Second, ms(100)})
	})

	// A connection that ends at once is not healthy; one that lasted
	// longer than the longest wait is. A permanent refusal ends it all.
	t.Run("Lasted", func(t *testing.T) {
		sleeps, err := keep(t, testCtx(t),
			[]fakeServe{{err: goingAway}, {lasted: time.Second, err: goingAway}, {lasted: 6 * time.Second, err: goingAway}},
			[]error{nil, nil, &APIError{StatusCode: http.StatusForbidden, Code: "forbidden"}},
		)
		if ErrorCode(err) != "forbidden" {
			t.Errorf("keep = %v, want the 403", err)
		}
		mustEqual(t, "waits", sleeps, []time.Duration{ms(100), ms(200), ms(100)})
	})

	// A protocol violation ends the stream at once, without a wait.
	t.Run("Protocol", func(t *testing.T) {
		bad := fmt.Errorf("frame: %w", ErrProtocol)
		sleeps, err := keep(t, testCtx(t), []fakeServe{{healthy: true, err: bad}}, nil)
		if err != bad {
			t.Errorf("keep = %v, want %v", err, bad)
		}
		mustEqual(t, "waits", sleeps, nil)
	})

	// The end of the context stops the waits and the attempts, whenever
	// it comes.
	t.Run("Stopped", func(t *testing.T) {
		ctx, cancel := context.WithCancel(testCtx(t))
		cancel()
		sleeps, err := keep(t, ctx, []fakeServe{{err: goingAway}}, nil)
		if err != ErrClosed {
			t.Errorf("keep = %v, want ErrClosed", err)
		}
		mustEqual(t, "waits", sleeps, nil)
	})
	t.Run("StoppedWhileWaiting", func(t *testing.T) {
		ctx, cancel := context.WithCancel(testCtx(t))
		clock := &fakeClock{}
		s := &fakeStream{tb: t, ctx: ctx, clock: clock, serves: []fakeServe{{err: goingAway}}}
		r := reconnector{ctx: ctx, backoff: testBackoff(clock, highest)}
		r.backoff.sleep = func(ctx context.Context, d time.Duration) bool {
			cancel()
			return clock.sleep(ctx, d)
		}
		if err := r.keep(s, nil); err != ErrClosed {
			t.Errorf("keep = %v, want ErrClosed", err)
		}
		mustEqual(t, "waits", clock.sleeps, []time.Duration{ms(100)})
	})
}
