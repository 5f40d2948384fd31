package sqlite

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"

	"github.com/tandemhq/tandem"
)

// olderMigrations is the migrations directory of a build from before the
// numbering shared with PostgreSQL, up to version upTo: the same files
// without 00002_state_text.sql, the later ones one number lower.
func olderMigrations(t *testing.T, upTo int64) fs.FS {
	t.Helper()
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := fs.ReadDir(dir, ".")
	if err != nil {
		t.Fatal(err)
	}
	out := fstest.MapFS{}
	for _, e := range entries {
		version, name, ok := strings.Cut(e.Name(), "_")
		if !ok {
			t.Fatalf("migration %s has no version", e.Name())
		}
		var v int64
		if _, err := fmt.Sscanf(version, "%d", &v); err != nil {
			t.Fatalf("migration %s: %v", e.Name(), err)
		}
		switch {
		case v == 2:
			continue
		case v > 2:
			v--
		}
		if v > upTo {
			continue
		}
		data, err := fs.ReadFile(dir, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("%05d_%s", v, name)] = &fstest.MapFile{Data: data}
	}
	return out
}

// openRaw opens the SQLite file at path with no migration.
func openRaw(t *testing.T, path string) *sqlx.DB {
	t.Helper()
	db, err := sqlx.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// gooseUp runs the migrations of dir on the file at path.
func gooseUp(ctx context.Context, t *testing.T, path string, dir fs.FS) error {
	t.Helper()
	db := openRaw(t, path)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectSQLite3, db.DB, dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Up(ctx)
	return err
}

// schema returns the file's tables and indexes as SQLite keeps them.
func schema(t *testing.T, path string) []string {
	t.Helper()
	db := openRaw(t, path)
	defer db.Close()
	var out []string
	if err := db.Select(&out, `SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_schema
		WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`); err != nil {
		t.Fatalf("read schema: %v", err)
	}
	return out
}

// versions returns the goose versions the file records, in order.
func versions(t *testing.T, path string) []int64 {
	t.Helper()
	db := openRaw(t, path)
	defer db.Close()
	var out []int64
	if err := db.Select(&out, `SELECT version_id FROM goose_db_version ORDER BY version_id`); err != nil {
		t.Fatalf("read goose versions: %v", err)
	}
	return out
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestRenumberOlderDatabase opens files made by builds from before the
// shared numbering, migrated all or part of the way: each ends with the
// schema of a fresh file, every version recorded once, and its rows.
func TestRenumberOlderDatabase(t *testing.T) {
	ctx := context.Background()
	fresh := filepath.Join(t.TempDir(), "fresh.db")
	st, err := Open(ctx, fresh)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	want := schema(t, fresh)
	wantVersions := versions(t, fresh)
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	// Version 0 (goose's own), then each migration file's number, once.
	fileVersions := []int64{0}
	for _, f := range files {
		v, err := goose.NumericComponent(filepath.Base(f))
		if err != nil {
			t.Fatal(err)
		}
		fileVersions = append(fileVersions, v)
	}
	if fmt.Sprint(wantVersions) != fmt.Sprint(fileVersions) {
		t.Fatalf("a fresh file records versions %v, want %v", wantVersions, fileVersions)
	}

	for _, upTo := range []int64{1, 2, 5, 8, 9} {
		t.Run(fmt.Sprintf("up to %d", upTo), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "older.db")
			if err := gooseUp(ctx, t, path, olderMigrations(t, upTo)); err != nil {
				t.Fatalf("migrate as an older build: %v", err)
			}
			db := openRaw(t, path)
			if _, err := db.Exec(`INSERT INTO accounts (id, name, created_at) VALUES ('ac_old', 'Old', '2026-11-25T09:00:00.000000Z')`); err != nil {
				t.Fatal(err)
			}
			db.Close()

			// What goose alone would do: run again the migration last
			// applied under its older number, and fail.
			if upTo >= 2 {
				bare := filepath.Join(t.TempDir(), "bare.db")
				copyFile(t, path, bare)
				dir, err := fs.Sub(migrations, "migrations")
				if err != nil {
					t.Fatal(err)
				}
				if err := gooseUp(ctx, t, bare, dir); err == nil {
					t.Fatal("goose migrated an older file with the new numbers; renumbering is not needed")
				}
			}

			for i := range 2 {
				st, err := Open(ctx, path)
				if err != nil {
					t.Fatalf("open %d: %v", i, err)
				}
				a, err := st.Account(ctx, "ac_old")
				if err != nil || a.Name != "Old" || !a.CreatedAt.Equal(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)) {
					t.Fatalf("open %d: the older file's account: %+v, %v", i, a, err)
				}
				if err := st.CreateAccount(ctx, tandem.Account{ID: fmt.Sprintf("ac_new%d", i), Name: "New", CreatedAt: a.CreatedAt}); err != nil {
					t.Fatalf("open %d: %v", i, err)
				}
				if err := st.Close(); err != nil {
					t.Fatal(err)
				}
				if got := versions(t, path); fmt.Sprint(got) != fmt.Sprint(wantVersions) {
					t.Fatalf("open %d: versions %v, want %v", i, got, wantVersions)
				}
				if got := schema(t, path); strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("open %d: schema\n%s\nwant\n%s", i, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
			}
		})
	}
}

// TestMigrationsMatchPostgres checks that a version names the same change
// in both dialects: the two directories hold the same file names.
func TestMigrationsMatchPostgres(t *testing.T) {
	names := func(dir string) []string {
		t.Helper()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	mine, theirs := names("migrations"), names(filepath.Join("..", "postgres", "migrations"))
	if strings.Join(mine, "\n") != strings.Join(theirs, "\n") {
		t.Fatalf("SQLite's migrations\n%s\nare not PostgreSQL's\n%s", strings.Join(mine, "\n"), strings.Join(theirs, "\n"))
	}
}
