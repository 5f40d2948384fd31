package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/api"
	"github.com/tandemhq/tandem/hub/sender"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// deliveryOf decodes an invitation.delivery event.
func deliveryOf(t testing.TB, ev room.Event) room.Delivery {
	t.Helper()
	if ev.Type != room.TypeDelivery {
		t.Fatalf("event %d is %s, want %s", ev.Seq, ev.Type, room.TypeDelivery)
	}
	var d room.Delivery
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func subscribe(t testing.TB, e *env, roomID string) *client.Subscription {
	t.Helper()
	sub, err := e.agent.Subscribe(context.Background(), roomID, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Close() })
	return sub
}

// With the dev outbox, the agent sees the invitation go out and its
// simulated delivery, live, and the state says so.
func TestInvitationDeliveryIsLive(t *testing.T) {
	e := newEnv(t, nil, withDevOutbox)
	ctx := context.Background()
	s := e.liveRoom()
	sub := subscribe(t, e, s.ID)
	d := deliveryOf(t, nextOfType(t, sub, room.TypeDelivery))
	if d.Status != room.DeliveryDelivered || d.Provider != "dev" || d.Link != s.Invite.Link || !strings.HasPrefix(d.Reason, "simulated") {
		t.Fatalf("delivery %+v", d)
	}
	st, err := e.agent.Room(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.InviteStatus != room.InviteDelivered || st.Invite.Delivery != room.DeliveryDelivered {
		t.Fatalf("state after delivery: %q %+v", st.InviteStatus, st.Invite)
	}
}

// An impossible number reported by the provider shows as invalid with its
// reason; Re-engage then switches to email on a new link, the old link
// stops working, and the new invitation is delivered.
func TestInvalidNumberThenReengageByEmail(t *testing.T) {
	e := newEnv(t, nil, withDevOutbox)
	ctx := context.Background()
	s, err := e.agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS,
		Customer: room.Customer{Name: "Sam Lee", Phone: "+1 500 555 0001"}})
	if err != nil {
		t.Fatal(err)
	}
	sub := subscribe(t, e, s.ID)
	d := deliveryOf(t, nextOfType(t, sub, room.TypeDelivery))
	if d.Status != room.DeliveryInvalid || d.Code != "21211" || d.Reason == "" {
		t.Fatalf("delivery to an invalid number: %+v", d)
	}
	oldLink := e.lastLink(s.ID)

	e.clock.Advance(time.Second) // the outbox lists newest first
	st, err := e.agent.Reengage(ctx, s.ID, room.ChannelEmail, room.Customer{Email: "sam@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Channel != room.ChannelEmail || st.Customer.Name != "Sam Lee" || st.Customer.Email != "sam@example.com" ||
		st.Invite.Attempt != 2 || st.Invite.To != "sam@example.com" || st.InviteStatus != room.InviteSent {
		t.Fatalf("after re-engage: %+v %+v", st, st.Invite)
	}
	for _, typ := range []string{room.TypeContactChanged, room.TypeLinkRevoked, room.TypeRoomInvited} {
		if ev := next(t, sub); ev.Type != typ {
			t.Fatalf("re-engage event %d is %s, want %s", ev.Seq, ev.Type, typ)
		}
	}
	if d := deliveryOf(t, next(t, sub)); d.Status != room.DeliveryDelivered || d.Link != st.Invite.Link {
		t.Fatalf("delivery of the new invitation: %+v", d)
	}
	// The old link is dead; the new one, by email, opens the room.
	if _, err := e.client().OpenLink(ctx, oldLink); apiCode(t, err) != "link_revoked" {
		t.Fatalf("the old link after re-engage: %v", err)
	}
	msgs, err := e.agent.DevOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if msgs[0].Channel != room.ChannelEmail || msgs[0].To != "sam@example.com" || msgs[0].Link == oldLink {
		t.Fatalf("the re-engage message: %+v", msgs[0])
	}
	cust := e.customer(s.ID)
	if _, err := cust.Room(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	csub, err := cust.Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer csub.Close()
	nextOfType(t, sub, room.TypeParticipantJoined)
	// Once the customer has connected, Re-engage is gone.
	if _, err := e.agent.Reengage(ctx, s.ID, room.ChannelSMS, room.Customer{Phone: "+14155552671"}); apiCode(t, err) != "already_connected" {
		t.Fatalf("re-engage after the customer connected: %v", err)
	}
}

func TestReengageValidation(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	pre, err := e.agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelSMS, Customer: room.Customer{Name: "P", Phone: "4155552671"}})
	if err != nil {
		t.Fatal(err)
	}
	live := e.liveRoom()
	for _, tc := range []struct {
		room     string
		channel  room.Channel
		customer room.Customer
		code     string
	}{
		{pre.ID, room.ChannelSMS, room.Customer{Phone: "4155552671"}, "not_invited"},
		{live.ID, room.ChannelSMS, room.Customer{Phone: "+1 011 555 2671"}, "invalid_phone"},
		{live.ID, room.ChannelEmail, room.Customer{Phone: "4155552671"}, "email_required"},
		{live.ID, "fax", room.Customer{Phone: "4155552671"}, "invalid_channel"},
		{room.NewID("rm"), room.ChannelSMS, room.Customer{Phone: "4155552671"}, "room_not_found"},
	} {
		if _, err := e.agent.Reengage(ctx, tc.room, tc.channel, tc.customer); apiCode(t, err) != tc.code {
			t.Errorf("%s %+v: %v, want %s", tc.channel, tc.customer, err, tc.code)
		}
	}
	// Another account's agent cannot re-engage this room.
	_, other := e.newAgent("Globex", "hank@globex.test", "Hank")
	if _, err := other.Reengage(ctx, live.ID, room.ChannelSMS, room.Customer{Phone: "4155552671"}); apiCode(t, err) != "room_not_found" {
		t.Fatalf("cross-account re-engage: %v", err)
	}
	// A customer cannot either.
	if _, err := e.customer(live.ID).Reengage(ctx, live.ID, room.ChannelSMS, room.Customer{Phone: "4155552671"}); apiCode(t, err) != "unauthorized" {
		t.Fatalf("a customer re-engaging: %v", err)
	}
}

// fakeProvider is an SMS provider whose Send answers "queued" with an id
// of its own, and whose status callbacks carry a shared secret.
type fakeProvider struct {
	mu     sync.Mutex
	sent   []store.Message
	fails  int             // transient failures to give before taking a message
	onSend func(id string) // called with the provider id before Send returns
}

const fakeSecret = "s3cret"

func (p *fakeProvider) Send(_ context.Context, m store.Message) (sender.Receipt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fails > 0 {
		p.fails--
		return sender.Receipt{}, errors.New("fake: try again later")
	}
	p.sent = append(p.sent, m)
	if p.onSend != nil {
		p.onSend("F-" + m.ID)
	}
	return sender.Receipt{Provider: "fake", ID: "F-" + m.ID, Status: room.DeliveryQueued}, nil
}

func (p *fakeProvider) messages() []store.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]store.Message(nil), p.sent...)
}

func (p *fakeProvider) ParseCallback(r *http.Request, u string) (sender.DeliveryReport, error) {
	if r.Header.Get("X-Fake-Signature") != fakeSecret+" "+u {
		return sender.DeliveryReport{}, tandem.Coded(tandem.KindForbidden, "invalid_signature", "the callback's signature does not match")
	}
	if err := r.ParseForm(); err != nil {
		return sender.DeliveryReport{}, tandem.Errorf(tandem.KindInvalid, "bad form: %v", err)
	}
	return sender.DeliveryReport{ProviderID: r.PostForm.Get("id"), Status: room.DeliveryStatus(r.PostForm.Get("status")), Code: r.PostForm.Get("code")}, nil
}

// Status callbacks become live events; late and repeated ones add none; a
// forged one is refused; one about an unknown message is a 404.
func TestStatusCallbacks(t *testing.T) {
	p := &fakeProvider{}
	e := newEnv(t, nil, withSender(p), func(cfg *api.Config) { cfg.Callbacks = map[string]sender.StatusCallback{"fake": p} })
	s := e.liveRoom()
	sub := subscribe(t, e, s.ID)
	if d := deliveryOf(t, nextOfType(t, sub, room.TypeDelivery)); d.Status != room.DeliveryQueued || d.Provider != "fake" {
		t.Fatalf("delivery at sending: %+v", d)
	}
	msgID := p.messages()[0].ID
	callback := func(sig string, form url.Values) int {
		t.Helper()
		res := e.do(t, "POST", "/api/v1/hooks/fake/status", form.Encode(), map[string]string{
			"Content-Type": "application/x-www-form-urlencoded", "X-Fake-Signature": sig,
		})
		res.Body.Close()
		return res.StatusCode
	}
	good := fakeSecret + " " + e.url + "/api/v1/hooks/fake/status"
	for _, st := range []string{"delivered", "sent", "delivered"} { // out of order, and repeated
		if code := callback(good, url.Values{"id": {"F-" + msgID}, "status": {st}}); code != http.StatusNoContent {
			t.Fatalf("callback %s: %d", st, code)
		}
	}
	if code := callback("forged", url.Values{"id": {"F-" + msgID}, "status": {"undelivered"}}); code != http.StatusForbidden {
		t.Fatalf("a forged callback: %d", code)
	}
	if code := callback(good, url.Values{"id": {"F-unknown"}, "status": {"delivered"}}); code != http.StatusNotFound {
		t.Fatalf("a callback about an unknown message: %d", code)
	}
	if code := callback(good, url.Values{"id": {"F-" + msgID}, "status": {"read"}}); code != http.StatusBadRequest {
		t.Fatalf("a callback with an unknown status: %d", code)
	}
	res := e.do(t, "POST", "/api/v1/hooks/other/status", "", nil)
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("callbacks of an unconfigured provider: %d", res.StatusCode)
	}
	// Exactly one more event: delivered. A marker activity shows nothing
	// else came before it.
	if d := deliveryOf(t, next(t, sub)); d.Status != room.DeliveryDelivered {
		t.Fatalf("after the callbacks: %+v", d)
	}
	if _, err := e.agent.ReportActivity(context.Background(), s.ID, "viewing", "marker"); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, sub); ev.Type != room.TypeActivity {
		t.Fatalf("after delivered came %s: a late or repeated callback was recorded", ev.Type)
	}
}

// A provider that fails for a while gets the message again after the
// lease; the message is sent once, and the room hears only of that.
func TestTransientSendFailuresAreRetried(t *testing.T) {
	t.Parallel() // a hub of its own, and mostly waiting
	p := &fakeProvider{fails: 2}
	e := newEnv(t, nil, withSender(p))
	s := e.liveRoom()
	for left := 1; left >= 0; left-- {
		waitFor(t, "a failed attempt", func() bool { return p.failsLeft() == left })
		e.clock.Advance(2 * time.Minute) // past the dispatcher's lease
	}
	waitFor(t, "the message is sent", func() bool { return len(p.messages()) == 1 })
	sub := subscribe(t, e, s.ID)
	if d := deliveryOf(t, nextOfType(t, sub, room.TypeDelivery)); d.Status != room.DeliveryQueued {
		t.Fatalf("delivery after retries: %+v", d)
	}
	e.clock.Advance(10 * time.Minute)
	time.Sleep(3 * time.Second) // two dispatcher polls
	if n := len(p.messages()); n != 1 {
		t.Fatalf("the message was sent %d times", n)
	}
}

func (p *fakeProvider) failsLeft() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fails
}

// The outbox is written with the invitation; a hub that stops before
// sending leaves it there, and when instances come back the message goes
// out once, however many of them dispatch.
func TestOutboxSendsOnceAfterACrashBeforeSending(t *testing.T) {
	t.Parallel()                       // a hub of its own, and mostly waiting
	e := newEnv(t, stores["postgres"]) // no Sender: the invitation is written, never sent
	s := e.liveRoom()
	p := &fakeProvider{}
	e.restart(withSender(p))
	for i := 0; i < 3; i++ {
		e.peer(withSender(p))
	}
	waitFor(t, "the invitation is sent", func() bool { return len(p.messages()) >= 1 })
	time.Sleep(3 * time.Second) // every dispatcher polls again
	if got := p.messages(); len(got) != 1 || got[0].Room != s.ID {
		t.Fatalf("sent %d messages: %+v", len(got), got)
	}
}

// waitFor polls cond for up to 20 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The dev outbox page lists only the channels it simulates: messages that
// go to real customers carry their links, which agents must not see.
func TestDevOutboxListsOnlySimulatedChannels(t *testing.T) {
	e := newEnv(t, nil, func(cfg *api.Config) { cfg.DevOutbox = []room.Channel{room.ChannelSMS} })
	ctx := context.Background()
	sms := e.liveRoom()
	if _, err := e.agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelEmail, Customer: room.Customer{Name: "Sam", Email: "sam@example.com"}}); err != nil {
		t.Fatal(err)
	}
	msgs, err := e.agent.DevOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Room != sms.ID || msgs[0].Channel != room.ChannelSMS {
		t.Fatalf("the dev outbox lists %+v", msgs)
	}
}

// The dev outbox page carries every link, password resets included: only
// admins read it.
func TestDevOutboxIsForAdmins(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	e.liveRoom()
	bob := e.agentIn("bob@acme.test", "")
	if _, err := bob.DevOutbox(ctx); apiCode(t, err) != "forbidden" {
		t.Fatalf("an agent reading the dev outbox: %v", err)
	}
	if msgs, err := e.agent.DevOutbox(ctx); err != nil || len(msgs) != 1 {
		t.Fatalf("the admin reading it: %d messages, %v", len(msgs), err)
	}
}

// A callback that arrives before the hub has recorded the provider's id of
// the message (it comes back with the provider's answer) is not lost.
func TestEarlyStatusCallback(t *testing.T) {
	p := &fakeProvider{}
	e := newEnv(t, nil, withSender(p), func(cfg *api.Config) { cfg.Callbacks = map[string]sender.StatusCallback{"fake": p} })
	codes := make(chan int, 1)
	p.onSend = func(id string) {
		go func() { // the provider calls back while Send has not returned yet
			form := url.Values{"id": {id}, "status": {"delivered"}}
			res := e.do(t, "POST", "/api/v1/hooks/fake/status", form.Encode(), map[string]string{
				"Content-Type": "application/x-www-form-urlencoded", "X-Fake-Signature": fakeSecret + " " + e.url + "/api/v1/hooks/fake/status",
			})
			res.Body.Close()
			codes <- res.StatusCode
		}()
		time.Sleep(20 * time.Millisecond) // let the callback get there first
	}
	s := e.liveRoom()
	if code := <-codes; code != http.StatusNoContent {
		t.Fatalf("the early callback: %d", code)
	}
	sub := subscribe(t, e, s.ID)
	for {
		if d := deliveryOf(t, nextOfType(t, sub, room.TypeDelivery)); d.Status == room.DeliveryDelivered {
			return
		}
	}
}

// ?as=customer makes a request the customer's whatever else it carries:
// agent credentials are ignored, the room cookie decides.
func TestAsCustomer(t *testing.T) {
	e := newEnv(t, nil)
	s := e.liveRoom()
	auth := map[string]string{"Authorization": "Bearer " + e.agent.Token()}
	if res := e.do(t, "GET", "/api/v1/rooms/"+s.ID, "", auth); res.StatusCode != 200 {
		t.Fatalf("the agent: %d", res.StatusCode)
	}
	if res := e.do(t, "GET", "/api/v1/rooms/"+s.ID+"?as=customer", "", auth); res.StatusCode != 401 {
		t.Fatalf("as=customer with only the agent's credentials: %d, want 401", res.StatusCode)
	}
	both := map[string]string{"Authorization": "Bearer " + e.agent.Token(), "Cookie": e.roomCookie(s.ID)}
	if res := e.do(t, "GET", "/api/v1/rooms/"+s.ID+"?as=customer", "", both); res.StatusCode != 200 {
		t.Fatalf("as=customer with the room cookie: %d", res.StatusCode)
	}
}

// Pages may be framed only by the configured origins (a CRM showing the
// console); by default by no one.
func TestFrameAncestors(t *testing.T) {
	e := newEnv(t, nil)
	res := e.do(t, "GET", "/healthz", "", nil)
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || res.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("default: CSP %q, X-Frame-Options %q", csp, res.Header.Get("X-Frame-Options"))
	}
	crm := newEnv(t, nil, func(cfg *api.Config) {
		cfg.FrameAncestors = []string{"https://crm.example.com", "https://*.example.org"}
	})
	res = crm.do(t, "GET", "/healthz", "", nil)
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://crm.example.com https://*.example.org;") || res.Header.Get("X-Frame-Options") != "" {
		t.Fatalf("configured: CSP %q, X-Frame-Options %q", csp, res.Header.Get("X-Frame-Options"))
	}
	for a, ok := range map[string]bool{
		"https://crm.example.com": true, "https://*.example.org": true, "http://localhost:3000": true,
		"https://crm.example.com/": false, "crm.example.com": false, "https://x.com; script-src *": false, "'self'": false, "https://*": false, "ftp://x.com": false,
	} {
		if api.ValidFrameAncestor(a) != ok {
			t.Errorf("ValidFrameAncestor(%q) = %v", a, !ok)
		}
	}
	if _, err := api.New(api.Config{Store: e.st, Broker: e.broker, PublicURL: mustURL(t, e.url), FrameAncestors: []string{"*"}}); err == nil {
		t.Fatal("a hub accepted * as a frame ancestor")
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
