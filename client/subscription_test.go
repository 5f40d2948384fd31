package client

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
)

const testRoom = "rm_test"

// The hub goes away mid-stream, then refuses once with 503: the client
// resumes from the last event it got and ends with exactly 1..N.
func TestSubscribeResumesAfterGoingAway(t *testing.T) {
	const n = 20
	f := newFakeWS(t, testRoom)
	f.refuse = func(i int, w http.ResponseWriter, _ *http.Request) bool {
		if i == 1 {
			w.Header().Set("Retry-After", "0")
			writeError(w, http.StatusServiceUnavailable, "unavailable", "Try again.")
			return true
		}
		return false
	}
	f.serve = func(i int, since string, conn *websocket.Conn) {
		switch i {
		case 0:
			send(conn, events(testRoom, 1, 10)...)
			send(conn, map[string]any{"type": "pong"}, map[string]any{"type": "mystery", "x": 1})
			conn.Close(websocket.StatusGoingAway, "shutdown")
		default:
			send(conn, events(testRoom, 11, n)...)
			send(conn, synced(testRoom, n))
			f.hold(conn)
		}
	}
	c := f.start()
	ctx := testCtx(t)
	sub, err := c.Subscribe(ctx, testRoom, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	mustEqual(t, "seqs", collect(t, ctx, sub, n), seqRange(1, n))
	if err := sub.WaitSynced(ctx); err != nil {
		t.Fatalf("WaitSynced: %v", err)
	}
	mustEqual(t, "since of each handshake", f.handshakes(), []string{"0", "10", "10"})
	if got := sub.Reconnects(); got != 1 {
		t.Errorf("Reconnects = %d, want 1", got)
	}
	if got := sub.LastSeq(); got != n {
		t.Errorf("LastSeq = %d, want %d", got, n)
	}
	if got := sub.Syncs(); got != 1 {
		t.Errorf("Syncs = %d, want 1", got)
	}
}

// The hub refuses the reconnection with 503 and a Retry-After date: the
// subscription waits until then before it tries again.
func TestSubscribeHonoursRetryAfter(t *testing.T) {
	f := newFakeWS(t, testRoom)
	f.refuse = func(i int, w http.ResponseWriter, _ *http.Request) bool {
		if i == 1 {
			// 3 to 4 s away: an HTTP date has no fraction of a second.
			w.Header().Set("Retry-After", time.Now().Add(4*time.Second).UTC().Format(http.TimeFormat))
			writeError(w, http.StatusServiceUnavailable, "unavailable", "Try again.")
			return true
		}
		return false
	}
	f.serve = func(i int, since string, conn *websocket.Conn) {
		if i == 0 {
			send(conn, events(testRoom, 1, 3)...)
			conn.Close(websocket.StatusGoingAway, "shutdown")
			return
		}
		send(conn, events(testRoom, 4, 5)...)
		send(conn, synced(testRoom, 5))
		f.hold(conn)
	}
	c := f.start()
	waits := f.waits(c)
	ctx := testCtx(t)
	sub, err := c.Subscribe(ctx, testRoom, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	mustEqual(t, "seqs", collect(t, ctx, sub, 5), seqRange(1, 5))
	mustEqual(t, "since of each handshake", f.handshakes(), []string{"0", "3", "3"})
	ws := waits()
	if len(ws) != 2 {
		t.Fatalf("waits = %v, want one after the drop and one after the 503", ws)
	}
	if ws[0].handshakes != 1 || ws[0].d > minBackoff {
		t.Errorf("wait after the drop = %v after %d handshake(s), want at most %v after 1", ws[0].d, ws[0].handshakes, minBackoff)
	}
	if ws[1].handshakes != 2 || ws[1].d < 2*time.Second {
		t.Errorf("wait after the 503 = %v after %d handshakes, want at least 2s after 2", ws[1].d, ws[1].handshakes)
	}
	if got := sub.Reconnects(); got != 1 {
		t.Errorf("Reconnects = %d, want 1", got)
	}
}

// The hub repeats an old event, then skips one: the client drops the
// duplicate, drops the connection at the gap and resumes after the last
// event it delivered.
func TestSubscribeDuplicateAndGap(t *testing.T) {
	const n = 10
	f := newFakeWS(t, testRoom)
	f.serve = func(i int, since string, conn *websocket.Conn) {
		switch i {
		case 0:
			send(conn, event(testRoom, 1), event(testRoom, 2), event(testRoom, 3), event(testRoom, 2),
				event(testRoom, 4), event(testRoom, 6), event(testRoom, 7))
		default:
			send(conn, events(testRoom, 5, n)...)
			send(conn, event(testRoom, 9), synced(testRoom, n))
		}
		f.hold(conn)
	}
	c := f.start()
	ctx := testCtx(t)
	sub, err := c.Subscribe(ctx, testRoom, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	mustEqual(t, "seqs", collect(t, ctx, sub, n), seqRange(1, n))
	if err := sub.WaitSynced(ctx); err != nil {
		t.Fatalf("WaitSynced: %v", err)
	}
	mustEqual(t, "since of each handshake", f.handshakes(), []string{"0", "4"})
}

// A synced frame ahead of the events received is a gap too.
func TestSubscribeSyncedAheadIsAGap(t *testing.T) {
	f := newFakeWS(t, testRoom)
	f.serve = func(i int, since string, conn *websocket.Conn) {
		switch i {
		case 0:
			send(conn, events(testRoom, 3, 4)...)
			send(conn, synced(testRoom, 6))
		default:
			send(conn, events(testRoom, 5, 6)...)
			send(conn, synced(testRoom, 6))
		}
		f.hold(conn)
	}
	c := f.start()
	ctx := testCtx(t)
	sub, err := c.Subscribe(ctx, testRoom, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	mustEqual(t, "seqs", collect(t, ctx, sub, 4), seqRange(3, 6))
	if err := sub.WaitSynced(ctx); err != nil {
		t.Fatalf("WaitSynced: %v", err)
	}
	mustEqual(t, "since of each handshake", f.handshakes(), []string{"2", "4"})
}

// SubscribeSnapshot returns the snapshot's state and resumes after the
// last event, not after the snapshot.
func TestSubscribeSnapshot(t *testing.T) {
	f := newFakeWS(t, testRoom)
	f.serve = func(i int, since string, conn *websocket.Conn) {
		switch i {
		case 0:
			send(conn,
				map[string]any{"type": "snapshot", "room": testRoom, "seq": 3,
					"state": map[string]any{"id": testRoom, "seq": 3, "status": "invited", "future_field": true}},
				synced(testRoom, 3), event(testRoom, 4))
			conn.Close(websocket.StatusInternalError, "oops")
		default:
			send(conn, event(testRoom, 5), synced(testRoom, 5))
			f.hold(conn)
		}
	}
	c := f.start()
	ctx := testCtx(t)
	sub, st, err := c.SubscribeSnapshot(ctx, testRoom)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if st.ID != testRoom || st.Seq != 3 || st.Status != "invited" {
		t.Fatalf("state = %+v", st)
	}
	mustEqual(t, "seqs", collect(t, ctx, sub, 2), []int64{4, 5})
	mustEqual(t, "since of each handshake", f.handshakes(), []string{"-", "4"})
}

// 4401 ends the subscription after the events already received.
func TestSubscribeStopsOnAccessEnded(t *testing.T) {
	f := newFakeWS(t, testRoom)
	f.serve = func(i int, since string, conn *websocket.Conn) {
		send(conn, events(testRoom, 1, 2)...)
		conn.Close(CloseAccessEnded, "session ended")
	}
	c := f.start()
	ctx := testCtx(t)
	sub, err := c.Subscribe(ctx, testRoom, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	mustEqual(t, "seqs", collect(t, ctx, sub, 2), []int64{1, 2})
	_, err = sub.Next(ctx)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseAccessEnded || ce.Reason != "session ended" {
		t.Fatalf("Next = %v, want a CloseError 4401", err)
	}
	if _, again := sub.Next(ctx); again != err {
		t.Errorf("second Next = %v, want %v", again, err)
	}
	if werr := sub.WaitSynced(ctx); werr != err {
		t.Errorf("WaitSynced = %v, want %v", werr, err)
	}
	select {
	case <-sub.Done():
	default:
		t.Error("Done is not closed")
	}
	mustEqual(t, "since of each handshake", f.handshakes(), []string{"0"})
}

// A refused handshake is an *APIError: from Subscribe for the first
// connection, from Next when reconnecting.
func TestSubscribeHandshakeRefused(t *testing.T) {
	f := newFakeWS(t, testRoom)
	f.refuse = func(i int, w http.ResponseWriter, _ *http.Request) bool {
		if i == 2 {
			writeError(w, http.StatusGone, "link_revoked", "Ask for a new link.")
			return true
		}
		return false
	}
	f.serve = func(i int, since string, conn *websocket.Conn) {
		send(conn, event(testRoom, 1))
		conn.Close(websocket.StatusGoingAway, "")
	}
	c := f.start()
	ctx := testCtx(t)

	_, err := c.Subscribe(ctx, "rm_other", 0)
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusNotFound || ae.Code != "room_not_found" || ae.Message != "No such room." {
		t.Fatalf("Subscribe to an unknown room = %#v, want a 404 room_not_found", err)
	}

	sub, err := c.Subscribe(ctx, testRoom, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	mustEqual(t, "seqs", collect(t, ctx, sub, 1), []int64{1})
	_, err = sub.Next(ctx)
	if ErrorCode(err) != "link_revoked" {
		t.Fatalf("Next = %v, want link_revoked", err)
	}
	mustEqual(t, "since of each handshake", f.handshakes(), []string{"0", "0", "1"})
}

// Close and the end of the context both stop the reader at once, even
// while Next waits; the leak check of TestMain sees that it returned.
func TestSubscribeCloseAndCancel(t *testing.T) {
	f := newFakeWS(t, testRoom)
	closed := make(chan websocket.StatusCode, 4)
	f.serve = func(i int, since string, conn *websocket.Conn) {
		send(conn, synced(testRoom, 0))
		_, _, err := conn.Read(context.Background())
		closed <- websocket.CloseStatus(err)
	}
	c := f.start()
	ctx := testCtx(t)

	t.Run("Close", func(t *testing.T) {
		sub, err := c.Subscribe(ctx, testRoom, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := sub.WaitSynced(ctx); err != nil {
			t.Fatal(err)
		}
		errc := make(chan error, 1)
		go func() {
			_, err := sub.Next(ctx)
			errc <- err
		}()
		time.Sleep(20 * time.Millisecond)
		if err := sub.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-errc; !errors.Is(err, ErrClosed) {
			t.Errorf("Next = %v, want ErrClosed", err)
		}
		if code := <-closed; code != websocket.StatusNormalClosure {
			t.Errorf("the hub saw close code %d, want 1000", code)
		}
		if err := sub.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
		if _, err := sub.Next(ctx); !errors.Is(err, ErrClosed) {
			t.Errorf("Next after Close = %v, want ErrClosed", err)
		}
	})

	t.Run("Cancel", func(t *testing.T) {
		sctx, cancel := context.WithCancel(ctx)
		sub, err := c.Subscribe(sctx, testRoom, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		if err := sub.WaitSynced(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
		if _, err := sub.Next(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Next = %v, want context.Canceled", err)
		}
		<-closed
	})

	t.Run("NextContext", func(t *testing.T) {
		sub, err := c.Subscribe(ctx, testRoom, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		nctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		if _, err := sub.Next(nctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Next = %v, want context.DeadlineExceeded", err)
		}
		select {
		case <-sub.Done():
			t.Error("the subscription ended with Next's context")
		default:
		}
	})
}

// A frame over the read limit ends the subscription: it would come again
// on every reconnection.
func TestSubscribeFrameTooBig(t *testing.T) {
	f := newFakeWS(t, testRoom)
	f.serve = func(i int, since string, conn *websocket.Conn) {
		e := event(testRoom, 1)
		e.Data = append([]byte(`"`), append(make([]byte, maxFrame), '"')...)
		for i := 1; i < len(e.Data)-1; i++ {
			e.Data[i] = 'x'
		}
		send(conn, e)
		f.hold(conn)
	}
	c := f.start()
	ctx := testCtx(t)
	sub, err := c.Subscribe(ctx, testRoom, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	_, err = sub.Next(ctx)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseMessageTooBig {
		t.Fatalf("Next = %v, want a CloseError 1009", err)
	}
}

// A frame that is not JSON is a protocol violation, not a reason to
// reconnect for ever.
func TestSubscribeProtocolViolation(t *testing.T) {
	f := newFakeWS(t, testRoom)
	f.serve = func(i int, since string, conn *websocket.Conn) {
		_ = conn.Write(context.Background(), websocket.MessageText, []byte("not json"))
		f.hold(conn)
	}
	c := f.start()
	ctx := testCtx(t)
	sub, err := c.Subscribe(ctx, testRoom, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if _, err := sub.Next(ctx); !errors.Is(err, ErrProtocol) {
		t.Fatalf("Next = %v, want ErrProtocol", err)
	}
}

// A consumer that does not read makes the reader wait, with a bounded
// queue, rather than buffer the whole backlog; Synced waits for the
// backlog to be taken.
func TestSubscribeBackpressure(t *testing.T) {
	const n = 1000
	f := newFakeWS(t, testRoom)
	f.serve = func(i int, since string, conn *websocket.Conn) {
		send(conn, events(testRoom, 1, n)...)
		send(conn, synced(testRoom, n))
		f.hold(conn)
	}
	c := f.start()
	ctx := testCtx(t)
	sub, err := c.Subscribe(ctx, testRoom, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	time.Sleep(100 * time.Millisecond)
	if got := len(sub.events); got != queueSize {
		t.Errorf("queued events = %d, want %d", got, queueSize)
	}
	select {
	case <-sub.Synced():
		t.Fatal("synced before the backlog was taken")
	default:
	}
	mustEqual(t, "seqs", collect(t, ctx, sub, n), seqRange(1, n))
	if err := sub.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
}
