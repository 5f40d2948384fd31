// Package sqlitetest opens SQLite stores for tests: each in a file of its
// own in the test's temporary directory, closed when the test ends.
//
// Every store starts as a copy of one file that sqlite.Open created and
// migrated once per test binary. Migrating a fresh file for each test cost
// more than most tests' own work (goose parses every migration, SQLite
// prepares every statement), most of all under the race detector; the
// first Open of each binary still runs the whole migration, and
// store/sqlite's own tests migrate files from scratch and from older
// schemas.
package sqlitetest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tandemhq/tandem/store/sqlite"
)

// Open returns a new, empty store in a file under tb.TempDir.
func Open(tb testing.TB) *sqlite.Store {
	tb.Helper()
	return openAt(tb, filepath.Join(tb.TempDir(), "tandem.db"))
}

// OpenWithDB is Open that also returns a connection to the store's file,
// behind the store's back: tests that play a database losing or changing
// records use it. Both are closed when tb ends.
func OpenWithDB(tb testing.TB) (*sqlite.Store, *sql.DB) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "tandem.db")
	st := openAt(tb, path)
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		tb.Fatalf("open a connection to %s: %v", path, err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return st, db
}

// openAt opens a store in a copy of the migrated template, written at
// path, closed when tb ends.
func openAt(tb testing.TB, path string) *sqlite.Store {
	tb.Helper()
	img, err := migrated()
	if err != nil {
		tb.Fatalf("migrate a template SQLite store: %v", err)
	}
	if err := os.WriteFile(path, img, 0o600); err != nil {
		tb.Fatalf("write SQLite store %s: %v", path, err)
	}
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("open SQLite store: %v", err)
	}
	tb.Cleanup(func() {
		if err := st.Close(); err != nil {
			tb.Errorf("close SQLite store: %v", err)
		}
	})
	return st
}

// migrated returns the bytes of an empty store's file, migrated by
// sqlite.Open on the first call.
var migrated = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "sqlitetest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		return nil, err
	}
	// Closing the last connection checkpoints the WAL into the file and
	// removes it, so the file alone holds the schema.
	if err := st.Close(); err != nil {
		return nil, fmt.Errorf("close %s: %w", path, err)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		return nil, fmt.Errorf("%s-wal outlived the store's close", path)
	}
	return os.ReadFile(path)
})
