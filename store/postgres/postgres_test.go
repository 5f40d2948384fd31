package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/store"
	"github.com/tandemhq/tandem/store/postgres"
	"github.com/tandemhq/tandem/store/postgres/pgtest"
	"github.com/tandemhq/tandem/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) store.Store { return pgtest.Open(tb) })
}

func TestStoreChain(t *testing.T) {
	storetest.RunChain(t, func(tb testing.TB) (store.Store, *sql.DB) { return pgtest.OpenWithDB(tb) })
}

// TestConcurrentOpen opens one empty schema from several instances at once,
// as hub instances starting together do: they take turns migrating, all
// succeed, and the schema is migrated once.
func TestConcurrentOpen(t *testing.T) {
	u, schema := pgtest.EmptySchema(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const n = 4
	stores := make([]*postgres.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			stores[i], errs[i] = postgres.Open(ctx, u)
		})
	}
	close(start)
	wg.Wait()
	for i, st := range stores {
		if st != nil {
			t.Cleanup(func() {
				if err := st.Close(); err != nil {
					t.Errorf("close store %d: %v", i, err)
				}
			})
		}
	}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d of %d at once: %v", i+1, n, err)
		}
	}

	// Each sees what the others write.
	for i, st := range stores {
		a := tandem.Account{ID: fmt.Sprintf("ac_%d", i), Name: "Acme", CreatedAt: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
		if err := st.CreateAccount(ctx, a); err != nil {
			t.Fatalf("store %d: create account: %v", i, err)
		}
		next := stores[(i+1)%n]
		if got, err := next.Account(ctx, a.ID); err != nil || got.ID != a.ID {
			t.Fatalf("store %d does not see store %d's account: %+v, %v", (i+1)%n, i, got, err)
		}
	}

	// Every migration was applied once.
	db, err := sql.Open("postgres", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows, versions int
	err = db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT version_id) FROM `+schema+`.goose_db_version`).Scan(&rows, &versions)
	if err != nil {
		t.Fatalf("read goose versions: %v", err)
	}
	if rows != versions || rows < 2 {
		t.Fatalf("goose_db_version has %d rows for %d versions: a migration ran more than once", rows, versions)
	}

	// And opening again later changes nothing.
	st, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer st.Close()
	if _, err := st.Account(ctx, "ac_0"); err != nil {
		t.Fatalf("reopen: account: %v", err)
	}
	var again int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+schema+`.goose_db_version`).Scan(&again); err != nil {
		t.Fatal(err)
	}
	if again != rows {
		t.Fatalf("reopening migrated again: %d goose rows, were %d", again, rows)
	}
}
