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
	// beyond it Publish keeps only each topic's newest for a re-publish.
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
	probeChannel string
	// endedChannel carries the Ended signals of every instance of the
	// deployment: see ended.go.
	endedChannel string
	// origin tells this broker's messages from other instances'.
	origin string

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc

	// ctl serializes the changes to the set of subscribed channels and the
	// replacement of the pub/sub connection. It is held across the
	// SUBSCRIBE and UNSUBSCRIBE writes so that Redis sees them in the
	// order the broker decided them; the reading goroutine never takes it.
	ctl    sync.Mutex
	closed bool // guarded by ctl

	mu   sync.RWMutex // guards what follows
	conn *subConn
	// topics are the local subscriptions, by topic.
	topics map[string]map[*subscription]struct{}
	// ended are the local receivers of Ended signals.
	ended map[*endedSubscription]struct{}
	// pongs are the round trips in progress, by PING payload.
	pongs map[string]chan struct{}
	// replaced is closed, and made anew, each time the pub/sub connection
	// is replaced: a round trip in progress must then ask again.
	replaced chan struct{}
	// probe is the probe in progress, if any.
	probe *probe

	// queue holds what Publish hands to the publishing goroutine.
	queue chan outgoing
	// pending is each topic's newest event whose publish failed, to
	// publish again; guarded by pendMu.
	pendMu  sync.Mutex
	pending map[string]outgoing

	tokens    atomic.Uint64
	stats     counters
	wg        sync.WaitGroup
	signals   signals // the Ended PUBLISHes in flight
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
		probeChannel: opts.Prefix + "probe:" + rand.Text(),
		endedChannel: opts.Prefix + endedChannel,
		origin:       rand.Text(),
		queue:        make(chan outgoing, opts.QueueSize),
		pending:      map[string]outgoing{},
		topics:       map[string]map[*subscription]struct{}{},
		ended:        map[*endedSubscription]struct{}{},
		pongs:        map[string]chan struct{}{},
		replaced:     make(chan struct{}),
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	if enabled, known := contextTimeouts(client); known && !enabled {
		b.log.Warn().Msg("the Redis client has ContextTimeoutEnabled off: publishes are bounded by its ReadTimeout and WriteTimeout, not by Options.Timeout")
	}
	b.conn = b.newSubConn(client.Subscribe(b.ctx), false)
	b.wg.Add(3)
	go b.conn.run()
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
		c := b.conn
		b.mu.RUnlock()
		b.ctl.Unlock()
		c.close()
		b.wg.Wait()
		b.signals.close()
	})
	return nil
}

// channel is the Redis channel of topic.
func (b *Broker) channel(topic string) string { return b.opts.Prefix + topic }

// Subscribe implements hub.Broker. The topic's channel is subscribed when
// topic gets its first local receiver, and Subscribe returns once Redis
// has confirmed it: what is published afterwards reaches r, or r is told
// to Resync. r may also receive events published just before. Subscribe
// fails if Redis does not answer within Options.Timeout.
func (b *Broker) Subscribe(ctx context.Context, topic string, r hub.Receiver) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("subscribe to %s: %w", topic, err)
	}
	ctx, cancel := context.WithTimeout(ctx, b.opts.Timeout)
	defer cancel()
	sub := &subscription{r: r}
	if err := b.add(topic, sub); err != nil {
		return nil, fmt.Errorf("subscribe to %s: %w", topic, err)
	}
	var once sync.Once
	unsubscribe := func() { once.Do(func() { b.remove(topic, sub) }) }
	if err := b.roundTrip(ctx); err != nil {
		unsubscribe()
		return nil, fmt.Errorf("subscribe to %s: wait for confirmation: %w", topic, err)
	}
	return unsubscribe, nil
}

// writeContext bounds a write on the shared pub/sub connection. It never
// derives from a caller's context: go-redis drops the connection when a
// write times out, and one caller's deadline must not cost every topic a
// resync.
func (b *Broker) writeContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), b.opts.Timeout)
}

// add registers sub and, for the topic's first receiver, subscribes the
// topic's channel.
func (b *Broker) add(topic string, sub *subscription) error {
	b.ctl.Lock()
	defer b.ctl.Unlock()
	if b.closed {
		return ErrClosed
	}
	b.mu.Lock()
	subs := b.topics[topic]
	first := subs == nil
	if first {
		subs = map[*subscription]struct{}{}
		b.topics[topic] = subs
	}
	subs[sub] = struct{}{}
	c := b.conn
	b.mu.Unlock()
	if !first {
		return nil
	}
	channels := []string{b.channel(topic)}
	if !c.probeSubscribed {
		// The probe channel goes in the first SUBSCRIBE of a connection,
		// ahead of every topic: see subConn. The Ended channel goes with
		// it: every connection carries it.
		channels = append([]string{b.probeChannel, b.endedChannel}, channels...)
		c.probeSubscribed = true
	}
	ctx, cancel := b.writeContext()
	defer cancel()
	if err := c.ps.Subscribe(ctx, channels...); err != nil {
		b.removeLocked(topic, sub)
		return err
	}
	return nil
}

// remove unregisters sub and, if it was the topic's last receiver,
// unsubscribes the topic's channel.
func (b *Broker) remove(topic string, sub *subscription) {
	b.ctl.Lock()
	defer b.ctl.Unlock()
	b.removeLocked(topic, sub)
}

func (b *Broker) removeLocked(topic string, sub *subscription) {
	b.mu.Lock()
	subs := b.topics[topic]
	delete(subs, sub)
	last := subs != nil && len(subs) == 0
	if last {
		delete(b.topics, topic)
	}
	c := b.conn
	b.mu.Unlock()
	if !last || b.closed {
		return
	}
	ctx, cancel := b.writeContext()
	defer cancel()
	if err := c.ps.Unsubscribe(ctx, b.channel(topic)); err != nil {
		// go-redis has forgotten the channel, so a new connection will not
		// subscribe it again; until then its messages are dropped here.
		b.log.Debug().Err(err).Str("topic", topic).Msg("unsubscribe")
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
		c, replaced := b.conn, b.replaced
		b.mu.RUnlock()
		if err := b.ping(c, token); err != nil {
			if errors.Is(err, goredis.ErrClosed) && b.current() != c {
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

func (b *Broker) ping(c *subConn, token string) error {
	ctx, cancel := b.writeContext()
	defer cancel()
	return c.ps.Ping(ctx, token)
}

func (b *Broker) current() *subConn {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.conn
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
	var rs []interface{ Resync() }
	for _, subs := range b.topics {
		for sub := range subs {
			rs = append(rs, sub.r)
		}
	}
	for sub := range b.ended {
		rs = append(rs, sub.r)
	}
	topics := len(b.topics)
	b.stats.resyncs.Add(1)
	b.mu.Unlock()
	b.log.Warn().Int("topics", topics).Int("receivers", len(rs)).Msgf("%s: resyncing every local receiver", reason)
	for _, r := range rs {
		r.Resync()
	}
}
