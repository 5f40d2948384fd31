package hub

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Log is what the core reads from the store: a room's state and log, for
// snapshots and resume, and the rooms of an account that changed, for the
// account feed. store.Store has it.
type Log interface {
	Room(ctx context.Context, account, id string) (room.State, error)
	Events(ctx context.Context, account, roomID string, after int64, limit int) ([]room.Event, error)
	// EventsJSON is Events with each event's frame as the store builds it,
	// so that resuming agents' sockets write it without encoding it again.
	EventsJSON(ctx context.Context, account, roomID string, after int64, limit int) ([]store.EventJSON, error)
	ChangedRooms(ctx context.Context, account string, q store.ChangeQuery) ([]room.State, error)
}

var _ Log = store.Store(nil)

// Config is what a Core needs. Log, Broker and Presence are required; the
// rest has defaults.
type Config struct {
	Log    Log
	Broker Broker
	// Presence records who is connected; the use cases implement it.
	Presence PresenceRecorder
	Logger   zerolog.Logger

	QueueSize    int           // live frames a WebSocket may have waiting before it is fed from the store instead; default 256
	WriteTimeout time.Duration // deadline of each WebSocket write; default 10 s
	PingInterval time.Duration // WebSocket keep-alive pings; default 30 s
	// Credentials is the instance's cache of resolved credentials, which
	// the core empties of what ended on any instance; nil for none.
	Credentials CredentialCache
	// CredentialCheck is how often credentials with open sockets are
	// checked in the store: the safety net for an Ended signal lost,
	// since a signal ends them at once. Default 30 s.
	CredentialCheck time.Duration
	// CredentialChecks bounds how many credentials one check asks the
	// store about, those checked longest ago first; default 1000.
	CredentialChecks int
	// Collectors are more Prometheus collectors served with the core's
	// (the broker's, say).
	Collectors []prometheus.Collector
	// Now is the clock; default time.Now. Tests move it.
	Now func() time.Time
}

func (c *Config) setDefaults() error {
	if c.Log == nil || c.Broker == nil || c.Presence == nil {
		return errors.New("hub: Log, Broker and Presence are required")
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 30 * time.Second
	}
	if c.CredentialCheck <= 0 {
		c.CredentialCheck = DefaultCredentialCheck
	}
	if c.CredentialChecks <= 0 {
		c.CredentialChecks = DefaultCredentialChecks
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 256
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// Defaults of the credentials' safety net (Config.CredentialCheck and
// CredentialChecks). Ended signals end credentials at once; the check
// only catches a signal lost without a Resync, so it can be rare: at 30 s
// and 1000 sign-ins per check (two reads each), a hub with 10 000
// agents' sockets reads the store about 67 times a second at most, not
// thousands of times every few seconds, and a lost signal still ends up
// within 30 s for the first thousand credentials held (30 s more per
// thousand beyond).
const (
	DefaultCredentialCheck  = 30 * time.Second
	DefaultCredentialChecks = 1000
)

// Core is the real-time core of one hub instance. Create it with New; stop
// it with Shutdown.
type Core struct {
	cfg      Config
	log      zerolog.Logger
	topics   *topics
	presence *presence
	creds    credentials
	metrics  *metrics

	// ctx lives as long as the core; Shutdown cancels it, which closes
	// every WebSocket with "going away".
	ctx     context.Context
	cancel  context.CancelFunc
	mu      sync.Mutex
	closing bool
	conns   sync.WaitGroup
	bg      sync.WaitGroup // the credential check and the Ended subscription
	recheck chan struct{}  // asks the credential check for a full round (Resync)
	stats   stats
}

// stats counts what operators and tests want to know; the metrics read
// them.
type stats struct {
	slowCloses atomic.Int64 // WebSockets closed because they did not keep up
	conns      atomic.Int64 // WebSockets open now
}

// New returns a Core ready to serve.
func New(cfg Config) (*Core, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Core{cfg: cfg, log: cfg.Logger.With().Str("component", "hub").Logger(), ctx: ctx, cancel: cancel}
	c.metrics = newMetrics(c, cfg.Collectors)
	c.topics = newTopics(cfg.Broker, c.metrics, c.log)
	c.presence = newPresence(cfg.Presence, c.log)
	c.creds.byKey, c.creds.now = map[string]*credential{}, c.now
	c.recheck = make(chan struct{}, 1)
	unsubscribe, err := cfg.Broker.SubscribeEnded(ctx, endedReceiver{c})
	c.bg.Add(2)
	go func() { defer c.bg.Done(); c.checkCredentials() }()
	go func() { defer c.bg.Done(); c.listenEnded(unsubscribe, err) }()
	return c, nil
}

// Publish fans committed events of one change out: each on its room's
// topic, and the last one on the account's topic, one wake-up per change
// for the account feeds. The events are durable already: a publish that
// fails is healed by subscribers reading the store.
func (c *Core) Publish(account string, evs []room.Event) {
	if len(evs) == 0 {
		return
	}
	c.metrics.appended.Add(float64(len(evs)))
	for _, ev := range evs {
		if err := c.cfg.Broker.Publish(c.ctx, RoomTopic(ev.Room), ev); err != nil {
			c.log.Warn().Err(err).Str("room", ev.Room).Int64("seq", ev.Seq).Msg("publish event")
		}
	}
	if err := c.cfg.Broker.Publish(c.ctx, AccountTopic(account), evs[len(evs)-1]); err != nil {
		c.log.Warn().Err(err).Str("account", account).Msg("publish account change")
	}
}

// Registry is the core's Prometheus registry, in which others may
// register their series too; the edge serves it on /metrics.
func (c *Core) Registry() *prometheus.Registry { return c.metrics.reg }

// OpenConns is how many WebSockets are open on this instance.
func (c *Core) OpenConns() int64 { return c.stats.conns.Load() }

// SlowCloses is how many WebSockets were closed for not keeping up.
func (c *Core) SlowCloses() int64 { return c.stats.slowCloses.Load() }

// Shutdown closes every WebSocket with "going away" (1001), so clients
// reconnect elsewhere, records customers as left, and waits for the
// connections to finish or ctx to end. Stop accepting new requests first
// (http.Server.Shutdown): hijacked WebSockets are not the server's to close.
func (c *Core) Shutdown(ctx context.Context) error {
	c.mu.Lock()
	c.closing = true
	c.mu.Unlock()
	c.cancel()
	done := make(chan struct{})
	go func() { c.conns.Wait(); c.bg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Done is closed when the core shuts down.
func (c *Core) Done() <-chan struct{} { return c.ctx.Done() }

// track counts a new connection unless the core is shutting down.
func (c *Core) track() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return false
	}
	c.conns.Add(1)
	return true
}

// now is the core's clock, at the precision the stores keep.
func (c *Core) now() time.Time {
	return c.cfg.Now().UTC().Truncate(time.Microsecond)
}
