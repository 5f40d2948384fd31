package app

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/crypto/bcrypt"

	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/hub/blob"
	"github.com/tandemhq/tandem/hub/payment"
	"github.com/tandemhq/tandem/hub/seal"
	"github.com/tandemhq/tandem/hub/sender"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Publisher fans committed events out to every connection in their rooms
// and account: the real-time core (*hub.Core).
type Publisher interface {
	Publish(account string, evs []room.Event)
}

var _ Publisher = (*hub.Core)(nil)

// Config is what an App needs. Store, Publisher and PublicURL are
// required; the rest has defaults.
type Config struct {
	Store     store.Store
	Publisher Publisher
	PublicURL *url.URL // the address in links sent to customers and agents
	Logger    zerolog.Logger
	// Revoker ends credentials on every instance when the use cases
	// revoke them (a sign-out, a revoked link); nil ends them in this
	// App's cache only.
	Revoker Revoker
	// Sender delivers outbox messages; nil runs no dispatcher (messages
	// wait in the outbox).
	Sender sender.Sender
	// Blobs keeps files: the asset library's PDFs. Nil refuses uploads.
	Blobs blob.Store
	// MaxPDFBytes is the largest PDF an upload may be; default
	// DefaultMaxPDFBytes (25 MiB). MaxImageBytes is the largest image
	// attached to a room; default DefaultMaxImageBytes (10 MiB).
	MaxPDFBytes   int64
	MaxImageBytes int64
	// OnCompleted, if set, is called once a document is completed, with
	// the completed PDF and the room's log.
	OnCompleted CompletionHook
	// Sealer seals completed documents with their audit trail; nil seals
	// none (they stay "sealing pending" until a hub with one takes them).
	Sealer seal.Sealer
	// Verifier checks sealed PDFs for the public verify page; nil answers
	// that this hub cannot check them.
	Verifier seal.Verifier
	// Payments collects the rooms' payment requests (payment/sandbox,
	// payment/stripe); nil refuses checkouts with payments_unavailable.
	Payments payment.Provider

	LinkTTL   time.Duration // how long a room link is valid; default 7 days
	SignInTTL time.Duration // how long an agent stays signed in; default 14 days
	ResetTTL  time.Duration // how long a password reset link is valid; default 1 hour
	// InvitationTTL is how long the link of a user's invitation is
	// valid; default 7 days.
	InvitationTTL time.Duration
	BcryptCost    int // default bcrypt.DefaultCost

	// Instance names this instance in the store's presence rows; default
	// a new random id at each start.
	Instance string
	// PresenceTTL is how long this instance's presence rows last without
	// its heartbeat (which runs every third of it): a customer connected
	// to an instance that dies is recorded as left within PresenceTTL plus
	// a third of it. Default 30 s.
	PresenceTTL time.Duration
	// ReminderInterval is how often the instance looks for customers to
	// remind (accounts' reminder settings); default 1 minute.
	ReminderInterval time.Duration

	// Committers is how many batches of changes the instance commits at
	// once (committer.go), default DefaultCommitters (1). A change waits
	// for the batch in flight to end, then goes with the others that came
	// meanwhile. SQLite has one writer, so 1 is right there; PostgreSQL
	// writes batches side by side, and a few overlap their round trips,
	// at the cost of smaller batches.
	Committers int
	// MaxBatch is how many changes one batch holds at most; default
	// DefaultMaxBatch.
	MaxBatch int
	// CachedRooms is how many rooms' states the instance keeps between
	// their commands, so as not to read them before deciding (stateCache);
	// default DefaultCachedRooms, and a negative number keeps none.
	CachedRooms int

	// Now is the clock; default time.Now. Tests move it.
	Now func() time.Time
}

func (c *Config) setDefaults() error {
	if c.Store == nil || c.Publisher == nil || c.PublicURL == nil {
		return errors.New("app: Store, Publisher and PublicURL are required")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.LinkTTL, 7*24*time.Hour)
	def(&c.SignInTTL, 14*24*time.Hour)
	def(&c.ResetTTL, time.Hour)
	def(&c.InvitationTTL, 7*24*time.Hour)
	def(&c.PresenceTTL, 30*time.Second)
	def(&c.ReminderInterval, time.Minute)
	if c.MaxPDFBytes <= 0 {
		c.MaxPDFBytes = DefaultMaxPDFBytes
	}
	if c.MaxImageBytes <= 0 {
		c.MaxImageBytes = DefaultMaxImageBytes
	}
	if c.Instance == "" {
		c.Instance = room.NewID("in")
	}
	if c.BcryptCost == 0 {
		c.BcryptCost = bcrypt.DefaultCost
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Committers <= 0 {
		c.Committers = DefaultCommitters
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	if c.CachedRooms == 0 {
		c.CachedRooms = DefaultCachedRooms
	}
	return nil
}

// App is Tandem's use cases on one instance. Create it with New, start its
// workers with Start, stop them with Stop.
type App struct {
	cfg     Config
	store   store.Store
	log     zerolog.Logger
	writers roomLocks
	// committer writes the changes of every room in batches; states keeps
	// what the rooms' last commits left.
	committer *committer
	states    *stateCache
	runner    runner
	kick      chan struct{} // wakes the dispatcher
	sealKick  chan struct{} // wakes the sealing worker
	seeded    sync.Map      // accounts whose document types this instance has seeded
	creds     credentialCache

	// ctx lives as long as the app; Stop cancels it.
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	closed bool
	bg     sync.WaitGroup // work started by requests that outlives them (notices)
}

// New returns an App; its workers start with Start.
func New(cfg Config) (*App, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &App{
		cfg: cfg, store: cfg.Store, ctx: ctx, cancel: cancel,
		log:  cfg.Logger.With().Str("component", "app").Logger(),
		kick: make(chan struct{}, 1), sealKick: make(chan struct{}, 1),
		committer: newCommitter(cfg.Store, cfg.Committers, cfg.MaxBatch),
		states:    newStateCache(cfg.CachedRooms),
	}
	a.cfg.Publisher = revokingPublisher{next: cfg.Publisher, a: a}
	return a, nil
}

// Instance is this instance's name in the store's presence rows.
func (a *App) Instance() string { return a.cfg.Instance }

// LinkTTL is how long a room link is valid.
func (a *App) LinkTTL() time.Duration { return a.cfg.LinkTTL }

// Start runs the instance's workers until Stop: the outbox dispatcher (if
// there is a Sender), the presence heartbeat and reaper, reminders, and
// sealing (if there is a Sealer).
// core is the real-time core whose connections the heartbeat keeps.
func (a *App) Start(core *hub.Core) {
	if a.cfg.Sender != nil {
		a.runner.start(a.ctx, worker{name: "dispatcher", every: dispatchPoll, kick: a.kick, run: a.Dispatch})
	}
	a.runner.start(a.ctx, worker{name: "presence", every: a.cfg.PresenceTTL / 3, run: func(ctx context.Context) {
		a.Heartbeat(ctx, core)
		a.Reap(ctx)
	}})
	a.runner.start(a.ctx, worker{name: "reminders", every: a.cfg.ReminderInterval, run: func(ctx context.Context) { a.RemindDue(ctx) }})
	if a.cfg.Sealer != nil {
		a.runner.start(a.ctx, worker{name: "sealing", every: sealPoll, kick: a.sealKick, run: func(ctx context.Context) { a.SealDue(ctx) }})
	}
}

// Stop ends the workers and the work requests started, and waits for them;
// then it waits for the changes queued to be committed, and refuses those
// that come after with KindUnavailable.
func (a *App) Stop() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	a.cancel()
	a.runner.wait()
	a.bg.Wait()
	a.committer.stop()
}

// later runs f in the background unless the app is stopping; it reports
// whether it did.
func (a *App) later(f func(ctx context.Context)) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return false
	}
	a.bg.Add(1)
	go func() {
		defer a.bg.Done()
		f(a.ctx)
	}()
	return true
}

// now is the app's clock, at the precision the stores keep.
func (a *App) now() time.Time {
	return a.cfg.Now().UTC().Truncate(time.Microsecond)
}

// publicURL is the public address of path with query q.
func (a *App) publicURL(path string, q url.Values) string {
	u := *a.cfg.PublicURL
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = q.Encode()
	return u.String()
}
