package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store/postgres/pgtest"
)

// verifyRun runs tandem verify with args in env and returns its report
// and verdict.
func verifyRun(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"verify"}, args...), func(k string) string { return env[k] }, &out, &errOut, nil)
	if errOut.Len() > 0 {
		t.Logf("tandem verify %s: stderr:\n%s", strings.Join(args, " "), errOut.String())
	}
	return out.String(), err
}

// verifiedRooms starts the hub in env, makes two rooms with a few events
// each, stops it, and returns the rooms' ids.
func verifiedRooms(t *testing.T, env map[string]string) (string, string) {
	t.Helper()
	env["PORT"], env["TANDEM_ADMIN_EMAIL"], env["TANDEM_ADMIN_PASSWORD"] = "0", "ana@example.com", "a long enough secret"
	srv := startServer(t, env)
	ctx := context.Background()
	agent := mustClient(t, srv.url)
	if _, err := agent.Login(ctx, "ana@example.com", "a long enough secret"); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, name := range []string{"Sam Lee", "Kim Park"} {
		s, err := agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelSMS, Customer: room.Customer{Name: name, Phone: "+14155550134"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := agent.Invite(ctx, s.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := agent.CloseRoom(ctx, s.ID, "done"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	return ids[0], ids[1]
}

// testVerifyRooms is the whole check on the store of env, whose database
// db reaches behind the hub's back.
func testVerifyRooms(t *testing.T, env map[string]string, db func() *sql.DB) {
	first, second := verifiedRooms(t, env)

	out, err := verifyRun(t, env, "-room", first)
	if err != nil {
		t.Fatalf("an intact room: %v\n%s", err, out)
	}
	if !strings.Contains(out, first+": ") || !strings.Contains(out, "chain intact, head ") || !strings.Contains(out, "1 room checked: every chain intact") {
		t.Fatalf("the report of an intact room:\n%s", out)
	}

	// An event changed behind the hub's back.
	if _, err := db().Exec(`UPDATE events SET data = $1 WHERE room_id = $2 AND seq = 2`, `{"changed":true}`, second); err != nil {
		t.Fatal(err)
	}
	out, err = verifyRun(t, env, "-room", second)
	if !errors.Is(err, errVerifyFailed) {
		t.Fatalf("a changed room: %v\n%s", err, out)
	}
	if !strings.Contains(out, second+": event 2 was changed after it was written") || !strings.Contains(out, "1 room checked: 1 failed") {
		t.Fatalf("the report of a changed room:\n%s", out)
	}

	out, err = verifyRun(t, env, "-all")
	t.Logf("tandem verify -all:\n%s", out)
	if !errors.Is(err, errVerifyFailed) {
		t.Fatalf("-all with a changed room: %v\n%s", err, out)
	}
	if !strings.Contains(out, first+": ") || !strings.Contains(out, "chain intact") || !strings.Contains(out, second+": event 2 was changed") ||
		!strings.Contains(out, "2 rooms checked: 1 failed") {
		t.Fatalf("the report of -all:\n%s", out)
	}

	// An event lost at the end of the other room.
	if _, err := db().Exec(`DELETE FROM events WHERE room_id = $1 AND seq = (SELECT MAX(seq) FROM events WHERE room_id = $1)`, first); err != nil {
		t.Fatal(err)
	}
	out, err = verifyRun(t, env, "-room", first)
	if !errors.Is(err, errVerifyFailed) || !strings.Contains(out, "is missing") {
		t.Fatalf("a room that lost its last event: %v\n%s", err, out)
	}

	if out, err := verifyRun(t, env, "-room", "rm_nothere"); err == nil || !strings.Contains(err.Error(), "rm_nothere") {
		t.Fatalf("an unknown room: %v\n%s", err, out)
	}
}

func TestVerifyRoomsSQLite(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"TANDEM_DATA_DIR": dir}
	var db *sql.DB
	t.Cleanup(func() {
		if db != nil {
			db.Close()
		}
	})
	testVerifyRooms(t, env, func() *sql.DB {
		if db == nil {
			var err error
			if db, err = sql.Open("sqlite", filepath.Join(dir, "tandem.db")+"?_pragma=busy_timeout(5000)"); err != nil {
				t.Fatal(err)
			}
		}
		return db
	})
}

func TestVerifyRoomsPostgreSQL(t *testing.T) {
	dbURL, _ := pgtest.EmptySchema(t)
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	testVerifyRooms(t, map[string]string{"DATABASE_URL": dbURL, "TANDEM_DATA_DIR": t.TempDir()}, func() *sql.DB { return db })
}

func TestVerifyRefuses(t *testing.T) {
	env := map[string]string{"TANDEM_DATA_DIR": filepath.Join(t.TempDir(), "nothing")}
	if _, err := verifyRun(t, env, "-all"); err == nil || !strings.Contains(err.Error(), "no store at") {
		t.Fatalf("no store: %v", err)
	}
	if _, err := verifyRun(t, env); err == nil || !strings.Contains(err.Error(), "nothing to check") {
		t.Fatalf("nothing asked: %v", err)
	}
	if _, err := verifyRun(t, env, "-all", "-room", "rm_1"); err == nil {
		t.Fatal("-all with -room was accepted")
	}
	out, err := verifyRun(t, env, "missing.pdf")
	if !errors.Is(err, errVerifyFailed) || !strings.Contains(out, "missing.pdf") || !strings.Contains(out, "Verdict: NOT VALID.") {
		t.Fatalf("a PDF that is not there: %v\n%s", err, out)
	}
}
