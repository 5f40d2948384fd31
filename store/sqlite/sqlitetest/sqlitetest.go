// Package sqlitetest opens SQLite stores for tests: each in a file of its
// own in the test's temporary directory, closed when the test ends.
package sqlitetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tandemhq/tandem/store/sqlite"
)

// Open returns a new, empty store in a file under tb.TempDir.
func Open(tb testing.TB) *sqlite.Store {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "tandem.db")
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
