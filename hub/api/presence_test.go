package api_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/api"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// A customer with tabs on two instances is one participant: the agent, on
// a third connection, sees one joined and, after the last tab, one left.
func TestPresenceAcrossInstances(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, open)
			b := e.peer()
			ctx := context.Background()
			s := e.liveRoom()
			agentB, err := client.New(b.url, client.WithToken(e.agent.Token()))
			if err != nil {
				t.Fatal(err)
			}
			watch, err := agentB.Subscribe(ctx, s.ID, s.Seq)
			if err != nil {
				t.Fatal(err)
			}
			defer watch.Close()

			tabA, err := e.customer(s.ID).Subscribe(ctx, s.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			if ev := next(t, watch); ev.Type != room.TypeParticipantJoined {
				t.Fatalf("the agent on B saw %s after the customer joined on A", ev.Type)
			}
			tabB, err := e.customerOn(b.url, s.ID).Subscribe(ctx, s.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := tabB.WaitSynced(ctx); err != nil {
				t.Fatal(err)
			}
			tabA.Close()
			waitConns(t, e.hub, 0)
			e.append(t, s.ID, 1, nil)
			if ev := next(t, watch); ev.Type != "test.note" {
				t.Fatalf("closing the tab on A while one is open on B recorded %s", ev.Type)
			}
			tabB.Close()
			if ev := next(t, watch); ev.Type != room.TypeParticipantLeft {
				t.Fatalf("after the last tab: %s", ev.Type)
			}
			st, err := e.agent.Room(ctx, s.ID)
			if err != nil || st.CustomerConnected() || st.Status != room.StatusLeft {
				t.Fatalf("state after the last tab: %+v %v", st, err)
			}
		})
	}
}

// An instance that dies without saying goodbye stops its heartbeat; once
// its presence rows expire, a live instance records the customer as left
// ("lost"), so the room does not show a ghost "connected".
func TestPresenceOfADeadInstanceExpires(t *testing.T) {
	e := newEnv(t, nil, func(c *api.Config) { c.PresenceTTL = 30 * time.Second })
	ctx := context.Background()
	s := e.liveRoom()
	// The dead instance took the customer's presence, then vanished.
	now := e.clock.Now().UTC().Truncate(time.Microsecond)
	st, err := e.st.Room(ctx, e.account, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := room.Number(s.ID, st.Seq, now, room.Join(st, room.CustomerParticipant, room.RoleCustomer, "iPhone Safari"))
	if err != nil {
		t.Fatal(err)
	}
	joined, err := room.Apply(st, evs[0])
	if err != nil {
		t.Fatal(err)
	}
	err = e.st.Commit(ctx, []store.Change{{Account: e.account, Room: s.ID, Head: st.Seq, Events: evs, State: joined,
		Presence: &store.PresenceChange{Instance: "in_dead", Participant: room.CustomerParticipant, Hold: true, At: now, ExpiresAt: now.Add(30 * time.Second), Holders: 1}}})[0]
	if err != nil || len(evs) != 1 {
		t.Fatalf("the dead instance's join: %v %v", evs, err)
	}
	watch, err := e.agent.Subscribe(ctx, s.ID, evs[0].Seq)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()

	// Before expiry the reaper leaves it alone.
	e.clock.Advance(29 * time.Second)
	e.hub.ReapForTest()
	if st, _ := e.agent.Room(ctx, s.ID); !st.CustomerConnected() {
		t.Fatal("the reaper released a row before it expired")
	}
	e.clock.Advance(2 * time.Second)
	e.hub.ReapForTest()
	ev := next(t, watch)
	var d room.ParticipantLeft
	_ = json.Unmarshal(ev.Data, &d)
	if ev.Type != room.TypeParticipantLeft || d.Reason != "lost" {
		t.Fatalf("after expiry: %s %+v", ev.Type, d)
	}
	if st, _ := e.agent.Room(ctx, s.ID); st.CustomerConnected() || st.Status != room.StatusLeft {
		t.Fatalf("state after the reap: %+v", st)
	}
}

// A live instance's heartbeat keeps its customers' rows from expiring,
// however long they stay.
func TestPresenceHeartbeatKeepsLiveCustomers(t *testing.T) {
	e := newEnv(t, nil, func(c *api.Config) { c.PresenceTTL = 30 * time.Second })
	ctx := context.Background()
	s := e.liveRoom()
	tab, err := e.customer(s.ID).Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	if err := tab.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		e.clock.Advance(20 * time.Second)
		e.hub.HeartbeatForTest()
		e.hub.ReapForTest()
	}
	st, err := e.agent.Room(ctx, s.ID)
	if err != nil || !st.CustomerConnected() {
		t.Fatalf("after 100 s of heartbeats the customer is not connected: %+v %v", st, err)
	}
}
