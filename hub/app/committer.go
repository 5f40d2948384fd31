package app

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/store"
)

// DefaultCommitters is how many batches an instance commits at once unless
// told otherwise, and DefaultMaxBatch how many changes a batch holds at
// most.
const (
	DefaultCommitters = 1
	DefaultMaxBatch   = 256
)

// commitTimeout bounds one batch's store.Commit. A batch is no one
// request's: it goes on when its callers give up (they were taken, so they
// wait for the store's answer), and this is what keeps a store that stopped
// answering from holding them, and the app's Stop, forever.
const commitTimeout = 30 * time.Second

// committer is an instance's group commit: the changes of many rooms share
// one store.Commit, so one transaction and one sync, instead of one each.
//
// A caller queues its change and waits. Whenever fewer than the configured
// number of commits are in flight, a commit starts at once with whatever is
// queued (at most max changes); changes queued while commits are in flight
// wait for one to end and go together in the next. There is no timer: a
// lone change on an idle instance is committed the moment it is queued, and
// batches grow only as fast as the store is slow.
//
// Each commit runs in a goroutine of its own that takes batches until the
// queue is empty, then ends: an idle instance has no committer goroutine.
type committer struct {
	store store.Store
	slots int // commits in flight at most
	max   int // changes in a batch at most

	mu       sync.Mutex
	queue    []*pending
	inflight int  // commits running
	closed   bool // stop was called: nothing more is queued
	wg       sync.WaitGroup
}

// pending is one queued change and how its caller learns its result.
type pending struct {
	change store.Change
	taken  bool       // in a batch handed to the store; guarded by committer.mu
	done   chan error // receives the result once, buffered
}

func newCommitter(st store.Store, slots, max int) *committer {
	return &committer{store: st, slots: slots, max: max}
}

// commit queues ch and returns the store's result for it: nil once it is
// durable. If ctx ends before ch was taken into a batch, ch is dropped and
// ctx's error returned (nothing was written); once taken, commit waits for
// the store, whatever ctx does, so that a caller never reports a change
// that may yet be written as not written. After stop, commit refuses with
// KindUnavailable.
func (c *committer) commit(ctx context.Context, ch store.Change) error {
	// The state is encoded here, on the caller's goroutine, rather than by
	// the one writing the batch, which every change waits on.
	if ch.StateJSON == nil && (len(ch.Events) > 0 || len(ch.Rewrite) > 0) {
		b, err := json.Marshal(ch.State)
		if err != nil {
			return fmt.Errorf("room %s: encode state: %w", ch.Room, err)
		}
		ch.StateJSON = b
	}
	p := &pending{change: ch, done: make(chan error, 1)}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return tandem.Errorf(tandem.KindUnavailable, "room %s: the hub is stopping", ch.Room)
	}
	c.queue = append(c.queue, p)
	if c.inflight < c.slots {
		c.inflight++
		c.wg.Add(1)
		go c.run()
	}
	c.mu.Unlock()

	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
	}
	c.mu.Lock()
	if !p.taken {
		for i, q := range c.queue {
			if q == p {
				c.queue = append(c.queue[:i], c.queue[i+1:]...)
				break
			}
		}
		c.mu.Unlock()
		return ctx.Err()
	}
	c.mu.Unlock()
	return <-p.done
}

// run commits batches until the queue is empty.
func (c *committer) run() {
	defer c.wg.Done()
	for {
		c.mu.Lock()
		n := min(len(c.queue), c.max)
		if n == 0 {
			c.inflight--
			c.mu.Unlock()
			return
		}
		batch := make([]*pending, n)
		copy(batch, c.queue)
		// The rest moves to the front, and the slots it leaves are cleared
		// so that the queue's array does not keep committed changes alive.
		rest := copy(c.queue, c.queue[n:])
		clear(c.queue[rest:])
		c.queue = c.queue[:rest]
		for _, p := range batch {
			p.taken = true
		}
		c.mu.Unlock()
		c.write(batch)
	}
}

// write hands batch to the store in one call and gives each waiter its
// change's result.
func (c *committer) write(batch []*pending) {
	changes := make([]store.Change, len(batch))
	for i, p := range batch {
		changes[i] = p.change
	}
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	errs := c.store.Commit(ctx, changes)
	cancel()
	for i, p := range batch {
		var err error
		if i < len(errs) {
			err = errs[i]
		} else {
			err = tandem.Errorf(tandem.KindInternal, "room %s: the store answered %d results for %d changes", p.change.Room, len(errs), len(batch))
		}
		p.done <- err
	}
}

// stop refuses changes from now on, and returns once every change already
// queued is committed and its caller released.
func (c *committer) stop() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.wg.Wait()
}
