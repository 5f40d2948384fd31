package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store/postgres/pgtest"
)

// requireRedis returns the URL of the test Redis, skipping loudly when it
// does not answer unless REQUIRE_SERVICES=1.
func requireRedis(t *testing.T) string {
	t.Helper()
	u := os.Getenv("REDIS_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/0"
	}
	opts, err := goredis.ParseURL(u)
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	rc := goredis.NewClient(opts)
	defer rc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := rc.Ping(ctx).Err(); err != nil {
		if os.Getenv("REQUIRE_SERVICES") == "1" {
			t.Fatalf("Redis unreachable at %s (REQUIRE_SERVICES=1): %v", u, err)
		}
		t.Skipf("SKIPPING: Redis unreachable at %s (%v); set REQUIRE_SERVICES=1 to fail instead", u, err)
	}
	return u
}

// buildBinary builds the tandem binary once per test run.
var buildOnce struct {
	sync.Once
	path string
	err  error
}

func tandemBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tandem-bin-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "tandem")
		gobin, err := exec.LookPath("go") // go test puts its own go first on PATH
		if err != nil {
			buildOnce.err = err
			return
		}
		out, err := exec.Command(gobin, "build", "-o", buildOnce.path, ".").CombinedOutput()
		if err != nil {
			buildOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		t.Fatal(buildOnce.err)
	}
	return buildOnce.path
}

// instance is a tandem process.
type instance struct {
	cmd  *exec.Cmd
	addr string
	logs *syncBuffer
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// startInstance runs the binary with env and waits until it is ready.
func startInstance(t *testing.T, bin string, env map[string]string) *instance {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "PORT="+port, "TANDEM_DATA_DIR="+t.TempDir())
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	in := &instance{cmd: cmd, addr: "127.0.0.1:" + port, logs: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = in.logs, in.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("instance %s log:\n%s", in.addr, in.logs)
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get("http://" + in.addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return in
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance on %s not ready:\n%s", in.addr, in.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// balancer spreads TCP connections round-robin over backends, skipping
// those that refuse: a load balancer with no sticky sessions.
type balancer struct {
	addr     string
	mu       sync.Mutex
	backends []string
	next     atomic.Uint64
}

func (b *balancer) setBackends(addrs ...string) {
	b.mu.Lock()
	b.backends = addrs
	b.mu.Unlock()
}

func newBalancer(t *testing.T) *balancer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &balancer{addr: ln.Addr().String()}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			b.mu.Lock()
			backends := b.backends
			b.mu.Unlock()
			var out net.Conn
			for range backends {
				i := b.next.Add(1) % uint64(len(backends))
				if out, err = net.DialTimeout("tcp", backends[i], time.Second); err == nil {
					break
				}
			}
			if out == nil {
				in.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, in, out)
			mu.Unlock()
			wg.Add(2)
			go func() { defer wg.Done(); _, _ = io.Copy(out, in); out.Close() }()
			go func() { defer wg.Done(); _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
	return b
}

// Two instances behind a balancer, PostgreSQL and Redis: subscribers are
// spread over both; one instance is killed with SIGKILL mid-stream; every
// subscriber reconnects through the balancer to the survivor and ends with
// every event exactly once, in order.
func TestInstanceKilledMidStream(t *testing.T) {
	redisURL := requireRedis(t)
	dbURL, _ := pgtest.EmptySchema(t)
	bin := tandemBinary(t)
	prefixBytes := make([]byte, 6)
	_, _ = rand.Read(prefixBytes)
	lb := newBalancer(t)
	env := map[string]string{
		"DATABASE_URL": dbURL, "REDIS_URL": redisURL, "TANDEM_REDIS_PREFIX": "t" + hex.EncodeToString(prefixBytes) + ":",
		"TANDEM_ADMIN_EMAIL": "ops@example.com", "TANDEM_ADMIN_PASSWORD": "multi-instance-pass",
		"TANDEM_PUBLIC_URL": "http://" + lb.addr,
	}
	a := startInstance(t, bin, env)
	b := startInstance(t, bin, env)
	lb.setBackends(a.addr, b.addr)
	base := "http://" + lb.addr
	ctx := context.Background()
	agent, err := client.New(base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := agent.Login(ctx, "ops@example.com", "multi-instance-pass"); err != nil {
		t.Fatal(err)
	}

	const rooms, subsPerRoom = 3, 4
	var ids []string
	var subs []*client.Subscription
	for i := 0; i < rooms; i++ {
		s, err := agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelEmail,
			Customer: room.Customer{Name: fmt.Sprintf("Customer %d", i), Email: fmt.Sprintf("c%d@example.com", i)}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
		for j := 0; j < subsPerRoom; j++ {
			sub, err := agent.Subscribe(ctx, s.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sub.Close() })
			if err := sub.WaitSynced(ctx); err != nil {
				t.Fatal(err)
			}
			subs = append(subs, sub)
		}
	}

	// Writers keep appending through the balancer, retrying what fails
	// while an instance dies; acked is each room's last acknowledged seq.
	acked := make([]atomic.Int64, rooms)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if seq, err := agent.ReportActivity(ctx, ids[i], "typing", ""); err == nil {
					acked[i].Store(seq)
				} else {
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	// Readers drain their subscriptions as events come.
	type result struct {
		last int64
		err  error
	}
	results := make([]chan result, len(subs))
	finalSeq := make([]atomic.Int64, rooms)
	for i, sub := range subs {
		results[i] = make(chan result, 1)
		r := i / subsPerRoom
		go func() {
			want := int64(1)
			rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			defer cancel()
			for {
				if f := finalSeq[r].Load(); f > 0 && want > f {
					results[i] <- result{last: want - 1}
					return
				}
				nctx, ncancel := context.WithTimeout(rctx, 200*time.Millisecond)
				ev, err := sub.Next(nctx)
				ncancel()
				if err != nil {
					if rctx.Err() != nil {
						results[i] <- result{last: want - 1, err: err}
						return
					}
					continue
				}
				if ev.Seq != want {
					results[i] <- result{last: want - 1, err: fmt.Errorf("got seq %d, want %d", ev.Seq, want)}
					return
				}
				want++
			}
		}()
	}

	waitAcked := func(n int64) {
		deadline := time.Now().Add(30 * time.Second)
		for i := range acked {
			for acked[i].Load() < n {
				if time.Now().After(deadline) {
					t.Fatalf("room %d: only %d events acknowledged", i, acked[i].Load())
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
	}
	waitAcked(50)
	if err := a.cmd.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	_ = a.cmd.Wait()
	// The writers go on through the survivor.
	before := acked[0].Load()
	waitAcked(before + 50)
	close(stop)
	wg.Wait()

	reconnected := 0
	for r, id := range ids {
		st, err := agent.Room(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if st.Seq < acked[r].Load() {
			t.Fatalf("room %d: the log ends at %d, but %d was acknowledged", r, st.Seq, acked[r].Load())
		}
		finalSeq[r].Store(st.Seq)
	}
	for i, sub := range subs {
		res := <-results[i]
		if res.err != nil {
			t.Fatalf("subscriber %d: %v (after seq %d)", i, res.err, res.last)
		}
		if d, g := sub.Duplicates(), sub.Gaps(); d != 0 || g != 0 {
			t.Fatalf("subscriber %d: %d duplicates, %d gaps from the hub", i, d, g)
		}
		if sub.Reconnects() > 0 {
			reconnected++
		}
	}
	// The balancer spread the subscribers: the ones on the killed instance
	// had to come back.
	if reconnected == 0 {
		t.Fatal("no subscriber was on the killed instance; the test proved nothing")
	}
	t.Logf("%d of %d subscribers reconnected to the survivor", reconnected, len(subs))
}
