package redis_test

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/hub/broker/brokertest"
	"github.com/tandemhq/tandem/hub/broker/redis"
	"github.com/tandemhq/tandem/room"
)

// cutProxy forwards TCP connections to target until cut, which drops them
// all and refuses new ones until restore.
type cutProxy struct {
	addr   string
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]struct{}
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{addr: ln.Addr().String(), target: target, conns: map[net.Conn]struct{}{}}
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
			out, err := net.Dial("tcp", target)
			p.mu.Lock()
			if err != nil || p.down {
				p.mu.Unlock()
				in.Close()
				if out != nil {
					out.Close()
				}
				continue
			}
			p.conns[in], p.conns[out] = struct{}{}, struct{}{}
			p.mu.Unlock()
			wg.Add(2)
			go func() { defer wg.Done(); _, _ = io.Copy(out, in); out.Close() }()
			go func() { defer wg.Done(); _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
	return p
}

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *cutProxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// While Redis cannot be reached from one instance, its own receivers stay
// live, and once Redis answers again each topic's newest event is
// published again, so that the receivers of another instance, whose
// subscription never dropped and so never resyncs, still learn of it. The
// publisher never receives its own messages twice.
func TestRepublishAfterFailedPublish(t *testing.T) {
	t.Parallel()
	direct, _ := newClient(t)
	opt, err := goredis.ParseURL(redisURL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := newCutProxy(t, opt.Addr)
	opt.Addr = proxy.addr
	opt.ContextTimeoutEnabled = true
	opt.DialTimeout = time.Second
	viaProxy := goredis.NewClient(opt)
	t.Cleanup(func() { _ = viaProxy.Close() })

	prefix := newPrefix()
	a := newBroker(t, viaProxy, redis.Options{Prefix: prefix, Timeout: 300 * time.Millisecond})
	b := newBroker(t, direct, redis.Options{Prefix: prefix})
	id, account := room.NewID("rm"), room.NewID("ac")
	topic, accountTopic := hub.RoomTopic(id), hub.AccountTopic(account)
	ra, rb, feed := brokertest.NewRecorder(), brokertest.NewRecorder(), brokertest.NewRecorder()
	brokertest.Subscribe(t, a, topic, ra)
	brokertest.Subscribe(t, b, topic, rb)
	brokertest.Subscribe(t, b, accountTopic, feed)
	brokertest.Publish(t, a, topic, brokertest.Event(id, 1))
	rb.WaitFor(t, 1)

	proxy.cut()
	// The account's topic carries events of several rooms: what is kept
	// for it is the last published, not the one with the highest seq.
	brokertest.Publish(t, a, accountTopic, brokertest.Event(room.NewID("rm"), 9))
	// As the hub does, the change's last event goes on its room's topic
	// and on its account's: each topic keeps its own copy.
	brokertest.Publish(t, a, topic, brokertest.Event(id, 2))
	brokertest.Publish(t, a, accountTopic, brokertest.Event(id, 2))
	if evs := ra.WaitFor(t, 2); evs[1].Seq != 2 {
		t.Fatalf("the publisher's own receiver got %+v", evs)
	}
	// Every one of the three has failed once, so none can go out as a
	// first attempt once Redis is back.
	waitUntil(t, "the publishes have failed", func() bool { return a.Stats().PublishErrors >= 3 })
	if evs := rb.Events(); len(evs) != 1 {
		t.Fatalf("event #2 crossed a cut connection: %+v", evs)
	}

	proxy.restore()
	// A publish whose reply the cut lost may go out twice (the hub skips
	// a seq it has delivered); what matters is that #2 arrives.
	waitUntil(t, "event #2 reaches the other instance", func() bool {
		for _, ev := range rb.Events() {
			if ev.Seq == 2 {
				return true
			}
		}
		return false
	})
	waitUntil(t, "event #2 reaches the account's subscriber", func() bool {
		for _, ev := range feed.Events() {
			if ev.Room == id && ev.Seq == 2 {
				return true
			}
		}
		return false
	})
	if rb.Resyncs() != 0 || feed.Resyncs() != 0 {
		t.Fatal("the other instance resynced: the test shows nothing about re-publishing")
	}
	waitUntil(t, "the re-publishes are counted", func() bool { return a.Stats().Republished >= 2 })
	// Once a's subscription is back (the cut dropped it too), b's next
	// event reaches ra; Redis runs commands one at a time, so any echo of
	// a's own re-publish has reached a before it, and was skipped.
	waitUntil(t, "a's subscription is back", func() bool { return a.Stats().Reconnects >= 1 })
	brokertest.Publish(t, b, topic, brokertest.Event(id, 3))
	if evs := ra.WaitFor(t, 3); len(evs) != 3 || evs[2].Seq != 3 {
		t.Fatalf("the publisher's receiver got %+v, want #1, #2, #3 once each", evs)
	}
}
