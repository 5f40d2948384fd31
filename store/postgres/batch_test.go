package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/store"
	"github.com/tandemhq/tandem/store/postgres"
	"github.com/tandemhq/tandem/store/postgres/pgtest"
	"github.com/tandemhq/tandem/store/storetest"
)

// TestBatchDeadlockFallsBack has a batch deadlock with another transaction
// and be the one PostgreSQL aborts: its changes are then written one by
// one, and each is reported written once it is.
func TestBatchDeadlockFallsBack(t *testing.T) {
	st, db := pgtest.OpenWithDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rooms := storetest.NewRooms(t, st, 2)
	a, b := rooms[0], rooms[1]
	if a.ID > b.ID {
		a, b = b, a // the batch locks a first
	}

	// Another writer locks b, and waits longer than the batch before
	// looking for a deadlock, so that the batch is the one aborted.
	other, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Rollback() }()
	if _, err := other.ExecContext(ctx, `SET LOCAL deadlock_timeout = '30s'`); err != nil {
		t.Fatal(err)
	}
	if _, err := other.ExecContext(ctx, `SELECT id FROM rooms WHERE id = $1 FOR UPDATE`, b.ID); err != nil {
		t.Fatal(err)
	}
	var xid string
	if err := other.QueryRowContext(ctx, `SELECT pg_current_xact_id()::text`).Scan(&xid); err != nil {
		t.Fatal(err)
	}

	batch := []store.Change{storetest.AppendNote(t, a, `{"a":1}`), storetest.AppendNote(t, b, `{"b":1}`)}
	done := make(chan []error, 1)
	go func() { done <- st.Commit(ctx, batch) }()
	// Once the batch holds a and waits for b, the other writer asks for a.
	for {
		var waiting int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted AND transactionid::text = $1`, xid).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		select {
		case errs := <-done:
			t.Fatalf("the batch did not wait for the locked room: %v", errs)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if _, err := other.ExecContext(ctx, `SELECT id FROM rooms WHERE id = $1 FOR UPDATE`, a.ID); err != nil {
		t.Fatalf("the other writer was aborted, not the batch: %v", err)
	}
	if err := other.Rollback(); err != nil {
		t.Fatal(err)
	}

	errs := <-done
	for i, err := range errs {
		if err != nil {
			t.Fatalf("change %d of the batch: %v", i, err)
		}
	}
	for _, c := range batch {
		got, err := st.Room(ctx, c.Account, c.Room)
		if err != nil {
			t.Fatal(err)
		}
		if got.Seq != c.State.Seq {
			t.Fatalf("room %s is at seq %d, want %d", c.Room, got.Seq, c.State.Seq)
		}
		evs, err := st.Events(ctx, c.Account, c.Room, c.Head, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 || string(evs[0].Data) != string(c.Events[0].Data) {
			t.Fatalf("room %s's events after the batch: %+v", c.Room, evs)
		}
	}
}

// TestPoolKeepsItsConnections has as many readers as the pool has
// connections read at once, again and again: the pool opens no more than
// it may, and closes none of them for being idle between bursts.
func TestPoolKeepsItsConnections(t *testing.T) {
	u, _ := pgtest.EmptySchema(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const conns = 12
	st, err := postgres.Open(ctx, u, postgres.MaxConns(conns))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	rooms := storetest.NewRooms(t, st, 1)
	for range 20 {
		var wg sync.WaitGroup
		for range 2 * conns {
			wg.Go(func() {
				if _, err := st.Room(ctx, rooms[0].Account, rooms[0].ID); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	s := st.PoolStatsForTest()
	if s.MaxOpenConnections != conns || s.OpenConnections > conns {
		t.Fatalf("the pool has %d connections open, at most %d: want at most %d", s.OpenConnections, s.MaxOpenConnections, conns)
	}
	if s.MaxIdleClosed != 0 || s.MaxIdleTimeClosed != 0 || s.MaxLifetimeClosed != 0 {
		t.Fatalf("the pool closed connections: %d for too many idle, %d idle too long, %d too old", s.MaxIdleClosed, s.MaxIdleTimeClosed, s.MaxLifetimeClosed)
	}
	if s.OpenConnections < 2 {
		t.Fatalf("%d connections open after bursts of %d readers", s.OpenConnections, 2*conns)
	}
}
