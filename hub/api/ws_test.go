package api_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/api"
	"github.com/tandemhq/tandem/room"
)

// append adds n test events to the room through the hub's command path.
func (e *env) append(t testing.TB, roomID string, n int, data any) {
	t.Helper()
	if err := e.tryAppend(roomID, n, data); err != nil {
		t.Fatal(err)
	}
}

// tryAppend is append for goroutines other than the test's own.
func (e *env) tryAppend(roomID string, n int, data any) error {
	for i := 0; i < n; i++ {
		if _, err := e.hub.AppendForTest(context.Background(), e.account, roomID, "test.note", data); err != nil {
			return fmt.Errorf("append %d of %d: %w", i+1, n, err)
		}
	}
	return nil
}

// collect reads events from sub until it has seen seq last, and checks
// they come exactly once and in order after `from`.
func collect(t testing.TB, sub *client.Subscription, from, last int64) {
	t.Helper()
	want := from + 1
	for want <= last {
		ev := next(t, sub)
		if ev.Seq != want {
			t.Fatalf("got seq %d, want %d: lost, duplicated or out of order", ev.Seq, want)
		}
		want++
	}
	if d, g := sub.Duplicates(), sub.Gaps(); d != 0 || g != 0 {
		t.Fatalf("the hub sent %d duplicates and skipped events %d times", d, g)
	}
}

func TestSubscribeFromSinceThenLive(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	s := e.liveRoom()
	e.append(t, s.ID, 10, map[string]int{"n": 1})
	sub, err := e.agent.Subscribe(ctx, s.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	collect(t, sub, 5, 12) // backlog
	e.append(t, s.ID, 5, nil)
	collect(t, sub, 12, 17) // live
	e.append(t, s.ID, 1, map[string]string{"k": "v"})
	ev := next(t, sub)
	if ev.Room != s.ID || ev.Seq != 18 || ev.Type != "test.note" || ev.At.IsZero() || string(ev.Data) != `{"k":"v"}` {
		t.Fatalf("event frame %+v", ev)
	}
}

func TestSubscribeWithoutSinceStartsWithASnapshot(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	s := e.liveRoom()
	e.append(t, s.ID, 3, nil)
	sub, st, err := e.agent.SubscribeSnapshot(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if st.ID != s.ID || st.Seq != 5 || st.Status != room.StatusInvited {
		t.Fatalf("snapshot %+v", st)
	}
	e.append(t, s.ID, 1, nil)
	if ev := next(t, sub); ev.Seq != 6 {
		t.Fatalf("first live event after the snapshot: %d", ev.Seq)
	}
}

// A client that loses its connection, again and again, while events keep
// coming, resumes from its last seq and ends with every event exactly once.
func TestResumeAfterDroppedConnectionsLosesNothing(t *testing.T) {
	t.Parallel() // a hub of its own, and mostly waiting
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, open)
			ctx := context.Background()
			s := e.liveRoom()
			p := newProxy(t, e.url)
			viaProxy, err := client.New(p.url, client.WithToken(e.agent.Token()))
			if err != nil {
				t.Fatal(err)
			}
			sub, err := viaProxy.Subscribe(ctx, s.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer sub.Close()

			// Five cuts, each in the middle of a stretch of appends: the
			// subscription must resume across every one. `make chaos`
			// (TANDEM_CHAOS=long) makes the stretches ten times longer.
			total, every := 600, 120
			if os.Getenv("TANDEM_CHAOS") == "long" {
				total, every = 6000, 1200
			}
			// Each cut waits for the subscription to be back from the one
			// before: a cut while it is away cuts nothing.
			cuts := 0
			done := make(chan error, 1)
			go func() {
				for i := 0; i < total; i++ {
					if _, err := e.hub.AppendForTest(ctx, e.account, s.ID, "test.note", map[string]int{"i": i}); err != nil {
						done <- err
						return
					}
					if i%every == every/2 {
						for deadline := time.Now().Add(10 * time.Second); sub.Reconnects() < cuts; time.Sleep(time.Millisecond) {
							if time.Now().After(deadline) {
								done <- fmt.Errorf("the subscription did not come back within 10 s of cut %d", cuts)
								return
							}
						}
						p.cut() // the network drops every connection
						cuts++
					}
				}
				done <- nil
			}()
			collect(t, sub, 0, int64(total+2))
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if sub.Reconnects() < cuts {
				t.Fatalf("the subscription reconnected %d times after %d cuts", sub.Reconnects(), cuts)
			}
		})
	}
}

// A client away for longer (the hub restarted in between, and the room
// went on) resumes from its seq on the new hub.
func TestResumeAcrossAHubRestart(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	s := e.liveRoom()
	sub, err := e.agent.Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	e.append(t, s.ID, 100, nil)
	collect(t, sub, 0, 102)
	e.restart()
	e.append(t, s.ID, 100, nil)
	collect(t, sub, 102, 202)
	if sub.Reconnects() < 1 {
		t.Fatal("no reconnect happened")
	}
}

func TestSinceAfterTheLogIsRefused(t *testing.T) {
	e := newEnv(t, nil)
	s := e.liveRoom()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub, err := e.agent.Subscribe(ctx, s.ID, 99)
	if err == nil {
		// The refusal comes as close code 4400 after the upgrade: the SDK
		// reports it on Next, and does not keep reconnecting.
		defer sub.Close()
		_, err = sub.Next(ctx)
	}
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("subscribe with since after the log: %v", err)
	}
}

func TestPresenceOneParticipantForManyTabs(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	s := e.liveRoom()
	agentSub, err := e.agent.Subscribe(ctx, s.ID, s.Seq)
	if err != nil {
		t.Fatal(err)
	}
	defer agentSub.Close()
	cust := e.customer(s.ID)

	tab1, err := cust.Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	joined := next(t, agentSub)
	if joined.Type != room.TypeParticipantJoined || joined.Actor.Kind != room.ActorCustomer || joined.Actor.Name != "Sam Lee" {
		t.Fatalf("after the first tab: %+v", joined)
	}
	if st, _ := e.agent.Room(ctx, s.ID); st.Status != room.StatusConnected || !st.CustomerConnected() {
		t.Fatalf("status after join: %s", st.Status)
	}
	tab2, err := cust.Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	// synced comes after the server counted the tab in.
	if err := tab2.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
	tab1.Close()
	// Nothing is recorded while a tab is still open: a marker event must be
	// the next thing the agent sees.
	waitConns(t, e.hub, 2) // the agent and tab2
	e.append(t, s.ID, 1, nil)
	if ev := next(t, agentSub); ev.Type != "test.note" {
		t.Fatalf("second tab or closing one tab recorded %s", ev.Type)
	}
	tab2.Close()
	left := next(t, agentSub)
	if left.Type != room.TypeParticipantLeft {
		t.Fatalf("after the last tab: %+v", left)
	}
	if st, _ := e.agent.Room(ctx, s.ID); st.Status != room.StatusLeft || st.CustomerConnected() || !st.EverConnected {
		t.Fatalf("status after leave: %s", st.Status)
	}
}

func waitConns(t testing.TB, h *api.Server, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for h.OpenConnsForTest() != n {
		if time.Now().After(deadline) {
			t.Fatalf("open connections: %d, want %d", h.OpenConnsForTest(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWebSocketOriginIsChecked(t *testing.T) {
	e := newEnv(t, nil)
	s := e.liveRoom()
	wsURL := "ws" + strings.TrimPrefix(e.url, "http") + "/api/v1/rooms/" + s.ID + "/ws?since=0"
	hdr := http.Header{"Authorization": {"Bearer " + e.agent.Token()}}

	hdr.Set("Origin", "https://evil.example")
	_, res, err := websocket.Dial(context.Background(), wsURL, &websocket.DialOptions{HTTPHeader: hdr})
	if err == nil || res == nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin: %v %v", err, res)
	}
	hdr.Set("Origin", e.url)
	c, _, err := websocket.Dial(context.Background(), wsURL, &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		t.Fatalf("our origin: %v", err)
	}
	c.CloseNow()
}

// A reader that stops reading is closed with 1008 by the write deadline; a
// reader in the same room that reads gets every event meanwhile, exactly
// once and in order, without being disconnected, even though its tiny
// queue overflows and it is fed from the log.
func TestSlowReaderIsClosedWithoutDelayingOthers(t *testing.T) {
	t.Parallel() // a hub of its own, and mostly waiting
	e := newEnv(t, nil, func(c *api.Config) { c.QueueSize = 8; c.WriteTimeout = 2 * time.Second })
	ctx := context.Background()
	s := e.liveRoom()
	wsURL := "ws" + strings.TrimPrefix(e.url, "http") + "/api/v1/rooms/" + s.ID + "/ws?since=0"
	// The slow reader's socket has a small fixed receive buffer: Linux
	// would otherwise grow it to tens of MiB and hold the whole test's
	// traffic.
	var slowConn *net.TCPConn
	smallBuffer := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			slowConn = c.(*net.TCPConn)
			err = slowConn.SetReadBuffer(16 << 10)
		}
		return c, err
	}}}
	slow, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPClient: smallBuffer, HTTPHeader: http.Header{"Authorization": {"Bearer " + e.agent.Token()}}})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.CloseNow()
	fast, err := e.agent.Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Close()

	// Big events (6.4 MiB in all) fill the slow reader's socket buffers:
	// its receive buffer is fixed at 16 KiB, and Linux grows a sender's
	// to 4 MiB at most (net.ipv4.tcp_wmem).
	big := map[string]string{"pad": strings.Repeat("x", 16<<10)}
	const total = 400
	appended := make(chan error, 1)
	go func() { appended <- e.tryAppend(s.ID, total, big) }()
	collect(t, fast, 0, total+2)
	if err := <-appended; err != nil {
		t.Fatal(err)
	}

	// The slow reader's write blocks until the deadline ends it.
	deadline := time.Now().Add(15 * time.Second)
	for e.hub.SlowClosesForTest() < 1 {
		if time.Now().After(deadline) {
			t.Fatal("the slow reader was not closed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if fast.Reconnects() != 0 {
		t.Fatalf("the fast reader was disconnected %d times", fast.Reconnects())
	}
	// The slow reader finds, after what was buffered, the close 1008. (It
	// reads on with a normal buffer: through a 16 KiB window, delayed
	// acknowledgements make the rest trickle in for half a minute.)
	if err := slowConn.SetReadBuffer(4 << 20); err != nil {
		t.Fatal(err)
	}
	slow.SetReadLimit(1 << 20)
	var got int
	for {
		_, _, err := slow.Read(ctx)
		if err != nil {
			if st := websocket.CloseStatus(err); st != websocket.StatusPolicyViolation && st != -1 {
				t.Fatalf("slow reader closed with %v", err)
			}
			break
		}
		got++
	}
	if got >= total+2 {
		t.Fatalf("the slow reader received all %d frames; it was not slow", got)
	}
}

// SIGTERM: every WebSocket is closed with 1001, the customer is recorded as
// left, and nothing acknowledged is lost.
func TestGracefulShutdown(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	s := e.liveRoom()
	cust := e.customer(s.ID)
	wsURL := "ws" + strings.TrimPrefix(e.url, "http") + "/api/v1/rooms/" + s.ID + "/ws?since=0"
	raw, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + e.agent.Token()}}})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.CloseNow()
	csub, err := cust.Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer csub.Close()
	nextOfType(t, csub, room.TypeParticipantJoined)
	e.append(t, s.ID, 50, nil)

	closed := make(chan error, 1)
	go func() {
		for {
			if _, _, err := raw.Read(ctx); err != nil {
				closed <- err
				return
			}
		}
	}()
	e.stop()
	select {
	case err := <-closed:
		if websocket.CloseStatus(err) != websocket.StatusGoingAway {
			t.Fatalf("close on shutdown: %v, want 1001", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the WebSocket was not closed on shutdown")
	}

	evs, err := e.st.Events(ctx, e.account, s.ID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(evs); n != 2+1+50+1 || evs[n-1].Type != room.TypeParticipantLeft || !strings.Contains(string(evs[n-1].Data), "shutdown") {
		t.Fatalf("log after shutdown: %d events, last %+v", n, evs[n-1])
	}
	for i, ev := range evs {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d", i, ev.Seq)
		}
	}
}

// Commands hitting one room at the same instant from many goroutines
// retry on conflict and come out gap-free.
func TestConcurrentCommandsAreGapFree(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, open)
			s := e.liveRoom()
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for g := 0; g < 8; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 25; i++ {
						if _, err := e.hub.AppendForTest(context.Background(), e.account, s.ID, "test.note", nil); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			evs, err := e.agent.Events(context.Background(), s.ID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 202 {
				t.Fatalf("%d events, want 202", len(evs))
			}
			for i, ev := range evs {
				if ev.Seq != int64(i+1) {
					t.Fatalf("event %d has seq %d", i, ev.Seq)
				}
			}
		})
	}
}

// proxy forwards TCP to a target and can cut every connection at once,
// as a network failure would.
type proxy struct {
	url   string
	mu    sync.Mutex
	conns []net.Conn
	down  bool // refuse new connections (accept and close at once)
}

// setDown cuts every connection and refuses new ones while down is true,
// as a server that went away would.
func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	p.down = down
	p.mu.Unlock()
	if down {
		p.cut()
	}
}

func newProxy(t testing.TB, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{url: "http://" + ln.Addr().String()}
	addr := strings.TrimPrefix(target, "http://")
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); p.cut(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			down := p.down
			p.mu.Unlock()
			if down {
				in.Close()
				continue
			}
			out, err := net.Dial("tcp", addr)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			wg.Add(2)
			go func() { defer wg.Done(); pipe(out, in) }()
			go func() { defer wg.Done(); pipe(in, out) }()
		}
	}()
	return p
}

func pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			dst.Close()
			return
		}
	}
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
