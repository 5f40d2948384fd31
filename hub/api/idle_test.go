package api_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/hub/api"
)

// hubFrame marks a goroutine of the real-time core in a stack dump: a
// socket's read loop, or its writer while it has something to send.
const hubFrame = "github.com/tandemhq/tandem/hub."

// hubGoroutines is how many goroutines run code of the real-time core
// now.
func hubGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte(hubFrame)) {
			count++
		}
	}
	return count
}

// dialIdle opens n WebSockets to path on base, each with a client that
// only reads (so that pings are answered), and closes them when tb ends.
// It returns the count of frames the clients read.
func dialIdle(tb testing.TB, base, path, token string, n int) *atomic.Int64 {
	tb.Helper()
	u := "ws" + strings.TrimPrefix(base, "http") + path
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	frames := new(atomic.Int64)
	for range n {
		conn, _, err := websocket.Dial(context.Background(), u, &websocket.DialOptions{HTTPHeader: h})
		if err != nil {
			tb.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				if _, _, err := conn.Read(context.Background()); err != nil {
					return
				}
				frames.Add(1)
			}
		}()
		tb.Cleanup(func() {
			conn.CloseNow()
			<-done
		})
	}
	return frames
}

// An idle room WebSocket costs the server one goroutine, its read loop:
// the writer's goroutine runs only while it has something to send (the
// backlog and synced frame, then each event), and is gone once it sent
// it. The keep-alive is a timer. An event wakes every idle socket's
// writer, and each delivers it.
func TestIdleSocketHoldsOneGoroutine(t *testing.T) {
	e := newEnv(t, nil)
	s := e.liveRoom()
	const n = 20
	before := hubGoroutines()
	frames := dialIdle(t, e.url, "/api/v1/rooms/"+s.ID+"/ws?since=0", e.agent.Token(), n)
	waitConns(t, e.hub, n)
	waitHubGoroutines(t, before+n)
	for round := 1; round <= 3; round++ {
		had := frames.Load()
		if _, err := e.agent.ReportActivity(context.Background(), s.ID, "viewing", ""); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for frames.Load() < had+n {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: the idle sockets delivered %d frames of the event, want %d", round, frames.Load()-had, n)
			}
			time.Sleep(5 * time.Millisecond)
		}
		waitHubGoroutines(t, before+n)
	}
}

// waitHubGoroutines waits until the real-time core runs want goroutines,
// and fails if it does not within a few seconds.
func waitHubGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := hubGoroutines()
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub runs %d goroutines, want %d", got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkIdleSockets opens sockets that stay idle and reports what each
// costs the process (server and client together, both on loopback here):
// heap and stacks in use and goroutines per socket after a settle, and
// bytes allocated per socket per second while idle: with the default ping
// interval, and with a ping every second (thirty times as many) to show
// what pings cost; pings in flight add to the figures of the latter.
// "bare" is the floor: a
// coder/websocket server that accepts and reads, with the same clients.
//
//	go test -run '^$' -bench IdleSockets -benchtime 1x ./hub/api/
func BenchmarkIdleSockets(b *testing.B) {
	const n = 1000
	b.Run("server=bare", func(b *testing.B) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			defer c.CloseNow()
			for {
				if _, _, err := c.Read(context.Background()); err != nil {
					return
				}
			}
		}))
		b.Cleanup(srv.Close)
		benchIdle(b, n, func() { dialIdle(b, srv.URL, "/", "", n) })
	})
	for _, ping := range []time.Duration{0, time.Second} {
		name := "server=tandem"
		if ping > 0 {
			name += "/ping=" + ping.String()
		}
		b.Run(name, func(b *testing.B) {
			e := newEnv(b, nil, func(cfg *api.Config) { cfg.PingInterval = ping })
			s := e.liveRoom()
			benchIdle(b, n, func() {
				dialIdle(b, e.url, "/api/v1/rooms/"+s.ID+"/ws?since=0", e.agent.Token(), n)
				waitConns(b, e.hub, n)
			})
		})
	}
}

func benchIdle(b *testing.B, n int, open func()) {
	var before, after, later runtime.MemStats
	for range b.N {
		settle(&before)
		g := runtime.NumGoroutine()
		open()
		time.Sleep(time.Second)
		settle(&after)
		goroutines := runtime.NumGoroutine() - g
		const window = 5 * time.Second
		time.Sleep(window)
		settle(&later)
		b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/float64(n), "heap-B/socket")
		b.ReportMetric(float64(int64(after.StackInuse)-int64(before.StackInuse))/float64(n), "stack-B/socket")
		b.ReportMetric(float64(goroutines)/float64(n), "goroutines/socket")
		b.ReportMetric(float64(later.TotalAlloc-after.TotalAlloc)/float64(n)/window.Seconds(), "alloc-B/socket/s")
	}
}

// settle collects garbage and reads the memory statistics into m.
func settle(m *runtime.MemStats) {
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(m)
}
