package main

import (
	"context"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store/postgres/pgtest"
)

// The account feed across two real instances on PostgreSQL and Redis: a
// feed held by one reports, within seconds, a session created and then
// invited through the other.
func TestFeedAcrossProcesses(t *testing.T) {
	redisURL := requireRedis(t)
	dbURL, _ := pgtest.EmptySchema(t)
	bin := tandemBinary(t)
	lb := newBalancer(t)
	env := chaosEnv(t, dbURL, redisURL, lb.addr)
	a, b := startInstance(t, bin, env), startInstance(t, bin, env)
	lb.setBackends(a.addr)
	// Less than the feed's 30 s sweep: the change must come by Redis.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	onA, onB := login(t, a.addr), login(t, b.addr)
	feed, err := onB.Feed(ctx, client.FeedQuery{Agent: "me"})
	if err != nil {
		t.Fatal(err)
	}
	defer feed.Close()
	s, err := onA.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelEmail,
		Customer: room.Customer{Name: "Kim Park", Email: "kim@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	want := func(status room.InviteStatus) {
		t.Helper()
		for {
			rs, err := feed.Next(ctx)
			if err != nil {
				t.Fatalf("the feed on B never reported room %s %s: %v", s.ID, status, err)
			}
			for _, r := range rs {
				if r.ID == s.ID && r.InviteStatus == status {
					return
				}
			}
		}
	}
	want(room.InvitePending)
	if _, err := onA.Invite(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	want(room.InviteDelivered) // the dev outbox on A simulates delivery
}
