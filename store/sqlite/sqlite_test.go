package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/store"
	"github.com/tandemhq/tandem/store/sqlite"
	"github.com/tandemhq/tandem/store/sqlite/sqlitetest"
	"github.com/tandemhq/tandem/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) store.Store { return sqlitetest.Open(tb) })
}

func TestStoreChain(t *testing.T) {
	storetest.RunChain(t, func(tb testing.TB) (store.Store, *sql.DB) { return sqlitetest.OpenWithDB(tb) })
}

// migrations reads the file's goose version table: one row per migration
// applied, plus goose's own first row.
func migrations(t *testing.T, path string) []int64 {
	t.Helper()
	db, err := sqlx.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var versions []int64
	if err := db.Select(&versions, `SELECT version_id FROM goose_db_version ORDER BY id`); err != nil {
		t.Fatalf("read goose versions: %v", err)
	}
	return versions
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tandem.db")
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	a := tandem.Account{ID: "ac_reopen", Name: "Acme", CreatedAt: at}
	if err := st.CreateAccount(ctx, a); err != nil {
		t.Fatalf("create account: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	versions := migrations(t, path)
	if len(versions) < 2 {
		t.Fatalf("goose versions after the first open: %v", versions)
	}

	for i := range 2 {
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		got, err := st.Account(ctx, a.ID)
		if err != nil {
			t.Fatalf("reopen %d: account: %v", i, err)
		}
		if got.ID != a.ID || got.Name != a.Name || !got.CreatedAt.Equal(a.CreatedAt) {
			t.Fatalf("reopen %d: account %+v, want %+v", i, got, a)
		}
		if err := st.Close(); err != nil {
			t.Fatalf("reopen %d: close: %v", i, err)
		}
		if again := migrations(t, path); len(again) != len(versions) {
			t.Fatalf("reopen %d migrated again: goose versions %v, were %v", i, again, versions)
		}
	}
}

func TestOpenRefusesQueryInPath(t *testing.T) {
	_, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "tandem.db?mode=ro"))
	if err == nil {
		t.Fatal("a path with '?' was accepted")
	}
}
