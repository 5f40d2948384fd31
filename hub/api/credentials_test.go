package api_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/hub/api"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/hub/broker/memory"
	"github.com/tandemhq/tandem/hub/broker/redis"
	"github.com/tandemhq/tandem/store"
)

// withBroker runs an instance on b rather than the env's broker.
func withBroker(b hub.Broker) envOption { return func(cfg *api.Config) { cfg.Broker = b } }

// withoutCredentialCheck puts the safety net out of the way: what ends a
// credential in the test is the signal.
func withoutCredentialCheck(cfg *api.Config) { cfg.CredentialCheck = time.Hour }

// redisBrokers returns two Redis brokers of one deployment, as two
// instances would have, or skips the test without Redis (fails it with
// REQUIRE_SERVICES=1).
func redisBrokers(t *testing.T) (hub.Broker, hub.Broker) {
	t.Helper()
	addr := "127.0.0.1:6379"
	if u := os.Getenv("REDIS_URL"); u != "" {
		opt, err := goredis.ParseURL(u)
		if err != nil {
			t.Fatal(err)
		}
		addr = opt.Addr
	}
	prefix := "tandemtest:" + rand.Text() + ":"
	open := func() hub.Broker {
		c := goredis.NewClient(&goredis.Options{Addr: addr, ContextTimeoutEnabled: true})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.Ping(ctx).Err(); err != nil {
			_ = c.Close()
			if os.Getenv("REQUIRE_SERVICES") == "1" {
				t.Fatalf("Redis unreachable at %s (REQUIRE_SERVICES=1): %v", addr, err)
			}
			t.Skipf("SKIPPING: Redis unreachable at %s (%v)", addr, err)
		}
		b, err := redis.New(c, redis.Options{Prefix: prefix, Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)})
		if err != nil {
			t.Fatal(err)
		}
		// Cleanups run last first: the hubs stop, then the broker, then
		// its client.
		t.Cleanup(func() { _ = c.Close() })
		t.Cleanup(func() { _ = b.Close() })
		return b
	}
	return open(), open()
}

// A sign-out or a revoked link on one instance ends the credential on
// another as soon as the broker's signal arrives: its next request is
// refused although the other instance had just resolved (and cached) the
// credential, and its sockets close with 4401 although its periodic check
// is an hour away. The in-memory broker delivers the signal before the
// revoking call returns; Redis delivers it to the other instance's
// subscription a moment later, which a request sent at once can beat on a
// busy machine, so there the request is refused within a second: well
// before the credential's CredentialTTL, which alone would refuse it
// were the signal lost.
func TestCredentialsEndOnEveryInstance(t *testing.T) {
	for name, brokers := range map[string]func(t *testing.T) (hub.Broker, hub.Broker){
		"memory": func(*testing.T) (hub.Broker, hub.Broker) { b := memory.New(); return b, b },
		"redis":  redisBrokers,
	} {
		t.Run(name, func(t *testing.T) {
			a, b := brokers(t)
			within := time.Duration(0) // the in-memory broker: the next request
			if name == "redis" {
				within = time.Second
			}
			e := newEnv(t, nil, withBroker(a), withoutCredentialCheck)
			p := e.peer(withBroker(b), withoutCredentialCheck)
			ctx := context.Background()
			s := e.liveRoom()

			// The customer's pass and the agent's sign-in, resolved on B.
			cust := e.customerOn(p.url, s.ID)
			if _, err := cust.ReportActivity(ctx, s.ID, "viewing", ""); err != nil {
				t.Fatal(err)
			}
			custSocket, err := cust.Subscribe(ctx, s.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer custSocket.Close()
			agentB := mustClient(t, p.url, client.WithToken(e.agent.Token()))
			if _, err := agentB.Me(ctx); err != nil {
				t.Fatal(err)
			}
			agentSocket, err := agentB.Subscribe(ctx, s.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer agentSocket.Close()

			// Closing the room, on A, revokes the link the customer came
			// through.
			if _, err := e.agent.CloseRoom(ctx, s.ID, "done"); err != nil {
				t.Fatal(err)
			}
			refusedWithin(t, within, "the customer's request on B after the link was revoked on A", func() error {
				_, err := cust.ReportActivity(ctx, s.ID, "viewing", "")
				return err
			})
			endsWithAccessEnded(t, custSocket, "the customer's socket on B after the link was revoked on A")

			// Signing out on A.
			if err := e.agent.Logout(ctx); err != nil {
				t.Fatal(err)
			}
			refusedWithin(t, within, "the agent's request on B after signing out on A", func() error {
				_, err := agentB.Me(ctx)
				return err
			})
			endsWithAccessEnded(t, agentSocket, "the agent's socket on B after signing out on A")
		})
	}
}

// refusedWithin calls call until it answers 401, for at most within (at
// least once), and fails the test with its last answer if none did. It
// waits twice as long after each try, to stay clear of the rate limits.
func refusedWithin(t *testing.T, within time.Duration, what string, call func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for wait := 10 * time.Millisecond; ; wait *= 2 {
		err := call()
		if apiStatus(t, err) == http.StatusUnauthorized {
			return
		}
		if !time.Now().Before(deadline) {
			t.Fatalf("%s: %v, want 401", what, err)
		}
		time.Sleep(min(wait, time.Until(deadline)))
	}
}

// apiStatus is the HTTP status of a client error; 0 for none.
func apiStatus(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var ae *client.APIError
	if !asAPIError(err, &ae) {
		t.Fatalf("not an API error: %v", err)
	}
	return ae.StatusCode
}

// lookups counts the store's look-ups of credentials.
type lookups struct {
	store.Store
	signIns, passes atomic.Int64
}

func (l *lookups) SignIn(ctx context.Context, tokenHash string, now time.Time) (store.SignIn, error) {
	l.signIns.Add(1)
	return l.Store.SignIn(ctx, tokenHash, now)
}

func (l *lookups) RoomPass(ctx context.Context, tokenHash string, now time.Time) (store.RoomPass, error) {
	l.passes.Add(1)
	return l.Store.RoomPass(ctx, tokenHash, now)
}

// A burst of requests with one credential costs one look-up of it for
// each CredentialTTL the burst lasts.
func TestCredentialsAreCached(t *testing.T) {
	var counted *lookups
	e := newEnv(t, func(tb testing.TB) store.Store {
		counted = &lookups{Store: stores["sqlite"](tb)}
		return counted
	})
	ctx := context.Background()
	s := e.liveRoom()
	cust := e.customer(s.ID)

	const n = 20
	signIns, passes := counted.signIns.Load(), counted.passes.Load()
	start := time.Now()
	for range n {
		if _, err := e.agent.Me(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := cust.ReportActivity(ctx, s.ID, "viewing", ""); err != nil {
			t.Fatal(err)
		}
	}
	windows := 1 + int64(time.Since(start)/app.CredentialTTL)
	if got := counted.signIns.Load() - signIns; got > windows {
		t.Errorf("%d requests with one sign-in looked it up %d times, want 1 per %s (%d)", n, got, app.CredentialTTL, windows)
	}
	if got := counted.passes.Load() - passes; got > windows {
		t.Errorf("%d requests with one room pass looked it up %d times, want 1 per %s (%d)", n, got, app.CredentialTTL, windows)
	}

	// A sign-out on this instance is not answered from the cache.
	if err := e.agent.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.agent.Me(ctx); apiStatus(t, err) != http.StatusUnauthorized {
		t.Fatalf("a request after signing out: %v, want 401", err)
	}
}

// resyncable is a broker whose Ended receivers the test can tell to
// resync, as a Redis broker does when its connection drops.
type resyncable struct {
	hub.Broker
	mu        sync.Mutex
	receivers []hub.EndedReceiver
}

func (r *resyncable) SubscribeEnded(ctx context.Context, er hub.EndedReceiver) (func(), error) {
	r.mu.Lock()
	r.receivers = append(r.receivers, er)
	r.mu.Unlock()
	return r.Broker.SubscribeEnded(ctx, er)
}

func (r *resyncable) resync() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, er := range r.receivers {
		er.Resync()
	}
}

// A Resync (signals may have been missed) forgets the cached credentials
// and checks every credential held by sockets at once: one that ended
// without a signal is refused at the next request and its sockets close.
func TestResyncForgetsCredentials(t *testing.T) {
	var counted *lookups
	b := &resyncable{Broker: memory.New()}
	e := newEnv(t, func(tb testing.TB) store.Store {
		counted = &lookups{Store: stores["sqlite"](tb)}
		return counted
	}, withBroker(b), withoutCredentialCheck)
	ctx := context.Background()
	s := e.liveRoom()
	sub, err := e.agent.Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if _, err := e.agent.Me(ctx); err != nil {
		t.Fatal(err)
	}
	// Ended behind the hub's back: no signal.
	sum := sha256.Sum256([]byte(e.agent.Token()))
	if err := e.st.DeleteSignIn(ctx, hex.EncodeToString(sum[:])); err != nil {
		t.Fatal(err)
	}
	before := counted.signIns.Load()
	b.resync()
	if _, err := e.agent.Me(ctx); apiStatus(t, err) != http.StatusUnauthorized {
		t.Fatalf("a request after the resync: %v, want 401", err)
	}
	if counted.signIns.Load() == before {
		t.Fatal("the request after the resync was answered from the cache")
	}
	endsWithAccessEnded(t, sub, "the agent's socket after a resync")
}
