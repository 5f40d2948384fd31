package api

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/hub/blob"
	"github.com/tandemhq/tandem/hub/payment"
	"github.com/tandemhq/tandem/hub/seal"
	"github.com/tandemhq/tandem/hub/sender"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Config is what one hub instance needs. Store, Broker and PublicURL are
// required; the rest has defaults.
type Config struct {
	Store     store.Store
	Broker    hub.Broker
	PublicURL *url.URL // the address customers and browsers use: links and Origin checks
	Logger    zerolog.Logger

	// Sender delivers outbox messages.
	Sender sender.Sender
	// Blobs keeps files: the asset library's PDFs, rooms' documents, the
	// customers' drawings and the completed PDFs. Nil refuses uploads.
	Blobs blob.Store
	// MaxPDFBytes is the largest PDF an upload may be; default 25 MiB.
	// MaxImageBytes is the largest image attached; default 10 MiB.
	MaxPDFBytes   int64
	MaxImageBytes int64
	// OnCompleted, if set, gets each document completed (its PDF and the
	// room's log).
	OnCompleted app.CompletionHook
	// Sealer seals completed documents with their audit trail (nil: none
	// is sealed); Verifier checks signed PDFs on the public verify page
	// (nil: the page says this hub cannot).
	Sealer   seal.Sealer
	Verifier seal.Verifier
	// Payments collects payment requests (payment/sandbox by default,
	// payment/stripe); nil refuses checkouts.
	Payments payment.Provider
	// DevOutbox names the channels whose messages are only kept and shown
	// (GET /api/v1/dev/outbox lists their messages, links included) by
	// the dev outbox. Messages of other channels, which go to real
	// customers, are never listed there: their links are the customers'.
	DevOutbox []room.Channel
	// Callbacks read providers' delivery status callbacks, by provider
	// name ("twilio"), on POST /api/v1/hooks/{provider}/status.
	Callbacks map[string]sender.StatusCallback

	// Web is the embedded UI (index.html, room.html, link.html and static
	// files); nil serves the API only.
	Web fs.FS

	LinkTTL    time.Duration // how long a room link is valid; default 7 days
	SignInTTL  time.Duration // how long an agent stays signed in; default 14 days
	ResetTTL   time.Duration // how long a password reset link is valid; default 1 hour
	BcryptCost int           // default bcrypt.DefaultCost

	QueueSize    int           // live frames a WebSocket may have waiting before it is fed from the store instead; default 256
	WriteTimeout time.Duration // deadline of each WebSocket write; default 10 s
	PingInterval time.Duration // WebSocket keep-alive pings; default 30 s
	// CredentialCheck is how often credentials with open sockets are
	// checked in the store, the safety net for a lost signal (a
	// revocation ends them on every instance at once); default 30 s.
	CredentialCheck time.Duration

	// LoginPerMinute bounds sign-in and password-reset attempts per
	// (email, client address), and five times as many per client address;
	// default 10.
	LoginPerMinute int
	// CustomerWritesPerMinute bounds what a room's customer writes to it
	// (activity, and filling, viewing, finishing or declining documents),
	// per room and instance; default CustomerWritesPerMinute (120).
	CustomerWritesPerMinute int
	// TrustedProxies are the load balancers and proxies in front of the
	// hub: from them, the client address is read from X-Forwarded-For.
	TrustedProxies []netip.Prefix

	// Instance names this instance in the store's presence rows; default a
	// new random id at each start.
	Instance string
	// PresenceTTL: see app.Config. Default 30 s.
	PresenceTTL time.Duration
	// ReminderInterval is how often the instance looks for customers to
	// remind; default 1 minute.
	ReminderInterval time.Duration
	// Committers, MaxBatch and CachedRooms: see app.Config (how many
	// batches of changes are committed at once, how many changes a batch
	// holds, how many rooms' states are kept). Defaults 1, 256 and 4096.
	Committers  int
	MaxBatch    int
	CachedRooms int
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

// Server is one hub instance: its real-time core, its use cases and its
// HTTP edge. Serve Handler; stop it with Shutdown.
type Server struct {
	cfg     Config
	core    *hub.Core
	app     *app.App
	log     zerolog.Logger
	router  *mux.Router
	origin  string // scheme://host[:port] of the public URL
	csp     string // the Content-Security-Policy of every answer
	limiter *limiter
}

// New wires a hub instance and starts its workers.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Broker == nil || cfg.PublicURL == nil {
		return nil, errors.New("hub: Store, Broker and PublicURL are required")
	}
	for _, a := range cfg.FrameAncestors {
		if !ValidFrameAncestor(a) {
			return nil, fmt.Errorf("hub: frame ancestor %q must be an origin such as https://crm.example.com or https://*.example.com", a)
		}
	}
	if cfg.LoginPerMinute <= 0 {
		cfg.LoginPerMinute = 10
	}
	if cfg.CustomerWritesPerMinute <= 0 {
		cfg.CustomerWritesPerMinute = CustomerWritesPerMinute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, log: cfg.Logger.With().Str("component", "api").Logger(), origin: cfg.PublicURL.Scheme + "://" + cfg.PublicURL.Host}
	var core *hub.Core
	a, err := app.New(app.Config{
		Store: cfg.Store, PublicURL: cfg.PublicURL, Logger: cfg.Logger, Sender: cfg.Sender,
		Blobs: cfg.Blobs, MaxPDFBytes: cfg.MaxPDFBytes, MaxImageBytes: cfg.MaxImageBytes, OnCompleted: cfg.OnCompleted,
		Sealer: cfg.Sealer, Verifier: cfg.Verifier, Payments: cfg.Payments,
		// The core is made next; events are only published once it is.
		Publisher: publisherFunc(func(account string, evs []room.Event) { core.Publish(account, evs) }),
		Revoker:   revokerFunc(func(keys ...string) { core.EndCredentials(keys...) }),
		LinkTTL:   cfg.LinkTTL, SignInTTL: cfg.SignInTTL, ResetTTL: cfg.ResetTTL, BcryptCost: cfg.BcryptCost,
		Instance: cfg.Instance, PresenceTTL: cfg.PresenceTTL, ReminderInterval: cfg.ReminderInterval, Now: cfg.Now,
		Committers: cfg.Committers, MaxBatch: cfg.MaxBatch, CachedRooms: cfg.CachedRooms,
	})
	if err != nil {
		return nil, err
	}
	core, err = hub.New(hub.Config{
		Log: cfg.Store, Broker: cfg.Broker, Presence: a, Credentials: a, Logger: cfg.Logger,
		QueueSize: cfg.QueueSize, WriteTimeout: cfg.WriteTimeout, PingInterval: cfg.PingInterval, CredentialCheck: cfg.CredentialCheck,
		Collectors: cfg.Collectors, Now: cfg.Now,
	})
	if err != nil {
		return nil, err
	}
	s.core, s.app = core, a
	ancestors := "'none'"
	if len(cfg.FrameAncestors) > 0 {
		ancestors = strings.Join(cfg.FrameAncestors, " ")
	}
	s.csp = "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors " + ancestors + "; base-uri 'none'; form-action 'self'"
	s.limiter = newLimiter(cfg.LoginPerMinute, time.Minute, cfg.Now)
	s.router = s.routes()
	a.Start(core)
	return s, nil
}

// publisherFunc is a function as an app.Publisher.
type publisherFunc func(account string, evs []room.Event)

func (f publisherFunc) Publish(account string, evs []room.Event) { f(account, evs) }

// revokerFunc is a function as an app.Revoker.
type revokerFunc func(keys ...string)

func (f revokerFunc) EndCredentials(keys ...string) { f(keys...) }

// Handler returns the instance's HTTP handler.
func (s *Server) Handler() http.Handler { return s.router }

// App is the instance's use cases.
func (s *Server) App() *app.App { return s.app }

// Core is the instance's real-time core.
func (s *Server) Core() *hub.Core { return s.core }

// Shutdown closes every WebSocket with "going away" (1001), so clients
// reconnect elsewhere, records customers as left, stops the workers, and
// waits for it all or ctx to end. Stop accepting new requests first
// (http.Server.Shutdown): hijacked WebSockets are not the server's to
// close. Every event acknowledged before Shutdown is already committed.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.core.Shutdown(ctx)
	s.app.Stop()
	return err
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

// now is the instance's clock, at the precision the stores keep.
func (s *Server) now() time.Time {
	return s.cfg.Now().UTC().Truncate(time.Microsecond)
}
