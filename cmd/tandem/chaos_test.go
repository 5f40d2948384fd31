package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store/postgres/pgtest"
)

// The failure tests run real tandem processes on PostgreSQL and Redis.
// `make test` runs them short; `make chaos` sets TANDEM_CHAOS=long for more
// rooms, more subscribers, longer phases and several failures in a row.
type chaosScale struct {
	rooms, subsPerRoom int
	phase              int64 // events each room must gain between steps
	rounds             int   // failures in a row
}

func chaos(t *testing.T) chaosScale {
	if os.Getenv("TANDEM_CHAOS") == "long" {
		t.Log("TANDEM_CHAOS=long: the long version")
		return chaosScale{rooms: 16, subsPerRoom: 6, phase: 200, rounds: 4}
	}
	return chaosScale{rooms: 3, subsPerRoom: 4, phase: 40, rounds: 1}
}

const chaosEmail, chaosPassword = "ops@example.com", "chaos-instance-pass"

// chaosEnv is the environment of every instance in one test: one schema,
// one Redis key prefix, one admin.
func chaosEnv(t *testing.T, dbURL, redisURL, publicAddr string) map[string]string {
	prefix := make([]byte, 6)
	_, _ = rand.Read(prefix)
	env := map[string]string{
		"DATABASE_URL": dbURL, "TANDEM_REDIS_PREFIX": "t" + hex.EncodeToString(prefix) + ":",
		"TANDEM_ADMIN_EMAIL": chaosEmail, "TANDEM_ADMIN_PASSWORD": chaosPassword,
		"TANDEM_PUBLIC_URL": "http://" + publicAddr, "TANDEM_LOG_LEVEL": "warn",
	}
	if redisURL != "" {
		env["REDIS_URL"] = redisURL
	}
	return env
}

func login(t *testing.T, addr string) *client.Client {
	t.Helper()
	c, err := client.New("http://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Login(context.Background(), chaosEmail, chaosPassword); err != nil {
		t.Fatal(err)
	}
	return c
}

// stream is the workload every failure test runs through: writers append
// to every room without pause, counting what was acknowledged and what was
// refused; subscribers read every room, checking each event comes once and
// in order.
type stream struct {
	t           *testing.T
	agent       *client.Client
	ids         []string
	subs        []*client.Subscription
	subsPerRoom int

	acked    []atomic.Int64 // each room's last acknowledged seq
	mu       sync.Mutex
	refusals map[string]int // refused writes by error code
	stop     chan struct{}
	writers  sync.WaitGroup

	finalSeq []atomic.Int64
	results  []chan readResult
}

type readResult struct {
	last int64
	err  error
}

func startStream(t *testing.T, agent *client.Client, sc chaosScale) *stream {
	t.Helper()
	ctx := context.Background()
	s := &stream{t: t, agent: agent, subsPerRoom: sc.subsPerRoom, refusals: map[string]int{}, stop: make(chan struct{}),
		acked: make([]atomic.Int64, sc.rooms), finalSeq: make([]atomic.Int64, sc.rooms)}
	for i := 0; i < sc.rooms; i++ {
		r, err := agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelEmail,
			Customer: room.Customer{Name: fmt.Sprintf("Customer %d", i), Email: fmt.Sprintf("c%d@example.com", i)}})
		if err != nil {
			t.Fatal(err)
		}
		s.ids = append(s.ids, r.ID)
		for j := 0; j < sc.subsPerRoom; j++ {
			sub, err := agent.Subscribe(ctx, r.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sub.Close() })
			if err := sub.WaitSynced(ctx); err != nil {
				t.Fatal(err)
			}
			s.subs = append(s.subs, sub)
		}
	}
	for i := range s.ids {
		s.writers.Add(1)
		go s.write(i)
	}
	s.results = make([]chan readResult, len(s.subs))
	for i := range s.subs {
		s.results[i] = make(chan readResult, 1)
		go s.read(i)
	}
	t.Cleanup(s.halt)
	return s
}

func (s *stream) write(i int) {
	defer s.writers.Done()
	for {
		select {
		case <-s.stop:
			return
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		seq, err := s.agent.ReportActivity(ctx, s.ids[i], "typing", "")
		cancel()
		if err == nil {
			s.acked[i].Store(seq)
			continue
		}
		code := client.ErrorCode(err)
		if code == "" {
			code = "transport"
		}
		s.mu.Lock()
		s.refusals[code]++
		s.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
}

// read drains subscription i until it has every event of the room's final
// log, or fails on the first event out of place.
func (s *stream) read(i int) {
	sub, r := s.subs[i], i/s.subsPerRoom
	want := int64(1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for {
		if f := s.finalSeq[r].Load(); f > 0 && want > f {
			s.results[i] <- readResult{last: want - 1}
			return
		}
		nctx, ncancel := context.WithTimeout(ctx, 200*time.Millisecond)
		ev, err := sub.Next(nctx)
		ncancel()
		if err != nil {
			select {
			case <-sub.Done(): // the subscription gave up
			default:
				if ctx.Err() == nil {
					continue
				}
			}
			s.results[i] <- readResult{last: want - 1, err: err}
			return
		}
		if ev.Seq != want {
			s.results[i] <- readResult{last: want - 1, err: fmt.Errorf("got seq %d, want %d", ev.Seq, want)}
			return
		}
		want++
	}
}

// advance waits until every room has n more acknowledged events than now.
func (s *stream) advance(n int64) {
	s.t.Helper()
	from := make([]int64, len(s.acked))
	for i := range s.acked {
		from[i] = s.acked[i].Load()
	}
	deadline := time.Now().Add(60 * time.Second)
	for i := range s.acked {
		for s.acked[i].Load() < from[i]+n {
			if time.Now().After(deadline) {
				s.t.Fatalf("room %d: only %d events acknowledged in a minute (refusals %v)", i, s.acked[i].Load()-from[i], s.refused())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func (s *stream) refused() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.refusals))
	for k, v := range s.refusals {
		out[k] = v
	}
	return out
}

// halt stops the writers.
func (s *stream) halt() {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	s.writers.Wait()
}

// finish stops the writers, checks the log holds every acknowledged event,
// and waits for every subscriber to read the whole log once, in order.
// It returns how many subscribers had to reconnect on the way.
func (s *stream) finish() (reconnected int) {
	s.t.Helper()
	s.halt()
	ctx := context.Background()
	for r, id := range s.ids {
		var n int64 // the log's length, read page by page
		for {
			evs, err := s.agent.Events(ctx, id, n, 0)
			if err != nil {
				s.t.Fatal(err)
			}
			if len(evs) == 0 {
				break
			}
			for _, ev := range evs {
				if n++; ev.Seq != n {
					s.t.Fatalf("room %d: the log has seq %d at position %d", r, ev.Seq, n)
				}
			}
		}
		if n < s.acked[r].Load() {
			s.t.Fatalf("room %d: the log ends at %d, but %d was acknowledged", r, n, s.acked[r].Load())
		}
		s.finalSeq[r].Store(n)
	}
	for i, sub := range s.subs {
		res := <-s.results[i]
		if res.err != nil {
			s.t.Fatalf("subscriber %d (room %d): %v (after seq %d of %d)", i, i/s.subsPerRoom, res.err, res.last, s.finalSeq[i/s.subsPerRoom].Load())
		}
		if d, g := sub.Duplicates(), sub.Gaps(); d != 0 || g != 0 {
			s.t.Fatalf("subscriber %d: %d duplicates, %d gaps from the hub", i, d, g)
		}
		if sub.Reconnects() > 0 {
			reconnected++
		}
	}
	return reconnected
}

// metric reads one unlabelled counter or gauge from an instance's /metrics.
func metric(t *testing.T, addr, name string) float64 {
	t.Helper()
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return f
		}
	}
	t.Fatalf("%s not in the metrics of %s", name, addr)
	return 0
}

// Two instances behind a balancer, PostgreSQL and Redis: subscribers are
// spread over both; an instance is killed with SIGKILL mid-stream; every
// subscriber reconnects through the balancer to the survivor and ends with
// every event exactly once, in order. The long version kills one instance
// after another, starting a replacement each time.
func TestInstanceKilledMidStream(t *testing.T) {
	sc := chaos(t)
	redisURL := requireRedis(t)
	dbURL, _ := pgtest.EmptySchema(t)
	bin := tandemBinary(t)
	lb := newBalancer(t)
	env := chaosEnv(t, dbURL, redisURL, lb.addr)
	live := []*instance{startInstance(t, bin, env), startInstance(t, bin, env)}
	lb.setBackends(live[0].addr, live[1].addr)
	s := startStream(t, login(t, lb.addr), sc)

	for round := 0; round < sc.rounds; round++ {
		s.advance(sc.phase)
		victim := live[round%2]
		if err := victim.cmd.Process.Signal(os.Kill); err != nil {
			t.Fatal(err)
		}
		_ = victim.cmd.Wait()
		survivor := live[(round+1)%2]
		lb.setBackends(victim.addr, survivor.addr) // the balancer finds out by itself
		s.advance(sc.phase)                        // the writers go on through the survivor
		if round+1 < sc.rounds {
			live[round%2] = startInstance(t, bin, env)
			lb.setBackends(live[0].addr, live[1].addr)
		}
	}
	reconnected := s.finish()
	// The balancer spread the subscribers: the ones on a killed instance
	// had to come back.
	if reconnected == 0 {
		t.Fatal("no subscriber was on a killed instance; the test proved nothing")
	}
	t.Logf("%d of %d subscribers reconnected; refusals on the way: %v", reconnected, len(s.subs), s.refused())
}

// Redis is killed and restarted on the same port mid-stream, under two
// instances: writes go on (the database is the record), and fan-out comes
// back by itself: each instance re-subscribes and re-syncs its rooms from
// the store, so a subscriber on one instance receives events appended on
// the other with no write of its own instance to nudge it.
func TestRedisRestartedMidStream(t *testing.T) {
	sc := chaos(t)
	rs := startRedisServer(t)
	dbURL, _ := pgtest.EmptySchema(t)
	bin := tandemBinary(t)
	lb := newBalancer(t)
	env := chaosEnv(t, dbURL, rs.url(), lb.addr)
	a, b := startInstance(t, bin, env), startInstance(t, bin, env)
	lb.setBackends(a.addr, b.addr)
	s := startStream(t, login(t, lb.addr), sc)

	// A watcher connected to b only, on a room only a writes to after the
	// last restart.
	ctx := context.Background()
	onA, onB := login(t, a.addr), login(t, b.addr)
	quiet, err := onA.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelEmail,
		Customer: room.Customer{Name: "Quiet", Email: "quiet@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	watcher, err := onB.Subscribe(ctx, quiet.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()
	if err := watcher.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}

	resyncsBefore := metric(t, b.addr, "tandem_redis_resyncs_total")
	for round := 0; round < sc.rounds; round++ {
		s.advance(sc.phase)
		rs.kill()
		s.advance(sc.phase) // writes go on, unslowed, while Redis is away
		rs.start(t)
		s.advance(sc.phase)
	}
	reconnected := s.finish()

	// Fan-out is back: what a appends reaches b's watcher live, through
	// Redis, every event once and in order.
	const n = 20
	var last int64
	for i := 0; i < n; i++ {
		if last, err = onA.ReportActivity(ctx, quiet.ID, "typing", ""); err != nil {
			t.Fatal(err)
		}
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for want := int64(1); want <= last; want++ {
		ev, err := watcher.Next(wctx)
		if err != nil {
			t.Fatalf("the watcher on b stopped at seq %d of %d: %v", want-1, last, err)
		}
		if ev.Seq != want {
			t.Fatalf("the watcher on b got seq %d, want %d", ev.Seq, want)
		}
	}
	if d, g := watcher.Duplicates(), watcher.Gaps(); d != 0 || g != 0 {
		t.Fatalf("watcher: %d duplicates, %d gaps", d, g)
	}
	if got := metric(t, b.addr, "tandem_redis_resyncs_total"); got <= resyncsBefore {
		t.Fatalf("instance b never re-synced after Redis came back (resyncs %v)", got)
	}
	t.Logf("%d of %d subscribers reconnected; refusals on the way: %v", reconnected, len(s.subs), s.refused())
}

// PostgreSQL becomes unreachable under a running instance: writes are
// refused with 503 store_unavailable, never half-done; the instance stays
// up; when the database is back it serves again without a restart, and
// every subscriber ends with the whole log, once, in order — every
// acknowledged event in it.
func TestDatabaseUnreachableMidStream(t *testing.T) {
	sc := chaos(t)
	redisURL := requireRedis(t)
	dbURL, _ := pgtest.EmptySchema(t)
	bin := tandemBinary(t)
	// The instances reach PostgreSQL through a proxy the test cuts.
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	pg := newBalancer(t)
	pg.setBackends(u.Host)
	u.Host = pg.addr
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	lb := newBalancer(t)
	env := chaosEnv(t, u.String(), redisURL, lb.addr)
	a, b := startInstance(t, bin, env), startInstance(t, bin, env)
	lb.setBackends(a.addr, b.addr)
	s := startStream(t, login(t, lb.addr), sc)

	for round := 0; round < sc.rounds; round++ {
		s.advance(sc.phase)
		before := s.refused()["store_unavailable"]
		pg.cut()
		deadline := time.Now().Add(30 * time.Second)
		for s.refused()["store_unavailable"] < before+2*len(s.ids) {
			if time.Now().After(deadline) {
				t.Fatalf("no writes refused with store_unavailable while the database is away: %v", s.refused())
			}
			time.Sleep(20 * time.Millisecond)
		}
		for _, in := range []*instance{a, b} {
			res, err := http.Get("http://" + in.addr + "/readyz")
			if err != nil {
				t.Fatalf("instance %s died with the database: %v", in.addr, err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("/readyz of %s while the database is away: %d", in.addr, res.StatusCode)
			}
		}
		pg.setBackends(hostOf(t, dbURL))
		s.advance(sc.phase) // the same processes serve again
	}
	reconnected := s.finish()
	for code, n := range s.refused() {
		if code != "store_unavailable" {
			t.Fatalf("%d writes refused with %q; only store_unavailable is expected", n, code)
		}
	}
	t.Logf("%d of %d subscribers reconnected; refusals on the way: %v", reconnected, len(s.subs), s.refused())
}

func hostOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}
