// Package sqlite is the embedded store: Tandem's records in one SQLite file,
// through the pure-Go driver modernc.org/sqlite, so a single binary runs
// with no database server. The queries are those of store/internal/sqlstore;
// this package opens the file, migrates it and supplies the dialect.
package sqlite

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tandemhq/tandem/store"
	"github.com/tandemhq/tandem/store/internal/sqlstore"
)

var _ store.Store = (*Store)(nil)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a store.Store in an SQLite file.
type Store struct {
	*sqlstore.DB
	db *sqlx.DB
}

// dialect is what SQLite does its own way. Claims and appends need no row
// locks: SQLite has one writer at a time.
var dialect = sqlstore.Dialect{
	Name:              "sqlite",
	IsUniqueViolation: isUniqueViolation,
	Embedded:          true,
}

func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

// DefaultMaxConns is how many connections a store opens at most, unless
// told otherwise (MaxConns).
const DefaultMaxConns = 16

// Option sets how Open opens the file.
type Option func(*options)

type options struct {
	maxConns int
}

// MaxConns sets how many connections the store opens at most (n > 0;
// otherwise DefaultMaxConns): readers side by side, and the writers
// queueing for the one write lock. It keeps as many open while idle.
func MaxConns(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxConns = n
		}
	}
}

// Open opens the SQLite file at path, creating it if need be, and brings
// its schema up to date. The file is in WAL mode, so readers never wait for
// the writer; write transactions begin IMMEDIATE, taking the write lock
// up front, and wait up to busy_timeout for it, so concurrent writers queue
// instead of failing. synchronous(FULL) syncs the WAL at every commit: an
// event the hub acknowledged survives a power cut, not only a crash of the
// process (NORMAL would be about twice as fast and could lose the last
// commits; docs/performance.md has the figures).
//
// The pool keeps every connection it opened for as long as the store is
// open: an SQLite connection is cheap to open, but each holds the store's
// prepared statements and the file's cached pages.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := options{maxConns: DefaultMaxConns}
	for _, opt := range opts {
		opt(&o)
	}
	if strings.Contains(path, "?") {
		return nil, fmt.Errorf("open %s: the path of an SQLite file may not contain '?'", path)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	db, err := sqlx.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// Readers run side by side (WAL); writers queue for the one write lock.
	db.SetMaxOpenConns(o.maxConns)
	db.SetMaxIdleConns(o.maxConns)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	sdb, err := sqlstore.New(ctx, db, dialect)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return &Store{DB: sdb, db: db}, nil
}

// migrate brings the schema up to date with goose, once the versions a
// database from an older build recorded follow the numbering shared with
// store/postgres (renumber).
func migrate(ctx context.Context, db *sqlx.DB) error {
	if err := renumber(ctx, db); err != nil {
		return err
	}
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.DB, dir)
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}
