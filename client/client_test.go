package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/room"
)

func TestNew(t *testing.T) {
	for _, bad := range []string{"", "tandem.example.com", "ftp://x", "http://", "://x"} {
		if _, err := New(bad); err == nil {
			t.Errorf("New(%q) succeeded", bad)
		}
	}
	c, err := New("https://x.example.com/tandem/", WithToken("tok"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.endpoint(nil, "api", "v1", "rooms", "a b/c").String(); got != "https://x.example.com/tandem/api/v1/rooms/a%20b%2Fc" {
		t.Errorf("endpoint = %s", got)
	}
	if c.Token() != "tok" {
		t.Errorf("Token = %q, want the one of WithToken", c.Token())
	}
}

func TestAPIError(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/rooms/{id}", func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("id") {
		case "json":
			writeError(w, http.StatusNotFound, "room_not_found", "No such room.")
		case "limited":
			w.Header().Set("Retry-After", "7")
			writeError(w, http.StatusTooManyRequests, "rate_limited", "Slow down.")
		case "text":
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "upstream connect error\nmore details")
		case "html":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, "<html><body>Oops</body></html>")
		case "empty":
			w.WriteHeader(http.StatusUnauthorized)
		case "huge":
			w.WriteHeader(http.StatusTeapot)
			fmt.Fprint(w, strings.Repeat("é", 1000))
		case "badjson":
			fmt.Fprint(w, `{"id": 3`)
		}
	})
	c, _ := newTestClient(t, mux)
	ctx := testCtx(t)
	for _, tc := range []struct {
		id         string
		status     int
		code, msg  string
		retryAfter time.Duration
	}{
		{"json", 404, "room_not_found", "No such room.", 0},
		{"limited", 429, "rate_limited", "Slow down.", 7 * time.Second},
		{"text", 502, "unavailable", "upstream connect error", 0},
		{"html", 500, "internal", "Internal Server Error", 0},
		{"empty", 401, "unauthorized", "Unauthorized", 0},
		{"huge", 418, "invalid", strings.Repeat("é", maxErrorMessageSize/2), 0},
	} {
		_, err := c.Room(ctx, tc.id)
		var ae *APIError
		if !errors.As(err, &ae) {
			t.Errorf("%s: err = %v, want an *APIError", tc.id, err)
			continue
		}
		want := APIError{StatusCode: tc.status, Code: tc.code, Message: tc.msg, RetryAfter: tc.retryAfter}
		if !reflect.DeepEqual(*ae, want) {
			t.Errorf("%s: err = %#v, want %#v", tc.id, *ae, want)
		}
		if got := ErrorCode(fmt.Errorf("wrapped: %w", err)); got != tc.code {
			t.Errorf("%s: ErrorCode = %q, want %q", tc.id, got, tc.code)
		}
	}
	if _, err := c.Room(ctx, "badjson"); !errors.Is(err, ErrProtocol) {
		t.Errorf("undecodable answer: err = %v, want ErrProtocol", err)
	}
	if got := ErrorCode(errors.New("network down")); got != "" {
		t.Errorf("ErrorCode of a plain error = %q", got)
	}
	if got := ErrorCode(nil); got != "" {
		t.Errorf("ErrorCode(nil) = %q", got)
	}
	if _, err := c.Room(ctx, ""); err == nil {
		t.Error("Room with an empty id succeeded")
	}
}

// Retry-After is seconds or an HTTP date, read against the time the
// answer came.
func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v    string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"2", 2 * time.Second},
		{"120", 2 * time.Minute},
		{"-5", 0},
		{"999999999", 24 * time.Hour},
		{"Wed, 25 Nov 2026 10:00:02 GMT", 2 * time.Second},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"Wednesday, 25-Nov-26 10:00:30 GMT", 30 * time.Second}, // RFC 850, which HTTP allows
		{"Wed, 25 Nov 2026 09:59:00 GMT", 0},                    // past
		{"soon", 0},
	} {
		if got := retryAfter(tc.v, now); got != tc.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

// Login keeps the token and sends it as a bearer token; the session cookie
// never goes back (it would make requests subject to CSRF checks).
func TestLoginStoresToken(t *testing.T) {
	user := User{ID: "us_1", Account: "ac_1", Email: "ana@example.com", Name: "Ana", Role: "admin"}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/login", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Email, Password string }
		if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&in) != nil {
			writeError(w, 400, "invalid_json", "Bad JSON.")
			return
		}
		if in.Email != user.Email || in.Password != "correct horse" {
			writeError(w, 401, "invalid_credentials", "Email or password is incorrect.")
			return
		}
		http.SetCookie(w, &http.Cookie{Name: signInCookie, Value: "tok-1", Path: "/", HttpOnly: true})
		writeJSON(w, 200, map[string]any{"user": user, "token": "tok-1", "expires_at": time.Now().Add(time.Hour)})
	})
	auth := func(w http.ResponseWriter, r *http.Request) bool {
		if _, err := r.Cookie(signInCookie); err == nil {
			t.Errorf("%s %s carries the session cookie", r.Method, r.URL.Path)
		}
		if r.Header.Get("Authorization") != "Bearer tok-1" {
			writeError(w, 401, "unauthorized", "Sign in.")
			return false
		}
		return true
	}
	mux.HandleFunc("GET /api/v1/me", func(w http.ResponseWriter, r *http.Request) {
		if auth(w, r) {
			writeJSON(w, 200, map[string]any{"user": user, "account": map[string]string{"id": "ac_1", "name": "Acme"}})
		}
	})
	mux.HandleFunc("POST /api/v1/logout", func(w http.ResponseWriter, r *http.Request) {
		if auth(w, r) {
			http.SetCookie(w, &http.Cookie{Name: signInCookie, Path: "/", MaxAge: -1})
			w.WriteHeader(http.StatusNoContent)
		}
	})
	c, _ := newTestClient(t, mux)
	ctx := testCtx(t)

	if _, err := c.Login(ctx, user.Email, "wrong"); ErrorCode(err) != "invalid_credentials" {
		t.Fatalf("Login with a wrong password = %v", err)
	}
	if c.Token() != "" {
		t.Fatalf("Token after a failed login = %q", c.Token())
	}
	got, err := c.Login(ctx, user.Email, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if got != user || c.Token() != "tok-1" {
		t.Fatalf("Login = %+v, token %q", got, c.Token())
	}
	me, err := c.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if me.User != user || me.Account != (Account{ID: "ac_1", Name: "Acme"}) {
		t.Errorf("Me = %+v", me)
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if c.Token() != "" {
		t.Errorf("Token after Logout = %q", c.Token())
	}
	if _, err := c.Me(ctx); ErrorCode(err) != "unauthorized" {
		t.Errorf("Me after Logout = %v, want unauthorized", err)
	}
}

// OpenLink opens the link at the base URL whatever its host, keeps the
// room cookie, and sends it with the room's requests and WebSocket.
func TestOpenLink(t *testing.T) {
	const roomID = "rm_1"
	f := newFakeWS(t, roomID)
	hasCookie := func(r *http.Request) bool {
		ck, err := r.Cookie("tandem_room")
		return err == nil && ck.Value == "secret"
	}
	f.refuse = func(_ int, w http.ResponseWriter, r *http.Request) bool {
		if !hasCookie(r) {
			writeError(w, 401, "unauthorized", "Open your link again.")
			return true
		}
		return false
	}
	f.serve = func(_ int, _ string, conn *websocket.Conn) {
		send(conn, synced(roomID, 0))
		f.hold(conn)
	}
	var pageHit atomic.Bool
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/rooms/{id}/ws", f)
	mux.HandleFunc("GET /r/{token}", func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.PathValue("token") == "expired":
			writeError(w, http.StatusGone, "link_expired", "Ask for a new link.")
		case r.Header.Get("Accept") != "application/json" || r.PathValue("token") == "old-hub":
			http.SetCookie(w, &http.Cookie{Name: "tandem_room", Value: "secret", Path: "/api/v1/rooms/" + roomID})
			http.Redirect(w, r, "/room/"+roomID, http.StatusSeeOther)
		default:
			http.SetCookie(w, &http.Cookie{Name: "tandem_room", Value: "secret", Path: "/api/v1/rooms/" + roomID, HttpOnly: true})
			writeJSON(w, 200, map[string]any{"room": roomID, "expires_at": time.Now().Add(time.Hour)})
		}
	})
	mux.HandleFunc("GET /room/{id}", func(w http.ResponseWriter, r *http.Request) { pageHit.Store(true) })
	mux.HandleFunc("GET /api/v1/rooms/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !hasCookie(r) {
			writeError(w, 401, "unauthorized", "Open your link again.")
			return
		}
		writeJSON(w, 200, room.State{ID: r.PathValue("id"), Seq: 2, Status: room.StatusConnected})
	})
	ctx := testCtx(t)

	t.Run("JSON", func(t *testing.T) {
		c, _ := newTestClient(t, mux)
		if _, err := c.Room(ctx, roomID); ErrorCode(err) != "unauthorized" {
			t.Fatalf("Room before OpenLink = %v, want unauthorized", err)
		}
		// The link names the public URL, not the address the client uses.
		id, err := c.OpenLink(ctx, "https://tandem.example.com/r/tok-ok")
		if err != nil {
			t.Fatal(err)
		}
		if id != roomID {
			t.Fatalf("OpenLink = %q, want %q", id, roomID)
		}
		st, err := c.Room(ctx, roomID)
		if err != nil || st.ID != roomID {
			t.Fatalf("Room = %+v, %v", st, err)
		}
		if _, err := c.Room(ctx, "rm_12"); ErrorCode(err) != "unauthorized" {
			t.Errorf("the room cookie went to another room: %v", err)
		}
		sub, err := c.Subscribe(ctx, roomID, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		if err := sub.WaitSynced(ctx); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("RelativeWithHTTPClient", func(t *testing.T) {
		c, _ := newTestClient(t, mux, WithHTTPClient(&http.Client{Timeout: 5 * time.Second}))
		if id, err := c.OpenLink(ctx, "/r/tok-ok"); err != nil || id != roomID {
			t.Fatalf("OpenLink = %q, %v", id, err)
		}
		if _, err := c.Room(ctx, roomID); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Redirect", func(t *testing.T) {
		c, _ := newTestClient(t, mux)
		if id, err := c.OpenLink(ctx, "/r/old-hub"); err != nil || id != roomID {
			t.Fatalf("OpenLink = %q, %v", id, err)
		}
		if pageHit.Load() {
			t.Error("OpenLink followed the redirect")
		}
		if _, err := c.Room(ctx, roomID); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Expired", func(t *testing.T) {
		c, _ := newTestClient(t, mux)
		_, err := c.OpenLink(ctx, "/r/expired")
		if ErrorCode(err) != "link_expired" {
			t.Fatalf("OpenLink = %v, want link_expired", err)
		}
		for _, bad := range []string{"", "https://x/room/1", "/r/", "/r/a/b", "%zz"} {
			if _, err := c.OpenLink(ctx, bad); err == nil {
				t.Errorf("OpenLink(%q) succeeded", bad)
			}
		}
	})

	t.Run("NetworkErrorHidesToken", func(t *testing.T) {
		c, err := New("http://127.0.0.1:1")
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.OpenLink(ctx, "/r/very-secret")
		if err == nil || strings.Contains(err.Error(), "very-secret") {
			t.Errorf("OpenLink on a dead hub = %v", err)
		}
	})
}

// The room endpoints send what the protocol says and decode its answers.
func TestRoomEndpoints(t *testing.T) {
	var (
		mu  sync.Mutex
		got []string
	)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		line := r.Method + " " + r.URL.RequestURI()
		if b, _ := io.ReadAll(r.Body); len(b) > 0 {
			line += " " + string(b)
		}
		got = append(got, line)
		switch r.URL.Path {
		case "/api/v1/rooms":
			if r.Method == http.MethodPost {
				writeJSON(w, 201, room.State{ID: "rm_1", Status: room.StatusInvited})
				return
			}
			writeJSON(w, 200, map[string]any{"rooms": []room.State{{ID: "rm_2"}, {ID: "rm_1"}}, "next": "cur"})
		case "/api/v1/rooms/rm_1/invite":
			writeJSON(w, 200, room.State{ID: "rm_1", Status: room.StatusInvited})
		case "/api/v1/rooms/rm_1/events":
			writeJSON(w, 200, map[string]any{"events": []room.Event{event("rm_1", 4), event("rm_1", 5)}})
		case "/api/v1/dev/outbox":
			writeJSON(w, 200, map[string]any{"messages": []map[string]any{{"channel": "sms", "to": "+1415", "body": "Join", "link": "http://x/r/t", "at": "2026-11-25T10:00:00Z", "status": "sent"}}})
		case "/api/v1/password/forgot":
			writeJSON(w, 202, map[string]any{})
		case "/api/v1/password/reset":
			w.WriteHeader(204)
		}
	})
	c, _ := newTestClient(t, mux, WithToken("tok"))
	ctx := testCtx(t)

	st, err := c.CreateRoom(ctx, CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Sam", Phone: "+14155550134"}})
	if err != nil || st.ID != "rm_1" {
		t.Fatalf("CreateRoom = %+v, %v", st, err)
	}
	if st, err := c.Invite(ctx, "rm_1"); err != nil || st.Status != room.StatusInvited {
		t.Fatalf("Invite = %+v, %v", st, err)
	}
	page, err := c.Rooms(ctx, RoomQuery{Agent: "me", Status: room.StatusInvited, Limit: 2, Before: "x"})
	if err != nil || len(page.Rooms) != 2 || page.Next != "cur" {
		t.Fatalf("Rooms = %+v, %v", page, err)
	}
	if _, err := c.Rooms(ctx, RoomQuery{}); err != nil {
		t.Fatal(err)
	}
	evs, err := c.Events(ctx, "rm_1", 3, 2)
	if err != nil || len(evs) != 2 || evs[0].Seq != 4 || evs[1].Type != room.TypeParticipantJoined {
		t.Fatalf("Events = %+v, %v", evs, err)
	}
	msgs, err := c.DevOutbox(ctx)
	if err != nil || len(msgs) != 1 || msgs[0].Link != "http://x/r/t" || msgs[0].At.IsZero() || msgs[0].Channel != room.ChannelSMS {
		t.Fatalf("DevOutbox = %+v, %v", msgs, err)
	}
	if err := c.ForgotPassword(ctx, "ana@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := c.ResetPassword(ctx, "rt", "new password"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	mustEqual(t, "requests", got, []string{
		`POST /api/v1/rooms {"mode":"live","channel":"sms","customer":{"name":"Sam","phone":"+14155550134"}}`,
		`POST /api/v1/rooms/rm_1/invite`,
		`GET /api/v1/rooms?agent=me&before=x&limit=2&status=invited`,
		`GET /api/v1/rooms`,
		`GET /api/v1/rooms/rm_1/events?after=3&limit=2`,
		`GET /api/v1/dev/outbox`,
		`POST /api/v1/password/forgot {"email":"ana@example.com"}`,
		`POST /api/v1/password/reset {"token":"rt","password":"new password"}`,
	})
}
