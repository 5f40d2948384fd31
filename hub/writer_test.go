package hub

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// panicStream is a stream whose writes panic where panicAt says: in its
// first write, or in closed once its writer ends.
type panicStream struct {
	panicAt string // "write" or "closed"
	s       *socket
}

func (p *panicStream) receive(room.Event, []byte) {}
func (p *panicStream) resync()                    {}
func (p *panicStream) attach(s *socket)           { p.s = s }
func (p *panicStream) write(ctx context.Context) error {
	if p.panicAt == "write" {
		panic("stream write")
	}
	<-ctx.Done() // until the client goes
	return ctx.Err()
}
func (p *panicStream) closed(context.Context) {
	if p.panicAt == "closed" {
		panic("stream closed")
	}
}

// A panic on a socket's goroutines drops the connection and lets go of
// all the socket held, as net/http does for a handler: its topic, its
// place under its credential and the core's count, so that the process
// goes on and a shutdown does not wait for it.
func TestAPanickingSocketLetsGoOfWhatItHeld(t *testing.T) {
	for _, at := range []string{"write", "closed"} {
		t.Run(at, func(t *testing.T) {
			b := &nullBroker{}
			c, err := New(Config{Log: nullLog{}, Broker: b, Presence: nullPresence{}, Logger: zerolog.Nop()})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				cred := Credential{Key: "k", Alive: func(context.Context) error { return nil }}
				if err := c.serve(w, r, cred, nil, newSocketName("room", "r1"), "topic", &panicStream{panicAt: at}, false); err != nil {
					http.Error(w, err.Error(), http.StatusServiceUnavailable)
				}
			}))
			defer srv.Close()
			conn, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.CloseNow()
			if at == "closed" {
				// The client goes: the writer ends, and its stream's
				// closed panics.
				_ = conn.CloseNow()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if at == "write" {
				if _, _, err := conn.Read(ctx); err == nil {
					t.Fatal("the connection of a panicking socket stayed open")
				}
			}
			if err := c.Shutdown(ctx); err != nil {
				t.Fatalf("shutdown waited for the panicking socket: %v", err)
			}
			if n := c.OpenConns(); n != 0 {
				t.Errorf("%d sockets counted open", n)
			}
			c.creds.mu.Lock()
			held := len(c.creds.byKey)
			c.creds.mu.Unlock()
			if held != 0 {
				t.Errorf("%d credentials still hold sockets", held)
			}
			if n := b.subscribed(); n != 0 {
				t.Errorf("%d topic subscriptions left", n)
			}
		})
	}
}

// nullBroker counts its subscriptions and delivers nothing.
type nullBroker struct {
	mu   sync.Mutex
	subs int
}

func (b *nullBroker) Publish(context.Context, string, room.Event) error { return nil }
func (b *nullBroker) Subscribe(context.Context, string, Receiver) (func(), error) {
	b.mu.Lock()
	b.subs++
	b.mu.Unlock()
	return func() { b.mu.Lock(); b.subs--; b.mu.Unlock() }, nil
}
func (b *nullBroker) PublishEnded(context.Context, Ended) error { return nil }
func (b *nullBroker) SubscribeEnded(context.Context, EndedReceiver) (func(), error) {
	return func() {}, nil
}
func (b *nullBroker) subscribed() int { b.mu.Lock(); defer b.mu.Unlock(); return b.subs }

// nullLog is a log of no room.
type nullLog struct{}

var errNoRoom = errors.New("no room")

func (nullLog) Room(context.Context, string, string) (room.State, error) {
	return room.State{}, errNoRoom
}
func (nullLog) Events(context.Context, string, string, int64, int) ([]room.Event, error) {
	return nil, errNoRoom
}
func (nullLog) EventsJSON(context.Context, string, string, int64, int) ([]store.EventJSON, error) {
	return nil, errNoRoom
}
func (nullLog) ChangedRooms(context.Context, string, store.ChangeQuery) ([]room.State, error) {
	return nil, nil
}

// nullPresence records nothing.
type nullPresence struct{}

func (nullPresence) Hold(context.Context, string, string, string, string) error    { return nil }
func (nullPresence) Release(context.Context, string, string, string, string) error { return nil }
