package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/tandemhq/tandem/room"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testCtx returns a context that ends with the test or after 10 s.
func testCtx(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

// newTestClient starts srv's handler on an httptest.Server and returns a
// Client of it.
func newTestClient(tb testing.TB, h http.Handler, opts ...Option) (*Client, *httptest.Server) {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	c, err := New(srv.URL, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return c, srv
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers the protocol's error body.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// fakeWS is the WebSocket endpoint of a fake hub: a room's, or the account
// feed's when its roomID is "". Each handshake is recorded; refuse may
// answer it with an HTTP error, otherwise serve speaks on the connection,
// which is closed when serve returns.
type fakeWS struct {
	tb     testing.TB
	roomID string
	quit   chan struct{}

	// refuse answers handshake n (from 0) with an error and returns true,
	// or returns false to accept it. Optional.
	refuse func(n int, w http.ResponseWriter, r *http.Request) bool
	// serve runs connection n, accepted with the given raw since.
	serve func(n int, since string, conn *websocket.Conn)

	mu     sync.Mutex
	sinces []string // the since of every handshake, "-" when absent
	reqs   []*http.Request
}

func newFakeWS(tb testing.TB, roomID string) *fakeWS {
	f := &fakeWS{tb: tb, roomID: roomID, quit: make(chan struct{})}
	return f
}

// start serves f at the protocol's path and returns a Client of it.
func (f *fakeWS) start(opts ...Option) *Client {
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/rooms/{id}/ws", f)
	mux.Handle("GET /api/v1/feed", f) // no id: only a feed's fakeWS accepts it
	c, _ := newTestClient(f.tb, mux, opts...)
	// Runs before srv.Close: let held connections go.
	f.tb.Cleanup(func() { close(f.quit) })
	return c
}

func (f *fakeWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	since := "-"
	if r.URL.Query().Has("since") {
		since = r.URL.Query().Get("since")
	}
	f.mu.Lock()
	n := len(f.sinces)
	f.sinces = append(f.sinces, since)
	f.reqs = append(f.reqs, r)
	f.mu.Unlock()
	if r.PathValue("id") != f.roomID {
		writeError(w, http.StatusNotFound, "room_not_found", "No such room.")
		return
	}
	if f.refuse != nil && f.refuse(n, w, r) {
		return
	}
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		f.tb.Errorf("accept: %v", err)
		return
	}
	defer conn.CloseNow()
	f.serve(n, since, conn)
}

// handshakes returns the since of every handshake so far.
func (f *fakeWS) handshakes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.sinces...)
}

// waits makes c's streams wait no time, and returns the log of the waits
// they would have made, each with the number of handshakes made before it.
func (f *fakeWS) waits(c *Client) func() []fakeWait {
	var (
		mu  sync.Mutex
		log []fakeWait
	)
	c.backoff.sleep = func(ctx context.Context, d time.Duration) bool {
		n := len(f.handshakes())
		mu.Lock()
		log = append(log, fakeWait{d, n})
		mu.Unlock()
		return ctx.Err() == nil
	}
	return func() []fakeWait {
		mu.Lock()
		defer mu.Unlock()
		return append([]fakeWait(nil), log...)
	}
}

// fakeWait is a wait of a stream, after handshakes handshakes.
type fakeWait struct {
	d          time.Duration
	handshakes int
}

// hold keeps conn open, answering the close handshake, until the client
// leaves or the test ends.
func (f *fakeWS) hold(conn *websocket.Conn) {
	ctx := conn.CloseRead(context.Background())
	select {
	case <-ctx.Done():
	case <-f.quit:
	}
}

// send writes frames, ignoring errors: the client may have left on purpose.
func send(conn *websocket.Conn, frames ...any) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, fr := range frames {
		b, err := json.Marshal(fr)
		if err != nil {
			panic(err)
		}
		if conn.Write(ctx, websocket.MessageText, b) != nil {
			return
		}
	}
}

// event returns event seq of roomID. Every third event has a type this
// package does not know, which it must pass on all the same.
func event(roomID string, seq int64) room.Event {
	typ := room.TypeParticipantJoined
	if seq%3 == 0 {
		typ = "document.shared"
	}
	return room.Event{
		Room:  roomID,
		Seq:   seq,
		Type:  typ,
		At:    time.Date(2026, 11, 25, 10, 0, int(seq), 0, time.UTC),
		Actor: room.Actor{Kind: room.ActorSystem},
		Data:  json.RawMessage(`{"n":` + strconv.FormatInt(seq, 10) + `}`),
	}
}

// events returns the frames of events from..to of roomID.
func events(roomID string, from, to int64) []any {
	var out []any
	for s := from; s <= to; s++ {
		out = append(out, event(roomID, s))
	}
	return out
}

func synced(roomID string, seq int64) any {
	return map[string]any{"type": "synced", "room": roomID, "seq": seq}
}

// collect reads n events from sub and returns their seqs.
func collect(tb testing.TB, ctx context.Context, sub *Subscription, n int) []int64 {
	tb.Helper()
	var seqs []int64
	for len(seqs) < n {
		e, err := sub.Next(ctx)
		if err != nil {
			tb.Fatalf("Next after seqs %v: %v", seqs, err)
		}
		seqs = append(seqs, e.Seq)
	}
	return seqs
}

// seqRange returns from..to.
func seqRange(from, to int64) []int64 {
	var out []int64
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

func mustEqual[T comparable](tb testing.TB, what string, got, want []T) {
	tb.Helper()
	if !slices.Equal(got, want) {
		tb.Fatalf("%s = %v, want %v", what, got, want)
	}
}
