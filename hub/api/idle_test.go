package api_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/hub/api"
)

// hubFrame marks a goroutine of the real-time core in a stack dump: a
// socket's write loop (the handler's goroutine) or its read loop.
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
func dialIdle(tb testing.TB, base, path, token string, n int) {
	tb.Helper()
	u := "ws" + strings.TrimPrefix(base, "http") + path
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
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
			}
		}()
		tb.Cleanup(func() {
			conn.CloseNow()
			<-done
		})
	}
}

// An open room WebSocket costs the server two goroutines, whatever it is
// doing: the handler's, which runs the write loop, and the read loop. The
// keep-alive is a timer, not a third.
func TestIdleSocketHoldsTwoGoroutines(t *testing.T) {
	e := newEnv(t, nil)
	s := e.liveRoom()
	const n = 20
	before := hubGoroutines()
	dialIdle(t, e.url, "/api/v1/rooms/"+s.ID+"/ws?since=0", e.agent.Token(), n)
	waitConns(t, e.hub, n)
	// The sockets send their backlog and synced frame and go idle; the
	// count is the same at every moment after the handshake.
	if got := hubGoroutines() - before; got != 2*n {
		t.Fatalf("%d room sockets run %d goroutines of the hub, want %d", n, got, 2*n)
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
