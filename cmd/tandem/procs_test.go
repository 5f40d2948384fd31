package main

import (
	"context"
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
// those that refuse: a load balancer with no sticky sessions. With one
// backend it is a proxy the test can cut.
type balancer struct {
	addr     string
	mu       sync.Mutex
	backends []string
	conns    map[net.Conn]struct{}
	next     atomic.Uint64
}

func (b *balancer) setBackends(addrs ...string) {
	b.mu.Lock()
	b.backends = addrs
	b.mu.Unlock()
}

// cut drops every connection and refuses new ones until setBackends: the
// network between the two sides goes away.
func (b *balancer) cut() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.backends = nil
	for c := range b.conns {
		c.Close()
	}
}

func (b *balancer) track(c net.Conn, add bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if add {
		b.conns[c] = struct{}{}
	} else {
		delete(b.conns, c)
	}
}

func newBalancer(t *testing.T) *balancer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &balancer{addr: ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		b.cut()
		wg.Wait()
	})
	pipe := func(dst, src net.Conn) {
		defer wg.Done()
		_, _ = io.Copy(dst, src)
		dst.Close()
		src.Close()
		b.track(dst, false)
		b.track(src, false)
	}
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
			b.track(in, true)
			b.track(out, true)
			wg.Add(2)
			go pipe(out, in)
			go pipe(in, out)
		}
	}()
	return b
}

// redisServer is a redis-server process of the test's own, on a port of its
// own, so the test can kill and restart it.
type redisServer struct {
	bin  string
	port string
	cmd  *exec.Cmd
	logs *syncBuffer
}

// startRedisServer runs a private redis-server, skipping loudly when the
// binary is missing unless REQUIRE_SERVICES=1.
func startRedisServer(t *testing.T) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("REQUIRE_SERVICES") == "1" {
			t.Fatalf("redis-server not found (REQUIRE_SERVICES=1): %v", err)
		}
		t.Skipf("SKIPPING: redis-server not found (%v); set REQUIRE_SERVICES=1 to fail instead", err)
	}
	r := &redisServer{bin: bin, port: freePort(t)}
	r.start(t)
	t.Cleanup(func() {
		r.kill()
		if t.Failed() {
			t.Logf("redis-server log:\n%s", r.logs)
		}
	})
	return r
}

func (r *redisServer) url() string { return "redis://127.0.0.1:" + r.port + "/0" }

// start runs the server on its port and waits until it answers PING.
func (r *redisServer) start(t *testing.T) {
	t.Helper()
	r.logs = &syncBuffer{}
	r.cmd = exec.Command(r.bin, "--port", r.port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	r.cmd.Stdout, r.cmd.Stderr = r.logs, r.logs
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	rc := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:" + r.port, MaxRetries: -1})
	defer rc.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := rc.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not come up: %v\n%s", r.port, err, r.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill ends the server with SIGKILL: no goodbye to its clients.
func (r *redisServer) kill() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
	}
}
