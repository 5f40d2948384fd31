package redis_test

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/hub/broker/redis"
)

// defaultURL is the test Redis when REDIS_URL is unset.
const defaultURL = "redis://127.0.0.1:6379/0"

func redisURL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return defaultURL
}

// newClient connects to the test Redis, closed when tb ends. Its
// connections carry a name of their own, so a test can find them in
// CLIENT LIST. If Redis cannot be reached the test is skipped with a loud
// message, unless REQUIRE_SERVICES=1, which makes it fail instead.
func newClient(tb testing.TB) (client *goredis.Client, name string) {
	tb.Helper()
	opt, err := goredis.ParseURL(redisURL())
	if err != nil {
		tb.Fatalf("REDIS_URL must be a redis:// URL: %v", err)
	}
	name = "tandemtest-" + strings.ToLower(rand.Text())
	opt.ClientName = name
	opt.ContextTimeoutEnabled = true
	client = goredis.NewClient(opt)
	tb.Cleanup(func() { _ = client.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		if os.Getenv("REQUIRE_SERVICES") == "1" {
			tb.Fatalf("Redis unreachable at %s (REQUIRE_SERVICES=1): %v", opt.Addr, err)
		}
		tb.Skipf("SKIPPING: Redis unreachable at %s (%v); set REQUIRE_SERVICES=1 to fail instead", opt.Addr, err)
	}
	return client, name
}

// newPrefix returns a channel prefix no other test uses.
func newPrefix() string { return "tandemtest:" + rand.Text() + ":" }

// newBroker returns a Broker on client, closed when tb ends (before the
// client).
func newBroker(tb testing.TB, client goredis.UniversalClient, opts redis.Options) *redis.Broker {
	tb.Helper()
	opts.Logger = zerolog.New(zerolog.NewTestWriter(tb)).Level(zerolog.InfoLevel)
	b, err := redis.New(client, opts)
	if err != nil {
		tb.Fatalf("new broker: %v", err)
	}
	tb.Cleanup(func() {
		if err := b.Close(); err != nil {
			tb.Errorf("close broker: %v", err)
		}
	})
	return b
}

// waitUntil polls cond until it holds, failing tb after a while.
func waitUntil(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// killPubSub closes, on the server, the pub/sub connections of the client
// named name, and returns how many there were.
func killPubSub(tb testing.TB, admin *goredis.Client, name string) int {
	tb.Helper()
	ctx := context.Background()
	list, err := admin.Do(ctx, "CLIENT", "LIST", "TYPE", "pubsub").Text()
	if err != nil {
		tb.Fatalf("client list: %v", err)
	}
	killed := 0
	for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
		fields := map[string]string{}
		for _, f := range strings.Fields(line) {
			k, v, _ := strings.Cut(f, "=")
			fields[k] = v
		}
		if fields["name"] != name {
			continue
		}
		if err := admin.Do(ctx, "CLIENT", "KILL", "ID", fields["id"]).Err(); err != nil {
			tb.Fatalf("client kill id %s: %v", fields["id"], err)
		}
		killed++
	}
	return killed
}
