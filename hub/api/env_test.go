package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"
	"golang.org/x/crypto/bcrypt"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/hub/api"
	blobfs "github.com/tandemhq/tandem/hub/blob/fs"
	"github.com/tandemhq/tandem/hub/broker/memory"
	"github.com/tandemhq/tandem/hub/sender"
	"github.com/tandemhq/tandem/hub/sender/devoutbox"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
	"github.com/tandemhq/tandem/store/postgres/pgtest"
	"github.com/tandemhq/tandem/store/sqlite/sqlitetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// database/sql and lib/pq keep connection openers alive until their
		// DB is closed; the pools are closed in cleanups, but the opener
		// goroutine may still be winding down.
		goleak.IgnoreTopFunction("database/sql.(*DB).connectionOpener"),
	)
}

// stores are the implementations every store-sensitive hub test runs on.
var stores = map[string]func(testing.TB) store.Store{
	"sqlite":   func(tb testing.TB) store.Store { return sqlitetest.Open(tb) },
	"postgres": func(tb testing.TB) store.Store { return pgtest.Open(tb) },
}

// clock is a settable time source for expiry tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a hub served over real HTTP on loopback, with its store and an
// admin signed in through the client package.
type env struct {
	t       testing.TB
	st      store.Store
	hub     *api.Server
	srv     *httptest.Server
	url     string
	clock   *clock
	broker  hub.Broker // shared by the env's instances, as Redis would be
	account string
	agent   *client.Client
	blobDir string // where the hub keeps files
}

type envOption func(*api.Config)

// withDevOutbox runs the dispatcher with the dev outbox as the Sender, so
// messages are "sent" and their simulated delivery lands in the rooms.
// Without it the env sends nothing, and rooms hold only the events the
// test causes.
func withDevOutbox(cfg *api.Config) { cfg.Sender = devoutbox.New(cfg.Logger) }

// withSender runs the dispatcher with s.
func withSender(s sender.Sender) envOption { return func(cfg *api.Config) { cfg.Sender = s } }

const testPassword = "correct horse battery"

// newEnv starts a hub on a fresh store (SQLite unless openStore is given)
// and signs in an agent of a fresh account.
func newEnv(t testing.TB, openStore func(testing.TB) store.Store, opts ...envOption) *env {
	t.Helper()
	if openStore == nil {
		openStore = stores["sqlite"]
	}
	st := openStore(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, clock: &clock{t: time.Now()}, broker: memory.New(), blobDir: t.TempDir()}
	e.url = "http://" + ln.Addr().String()
	e.start(ln, opts...)
	e.account, e.agent = e.newAgent("Acme", "ana@acme.test", "Ana")
	return e
}

// start serves a new hub on ln with the env's store.
func (e *env) start(ln net.Listener, opts ...envOption) {
	e.t.Helper()
	pub, _ := url.Parse(e.url)
	log := zerolog.New(zerolog.NewTestWriter(e.t)).Level(zerolog.WarnLevel)
	if testing.Verbose() {
		log = log.Level(zerolog.DebugLevel)
	}
	cfg := api.Config{
		Store: e.st, Broker: e.broker, PublicURL: pub, Logger: log,
		DevOutbox:  []room.Channel{room.ChannelSMS, room.ChannelEmail}, // no Sender: messages wait in the outbox (see withDevOutbox)
		BcryptCost: bcrypt.MinCost, Now: e.clock.Now, Blobs: e.blobs(),
	}
	for _, o := range opts {
		o(&cfg)
	}
	h, err := api.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	e.hub, e.srv = h, srv
	e.t.Cleanup(e.stop)
}

// blobs is the env's blob store, shared by its instances.
func (e *env) blobs() *blobfs.Store {
	e.t.Helper()
	b, err := blobfs.New(e.blobDir)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// stop shuts the hub down as SIGTERM would: no new connections, then the
// WebSockets closed with going away.
func (e *env) stop() {
	if e.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e.srv.Config.Shutdown(ctx)
	if err := e.hub.Shutdown(ctx); err != nil {
		e.t.Errorf("hub shutdown: %v", err)
	}
	e.srv.Close()
	e.srv = nil
}

// restart stops the hub and starts a new one on the same address and
// store, as a deploy would.
func (e *env) restart(opts ...envOption) {
	e.t.Helper()
	e.stop()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the old listener's port is free at once on loopback, but be patient
		if ln, err = net.Listen("tcp", e.url[len("http://"):]); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		e.t.Fatal(err)
	}
	e.start(ln, opts...)
}

// peer is a second hub instance of the env's deployment: same store, same
// broker, its own address.
type peer struct {
	hub *api.Server
	url string
}

// peer starts another instance beside the env's.
func (e *env) peer(opts ...envOption) *peer {
	e.t.Helper()
	pub, _ := url.Parse(e.url)
	log := zerolog.New(zerolog.NewTestWriter(e.t)).Level(zerolog.WarnLevel)
	cfg := api.Config{
		Store: e.st, Broker: e.broker, PublicURL: pub, Logger: log,
		BcryptCost: bcrypt.MinCost, Now: e.clock.Now, Blobs: e.blobs(),
	}
	for _, o := range opts {
		o(&cfg)
	}
	h, err := api.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	srv := httptest.NewServer(h.Handler())
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			e.t.Errorf("peer shutdown: %v", err)
		}
		srv.Close()
	})
	return &peer{hub: h, url: srv.URL}
}

// customerOn is customer with its requests going to instance base.
func (e *env) customerOn(base, roomID string) *client.Client {
	e.t.Helper()
	c, err := client.New(base)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.OpenLink(context.Background(), e.lastLink(roomID)); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// newAgent creates an account with one admin and returns it signed in.
func (e *env) newAgent(accountName, email, name string) (string, *client.Client) {
	e.t.Helper()
	return e.newAgentIn(tandem.Account{Name: accountName}, email, name)
}

// newAgentIn is newAgent for an account of acct's settings.
func (e *env) newAgentIn(acct tandem.Account, email, name string) (string, *client.Client) {
	e.t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	acct.ID, acct.CreatedAt = room.NewID("ac"), now
	if err := e.st.CreateAccount(ctx, acct); err != nil {
		e.t.Fatal(err)
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	u := tandem.User{ID: room.NewID("us"), Account: acct.ID, Email: email, Name: name, Role: tandem.RoleAdmin, PasswordHash: string(hash), CreatedAt: now}
	if err := e.st.CreateUser(ctx, u); err != nil {
		e.t.Fatal(err)
	}
	c := e.client()
	if _, err := c.Login(ctx, email, testPassword); err != nil {
		e.t.Fatalf("login %s: %v", email, err)
	}
	return acct.ID, c
}

// client returns a new, signed-out client of the env's hub.
func (e *env) client() *client.Client {
	e.t.Helper()
	c, err := client.New(e.url)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// customer opens the room's latest invitation link, as the customer would,
// and returns the client holding the room cookie.
func (e *env) customer(roomID string) *client.Client {
	e.t.Helper()
	c := e.client()
	link := e.lastLink(roomID)
	got, err := c.OpenLink(context.Background(), link)
	if err != nil {
		e.t.Fatalf("open link %s: %v", link, err)
	}
	if got != roomID {
		e.t.Fatalf("link opened room %s, want %s", got, roomID)
	}
	return c
}

// roomCookie opens the room's latest link without a client and returns the
// room cookie it sets, as a Cookie header value.
func (e *env) roomCookie(roomID string) string {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.lastLink(roomID), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		e.t.Fatal(err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == "tandem_room" {
			return c.Name + "=" + c.Value
		}
	}
	e.t.Fatalf("opening the link set no room cookie (status %d)", res.StatusCode)
	return ""
}

// lastLink returns the link of the newest outbox message of the room.
func (e *env) lastLink(roomID string) string {
	e.t.Helper()
	msgs, err := e.agent.DevOutbox(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	for _, m := range msgs { // newest first
		if m.Room == roomID && m.Link != "" {
			return m.Link
		}
	}
	e.t.Fatalf("no message with a link for room %s in the outbox", roomID)
	return ""
}

// liveRoom creates a room in live mode, invited by SMS.
func (e *env) liveRoom() room.State {
	e.t.Helper()
	s, err := e.agent.CreateRoom(context.Background(), client.CreateRoom{
		Mode: room.ModeLive, Channel: room.ChannelSMS,
		Customer: room.Customer{Name: "Sam Lee", Phone: "+1 (415) 555-0134"},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// next reads the next event of sub within a bounded time.
func next(t testing.TB, sub *client.Subscription) room.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ev, err := sub.Next(ctx)
	if err != nil {
		t.Fatalf("next event: %v", err)
	}
	return ev
}

// nextOfType skips events until one of type typ.
func nextOfType(t testing.TB, sub *client.Subscription, typ string) room.Event {
	t.Helper()
	for {
		if ev := next(t, sub); ev.Type == typ {
			return ev
		}
	}
}

// apiCode returns the error code of an API error, failing if err is nil.
func apiCode(t testing.TB, err error) string {
	t.Helper()
	if err == nil {
		t.Fatal("expected an error, got none")
	}
	return client.ErrorCode(err)
}

// do sends a raw request (for what the SDK does not let one do wrong).
func (e *env) do(t testing.TB, method, path string, body string, hdr map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, e.url+path, stringsReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func stringsReader(s string) io.Reader {
	if s == "" {
		return nil
	}
	return strings.NewReader(s)
}

// decodeError reads the protocol's error body of res.
func decodeError(t testing.TB, res *http.Response) (code, message string) {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("error body of %d: %v", res.StatusCode, err)
	}
	return body.Error.Code, body.Error.Message
}

func asAPIError(err error, target **client.APIError) bool { return errors.As(err, target) }

// waitOutbox waits until the dev outbox holds a message that match
// accepts, and returns the outbox then, newest first. Work that happens
// after the answer (a password reset email) shows up there a moment later.
func (e *env) waitOutbox(t testing.TB, match func(client.OutboxMessage) bool) []client.OutboxMessage {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		msgs, err := e.agent.DevOutbox(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if match(m) {
				return msgs
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no such message in the dev outbox: %+v", msgs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitMessage waits until the dev outbox holds a message that match
// accepts, and returns it.
func (e *env) waitMessage(t testing.TB, match func(client.OutboxMessage) bool) client.OutboxMessage {
	t.Helper()
	for _, m := range e.waitOutbox(t, match) {
		if match(m) {
			return m
		}
	}
	panic("unreachable")
}

// apiMessage returns the message of an API error, failing if err is nil.
func apiMessage(t testing.TB, err error) string {
	t.Helper()
	var ae *client.APIError
	if !asAPIError(err, &ae) {
		t.Fatalf("expected an API error, got %v", err)
	}
	return ae.Message
}
