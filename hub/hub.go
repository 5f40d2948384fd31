package hub

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"golang.org/x/crypto/bcrypt"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Config is what a Hub needs. Store, Broker and PublicURL are required; the
// rest has defaults.
type Config struct {
	Store     store.Store
	Broker    Broker
	PublicURL *url.URL // the address customers and browsers use: links and Origin checks
	Logger    zerolog.Logger

	// Sender delivers outbox messages.
	Sender Sender
	// DevOutbox names the channels whose messages are only kept and shown
	// (GET /api/v1/dev/outbox lists their messages, links included) by
	// the dev outbox. Messages of other channels, which go to real
	// customers, are never listed there: their links are the customers'.
	DevOutbox []room.Channel
	// Callbacks read providers' delivery status callbacks, by provider
	// name ("twilio"), on POST /api/v1/hooks/{provider}/status.
	Callbacks map[string]StatusCallback

	// Web is the embedded UI (index.html, room.html and static files);
	// nil serves the API only.
	Web fs.FS

	LinkTTL    time.Duration // how long a room link is valid; default 7 days
	SessionTTL time.Duration // how long an agent stays signed in; default 14 days
	ResetTTL   time.Duration // how long a password reset link is valid; default 1 hour
	BcryptCost int           // default bcrypt.DefaultCost

	QueueSize    int           // live frames a WebSocket may have waiting before it is fed from the store instead; default 256
	WriteTimeout time.Duration // deadline of each WebSocket write; default 10 s
	PingInterval time.Duration // WebSocket keep-alive pings; default 30 s

	// LoginPerMinute bounds login and password-reset attempts per client
	// address and per email; default 10.
	LoginPerMinute int

	// Instance names this hub instance in the store's presence rows;
	// default a new random id at each start.
	Instance string
	// PresenceTTL is how long this instance's presence rows last without
	// its heartbeat (which runs every third of it): a customer connected
	// to an instance that dies is recorded as left within PresenceTTL plus
	// a third of it. Default 30 s.
	PresenceTTL time.Duration

	// ReminderInterval is how often the hub looks for customers to remind
	// (accounts' reminder settings); default 1 minute.
	ReminderInterval time.Duration
	// FrameAncestors are the origins that may embed the hub's pages in a
	// frame (a CRM showing the console): "https://crm.example.com",
	// "https://*.example.com". Empty: no one (frame-ancestors 'none').
	FrameAncestors []string
	// MetricsToken, if set, is the bearer token GET /metrics asks for.
	MetricsToken string
	// Collectors are more Prometheus collectors served on /metrics (the
	// broker's, say).
	Collectors []prometheus.Collector

	// Now is the clock; default time.Now. Tests move it.
	Now func() time.Time
}

func (c *Config) setDefaults() error {
	if c.Store == nil || c.Broker == nil || c.PublicURL == nil {
		return errors.New("hub: Store, Broker and PublicURL are required")
	}
	for _, a := range c.FrameAncestors {
		if !ValidFrameAncestor(a) {
			return fmt.Errorf("hub: frame ancestor %q must be an origin such as https://crm.example.com or https://*.example.com", a)
		}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.LinkTTL, 7*24*time.Hour)
	def(&c.SessionTTL, 14*24*time.Hour)
	def(&c.ResetTTL, time.Hour)
	def(&c.WriteTimeout, 10*time.Second)
	def(&c.PingInterval, 30*time.Second)
	def(&c.PresenceTTL, 30*time.Second)
	def(&c.ReminderInterval, time.Minute)
	if c.Instance == "" {
		c.Instance = room.NewID("in")
	}
	if c.BcryptCost == 0 {
		c.BcryptCost = bcrypt.DefaultCost
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 256
	}
	if c.LoginPerMinute <= 0 {
		c.LoginPerMinute = 10
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// ValidFrameAncestor reports whether a is an origin a CSP frame-ancestors
// list may hold: http(s)://host[:port], the host possibly starting with
// "*.", nothing else (no path, no quote, no space).
func ValidFrameAncestor(a string) bool {
	u, err := url.Parse(a)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return false
	}
	host := strings.TrimPrefix(u.Hostname(), "*.")
	return host != "" && !strings.ContainsAny(host, "*' ;,") && u.Scheme+"://"+u.Host == a
}

// Hub serves Tandem's API. Create it with New; serve Handler; stop it with
// Shutdown.
type Hub struct {
	cfg      Config
	store    store.Store
	log      zerolog.Logger
	router   *mux.Router
	origin   string // scheme://host[:port] of the public URL
	csp      string // the Content-Security-Policy of every answer
	topics   *topics
	feeds    *feeds
	presence *presence
	limiter  *limiter
	writers  roomLocks
	instance string
	metrics  *metrics

	// ctx lives as long as the hub; Shutdown cancels it, which closes every
	// WebSocket with "going away".
	ctx     context.Context
	cancel  context.CancelFunc
	mu      sync.Mutex
	closing bool
	conns   sync.WaitGroup
	bg      sync.WaitGroup // background loops (the dispatcher)
	stats   stats
	kick    chan struct{}
}

// New returns a Hub ready to serve.
func New(cfg Config) (*Hub, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{
		cfg:    cfg,
		store:  cfg.Store,
		log:    cfg.Logger.With().Str("component", "hub").Logger(),
		origin: cfg.PublicURL.Scheme + "://" + cfg.PublicURL.Host,
		ctx:    ctx,
		cancel: cancel,
		kick:   make(chan struct{}, 1),
	}
	h.instance = cfg.Instance
	ancestors := "'none'"
	if len(cfg.FrameAncestors) > 0 {
		ancestors = strings.Join(cfg.FrameAncestors, " ")
	}
	h.csp = "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors " + ancestors + "; base-uri 'none'; form-action 'self'"
	h.topics = newTopics(cfg.Broker, h.log)
	h.metrics = newMetrics(h, cfg.Collectors)
	h.topics.metrics = h.metrics
	h.feeds = &feeds{broker: cfg.Broker, accounts: map[string]*feedRoom{}}
	h.presence = newPresence()
	h.limiter = newLimiter(cfg.LoginPerMinute, time.Minute, cfg.Now)
	h.router = h.routes()
	if cfg.Sender != nil {
		h.bg.Add(1)
		go h.dispatch()
	}
	h.bg.Add(2)
	go h.presenceLoop()
	go h.reminderLoop()
	return h, nil
}

// Handler returns the hub's HTTP handler.
func (h *Hub) Handler() http.Handler { return h.router }

// Shutdown closes every WebSocket with "going away" (1001), so clients
// reconnect elsewhere, records customers as left, and waits for the
// connections to finish or ctx to end. Stop accepting new requests first
// (http.Server.Shutdown): hijacked WebSockets are not the server's to close.
// Every event acknowledged before Shutdown is already committed.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	h.mu.Unlock()
	h.cancel()
	done := make(chan struct{})
	go func() { h.conns.Wait(); h.bg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stats counts what operators and tests want to know; the metrics endpoint
// reads them.
type stats struct {
	slowCloses atomic.Int64 // WebSockets closed because they did not keep up
	conns      atomic.Int64 // WebSockets open now
}

// now is the hub's clock, at the precision the stores keep.
func (h *Hub) now() time.Time {
	return h.cfg.Now().UTC().Truncate(time.Microsecond)
}
