// Package sqlstore is the one SQL implementation of store.Store, shared by
// store/sqlite and store/postgres. Its queries are written once, with $N
// placeholders that both databases accept, in the subset of SQL they have in
// common; a Dialect carries the few things that differ. The packages built
// on it only open the database, run their migrations and pick a dialect.
//
// Times are written through the timestamp type: UTC, microsecond precision,
// as fixed-width RFC 3339 text, which SQLite keeps in TEXT columns that
// sort in time order and PostgreSQL parses into TIMESTAMPTZ.
package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/store"
)

var _ store.Store = (*DB)(nil)

// Dialect is what differs between the databases.
type Dialect struct {
	// Name names the database in error messages.
	Name string
	// IsUniqueViolation reports whether err is a unique or primary key
	// violation.
	IsUniqueViolation func(error) bool
	// ClaimLock ends the query that picks outbox messages to claim.
	// PostgreSQL says "FOR UPDATE SKIP LOCKED" so that concurrent
	// dispatchers pass over each other's rows; SQLite has a single writer
	// and needs nothing.
	ClaimLock string
	// RowLock ends the query that reads a room's head before a change is
	// written, locking the room's row until the transaction ends.
	// PostgreSQL says "FOR UPDATE", so that changes of a room, its events
	// and its presence alike, take turns; SQLite needs nothing: its write
	// transactions take the database's one write lock when they begin.
	RowLock string
	// Array, if set, makes a Go slice an array parameter. PostgreSQL has
	// arrays (lib/pq's pq.Array), and with them the simple appends of a
	// batch are written by a few set-based statements, whatever their
	// number (appendset.go); without, as on SQLite, each change of a batch
	// is written by statements of its own.
	Array func(slice any) any
	// IsTransient reports whether err is a failure of the transaction
	// that running it again may not meet: on PostgreSQL a deadlock or a
	// serialization failure. Nil if the dialect has none (SQLite's writers
	// queue for the write lock).
	IsTransient func(error) bool
	// Embedded says the database runs in this process (SQLite): its
	// writes wait on no network, and on its write lock only for as long
	// as its busy timeout. A batch takes its connection within its
	// context's deadline, then runs its statements without it: there the
	// deadline could end nothing the busy timeout does not, and costs each
	// statement a goroutine watching the context in the driver
	// (modernc.org/sqlite's interruptOnDone).
	Embedded bool
}

// DB implements store.Store on a database opened by the caller.
type DB struct {
	db         *sqlx.DB
	d          Dialect
	claimQuery string
	stmts      *statements
}

// New returns a store on db, which must hold the schema of the dialect's
// migrations, with its hot statements prepared. Closing the store closes
// db.
func New(ctx context.Context, db *sqlx.DB, d Dialect) (*DB, error) {
	stmts, err := prepareStatements(ctx, db, d)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Name, err)
	}
	return &DB{db: db, d: d, claimQuery: fmt.Sprintf(claimQueryFormat, d.ClaimLock), stmts: stmts}, nil
}

// Ping implements store.Store.
func (s *DB) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", s.d.Name, err)
	}
	return nil
}

// Close implements store.Store.
func (s *DB) Close() error {
	return errors.Join(s.stmts.close(), s.db.Close())
}

// inTx runs fn in a transaction, committed if fn returns nil and rolled back
// otherwise. On SQLite the transaction takes the write lock when it begins
// (the DSN's _txlock=immediate), so it never fails upgrading a read lock.
func (s *DB) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// isUnique reports whether err is a unique violation in this dialect.
func (s *DB) isUnique(err error) bool {
	return err != nil && s.d.IsUniqueViolation(err)
}

// isTransient reports whether err is a transient failure in this dialect
// (Dialect.IsTransient).
func (s *DB) isTransient(err error) bool {
	return err != nil && s.d.IsTransient != nil && s.d.IsTransient(err)
}

// roomNotFound is the error for a room that is not in the caller's account,
// whether it exists elsewhere or not.
func roomNotFound(id string) error {
	return tandem.Coded(tandem.KindNotFound, tandem.CodeRoomNotFound, "room %s not found", id)
}
