package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
)

// Finding 2: after Re-engage, the new recipient read the previous one's
// name and email in the room's log. A customer sees the room through a
// customer's view, on REST, in the WebSocket backlog and in the snapshot:
// no contact details of any recipient, no provider's words, no internal
// ids.
func TestCustomerSeesACustomersView(t *testing.T) {
	e := newEnv(t, nil, withDevOutbox)
	ctx := context.Background()
	s, err := e.agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelEmail,
		Customer: room.Customer{Name: "Ria Gomez", Email: "ria@example.org", Phone: "+1 415 555 0134"}})
	if err != nil {
		t.Fatal(err)
	}
	// Let the dev outbox report the delivery, with its words, first.
	watch := subscribe(t, e, s.ID)
	nextOfType(t, watch, room.TypeDelivery)
	e.clock.Advance(time.Second) // the new link is the newest message
	if _, err := e.agent.Reengage(ctx, s.ID, room.ChannelEmail, room.Customer{Name: "Rita Gomez", Email: "rita@example.org"}); err != nil {
		t.Fatal(err)
	}
	cookie := e.roomCookie(s.ID)
	secrets := []string{"ria@example.org", "Ria Gomez", "rita@example.org", "4155550134", "simulated", s.Account, "ln_", "msg_"}
	check := func(what, body string) {
		t.Helper()
		for _, secret := range secrets {
			if strings.Contains(body, secret) {
				t.Errorf("%s shows the customer %q:\n%s", what, secret, body)
			}
		}
	}
	get := func(path string) string {
		t.Helper()
		res := e.do(t, "GET", path, "", map[string]string{"Cookie": cookie})
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
		}
		return string(b)
	}
	events := get("/api/v1/rooms/" + s.ID + "/events?as=customer")
	check("the events", events)
	var evs struct{ Events []room.Event }
	if err := json.Unmarshal([]byte(events), &evs); err != nil || len(evs.Events) < 4 {
		t.Fatalf("events: %v %s", err, events)
	}
	state := get("/api/v1/rooms/" + s.ID + "?as=customer")
	check("the state", state)
	if !strings.Contains(state, `"company":"Acme"`) || !strings.Contains(state, `"name":"Ana"`) {
		t.Errorf("the customer's state lost who they deal with: %s", state)
	}

	// The WebSocket: snapshot, then backlog from the start.
	ctxw, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for _, q := range []string{"", "&since=0"} {
		c, _, err := websocket.Dial(ctxw, "ws"+strings.TrimPrefix(e.url, "http")+"/api/v1/rooms/"+s.ID+"/ws?as=customer"+q,
			&websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {cookie}}})
		if err != nil {
			t.Fatal(err)
		}
		var frames []string
		for {
			_, b, err := c.Read(ctxw)
			if err != nil {
				t.Fatal(err)
			}
			frames = append(frames, string(b))
			if strings.Contains(string(b), `"type":"synced"`) {
				break
			}
		}
		c.CloseNow()
		check("the WebSocket"+q, strings.Join(frames, "\n"))
		if len(frames) < 2 {
			t.Fatalf("frames%s: %v", q, frames)
		}
	}

	// The agent still sees everything.
	all, err := e.agent.Events(ctx, s.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(all)
	if !strings.Contains(string(b), "ria@example.org") || !strings.Contains(string(b), "rita@example.org") {
		t.Fatalf("the agent's log lost the recipients: %s", b)
	}
}
