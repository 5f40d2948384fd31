package twilio_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/api"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/hub/broker/memory"
	"github.com/tandemhq/tandem/hub/sender"
	"github.com/tandemhq/tandem/hub/sender/twilio"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store/sqlite/sqlitetest"
)

// The whole path on a real hub: an invitation goes out through twilio-go
// to the fake Twilio with the hub's callback URL; Twilio's signed status
// callbacks to that URL become live events on the agent's WebSocket; a
// forged one is refused and changes nothing.
func TestCallbacksBecomeLiveEvents(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	pub, _ := url.Parse(base)
	hookURL := base + "/api/v1/hooks/twilio/status"
	f := newFakeTwilio(t)
	tw := newSender(t, f, twilio.Options{StatusCallbackURL: hookURL})
	st := sqlitetest.Open(t)
	ctx := context.Background()
	if _, _, err := app.Bootstrap(ctx, st, app.FirstAdmin{AccountName: "Acme", Name: "Ana", Email: "ana@acme.test", Password: "correct horse battery"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	h, err := api.New(api.Config{
		Store: st, Broker: memory.New(), PublicURL: pub, Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel),
		Sender: tw, Callbacks: map[string]sender.StatusCallback{twilio.Provider: tw}, BcryptCost: 4,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h.Handler()}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		_ = h.Shutdown(sctx)
	})

	agent, err := client.New(base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := agent.Login(ctx, "ana@acme.test", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	s, err := agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Sam Lee", Phone: "(415) 555-2671"}})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := agent.Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	nextDelivery := func() room.Delivery {
		t.Helper()
		for {
			nctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			ev, err := sub.Next(nctx)
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			if ev.Type == room.TypeDelivery {
				var d room.Delivery
				if err := json.Unmarshal(ev.Data, &d); err != nil {
					t.Fatal(err)
				}
				return d
			}
		}
	}
	if d := nextDelivery(); d.Status != room.DeliveryQueued || d.Provider != "twilio" {
		t.Fatalf("at sending: %+v", d)
	}
	msgs := f.messages()
	if len(msgs) != 1 || msgs[0].Get("To") != "+14155552671" || msgs[0].Get("StatusCallback") != hookURL || !strings.Contains(msgs[0].Get("Body"), base+"/r/") {
		t.Fatalf("what Twilio got: %v", msgs)
	}
	sid := "SM" + strings.Repeat("0", 31) + "1"

	post := func(form url.Values, sig string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, hookURL, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", sig)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	forged := url.Values{"MessageSid": {sid}, "MessageStatus": {"undelivered"}, "ErrorCode": {"30006"}}
	if code := post(forged, sign("not-the-token", hookURL, forged)); code != http.StatusForbidden {
		t.Fatalf("a forged callback: %d", code)
	}
	for _, st := range []string{"sent", "delivered", "sent"} {
		form := url.Values{"MessageSid": {sid}, "MessageStatus": {st}, "AccountSid": {accountSID}}
		if code := post(form, sign(authToken, hookURL, form)); code != http.StatusNoContent {
			t.Fatalf("callback %s: %d", st, code)
		}
	}
	if d := nextDelivery(); d.Status != room.DeliverySent {
		t.Fatalf("first callback: %+v", d)
	}
	if d := nextDelivery(); d.Status != room.DeliveryDelivered {
		t.Fatalf("second callback: %+v (the forged one must not count)", d)
	}
	got, err := agent.Room(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.InviteStatus != room.InviteDelivered {
		t.Fatalf("invitation status %q", got.InviteStatus)
	}
}
