package store_test

import (
	"testing"

	"github.com/tandemhq/tandem/store"
	"github.com/tandemhq/tandem/store/postgres/pgtest"
	"github.com/tandemhq/tandem/store/sqlite/sqlitetest"
	"github.com/tandemhq/tandem/store/storetest"
)

// BenchmarkCommitBatch measures the group commit on both stores: batches
// of 1, 16 and 64 simple appends, and of 32 to rooms spread over 1 000
// (storetest.BenchmarkCommitBatch).
func BenchmarkCommitBatch(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		storetest.BenchmarkCommitBatch(b, func(tb testing.TB) store.Store { return sqlitetest.Open(tb) })
	})
	b.Run("postgres", func(b *testing.B) {
		storetest.BenchmarkCommitBatch(b, func(tb testing.TB) store.Store { return pgtest.Open(tb) })
	})
}
