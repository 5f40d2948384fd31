package main

import (
	"context"
	crand "crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandemhq/tandem/client"
)

// phase is where a run stands.
type phase int32

const (
	phaseSetup    phase = iota // creating rooms and opening their subscriptions
	phaseSettle                // holding the subscriptions idle (-settle)
	phaseMain                  // publishing at the configured rate, with churn
	phaseRecovery              // publishing while some subscriptions are away
	phaseDrain                 // publishing stopped; waiting for the subscriptions
	phaseDone
)

func (p phase) String() string {
	return [...]string{"setup", "settle", "main", "recovery", "drain", "done"}[p]
}

// bench is one run: its clients, rooms, subscriptions and counters.
type bench struct {
	cfg    config
	stderr io.Writer
	outMu  sync.Mutex // one line at a time on stderr
	start  time.Time
	// base outlives an interrupt: the POSTs in flight, the drain and the
	// clean-up still run after Ctrl-C, each with its own time limit.
	base      context.Context
	refPrefix string // of this run's activity refs

	tr          *http.Transport
	hc          *http.Client
	metricsHTTP *http.Client
	agents      []*client.Client // signed in, one per hub

	mu    sync.Mutex // guards rooms, conns and hubStats.conns during setup
	rooms []*benchRoom
	conns []*conn
	hubs  []*hubStats

	// subCtx bounds every subscription; it ends after they were asked to
	// close, or when the run returns.
	subCtx    context.Context
	subCancel context.CancelFunc
	connWG    sync.WaitGroup

	phase       atomic.Int32
	interrupted atomic.Bool
	created     atomic.Int64 // rooms created so far
	nextRoom    atomic.Uint64
	nextRef     atomic.Uint64
	sent        atomic.Int64 // activity POSTs started
	acked       atomic.Int64 // activity POSTs answered 201
	skipped     atomic.Int64 // sends the pacer wanted but no sender was free for
	deliveries  atomic.Int64 // events received by all subscriptions
	churned     atomic.Int64 // subscriptions closed and reopened by churn
	open        atomic.Int64 // subscriptions open now
	lat         latencies    // publish → agent receive, main phase
	ackLat      latencies    // publish → 201
	sends       sendLog
	errs        errorCounts
	recovery    recoveryStats

	// Timings of the run, since start.
	loadStart, mainEnd, loadEnd, drainTook time.Duration
	settled                                time.Duration // how long the sockets were held idle
	collectedAtBaseline                    bool          // every hub collected its garbage before the baseline
	delivAtStart, delivAtEnd               int64
	ackedAtStart, ackedAtEnd               int64
	drained                                bool
}

// benchRoom is a room of the run.
type benchRoom struct {
	id       string
	idx      int
	customer *client.Client // holds the room cookie
	acked    atomic.Int64   // the highest seq an activity POST was answered with
	final    int64          // the room's seq once publishing stopped
	finalOK  bool
}

func newBench(ctx context.Context, cfg config, stderr io.Writer) *bench {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: cfg.Senders + cfg.Setup + 8,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		// WebSockets are HTTP/1.1 upgrades; never negotiate HTTP/2.
		TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
	b := &bench{
		cfg:         cfg,
		stderr:      stderr,
		start:       time.Now(),
		base:        context.WithoutCancel(ctx),
		refPrefix:   "hb" + strings.ToLower(crand.Text()[:6]) + "-",
		tr:          tr,
		hc:          &http.Client{Transport: tr, Timeout: 30 * time.Second},
		metricsHTTP: &http.Client{Transport: tr, Timeout: 10 * time.Second},
	}
	b.subCtx, b.subCancel = context.WithCancel(b.base)
	for _, h := range cfg.Hubs {
		b.hubs = append(b.hubs, newHubStats(h))
	}
	return b
}

func (b *bench) elapsed() time.Duration { return time.Since(b.start) }

// logf writes a line to stderr.
func (b *bench) logf(format string, args ...any) {
	b.outMu.Lock()
	defer b.outMu.Unlock()
	fmt.Fprintf(b.stderr, format+"\n", args...)
}

// runBench runs the whole bench and returns its report. ctx ending (Ctrl-C)
// stops the load early; the report is then of what ran. Errors are
// returned only when nothing could be measured (the hub cannot be reached,
// the credentials are wrong…).
func runBench(ctx context.Context, cfg config, stderr io.Writer) (*report, error) {
	b := newBench(ctx, cfg, stderr)
	defer b.tr.CloseIdleConnections()
	defer b.subCancel()
	stopNotice := context.AfterFunc(ctx, func() {
		b.interrupted.Store(true)
		b.logf("hubbench: interrupted: stopping and reporting (Ctrl-C again to quit at once)")
	})
	defer stopNotice()

	if err := b.login(ctx); err != nil {
		return nil, err
	}
	defer b.logout()
	b.scrapeAll(keepBaseline)
	stopProgress := b.startProgress()
	defer stopProgress()

	err := b.setup(ctx)
	if err == nil && ctx.Err() == nil && len(b.rooms) > 0 {
		b.settle(ctx)
	}
	if err == nil && ctx.Err() == nil && len(b.rooms) > 0 {
		b.load(ctx)
	}
	b.finish()
	if err != nil {
		return nil, err
	}
	stopProgress()
	return b.report(), nil
}

// login signs in on the first hub and gives the session to a client of
// every other one: sessions live in the store, shared by all instances.
func (b *bench) login(ctx context.Context) error {
	c, err := client.New(b.cfg.Hubs[0], client.WithHTTPClient(b.hc))
	if err != nil {
		return err
	}
	lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := c.Login(lctx, b.cfg.Email, b.cfg.Password); err != nil {
		return fmt.Errorf("sign in as %s on %s: %w", b.cfg.Email, b.cfg.Hubs[0], err)
	}
	b.agents = append(b.agents, c)
	for _, h := range b.cfg.Hubs[1:] {
		c, err := client.New(h, client.WithHTTPClient(b.hc), client.WithToken(c.Token()))
		if err != nil {
			return err
		}
		if _, err := c.Me(lctx); err != nil {
			return fmt.Errorf("use the session on %s: %w", h, err)
		}
		b.agents = append(b.agents, c)
	}
	return nil
}

// logout ends the run's agent session, so that runs leave none behind.
func (b *bench) logout() {
	ctx, cancel := context.WithTimeout(b.base, 10*time.Second)
	defer cancel()
	if err := b.agents[0].Logout(ctx); err != nil {
		b.logf("hubbench: sign out: %v", err)
	}
}

// settle holds every subscription idle for -settle, then reads the hubs'
// gauges: with the baseline setup read before the first socket, they give
// what an idle socket costs (idleFigures).
func (b *bench) settle(ctx context.Context) {
	if b.cfg.Settle <= 0 {
		return
	}
	b.phase.Store(int32(phaseSettle))
	b.scrapeAll(keepSettling)
	start := b.elapsed()
	sleepCtx(ctx, b.cfg.Settle)
	b.settled = b.elapsed() - start
	b.scrapeAll(keepSettled)
	// The collected heap compares two readings after a collection, or
	// none.
	if b.collectedAtBaseline && b.collectGarbage() {
		b.scrapeAll(keepCollected)
	}
}

// load runs the main phase and the recovery phase, publishing throughout.
func (b *bench) load(ctx context.Context) {
	b.phase.Store(int32(phaseMain))
	peakCtx, stopPeaks := context.WithCancel(b.base)
	peaksDone := make(chan struct{})
	go func() { defer close(peaksDone); b.samplePeaks(peakCtx) }()
	defer func() { stopPeaks(); <-peaksDone }()

	b.loadStart = b.elapsed()
	b.delivAtStart, b.ackedAtStart = b.deliveries.Load(), b.acked.Load()
	pubCtx, stopPub := context.WithCancel(b.base)
	pubDone := make(chan struct{})
	go func() { defer close(pubDone); b.publish(pubCtx) }()

	churnCtx, stopChurn := context.WithCancel(ctx)
	churnDone := make(chan struct{})
	go func() { defer close(churnDone); b.churn(churnCtx) }()
	sleepCtx(ctx, b.cfg.Duration)
	stopChurn()
	<-churnDone
	b.mainEnd = b.elapsed()

	if b.cfg.Recover > 0 && ctx.Err() == nil {
		b.phase.Store(int32(phaseRecovery))
		b.recoveryPhase(ctx)
	}
	stopPub()
	<-pubDone
	b.loadEnd = b.elapsed()
	b.delivAtEnd, b.ackedAtEnd = b.deliveries.Load(), b.acked.Load()
}

// samplePeaks scrapes every hub now, with all connections held, then
// every two seconds, keeping the highest gauges.
func (b *bench) samplePeaks(ctx context.Context) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		b.scrapeAll(keepPeak)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// scrapeAll scrapes every hub at once.
func (b *bench) scrapeAll(keep func(*hubStats, promMetrics)) {
	ctx, cancel := context.WithTimeout(b.base, 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for _, h := range b.hubs {
		wg.Add(1)
		go func() { defer wg.Done(); b.scrapeInto(ctx, h, keep) }()
	}
	wg.Wait()
}

// churn closes and reopens a fraction of the subscriptions every second,
// at random, until ctx ends.
func (b *bench) churn(ctx context.Context) {
	if b.cfg.Churn <= 0 || len(b.conns) == 0 {
		return
	}
	const every = 100 * time.Millisecond
	t := time.NewTicker(every)
	defer t.Stop()
	var credit float64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		credit += b.cfg.Churn * float64(len(b.conns)) * every.Seconds()
		for ; credit >= 1; credit-- {
			b.conns[rand.IntN(len(b.conns))].request(request{act: actChurn})
		}
	}
}

// parallel calls f(0..n-1) on at most workers goroutines, and stops
// handing out work when ctx ends.
func parallel(ctx context.Context, workers, n int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

// errNoOutbox says the hub cannot show room links.
var errNoOutbox = errors.New("the hub has no dev outbox (GET /api/v1/dev/outbox answered 404); hubbench reads room links from it, so start the hub without an SMS or email provider")
