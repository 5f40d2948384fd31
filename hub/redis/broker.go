package redis

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/hub"
)

var _ hub.Broker = (*Broker)(nil)

// Defaults of Options.
const (
	DefaultTimeout       = 2 * time.Second
	DefaultProbeInterval = 5 * time.Second
	DefaultProbeTimeout  = 3 * time.Second
	DefaultQueueSize     = 8192
)

// ErrClosed is returned by a Broker after Close.
var ErrClosed = errors.New("redis broker closed")

// Options configure a Broker. The zero value of each field but Logger
// means its default.
type Options struct {
	// Prefix begins every channel name, so that several deployments (or
	// tests) can share one Redis: "tandem:" in production. Instances of
	// one deployment must use the same Prefix.
	Prefix string
	// Logger receives the broker's warnings: lost connections, failed
	// probes, malformed messages. The zero Logger discards them.
	Logger zerolog.Logger
	// Timeout bounds each batch of publishes, Subscribe and
	// unsubscribing. Default DefaultTimeout.
	Timeout time.Duration
	// ProbeInterval is how often the broker checks, by publishing to
	// itself, that its subscription still receives messages. Default
	// DefaultProbeInterval.
	ProbeInterval time.Duration
	// ProbeTimeout is how long a probe may take to come back before the
	// subscription is deemed dead. Default DefaultProbeTimeout.
	ProbeTimeout time.Duration
	// QueueSize is how many events may wait to be published to Redis;
	// beyond it Publish keeps only each room's newest for a re-publish.
	// Default DefaultQueueSize.
	QueueSize int
}

func (o Options) withDefaults() (Options, error) {
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"Timeout", &o.Timeout, DefaultTimeout},
		{"ProbeInterval", &o.ProbeInterval, DefaultProbeInterval},
		{"ProbeTimeout", &o.ProbeTimeout, DefaultProbeTimeout},
	} {
		switch {
		case *d.v < 0:
			return o, fmt.Errorf("redis broker: negative %s %s", d.name, *d.v)
		case *d.v == 0:
			*d.v = d.def
		}
	}
	switch {
	case o.QueueSize < 0:
		return o, fmt.Errorf("redis broker: negative QueueSize %d", o.QueueSize)
	case o.QueueSize == 0:
		o.QueueSize = DefaultQueueSize
	}
	return o, nil
}

// Broker is the Redis pub/sub hub.Broker. It owns one pub/sub connection
// and three goroutines (the reader of that connection, the prober and the
// publisher) until Close; the client stays the caller's, to close after the
// Broker.
type Broker struct {
	client       goredis.UniversalClient
	opts         Options
	log          zerolog.Logger
	roomPrefix   string // Prefix+"room:"
	probeChannel string
	// origin tells this broker's messages from other instances'.
	origin string

	// ctx is cancelled by Close.
	ctx    context.Context
	cancel context.CancelFunc

	// ctl serializes the changes to the set of subscribed channels and the
	// replacement of the pub/sub connection. It is held across the
	// SUBSCRIBE and UNSUBSCRIBE writes so that Redis sees them in the
	// order the broker decided them; the reading goroutine never takes it.
	ctl    sync.Mutex
	closed bool // guarded by ctl

	mu    sync.RWMutex // guards what follows
	sess  *session
	rooms map[string]map[*subscription]struct{}
	// pongs are the round trips in progress, by PING payload.
	pongs map[string]chan struct{}
	// replaced is closed, and made anew, each time the pub/sub connection
	// is replaced: a round trip in progress must then ask again.
	replaced chan struct{}
	// probe is the probe in progress, if any.
	probe *probe

	// queue holds what Publish hands to the publishing goroutine.
	queue chan outgoing
	// pending is each room's newest event whose publish failed, to
	// publish again; guarded by pendMu.
	pendMu  sync.Mutex
	pending map[string]outgoing

	tokens    atomic.Uint64
	stats     counters
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// subscription is one Subscribe call; its address tells two calls with
// the same Receiver apart.
type subscription struct {
	r hub.Receiver
}

// New returns a Broker publishing and subscribing through client. It does
// no I/O: the pub/sub connection is opened in the background and
// reopened whenever it fails, so New succeeds while Redis is down (check
// the client with Ping to fail fast on a wrong address).
func New(client goredis.UniversalClient, opts Options) (*Broker, error) {
	if client == nil {
		return nil, errors.New("redis broker: nil client")
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	b := &Broker{
		client:       client,
		opts:         opts,
		log:          opts.Logger.With().Str("component", "redis_broker").Logger(),
		roomPrefix:   opts.Prefix + "room:",
		probeChannel: opts.Prefix + "probe:" + rand.Text(),
		origin:       rand.Text(),
		queue:        make(chan outgoing, opts.QueueSize),
		pending:      map[string]outgoing{},
		rooms:        map[string]map[*subscription]struct{}{},
		pongs:        map[string]chan struct{}{},
		replaced:     make(chan struct{}),
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	if enabled, known := contextTimeouts(client); known && !enabled {
		b.log.Warn().Msg("the Redis client has ContextTimeoutEnabled off: publishes are bounded by its ReadTimeout and WriteTimeout, not by Options.Timeout")
	}
	b.sess = b.newSession(client.Subscribe(b.ctx), false)
	b.wg.Add(3)
	go b.sess.run()
	go b.probeLoop()
	go b.publishLoop()
	return b, nil
}

// contextTimeouts tells whether client applies context deadlines to its
// socket operations, when the kind of client is known.
func contextTimeouts(client goredis.UniversalClient) (enabled, known bool) {
	switch c := client.(type) {
	case *goredis.Client:
		return c.Options().ContextTimeoutEnabled, true
	case *goredis.ClusterClient:
		return c.Options().ContextTimeoutEnabled, true
	case *goredis.Ring:
		return c.Options().ContextTimeoutEnabled, true
	}
	return false, false
}

// Close stops the broker's goroutines and closes its pub/sub connection.
// It does not close the client. Publish and Subscribe fail with ErrClosed
// afterwards; unsubscribing stays harmless.
func (b *Broker) Close() error {
	b.closeOnce.Do(func() {
		b.ctl.Lock()
		b.closed = true
		b.cancel()
		b.mu.RLock()
		s := b.sess
		b.mu.RUnlock()
		b.ctl.Unlock()
		s.close()
		b.wg.Wait()
	})
	return nil
}

func (b *Broker) roomChannel(roomID string) string { return b.roomPrefix + roomID }

// Subscribe implements hub.Broker. The room's channel is subscribed when
// roomID gets its first local receiver, and Subscribe returns once Redis
// has confirmed it: what is published afterwards reaches r, or r is told
// to Resync. r may also receive events published just before. Subscribe
// fails if Redis does not answer within Options.Timeout.
func (b *Broker) Subscribe(ctx context.Context, roomID string, r hub.Receiver) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("subscribe to room %s: %w", roomID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, b.opts.Timeout)
	defer cancel()
	sub := &subscription{r: r}
	if err := b.add(roomID, sub); err != nil {
		return nil, fmt.Errorf("subscribe to room %s: %w", roomID, err)
	}
	var once sync.Once
	unsubscribe := func() { once.Do(func() { b.remove(roomID, sub) }) }
	if err := b.roundTrip(ctx); err != nil {
		unsubscribe()
		return nil, fmt.Errorf("subscribe to room %s: wait for confirmation: %w", roomID, err)
	}
	return unsubscribe, nil
}

// writeContext bounds a write on the shared pub/sub connection. It never
// derives from a caller's context: go-redis drops the connection when a
// write times out, and one caller's deadline must not cost every room a
// resync.
func (b *Broker) writeContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), b.opts.Timeout)
}

// add registers sub and, for the room's first receiver, subscribes the
// room's channel.
func (b *Broker) add(roomID string, sub *subscription) error {
	b.ctl.Lock()
	defer b.ctl.Unlock()
	if b.closed {
		return ErrClosed
	}
	b.mu.Lock()
	subs := b.rooms[roomID]
	first := subs == nil
	if first {
		subs = map[*subscription]struct{}{}
		b.rooms[roomID] = subs
	}
	subs[sub] = struct{}{}
	s := b.sess
	b.mu.Unlock()
	if !first {
		return nil
	}
	channels := []string{b.roomChannel(roomID)}
	if !s.probeSubscribed {
		// The probe channel goes in the first SUBSCRIBE of a connection,
		// ahead of every room: see session.
		channels = append([]string{b.probeChannel}, channels...)
		s.probeSubscribed = true
	}
	ctx, cancel := b.writeContext()
	defer cancel()
	if err := s.ps.Subscribe(ctx, channels...); err != nil {
		b.removeLocked(roomID, sub)
		return err
	}
	return nil
}

// remove unregisters sub and, if it was the room's last receiver,
// unsubscribes the room's channel.
func (b *Broker) remove(roomID string, sub *subscription) {
	b.ctl.Lock()
	defer b.ctl.Unlock()
	b.removeLocked(roomID, sub)
}

func (b *Broker) removeLocked(roomID string, sub *subscription) {
	b.mu.Lock()
	subs := b.rooms[roomID]
	delete(subs, sub)
	last := subs != nil && len(subs) == 0
	if last {
		delete(b.rooms, roomID)
	}
	s := b.sess
	b.mu.Unlock()
	if !last || b.closed {
		return
	}
	ctx, cancel := b.writeContext()
	defer cancel()
	if err := s.ps.Unsubscribe(ctx, b.roomChannel(roomID)); err != nil {
		// go-redis has forgotten the channel, so a new connection will not
		// subscribe it again; until then its messages are dropped here.
		b.log.Debug().Err(err).Str("room", roomID).Msg("unsubscribe")
	}
}

// roundTrip returns once Redis has answered a PING sent on the pub/sub
// connection now, and so has run every SUBSCRIBE sent before it. If the
// connection is replaced meanwhile, it asks again on the new one.
func (b *Broker) roundTrip(ctx context.Context) error {
	token := "rt:" + strconv.FormatUint(b.tokens.Add(1), 10)
	answered := make(chan struct{})
	b.mu.Lock()
	b.pongs[token] = answered
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.pongs, token)
		b.mu.Unlock()
	}()
	for {
		b.mu.RLock()
		s, replaced := b.sess, b.replaced
		b.mu.RUnlock()
		if err := b.ping(s, token); err != nil {
			if errors.Is(err, goredis.ErrClosed) && b.current() != s {
				continue // replaced after a failed probe
			}
			if b.ctx.Err() != nil {
				return ErrClosed
			}
			return fmt.Errorf("ping: %w", err)
		}
		select {
		case <-answered:
			return nil
		case <-replaced:
		case <-b.ctx.Done():
			return ErrClosed
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (b *Broker) ping(s *session, token string) error {
	ctx, cancel := b.writeContext()
	defer cancel()
	return s.ps.Ping(ctx, token)
}

func (b *Broker) current() *session {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.sess
}

// answered ends the round trip whose PING carried token.
func (b *Broker) answered(token string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ch := b.pongs[token]; ch != nil {
		close(ch)
		delete(b.pongs, token)
	}
}

// resyncAll tells every local receiver to resync, after the pub/sub
// connection was replaced and its subscriptions confirmed again.
func (b *Broker) resyncAll(reason string) {
	b.mu.Lock()
	close(b.replaced)
	b.replaced = make(chan struct{})
	var rs []hub.Receiver
	for _, subs := range b.rooms {
		for sub := range subs {
			rs = append(rs, sub.r)
		}
	}
	rooms := len(b.rooms)
	b.stats.resyncs.Add(1)
	b.mu.Unlock()
	b.log.Warn().Int("rooms", rooms).Int("receivers", len(rs)).Msgf("%s: resyncing every local receiver", reason)
	for _, r := range rs {
		r.Resync()
	}
}
