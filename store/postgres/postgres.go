// Package postgres is the store for deployments with several hub instances:
// Tandem's records in PostgreSQL, through lib/pq. The queries are those of
// store/internal/sqlstore; this package connects, migrates the schema and
// supplies the dialect.
//
// The schema lives in the connection's current schema: set search_path in
// the URL (postgres://…?search_path=tandem) to keep Tandem in a schema of
// its own.
//
// Open turns on lib/pq's binary_parameters unless the URL sets it: a query
// with parameters then takes one round trip instead of two (parse, then
// bind and execute). The store passes no []byte parameters, the only ones
// the option changes the encoding of.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/crc64"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/tandemhq/tandem/store"
	"github.com/tandemhq/tandem/store/internal/sqlstore"
)

var _ store.Store = (*Store)(nil)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a store.Store in a PostgreSQL database.
type Store struct {
	*sqlstore.DB
	db *sqlx.DB
}

// dialect is what PostgreSQL does its own way: concurrent claims skip the
// rows another dispatcher is claiming instead of waiting for them, writers
// to a room lock its row, and a batch's appends are written from arrays.
var dialect = sqlstore.Dialect{
	Name:              "postgres",
	IsUniqueViolation: isUniqueViolation,
	ClaimLock:         "FOR UPDATE SKIP LOCKED",
	RowLock:           "FOR UPDATE",
	Array:             func(slice any) any { return pq.Array(slice) },
	IsTransient:       isTransient,
}

func isUniqueViolation(err error) bool {
	var e *pq.Error
	return errors.As(err, &e) && e.Code == "23505"
}

// isTransient reports whether err is a deadlock (40P01) or a serialization
// failure (40001): the transaction was picked to fail, and may succeed if
// run again.
func isTransient(err error) bool {
	var e *pq.Error
	return errors.As(err, &e) && (e.Code == "40P01" || e.Code == "40001")
}

// DefaultMaxConns is how many connections a store opens at most, unless
// told otherwise (MaxConns).
const DefaultMaxConns = 20

// DefaultConnMaxLifetime is how long a connection is kept at most, unless
// told otherwise (ConnMaxLifetime).
const DefaultConnMaxLifetime = time.Hour

// Option sets how Open connects.
type Option func(*options)

type options struct {
	maxConns    int
	maxLifetime time.Duration
}

// MaxConns sets how many connections the store opens at most (n > 0;
// otherwise DefaultMaxConns). It keeps as many open while idle.
func MaxConns(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxConns = n
		}
	}
}

// ConnMaxLifetime sets how long a connection is kept before it is closed
// and opened again (d > 0; otherwise DefaultConnMaxLifetime), so that the
// pool follows a database that moved behind its name.
func ConnMaxLifetime(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.maxLifetime = d
		}
	}
}

// Open connects to the database at dsn (a postgres:// URL or a key=value
// string), checks that it answers and brings the schema up to date.
// Instances starting together take turns migrating.
//
// The pool keeps every connection it opened, idle or not, for
// ConnMaxLifetime: a pool that closed idle connections would, under a
// load that comes and goes by the millisecond, close and open connections
// many times a second, and a PostgreSQL connection costs a process to
// start; each new connection also prepares the store's statements again.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	o := options{maxConns: DefaultMaxConns, maxLifetime: DefaultConnMaxLifetime}
	for _, opt := range opts {
		opt(&o)
	}
	db, err := sqlx.Open("postgres", withBinaryParameters(dsn))
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL: %w", err)
	}
	db.SetMaxOpenConns(o.maxConns)
	db.SetMaxIdleConns(o.maxConns)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(o.maxLifetime)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if err := migrate(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("migrate PostgreSQL: %w", err)
	}
	sdb, err := sqlstore.New(ctx, db, dialect)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return &Store{DB: sdb, db: db}, nil
}

// withBinaryParameters adds binary_parameters=yes to a URL or key=value
// connection string that does not set it.
func withBinaryParameters(dsn string) string {
	if strings.Contains(dsn, "binary_parameters") {
		return dsn
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return dsn // lib/pq reports the error
		}
		q := u.Query()
		q.Set("binary_parameters", "yes")
		u.RawQuery = q.Encode()
		return u.String()
	}
	return strings.TrimSpace(dsn + " binary_parameters=yes")
}

// migrate runs the migrations under an advisory lock named after the
// current schema: instances sharing a schema migrate one at a time, while
// separate schemas (one per test) do not wait for each other.
func migrate(ctx context.Context, db *sqlx.DB) error {
	var schema sql.NullString
	if err := db.GetContext(ctx, &schema, `SELECT current_schema()`); err != nil {
		return fmt.Errorf("read current schema: %w", err)
	}
	if !schema.Valid {
		return errors.New("no current schema: the search_path names no existing schema")
	}
	lockID := int64(crc64.Checksum([]byte("tandem migrations "+schema.String), crc64.MakeTable(crc64.ECMA)) >> 1)
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID), lock.WithLockTimeout(1, 300))
	if err != nil {
		return err
	}
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db.DB, dir, goose.WithSessionLocker(locker))
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}
