package api_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/store"
	"github.com/tandemhq/tandem/store/postgres"
	"github.com/tandemhq/tandem/store/postgres/pgtest"
)

// PostgreSQL goes away for a while: writes are refused with 503
// store_unavailable (nothing half-done), a new WebSocket is refused the
// same way, and once the database is back the same hub serves again
// without a restart, with every acknowledged event in the log exactly once.
func TestDatabaseOutage(t *testing.T) {
	dbURL, _ := pgtest.EmptySchema(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	db := newProxy(t, "http://"+u.Host)
	u.Host = strings.TrimPrefix(db.url, "http://")
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	st, err := postgres.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })

	e := newEnv(t, func(testing.TB) store.Store { return st })
	ctx := context.Background()
	s := e.liveRoom()
	sub, err := e.agent.Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	for i := 0; i < 10; i++ {
		if _, err := e.agent.ReportActivity(ctx, s.ID, "typing", ""); err != nil {
			t.Fatal(err)
		}
	}

	db.setDown(true)
	_, err = e.agent.ReportActivity(ctx, s.ID, "typing", "")
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 503 || ae.Code != "store_unavailable" {
		t.Fatalf("a write while the database is down: %v, want 503 store_unavailable", err)
	}
	if _, err := e.agent.Room(ctx, s.ID); apiCode(t, err) != "store_unavailable" {
		t.Fatalf("a read while the database is down: %v", err)
	}
	wsURL := "ws" + strings.TrimPrefix(e.url, "http") + "/api/v1/rooms/" + s.ID + "/ws?since=0"
	if _, res, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + e.agent.Token()}}}); err == nil || res == nil || res.StatusCode != 503 {
		t.Fatalf("a new WebSocket while the database is down: %v %v", err, res)
	}
	if res := e.do(t, "GET", "/readyz", "", nil); res.StatusCode != 503 {
		t.Fatalf("/readyz while the database is down: %d", res.StatusCode)
	}

	db.setDown(false)
	var acked int64
	deadline := time.Now().Add(30 * time.Second)
	for {
		seq, err := e.agent.ReportActivity(ctx, s.ID, "typing", "")
		if err == nil {
			acked = seq
			break
		}
		if apiCode(t, err) != "store_unavailable" || time.Now().After(deadline) {
			t.Fatalf("after the database came back: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if res := e.do(t, "GET", "/readyz", "", nil); res.StatusCode != 200 {
		t.Fatalf("/readyz after the database came back: %d", res.StatusCode)
	}
	// Every acknowledged event reaches the subscriber, once, in order, and
	// the log holds exactly them.
	collect(t, sub, 0, acked)
	evs, err := e.agent.Events(ctx, s.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(evs)) != acked {
		t.Fatalf("the log holds %d events, %d were acknowledged", len(evs), acked)
	}
}
