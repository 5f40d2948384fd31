package main

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
)

// role is whose subscription a conn is.
type role int

const (
	roleAgent role = iota
	roleCustomer
)

func (r role) String() string {
	if r == roleAgent {
		return "agent"
	}
	return "customer"
}

// action is what the bench asks of a conn's goroutine, which alone touches
// its subscription (so that LastSeq is never read while Next delivers).
type action int

const (
	actChurn  action = iota + 1 // close and subscribe again from the last seq
	actDrop                     // close and stay away until actResume
	actResume                   // subscribe again from the last seq; time the catch-up
	actStop                     // close for good
)

type request struct {
	act    action
	target int64 // for actResume: the seq that counts as caught up
}

// conn is one subscription of the bench, the agent's or the customer's of
// a room, kept open across churn and recovery by one goroutine (run).
type conn struct {
	b    *bench
	rm   *benchRoom
	role role
	hub  int
	cl   *client.Client

	mu      sync.Mutex
	pending []request
	wctx    context.Context // what Next waits under; cancelled to hand in a request
	wake    context.CancelFunc
	signal  chan struct{} // pokes run while it has no subscription

	last atomic.Int64 // the checker's last seq, for the drain to watch
	up   atomic.Bool  // subscribed now

	// Owned by run.
	sub        *client.Subscription
	check      seqChecker
	resumeFrom int64         // the last seq when dropped
	catchFrom  time.Duration // when it resumed, while catching up
	catchTo    int64         // the seq that ends the catch-up; 0 when not catching up
	reconnects int64         // the client's own reconnections, of closed subscriptions
}

func newConn(b *bench, rm *benchRoom, r role, hub int, cl *client.Client, sub *client.Subscription, since int64) *conn {
	c := &conn{b: b, rm: rm, role: r, hub: hub, cl: cl, sub: sub, check: newSeqChecker(since), signal: make(chan struct{}, 1)}
	c.last.Store(since)
	c.up.Store(true)
	b.open.Add(1)
	return c
}

// request hands a to run and wakes it.
func (c *conn) request(r request) {
	c.mu.Lock()
	c.pending = append(c.pending, r)
	if c.wake != nil {
		c.wake()
		c.wctx, c.wake = nil, nil
	}
	c.mu.Unlock()
	select {
	case c.signal <- struct{}{}:
	default:
	}
}

// arm returns the context for the next wait on the subscription, or false
// if a request is pending.
func (c *conn) arm() (context.Context, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) > 0 {
		return nil, false
	}
	if c.wctx == nil {
		c.wctx, c.wake = context.WithCancel(c.b.subCtx)
	}
	return c.wctx, true
}

// run reads the subscription and carries out requests until actStop or
// the end of the bench's subscription context.
func (c *conn) run() {
	defer c.b.connWG.Done()
	defer func() {
		c.mu.Lock()
		if c.wake != nil {
			c.wake()
		}
		c.mu.Unlock()
	}()
	for {
		if c.sub == nil {
			select {
			case <-c.signal:
			case <-c.b.subCtx.Done():
				return
			}
			if !c.handle() {
				return
			}
			continue
		}
		wctx, ok := c.arm()
		if !ok {
			if !c.handle() {
				return
			}
			continue
		}
		ev, err := c.sub.Next(wctx)
		switch {
		case err == nil:
			c.observe(ev)
		case c.b.subCtx.Err() != nil:
			c.close()
			return
		case wctx.Err() != nil:
			if !c.handle() {
				return
			}
		default:
			// The hub refused the subscription for good (access ended,
			// room gone…): count it and subscribe again.
			c.b.errs.add("subscription "+c.role.String(), err)
			from := c.sub.LastSeq()
			c.close()
			if c.stopping() || !sleepCtx(c.b.subCtx, time.Second) || !c.subscribe(from) {
				return
			}
		}
	}
}

// handle carries out the pending requests. It returns false on actStop.
func (c *conn) handle() bool {
	c.mu.Lock()
	reqs := c.pending
	c.pending = nil
	c.mu.Unlock()
	for _, r := range reqs {
		switch r.act {
		case actChurn:
			if c.sub == nil {
				continue
			}
			from := c.sub.LastSeq()
			c.close()
			c.b.churned.Add(1)
			if !c.subscribe(from) {
				return false
			}
		case actDrop:
			if c.sub == nil {
				continue
			}
			c.resumeFrom = c.sub.LastSeq()
			c.close()
		case actResume:
			if c.sub != nil {
				continue
			}
			c.catchFrom, c.catchTo = c.b.elapsed(), r.target
			c.b.recovery.resumed.Add(1)
			c.b.recovery.replayed.Add(max(r.target-c.resumeFrom, 0))
			if !c.subscribe(c.resumeFrom) {
				return false
			}
			c.caughtUp()
		case actStop:
			c.close()
			return false
		}
	}
	return true
}

// subscribe opens a new subscription from since, retrying until it works
// or the bench ends; it returns false in the latter case.
func (c *conn) subscribe(since int64) bool {
	for {
		// No WaitSynced here: with a backlog longer than the client's
		// buffer, synced only comes as Next consumes the backlog.
		sub, err := c.cl.Subscribe(c.b.subCtx, c.rm.id, since)
		if err == nil {
			c.sub = sub
			c.up.Store(true)
			c.b.open.Add(1)
			return true
		}
		if c.b.subCtx.Err() != nil || c.stopping() {
			return false
		}
		c.b.errs.add("subscribe "+c.role.String(), err)
		if !sleepCtx(c.b.subCtx, time.Second) {
			return false
		}
	}
}

// stopping reports whether actStop is pending, for the loops that retry.
func (c *conn) stopping() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.pending {
		if r.act == actStop {
			return true
		}
	}
	return false
}

// close ends the current subscription with a normal closure.
func (c *conn) close() {
	if c.sub == nil {
		return
	}
	c.sub.Close()
	c.reconnects += int64(c.sub.Reconnects())
	c.sub = nil
	c.up.Store(false)
	c.b.open.Add(-1)
}

// observe checks an event and, for one of the bench's activities, records
// its delivery.
func (c *conn) observe(ev room.Event) {
	now := c.b.elapsed()
	c.check.observe(ev.Seq)
	c.last.Store(c.check.last)
	c.b.deliveries.Add(1)
	if ev.Type == room.TypeActivity {
		var a room.Activity
		if json.Unmarshal(ev.Data, &a) == nil {
			if id, ok := c.b.parseRef(a.Ref); ok {
				if lat, ok := c.b.sends.seen(id, c.role, now); ok {
					c.b.lat.add(lat)
				}
			}
		}
	}
	c.caughtUp()
}

// caughtUp ends a catch-up once the target seq has arrived.
func (c *conn) caughtUp() {
	if c.catchTo > 0 && c.check.last >= c.catchTo {
		c.b.recovery.caught.Add(1)
		c.b.recovery.times.add(c.b.elapsed() - c.catchFrom)
		c.catchTo = 0
	}
}

// sleepCtx waits for d or the end of ctx, and reports whether ctx is still
// alive.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
