package hub_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
)

// feedUntil reads f until want accepts the newest state reported of a room,
// and returns it.
func feedUntil(t *testing.T, f *client.Feed, what string, want func(room.State) bool) room.State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		rs, err := f.Next(ctx)
		if err != nil {
			t.Fatalf("feed, waiting for %s: %v", what, err)
		}
		for _, r := range rs {
			if want(r) {
				return r
			}
		}
	}
}

// The feed reports each room of the account as it changes, with its new
// state: created, invited, the customer connected; an agent's feed only
// its own rooms; another account's rooms never.
func TestFeedReportsChangedRooms(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	all, err := e.agent.Feed(ctx, client.FeedQuery{})
	if err != nil {
		t.Fatal(err)
	}
	defer all.Close()
	mine, err := e.agent.Feed(ctx, client.FeedQuery{Agent: "me"})
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Close()
	_, other := e.newAgent("Elsewhere", "eli@elsewhere.test", "Eli")
	theirs, err := other.Feed(ctx, client.FeedQuery{})
	if err != nil {
		t.Fatal(err)
	}
	defer theirs.Close()

	s, err := e.agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Sam Lee", Phone: "+14155550134"}})
	if err != nil {
		t.Fatal(err)
	}
	is := func(status room.InviteStatus) func(room.State) bool {
		return func(r room.State) bool { return r.ID == s.ID && r.InviteStatus == status }
	}
	feedUntil(t, all, "the new room", is(room.InvitePending))
	feedUntil(t, mine, "the new room in my feed", is(room.InvitePending))
	if _, err := e.agent.Invite(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	feedUntil(t, all, "the invitation", is(room.InviteSent))
	cust := e.customer(s.ID)
	sub, err := cust.Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	got := feedUntil(t, mine, "the customer connected", func(r room.State) bool { return r.ID == s.ID && r.Status == room.StatusConnected })
	if got.Customer.Name != "Sam Lee" || got.Seq < 3 {
		t.Fatalf("state in the feed: %+v", got)
	}

	// A colleague's room is in the account's feed, not in mine; the other
	// account hears of neither.
	bo := e.agentIn("bo@acme.test", "")
	bs, err := bo.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelEmail, Customer: room.Customer{Name: "Kim", Email: "kim@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	feedUntil(t, all, "Bo's room", func(r room.State) bool { return r.ID == bs.ID })
	// A marker room of mine, made after Bo's: my feed reaches it without
	// having reported Bo's.
	marker, err := e.agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelEmail, Customer: room.Customer{Name: "Marker", Email: "m@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	feedUntil(t, mine, "the marker", func(r room.State) bool {
		if r.ID == bs.ID {
			t.Fatalf("my feed reported a colleague's room")
		}
		return r.ID == marker.ID
	})
	os, err := other.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelEmail, Customer: room.Customer{Name: "Theirs", Email: "t@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	feedUntil(t, theirs, "their own room", func(r room.State) bool {
		if r.Account != os.Account {
			t.Fatalf("the other account's feed reported room %s of account %s", r.ID, r.Account)
		}
		return r.ID == os.ID
	})
}

// A feed on one instance reports changes made through another.
func TestFeedAcrossInstances(t *testing.T) {
	e := newEnv(t, nil)
	p := e.peer()
	ctx := context.Background()
	onPeer, err := client.New(p.url, client.WithToken(e.agent.Token()))
	if err != nil {
		t.Fatal(err)
	}
	f, err := onPeer.Feed(ctx, client.FeedQuery{Agent: "me"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := e.liveRoom()
	feedUntil(t, f, "the room made on the other instance", func(r room.State) bool { return r.ID == s.ID })
}

// Resuming with since reports what changed while the feed was away.
func TestFeedResumesSince(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	s := e.liveRoom()
	since := s.UpdatedAt
	e.clock.Advance(time.Minute)
	later := e.liveRoom()
	f, err := e.agent.Feed(ctx, client.FeedQuery{Since: since.Add(time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := feedUntil(t, f, "the room changed after since", func(r room.State) bool {
		if r.ID == s.ID && r.UpdatedAt.Before(since.Add(time.Second)) {
			t.Fatalf("resumed feed reported a room unchanged since: %+v", r)
		}
		return r.ID == later.ID
	})
	if got.Customer.Name != "Sam Lee" {
		t.Fatalf("resumed room: %+v", got)
	}
}

// The feed is for agents, from our origin only, and says clearly what is
// wrong with a request.
func TestFeedRefuses(t *testing.T) {
	e := newEnv(t, nil)
	s := e.liveRoom()
	wsURL := "ws" + strings.TrimPrefix(e.url, "http") + "/api/v1/feed"
	dial := func(query string, hdr http.Header) int {
		t.Helper()
		c, res, err := websocket.Dial(context.Background(), wsURL+query, &websocket.DialOptions{HTTPHeader: hdr})
		if err == nil {
			c.CloseNow()
			return http.StatusSwitchingProtocols
		}
		if res == nil {
			t.Fatalf("dial %s: %v", query, err)
		}
		return res.StatusCode
	}
	agent := http.Header{"Authorization": {"Bearer " + e.agent.Token()}}
	for _, tc := range []struct {
		name  string
		query string
		hdr   http.Header
		want  int
	}{
		{"no one", "", http.Header{}, http.StatusUnauthorized},
		{"a customer", "", http.Header{"Cookie": {e.roomCookie(s.ID)}}, http.StatusUnauthorized},
		{"a foreign origin", "", http.Header{"Authorization": agent["Authorization"], "Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"a bad since", "?since=yesterday", agent, http.StatusBadRequest},
		{"a bad agent", "?agent=bob", agent, http.StatusBadRequest},
		{"an agent", "?agent=me", agent, http.StatusSwitchingProtocols},
	} {
		if got := dial(tc.query, tc.hdr); got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
		}
	}
}
