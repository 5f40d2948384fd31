package main

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"
)

// tick is how often the publisher wakes up to send what the pacer says is
// due.
const tick = 5 * time.Millisecond

// publish sends activity events at the configured rate until ctx ends,
// round-robin across the rooms, each by the room's customer. It returns
// once every POST it started has been answered.
func (b *bench) publish(ctx context.Context) {
	if b.cfg.Rate <= 0 || len(b.rooms) == 0 {
		<-ctx.Done()
		return
	}
	p := &pacer{rate: b.cfg.Rate, burst: b.cfg.Burst, every: b.cfg.BurstEvery, burstLen: b.cfg.BurstLen}
	jobs := make(chan struct{}, b.cfg.Senders)
	var wg sync.WaitGroup
	for range b.cfg.Senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				b.sendOne()
			}
		}()
	}
	defer wg.Wait()
	defer close(jobs)

	t := time.NewTicker(tick)
	defer t.Stop()
	start := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for range p.due(time.Since(start)) {
			select {
			case jobs <- struct{}{}:
			default:
				// Every sender is busy: the hub (or this machine) cannot
				// take the rate. Counted, not queued, so that the
				// latencies are not those of a queue in hubbench.
				b.skipped.Add(1)
			}
		}
	}
}

// sendOne reports one activity in the next room and records its timing.
func (b *bench) sendOne() {
	r := b.rooms[int((b.nextRoom.Add(1)-1)%uint64(len(b.rooms)))]
	id := b.nextRef.Add(1)
	ref := b.refPrefix + strconv.FormatUint(id, 10)
	at := b.elapsed()
	b.sends.start(id, at, phase(b.phase.Load()) == phaseMain)
	b.sent.Add(1)
	ctx, cancel := context.WithTimeout(b.base, 30*time.Second)
	seq, err := r.customer.ReportActivity(ctx, r.id, "viewing", ref)
	cancel()
	if err != nil {
		b.sends.ack(id, false)
		b.errs.add("activity", err)
		return
	}
	b.ackLat.add(b.elapsed() - at)
	b.acked.Add(1)
	b.sends.ack(id, true)
	for {
		cur := r.acked.Load()
		if seq <= cur || r.acked.CompareAndSwap(cur, seq) {
			break
		}
	}
}

// parseRef returns the id of one of this run's refs.
func (b *bench) parseRef(ref string) (uint64, bool) {
	s, ok := strings.CutPrefix(ref, b.refPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseUint(s, 10, 64)
	return id, err == nil
}

// sendLog remembers when each event was sent until both subscriptions of
// its room have received it. It is sharded: every sender and every
// subscription touches it.
type sendLog struct {
	shards [64]sendShard
}

type sendShard struct {
	mu   sync.Mutex
	recs map[uint64]*sendRec
}

type sendRec struct {
	at       time.Duration // since the start of the run, just before the POST
	timed    bool          // sent in the main phase: its latency counts
	acked    bool          // the hub answered 201
	agent    bool          // the room's agent subscription received it
	customer bool          // the room's customer subscription received it
}

func (l *sendLog) shard(id uint64) *sendShard { return &l.shards[id%uint64(len(l.shards))] }

// start records that event id is about to be sent.
func (l *sendLog) start(id uint64, at time.Duration, timed bool) {
	s := l.shard(id)
	s.mu.Lock()
	if s.recs == nil {
		s.recs = map[uint64]*sendRec{}
	}
	s.recs[id] = &sendRec{at: at, timed: timed}
	s.mu.Unlock()
}

// ack records the answer to the POST of id; a failed one is forgotten.
func (l *sendLog) ack(id uint64, ok bool) {
	s := l.shard(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.recs[id]
	if rec == nil {
		return
	}
	if !ok {
		delete(s.recs, id)
		return
	}
	rec.acked = true
}

// seen records that a subscription of role received event id at now. It
// returns the publish→receive latency if it is the agent's first receipt
// of a timed event.
func (l *sendLog) seen(id uint64, r role, now time.Duration) (time.Duration, bool) {
	s := l.shard(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.recs[id]
	if rec == nil {
		return 0, false
	}
	first := false
	if r == roleAgent {
		first, rec.agent = !rec.agent, true
	} else {
		rec.customer = true
	}
	if rec.agent && rec.customer {
		delete(s.recs, id)
	}
	return now - rec.at, first && rec.timed
}

// unmatched counts the acknowledged events that the room's agent or
// customer subscription never received.
func (l *sendLog) unmatched() (agent, customer int64) {
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		for _, rec := range s.recs {
			if !rec.acked {
				continue
			}
			if !rec.agent {
				agent++
			}
			if !rec.customer {
				customer++
			}
		}
		s.mu.Unlock()
	}
	return agent, customer
}
