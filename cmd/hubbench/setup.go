package main

import (
	"context"
	"fmt"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
)

// setupBatch is how many rooms are created before their links are read
// from the dev outbox, which shows the newest 200 messages only.
const setupBatch = 100

// setup creates the rooms and opens both subscriptions of each. A room
// that fails is counted in the errors and left out; only a hub without a
// dev outbox stops the run.
//
// With -settle, every room is created before any is opened, and the hubs'
// baseline is read again in between: the idle figures then count what the
// sockets cost, not what creating the rooms left in the hub.
func (b *bench) setup(ctx context.Context) error {
	type toOpen struct {
		idx  int
		s    room.State
		link string
	}
	var later []toOpen
	for first := 0; first < b.cfg.Rooms && ctx.Err() == nil; first += setupBatch {
		n := min(setupBatch, b.cfg.Rooms-first)
		created := make([]room.State, n)
		parallel(ctx, b.cfg.Setup, n, func(i int) {
			idx := first + i
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			s, err := b.agents[idx%len(b.agents)].CreateRoom(cctx, client.CreateRoom{
				Mode: room.ModeLive, Channel: room.ChannelSMS,
				Customer: room.Customer{Name: "Bench Customer", Phone: "+14155550134"},
			})
			if err != nil {
				if ctx.Err() == nil {
					b.errs.add("create room", err)
				}
				return
			}
			created[i] = s
			b.created.Add(1)
		})
		links, err := b.links(ctx)
		if err != nil {
			return err
		}
		if b.cfg.Settle > 0 {
			for i, s := range created {
				if s.ID != "" {
					later = append(later, toOpen{first + i, s, links[s.ID]})
				}
			}
			continue
		}
		parallel(ctx, b.cfg.Setup, n, func(i int) {
			if created[i].ID != "" {
				b.openRoom(ctx, first+i, created[i], links[created[i].ID])
			}
		})
	}
	if b.cfg.Settle > 0 && ctx.Err() == nil {
		// The setup's keep-alive connections each hold goroutines and
		// buffers on the hub: closed, so that the baseline counts none of
		// them (the sockets open on connections of their own).
		b.tr.CloseIdleConnections()
		b.collectedAtBaseline = len(b.cfg.DebugURLs) > 0 && b.collectGarbage()
		b.scrapeAll(keepBaseline)
		parallel(ctx, b.cfg.Setup, len(later), func(i int) {
			b.openRoom(ctx, later[i].idx, later[i].s, later[i].link)
		})
	}
	return nil
}

// links returns the newest link of each room in the dev outbox.
func (b *bench) links(ctx context.Context) (map[string]string, error) {
	lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	msgs, err := b.agents[0].DevOutbox(lctx)
	if client.ErrorCode(err) == "not_found" {
		return nil, errNoOutbox
	}
	links := map[string]string{}
	if err != nil {
		if ctx.Err() == nil {
			b.errs.add("dev outbox", err)
		}
		return links, nil
	}
	for _, m := range msgs { // newest first
		if _, ok := links[m.Room]; !ok && m.Room != "" && m.Link != "" {
			links[m.Room] = m.Link
		}
	}
	return links, nil
}

// openRoom plays room s's agent on one hub and its customer on the next,
// so that with several hubs every event crosses instances.
func (b *bench) openRoom(ctx context.Context, idx int, s room.State, link string) {
	if link == "" {
		b.errs.addKind("open link: not in the dev outbox")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	agentHub, custHub := idx%len(b.agents), (idx+1)%len(b.agents)
	fail := func(op string, err error, subs ...*client.Subscription) {
		for _, sub := range subs {
			sub.Close()
		}
		if !b.interrupted.Load() { // after Ctrl-C, failures are ours
			b.errs.add(op, err)
		}
	}

	asub, err := b.agents[agentHub].Subscribe(b.subCtx, s.ID, s.Seq)
	if err != nil {
		fail("subscribe agent", err)
		return
	}
	cust, err := client.New(b.cfg.Hubs[custHub], client.WithHTTPClient(b.hc))
	if err != nil {
		fail("open link", err, asub)
		return
	}
	got, err := cust.OpenLink(ctx, link)
	if err == nil && got != s.ID {
		err = fmt.Errorf("the link opened room %s, not %s", got, s.ID)
	}
	if err != nil {
		fail("open link", err, asub)
		return
	}
	csub, err := cust.Subscribe(b.subCtx, s.ID, s.Seq)
	if err != nil {
		fail("subscribe customer", err, asub)
		return
	}
	for _, sub := range []*client.Subscription{asub, csub} {
		if err := sub.WaitSynced(ctx); err != nil {
			fail("synced", err, asub, csub)
			return
		}
	}

	rm := &benchRoom{id: s.ID, idx: idx, customer: cust}
	rm.acked.Store(s.Seq)
	ac := newConn(b, rm, roleAgent, agentHub, b.agents[agentHub], asub, s.Seq)
	cc := newConn(b, rm, roleCustomer, custHub, cust, csub, s.Seq)
	b.mu.Lock()
	b.rooms = append(b.rooms, rm)
	b.conns = append(b.conns, ac, cc)
	b.hubs[agentHub].conns++
	b.hubs[custHub].conns++
	b.mu.Unlock()
	b.connWG.Add(2)
	go ac.run()
	go cc.run()
}
