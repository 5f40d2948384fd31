// Package pgtest opens PostgreSQL stores for tests, each in a schema of its
// own that is dropped when the test ends, so tests run in parallel on one
// database without seeing each other's rows.
//
// The database is TANDEM_TEST_DATABASE_URL, by default DefaultURL. If it
// cannot be reached the test is skipped with a loud message, unless
// REQUIRE_SERVICES=1, which makes it fail instead (CI sets it).
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/lib/pq" // the postgres driver

	"github.com/tandemhq/tandem/store/postgres"
)

// DefaultURL is the test database when TANDEM_TEST_DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// URL returns the test database's URL.
func URL() string {
	if u := os.Getenv("TANDEM_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// Open returns a new, empty store in a fresh schema of the test database.
func Open(tb testing.TB) *postgres.Store {
	tb.Helper()
	st, _ := OpenSchema(tb)
	return st
}

// OpenSchema is Open that also returns the name of the store's schema.
func OpenSchema(tb testing.TB) (*postgres.Store, string) {
	tb.Helper()
	u, schema := EmptySchema(tb)
	return openIn(tb, u, schema), schema
}

// OpenWithDB is Open that also returns a connection to the store's
// schema, behind the store's back: tests that play a database losing or
// changing records use it. Both are closed when tb ends.
func OpenWithDB(tb testing.TB) (*postgres.Store, *sql.DB) {
	tb.Helper()
	u, schema := EmptySchema(tb)
	st := openIn(tb, u, schema)
	db, err := sql.Open("postgres", u)
	if err != nil {
		tb.Fatalf("pgtest: open a connection to schema %s: %v", schema, err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return st, db
}

// openIn opens a store on u, the URL of schema, closed when tb ends.
func openIn(tb testing.TB, u, schema string) *postgres.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := postgres.Open(ctx, u)
	if err != nil {
		tb.Fatalf("pgtest: open store in schema %s: %v", schema, err)
	}
	// Registered after the schema's cleanup, so it runs before it.
	tb.Cleanup(func() {
		if err := st.Close(); err != nil {
			tb.Errorf("pgtest: close store: %v", err)
		}
	})
	return st
}

// EmptySchema creates a fresh, empty schema in the test database, dropped
// when tb ends, and returns a URL whose search_path is that schema, and its
// name. Stores opened on the URL must be closed before tb's cleanups run
// (register their Close after calling EmptySchema).
func EmptySchema(tb testing.TB) (dbURL, schema string) {
	tb.Helper()
	base := URL()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	admin, err := sql.Open("postgres", base)
	if err != nil {
		tb.Fatalf("pgtest: open %s: %v", redact(base), err)
	}
	pctx, pcancel := context.WithTimeout(ctx, 5*time.Second)
	err = admin.PingContext(pctx)
	pcancel()
	if err != nil {
		_ = admin.Close()
		msg := fmt.Sprintf("SKIPPING: PostgreSQL unreachable at %s (%v); set REQUIRE_SERVICES=1 to fail instead", redact(base), err)
		if os.Getenv("REQUIRE_SERVICES") == "1" {
			tb.Fatalf("PostgreSQL unreachable at %s (REQUIRE_SERVICES=1): %v", redact(base), err)
		}
		tb.Skip(msg)
	}

	schema = "t_" + randomHex(8)
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		_ = admin.Close()
		tb.Fatalf("pgtest: create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			tb.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
		_ = admin.Close()
	})

	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("pgtest: TANDEM_TEST_DATABASE_URL must be a postgres:// URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), schema
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// redact hides the password of a database URL.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
