package postgres_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/store"
	"github.com/tandemhq/tandem/store/postgres"
	"github.com/tandemhq/tandem/store/postgres/pgtest"
	"github.com/tandemhq/tandem/store/storetest"
)

// TestAppendRoundTrips counts the round trips of the group commit's
// appends on the wire: a batch of appends is three whatever its size
// (BEGIN, the set-based statement, COMMIT), and so is a lone append; a
// lone append refused is four (the read that says why, and ROLLBACK for
// COMMIT). No read of the room comes before the append. A lone append
// keeps its transaction: see TestLoneAppendCutAfterItWasSent.
func TestAppendRoundTrips(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// One connection, so that every statement is prepared on it by Open.
	st, trips, _ := openBehindProxy(ctx, t, 1)
	rooms := storetest.NewRooms(t, st, 8)

	commit := func(batch []store.Change) []error {
		t.Helper()
		before := trips.Load()
		errs := st.Commit(ctx, batch)
		t.Logf("%d changes: %d round trips", len(batch), trips.Load()-before)
		return errs
	}
	roundTrips := func(batch []store.Change) int64 {
		t.Helper()
		before := trips.Load()
		for i, err := range st.Commit(ctx, batch) {
			if err != nil {
				t.Fatalf("change %d: %v", i, err)
			}
			rooms[i] = batch[i].State
		}
		return trips.Load() - before
	}

	if got := roundTrips([]store.Change{storetest.AppendNote(t, rooms[0], `{"n":1}`)}); got != 3 {
		t.Errorf("a lone append took %d round trips, want 3", got)
	}
	batch := make([]store.Change, len(rooms))
	for i, s := range rooms {
		batch[i] = storetest.AppendNote(t, s, `{"n":2}`)
	}
	if got := roundTrips(batch); got != 3 {
		t.Errorf("a batch of %d appends took %d round trips, want 3 (BEGIN, the append, COMMIT)", len(batch), got)
	}

	// Decided at a head the room has left: refused, and nothing written.
	stale := rooms[0]
	stale.Seq--
	before := trips.Load()
	errs := commit([]store.Change{storetest.AppendNote(t, stale, `{"n":3}`)})
	if code := tandem.ErrorCode(errs[0]); code != tandem.CodeSeqConflict {
		t.Fatalf("a stale lone append: %v, want %s", errs[0], tandem.CodeSeqConflict)
	}
	if got := trips.Load() - before; got != 4 {
		t.Errorf("a refused lone append took %d round trips, want 4", got)
	}
	evs, err := st.Events(ctx, rooms[0].Account, rooms[0].ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(evs); int64(n) != rooms[0].Seq {
		t.Errorf("room has %d events, want %d: the refused append wrote", n, rooms[0].Seq)
	}
}

// TestLoneAppendCutAfterItWasSent cuts the connection of a lone append
// once its statement is on its way to the server. The store may not know
// whether it was written, but may never report it refused while it is in
// the log: the hub would decide the change again and write it twice.
// Outside a transaction (as the set-based statement alone once ran) it
// did: database/sql runs a statement again on another connection when
// lib/pq reports the first connection bad, as it does when the answer
// does not come, and that second run found the room moved by the first.
func TestLoneAppendCutAfterItWasSent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, _, cut := openBehindProxy(ctx, t, 2)
	r := storetest.NewRooms(t, st, 1)[0]
	ch := storetest.AppendNote(t, r, `{"n":1}`)

	cut.Store(true)
	err := st.Commit(ctx, []store.Change{ch})[0]
	t.Logf("the cut append: %v", err)
	evs, lerr := st.Events(ctx, r.Account, r.ID, 0, 100)
	if lerr != nil {
		t.Fatal(lerr)
	}
	written := len(evs) == int(ch.State.Seq) && evs[len(evs)-1].Hash == ch.Events[0].Hash
	switch {
	case err == nil && !written:
		t.Fatalf("reported written, and not in the log (%d events)", len(evs))
	case tandem.ErrorCode(err) == tandem.CodeSeqConflict && written:
		t.Fatal("reported refused (seq_conflict), yet written: the hub would write it again")
	case len(evs) > int(ch.State.Seq):
		t.Fatalf("the log has %d events, want at most %d", len(evs), ch.State.Seq)
	}
}

// openBehindProxy opens a store of at most conns connections in a fresh
// schema, through roundTripCounter's proxy.
func openBehindProxy(ctx context.Context, t *testing.T, conns int) (*postgres.Store, *atomic.Int64, *atomic.Bool) {
	t.Helper()
	u, _ := pgtest.EmptySchema(t)
	proxied, trips, cut := roundTripCounter(t, u)
	st, err := postgres.Open(ctx, proxied, postgres.MaxConns(conns))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st, trips, cut
}

// roundTripCounter starts a proxy in front of the database of dbURL and
// returns dbURL pointed at it, and the count of round trips made through
// it: the messages after which a client waits for the server, Query
// (simple protocol) and Sync (extended protocol). Once cut is set, the
// proxy closes the connection that sends the next Sync, and the server's
// side of it, as soon as the Sync is passed on.
func roundTripCounter(t *testing.T, dbURL string) (string, *atomic.Int64, *atomic.Bool) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if u.Query().Get("sslmode") != "disable" {
		t.Skip("the round-trip counter reads the protocol in the clear: needs sslmode=disable")
	}
	upstream := u.Host
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var trips atomic.Int64
	var cut atomic.Bool
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", upstream)
			if err != nil {
				_ = client.Close()
				continue
			}
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, _ = io.Copy(client, server)
				_ = client.Close()
			}()
			go func() {
				defer wg.Done()
				if err := countMessages(client, server, &trips, &cut); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !errors.Is(err, errCut) {
					t.Logf("round-trip counter: %v", err)
				}
				_ = server.Close()
				_ = client.Close()
			}()
		}
	}()
	u.Host = ln.Addr().String()
	return u.String(), &trips, &cut
}

// countMessages copies a client's messages to the server, counting those
// of type Query ('Q') and Sync ('S'), until cut is set and a Sync is
// passed on. The first message, the startup one, has no type.
func countMessages(client io.Reader, server io.Writer, trips *atomic.Int64, cut *atomic.Bool) error {
	var head [5]byte
	if _, err := io.ReadFull(client, head[:4]); err != nil {
		return err
	}
	n := binary.BigEndian.Uint32(head[:4])
	if _, err := server.Write(head[:4]); err != nil {
		return err
	}
	if _, err := io.CopyN(server, client, int64(n)-4); err != nil {
		return err
	}
	for {
		if _, err := io.ReadFull(client, head[:]); err != nil {
			return err
		}
		if head[0] == 'Q' || head[0] == 'S' {
			trips.Add(1)
		}
		n := binary.BigEndian.Uint32(head[1:])
		if _, err := server.Write(head[:]); err != nil {
			return err
		}
		if _, err := io.CopyN(server, client, int64(n)-4); err != nil {
			return err
		}
		if head[0] == 'S' && cut.CompareAndSwap(true, false) {
			return errCut
		}
	}
}

// errCut ends a connection the proxy cut.
var errCut = errors.New("cut after a Sync")
