package api_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/api"
	"github.com/tandemhq/tandem/room"
)

// feedUntil reads f until want accepts a room of a batch, and returns it.
// Every room of every batch read is shown to want, so a test can also
// fail on a room that must not come.
func feedUntil(t *testing.T, f *client.Feed, what string, want func(room.State) bool) room.State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		rs, err := f.Next(ctx)
		if err != nil {
			t.Fatalf("feed, waiting for %s: %v", what, err)
		}
		var found *room.State
		for _, r := range rs {
			if want(r) && found == nil {
				found = &r
			}
		}
		if found != nil {
			return *found
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

// Resuming with since reports what changed while the feed was away, and
// (beyond the hub's margin) nothing older.
func TestFeedResumesSince(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	s := e.liveRoom()
	e.clock.Advance(time.Minute)
	later := e.liveRoom()
	since := s.UpdatedAt.Add(30 * time.Second)
	f, err := e.agent.Feed(ctx, client.FeedQuery{Since: since})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := feedUntil(t, f, "the room changed after since", func(r room.State) bool {
		if r.ID == s.ID {
			t.Fatalf("resumed feed reported a room unchanged since: %+v", r)
		}
		return r.ID == later.ID
	})
	if got.Customer.Name != "Sam Lee" {
		t.Fatalf("resumed room: %+v", got)
	}
	// A since beyond a week is refused: read the list instead.
	_, err = e.agent.Feed(ctx, client.FeedQuery{Since: s.UpdatedAt.Add(-8 * 24 * time.Hour)})
	if code := apiCode(t, err); code != "invalid" {
		t.Fatalf("since 8 days ago: %q", code)
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

// A feed ends with its agent's session: signed out (on any instance), the
// next change closes it with 4401 instead of sending the account's rooms.
func TestFeedEndsWithTheSession(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	f, err := e.agent.Feed(ctx, client.FeedQuery{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	colleague := e.agentIn("bo@acme.test", "")
	first, err := colleague.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelEmail, Customer: room.Customer{Name: "Kim", Email: "kim@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	feedUntil(t, f, "a room while signed in", func(r room.State) bool { return r.ID == first.ID })
	if err := e.agent.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	later, err := colleague.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelEmail, Customer: room.Customer{Name: "Lee", Email: "lee@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		rs, err := f.Next(tctx)
		var ce *client.CloseError
		if errors.As(err, &ce) && ce.Code == client.CloseAccessEnded {
			return
		}
		if err != nil {
			t.Fatalf("feed after sign-out: %v, want close 4401", err)
		}
		for _, r := range rs {
			if r.ID == later.ID {
				t.Fatalf("the feed sent a room after its agent signed out")
			}
		}
	}
}

// preplanned creates a pre-planned room for name through c.
func preplanned(t *testing.T, c *client.Client, name string) room.State {
	t.Helper()
	s, err := c.CreateRoom(context.Background(), client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelEmail, Customer: room.Customer{Name: name, Email: "someone@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// An instance whose clock runs a minute ahead does not blind the feed to
// the changes of instances whose clock is right.
func TestFeedWithAnInstanceAhead(t *testing.T) {
	e := newEnv(t, nil)
	p := e.peer(func(cfg *api.Config) { cfg.Now = func() time.Time { return e.clock.Now().Add(time.Minute) } })
	onPeer, err := client.New(p.url, client.WithToken(e.agent.Token()))
	if err != nil {
		t.Fatal(err)
	}
	f, err := e.agent.Feed(context.Background(), client.FeedQuery{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ahead := preplanned(t, onPeer, "Ahead")
	feedUntil(t, f, "the room stamped a minute ahead", func(r room.State) bool { return r.ID == ahead.ID })
	time.Sleep(300 * time.Millisecond) // past the coalescing pause: a new read
	normal := preplanned(t, e.agent, "Normal")
	feedUntil(t, f, "the room of the instance whose clock is right", func(r room.State) bool { return r.ID == normal.ID })
}

// The SDK's feed, cut off before it reported anything, resumes from the
// hub's ready time: what changed while it was away comes when it is back.
func TestFeedClientResumesAfterAnOutage(t *testing.T) {
	e := newEnv(t, nil)
	px := newProxy(t, e.url)
	c, err := client.New(px.url, client.WithToken(e.agent.Token()))
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.Feed(context.Background(), client.FeedQuery{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	px.setDown(true)
	e.clock.Advance(time.Minute) // longer than the hub's margin
	away := preplanned(t, e.agent, "Changed while away")
	e.clock.Advance(time.Minute)
	px.setDown(false)
	feedUntil(t, f, "the room changed while the feed was away", func(r room.State) bool { return r.ID == away.ID })
}
