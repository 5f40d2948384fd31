package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tandemhq/tandem/room"
)

// TestEventsCarryTheirOrigin: each event a person causes records the
// address and browser of the request (or the socket) that caused it; the
// system's events record none; the log is chained; and the customer sees
// neither origins nor hashes.
func TestEventsCarryTheirOrigin(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	s := e.liveRoom()
	cust := e.customer(s.ID)
	sub, err := cust.Subscribe(ctx, s.ID, 0) // the socket records the customer's coming
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	agentSub := subscribe(t, e, s.ID)
	nextOfType(t, agentSub, room.TypeParticipantJoined)

	// A long User-Agent with bytes that are not UTF-8.
	ua := "Mozilla/5.0 \xff (iPhone) " + strings.Repeat("é", 400)
	res := e.do(t, http.MethodPost, "/api/v1/rooms/"+s.ID+"/activity", `{"what":"viewing"}`,
		map[string]string{"Cookie": e.roomCookie(s.ID), "User-Agent": ua})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("activity: %d", res.StatusCode)
	}

	evs, err := e.agent.Events(ctx, s.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]*room.Origin{}
	for _, ev := range evs {
		switch {
		case ev.Actor.Kind == room.ActorSystem && ev.Origin != nil:
			t.Errorf("system event %s #%d has origin %+v", ev.Type, ev.Seq, ev.Origin)
		case ev.Actor.Kind != room.ActorSystem && (ev.Origin == nil || ev.Origin.IP != "127.0.0.1"):
			t.Errorf("%s #%d by %s has origin %+v", ev.Type, ev.Seq, ev.Actor.Kind, ev.Origin)
		}
		if ev.Origin != nil {
			seen[ev.Type] = ev.Origin
		}
	}
	if o := seen[room.TypeRoomCreated]; o == nil || o.UserAgent == "" {
		t.Fatalf("room.created's origin: %+v", o)
	}
	if o := seen[room.TypeParticipantJoined]; o == nil {
		t.Fatal("the customer's coming through the socket has no origin")
	}
	act := seen[room.TypeActivity]
	if act == nil || len(act.UserAgent) > room.MaxUserAgent || !utf8.ValidString(act.UserAgent) || !strings.HasPrefix(act.UserAgent, "Mozilla/5.0 \uFFFD (iPhone) éé") {
		t.Fatalf("the activity's origin: %+v", act)
	}

	st, err := e.agent.Room(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	r, err := room.VerifyChain(evs)
	if err != nil {
		t.Fatalf("the room's log: %v", err)
	}
	if err := room.CheckHead(st, r); err != nil || r.Unchained != 0 || st.Hash == "" {
		t.Fatalf("the room's head %q: %v (%+v)", st.Hash, err, r)
	}

	// The customer's view: no origin, no hash, no head.
	theirs, err := cust.Events(ctx, s.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(theirs)
	if strings.Contains(string(raw), `"origin"`) || strings.Contains(string(raw), `"hash"`) || strings.Contains(string(raw), "127.0.0.1") {
		t.Fatalf("the customer's events show origins or hashes: %s", raw)
	}
	for {
		ev := next(t, sub)
		if ev.Origin != nil || ev.Hash != "" {
			t.Fatalf("the customer's socket shows %s #%d with origin %+v, hash %q", ev.Type, ev.Seq, ev.Origin, ev.Hash)
		}
		if ev.Type == room.TypeActivity {
			break
		}
	}
	res = e.do(t, http.MethodGet, "/api/v1/rooms/"+s.ID, "", map[string]string{"Cookie": e.roomCookie(s.ID)})
	var body map[string]any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("the customer's room: %d, %v", res.StatusCode, err)
	}
	if b, _ := json.Marshal(body); strings.Contains(string(b), st.Hash[:16]) || strings.Contains(string(b), `"hash"`) {
		t.Fatalf("the customer's room shows the head: %s", b)
	}
}

// TestErasureChainsTheLogAgain: an erasure rewrites the log, which still
// checks, and its event keeps the head the log had before.
func TestErasureChainsTheLogAgain(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	s := e.liveRoom()
	before, err := e.agent.Room(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := e.agent.Contacts(ctx, "sam", 0)
	if len(cs) != 1 {
		t.Fatalf("Sam's contacts: %+v", cs)
	}
	if err := e.agent.DeleteContact(ctx, cs[0].ID); err != nil {
		t.Fatal(err)
	}
	evs, err := e.agent.Events(ctx, s.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := room.VerifyChain(evs)
	if err != nil {
		t.Fatalf("the log after the erasure: %v", err)
	}
	st, err := e.agent.Room(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := room.CheckHead(st, r); err != nil {
		t.Fatal(err)
	}
	if len(r.Rewrites) != 1 || r.Rewrites[0].PreviousHead != before.Hash || r.Rewrites[0].Seq != evs[len(evs)-1].Seq {
		t.Fatalf("rewrites %+v, want one from %s", r.Rewrites, before.Hash)
	}
}
