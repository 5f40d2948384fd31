package api_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/hub/api"
)

// withCredentialCheck makes instances check credentials often, so tests
// see sockets end within a fraction of a second.
func withCredentialCheck(cfg *api.Config) { cfg.CredentialCheck = 100 * time.Millisecond }

// endsWithAccessEnded waits for sub to end with close 4401.
func endsWithAccessEnded(t *testing.T, sub *client.Subscription, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		_, err := sub.Next(ctx)
		if err == nil {
			continue
		}
		var ce *client.CloseError
		if !errors.As(err, &ce) || ce.Code != client.CloseAccessEnded {
			t.Fatalf("%s: the room socket ended with %v, want close 4401", what, err)
		}
		return
	}
}

// Finding 1: an agent's room WebSocket outlived sign-out and password
// reset. Every socket opened with a sign-in closes (4401) when it ends, on
// every instance.
func TestRoomSocketsEndWithTheSignIn(t *testing.T) {
	e := newEnv(t, nil, withCredentialCheck)
	p := e.peer(withCredentialCheck)
	ctx := context.Background()
	s := e.liveRoom()

	// A password reset ends every sign-in of the user, and their sockets.
	ana := e.client()
	if _, err := ana.Login(ctx, "ana@acme.test", testPassword); err != nil {
		t.Fatal(err)
	}
	sub, err := ana.Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if err := e.client().ForgotPassword(ctx, "ana@acme.test"); err != nil {
		t.Fatal(err)
	}
	link := e.waitMessage(t, func(m client.OutboxMessage) bool { return strings.Contains(m.Link, "token=") && m.Room == "" }).Link
	if err := e.client().ResetPassword(ctx, link[strings.Index(link, "token=")+len("token="):], "a new password"); err != nil {
		t.Fatal(err)
	}
	endsWithAccessEnded(t, sub, "password reset")

	// Signing out ends the sign-in's sockets on this instance and the others.
	if _, err := ana.Login(ctx, "ana@acme.test", "a new password"); err != nil {
		t.Fatal(err)
	}
	here, err := ana.Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer here.Close()
	elsewhere, err := mustClient(t, p.url, client.WithToken(ana.Token())).Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer elsewhere.Close()
	if err := ana.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	endsWithAccessEnded(t, here, "sign-out on this instance")
	endsWithAccessEnded(t, elsewhere, "sign-out on another instance")
}

// Finding 7: one link holder could open any number of sockets. The one
// past MaxCustomerSockets is closed with 4429.
func TestSocketsPerCredentialAreCapped(t *testing.T) {
	e := newEnv(t, nil)
	s := e.liveRoom()
	cookie := e.roomCookie(s.ID)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dial := func() *websocket.Conn {
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.url, "http")+"/api/v1/rooms/"+s.ID+"/ws?as=customer",
			&websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {cookie}}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	var open []*websocket.Conn
	defer func() {
		for _, c := range open {
			c.CloseNow()
		}
	}()
	for range api.MaxCustomerSockets {
		c := dial()
		open = append(open, c)
		if _, _, err := c.Read(ctx); err != nil { // the snapshot: the socket is up
			t.Fatal(err)
		}
	}
	over := dial()
	defer over.CloseNow()
	_, _, err := over.Read(ctx)
	if websocket.CloseStatus(err) != hub.CloseTooManySockets {
		t.Fatalf("socket %d: %v, want close %d", api.MaxCustomerSockets+1, err, hub.CloseTooManySockets)
	}
	// Closing one makes room for another.
	open[0].Close(websocket.StatusNormalClosure, "")
	open = open[1:]
	deadline := time.Now().Add(5 * time.Second)
	for {
		c := dial()
		_, _, err := c.Read(ctx)
		if err == nil {
			open = append(open, c)
			break
		}
		c.CloseNow()
		if time.Now().After(deadline) {
			t.Fatalf("no socket after one closed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func mustClient(t *testing.T, base string, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(base, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
