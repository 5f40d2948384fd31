package client

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/room"
)

// feedAt is the time of the fake hub's ready frames.
var feedAt = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func ready() any {
	return map[string]any{"type": "ready", "at": feedAt}
}

// rooms is a feed frame of the rooms ids, changed after feedAt.
func rooms(ids ...string) any {
	var rs []room.State
	for i, id := range ids {
		rs = append(rs, room.State{ID: id, Seq: 1, UpdatedAt: feedAt.Add(time.Duration(i+1) * time.Second)})
	}
	return map[string]any{"type": "rooms", "rooms": rs}
}

// nextRooms returns the ids of the feed's next batch.
func nextRooms(t *testing.T, ctx context.Context, f *Feed) []string {
	t.Helper()
	rs, err := f.Next(ctx)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

// The hub refuses the feed's reconnection with 429 and Retry-After: 2; the
// feed waits that long before it tries again, then resumes.
func TestFeedHonoursRetryAfter(t *testing.T) {
	f := newFakeWS(t, "")
	f.refuse = func(i int, w http.ResponseWriter, _ *http.Request) bool {
		if i == 1 {
			w.Header().Set("Retry-After", "2")
			writeError(w, http.StatusTooManyRequests, "rate_limited", "Slow down.")
			return true
		}
		return false
	}
	f.serve = func(i int, since string, conn *websocket.Conn) {
		send(conn, ready())
		if i == 0 {
			conn.Close(websocket.StatusTryAgainLater, "store unavailable; reconnect with since")
			return
		}
		send(conn, rooms("rm_1"))
		f.hold(conn)
	}
	c := f.start()
	waits := f.waits(c)
	ctx := testCtx(t)
	feed, err := c.Feed(ctx, FeedQuery{})
	if err != nil {
		t.Fatal(err)
	}
	defer feed.Close()

	mustEqual(t, "rooms", nextRooms(t, ctx, feed), []string{"rm_1"})
	resume := feedAt.Format(time.RFC3339Nano)
	mustEqual(t, "since of each handshake", f.handshakes(), []string{"-", resume, resume})
	ws := waits()
	if len(ws) != 2 {
		t.Fatalf("waits = %v, want one after the drop and one after the 429", ws)
	}
	if ws[0].handshakes != 1 || ws[0].d > minBackoff {
		t.Errorf("wait after the drop = %v after %d handshake(s), want at most %v after 1", ws[0].d, ws[0].handshakes, minBackoff)
	}
	if ws[1].handshakes != 2 || ws[1].d < 2*time.Second {
		t.Errorf("wait after the 429 = %v after %d handshakes, want at least 2s after 2", ws[1].d, ws[1].handshakes)
	}
}

// Failures that may pass make the feed wait longer each time; a connection
// that brought rooms starts the backoff again.
func TestFeedBacksOff(t *testing.T) {
	f := newFakeWS(t, "")
	f.refuse = func(i int, w http.ResponseWriter, _ *http.Request) bool {
		if i == 1 {
			writeError(w, http.StatusServiceUnavailable, "store_unavailable", "Try again shortly.")
			return true
		}
		return false
	}
	f.serve = func(i int, since string, conn *websocket.Conn) {
		send(conn, ready())
		switch i {
		case 0:
			conn.Close(websocket.StatusTryAgainLater, "store unavailable; reconnect with since")
		case 2:
			conn.Close(websocket.StatusInternalError, "oops")
		case 3:
			send(conn, rooms("rm_3"))
			conn.Close(websocket.StatusGoingAway, "shutdown")
		default:
			send(conn, rooms("rm_3", "rm_4"))
			f.hold(conn)
		}
	}
	c := f.start()
	c.backoff.randN = highest
	waits := f.waits(c)
	ctx := testCtx(t)
	feed, err := c.Feed(ctx, FeedQuery{})
	if err != nil {
		t.Fatal(err)
	}
	defer feed.Close()

	mustEqual(t, "rooms", nextRooms(t, ctx, feed), []string{"rm_3"})
	mustEqual(t, "rooms", nextRooms(t, ctx, feed), []string{"rm_3", "rm_4"})
	resume, after3 := feedAt.Format(time.RFC3339Nano), feedAt.Add(time.Second).Format(time.RFC3339Nano)
	mustEqual(t, "since of each handshake", f.handshakes(), []string{"-", resume, resume, resume, after3})
	mustEqual(t, "waits", waits(), []fakeWait{{ms(100), 1}, {ms(200), 2}, {ms(400), 3}, {ms(100), 4}})
}

// The feed stops for good, as a Subscription does, when retrying cannot
// help: Next returns why, and the feed tries no more.
func TestFeedStopsForGood(t *testing.T) {
	for _, tc := range []struct {
		name       string
		refuse     int                            // the status that refuses the second handshake, or 0
		serve      func(*fakeWS, *websocket.Conn) // what the first connection does after ready
		handshakes int
		check      func(error) bool
	}{
		{
			name: "access ended",
			serve: func(_ *fakeWS, conn *websocket.Conn) {
				conn.Close(CloseAccessEnded, "session ended; sign in again")
			},
			handshakes: 1,
			check: func(err error) bool {
				var ce *CloseError
				return errors.As(err, &ce) && ce.Code == CloseAccessEnded && ce.Reason == "session ended; sign in again"
			},
		},
		{
			name:       "401 on reconnection",
			refuse:     http.StatusUnauthorized,
			handshakes: 2,
			check:      func(err error) bool { return ErrorCode(err) == "unauthorized" },
		},
		{
			name:       "403 on reconnection",
			refuse:     http.StatusForbidden,
			handshakes: 2,
			check:      func(err error) bool { return ErrorCode(err) == "forbidden" },
		},
		{
			name:       "404 on reconnection",
			refuse:     http.StatusNotFound,
			handshakes: 2,
			check:      func(err error) bool { return ErrorCode(err) == "not_found" },
		},
		{
			name: "protocol violation",
			serve: func(f *fakeWS, conn *websocket.Conn) {
				_ = conn.Write(context.Background(), websocket.MessageText, []byte("not json"))
				f.hold(conn)
			},
			handshakes: 1,
			check:      func(err error) bool { return errors.Is(err, ErrProtocol) },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeWS(t, "")
			f.refuse = func(i int, w http.ResponseWriter, _ *http.Request) bool {
				if i == 1 && tc.refuse != 0 {
					writeError(w, tc.refuse, fallbackCode(tc.refuse), "No.")
					return true
				}
				return false
			}
			f.serve = func(i int, since string, conn *websocket.Conn) {
				send(conn, ready())
				if tc.serve != nil {
					tc.serve(f, conn)
					return
				}
				conn.Close(websocket.StatusGoingAway, "shutdown")
			}
			c := f.start()
			waits := f.waits(c)
			ctx := testCtx(t)
			feed, err := c.Feed(ctx, FeedQuery{})
			if err != nil {
				t.Fatal(err)
			}
			defer feed.Close()
			_, err = feed.Next(ctx)
			if !tc.check(err) {
				t.Fatalf("Next = %v", err)
			}
			if _, again := feed.Next(ctx); again != err {
				t.Errorf("second Next = %v, want %v", again, err)
			}
			if got := len(f.handshakes()); got != tc.handshakes {
				t.Errorf("%d handshakes, want %d", got, tc.handshakes)
			}
			if got := len(waits()); got != tc.handshakes-1 {
				t.Errorf("%d waits, want %d", got, tc.handshakes-1)
			}
		})
	}
}

// Close ends the feed, even while it waits to reconnect.
func TestFeedCloseWhileWaiting(t *testing.T) {
	f := newFakeWS(t, "")
	f.refuse = func(i int, w http.ResponseWriter, _ *http.Request) bool {
		if i > 0 {
			w.Header().Set("Retry-After", "30")
			writeError(w, http.StatusTooManyRequests, "rate_limited", "Slow down.")
			return true
		}
		return false
	}
	f.serve = func(i int, since string, conn *websocket.Conn) {
		send(conn, ready())
		conn.Close(websocket.StatusGoingAway, "shutdown")
	}
	c := f.start()
	ctx := testCtx(t)
	feed, err := c.Feed(ctx, FeedQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for len(f.handshakes()) < 2 { // refused: the feed now waits 30 s
		if ctx.Err() != nil {
			t.Fatal("the feed did not reconnect")
		}
		time.Sleep(5 * time.Millisecond)
	}
	done := make(chan error, 1)
	go func() { done <- feed.Close() }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not end the wait of 30 s")
	}
	if _, err := feed.Next(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Next after Close = %v, want ErrClosed", err)
	}
}
