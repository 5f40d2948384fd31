// Package sqlitetest opens SQLite stores for tests: each in a file of its
// own in the test's temporary directory, closed when the test ends.
package sqlitetest

import (
	"context"
	"database/sql"
	"path/filepath"
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

// openAt opens a store in the file at path, closed when tb ends.
func openAt(tb testing.TB, path string) *sqlite.Store {
	tb.Helper()
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
