package devoutbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/hub/sender"
	"github.com/tandemhq/tandem/hub/sender/devoutbox"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// The dev outbox writes each message, link included, to the log, and says
// it sent nothing.
func TestSendLogsTheMessage(t *testing.T) {
	var buf bytes.Buffer
	s := devoutbox.New(zerolog.New(&buf))
	m := store.Message{ID: "msg_1", Room: "rm_1", Channel: room.ChannelSMS, To: "+14155550134",
		Body: "Acme invites you: https://tandem.example/r/abc", Link: "https://tandem.example/r/abc"}
	r, err := s.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if r.Provider != "dev" || r.ID != "msg_1" || r.Status != room.DeliveryDelivered || !strings.HasPrefix(r.Reason, "simulated") {
		t.Fatalf("receipt %+v", r)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log line %q: %v", buf.String(), err)
	}
	for k, want := range map[string]string{
		"channel": "sms", "to": "+14155550134", "link": m.Link, "room": "rm_1", "component": "devoutbox",
		"message": "dev outbox (simulation, nothing was sent): " + m.Body,
	} {
		if line[k] != want {
			t.Errorf("%s = %v, want %q", k, line[k], want)
		}
	}
}

// The failure paths can be tried without a provider, and every outcome
// says it is simulated.
func TestSimulatedFailures(t *testing.T) {
	s := devoutbox.New(zerolog.Nop())
	for _, tc := range []struct {
		m      store.Message
		status room.DeliveryStatus
		code   string
	}{
		{store.Message{ID: "m1", Channel: room.ChannelSMS, To: "+15005550001"}, room.DeliveryInvalid, "21211"},
		{store.Message{ID: "m2", Channel: room.ChannelSMS, To: "+15005550009"}, room.DeliveryInvalid, "21614"},
		{store.Message{ID: "m3", Channel: room.ChannelEmail, To: "sam@Invalid.Example"}, room.DeliveryFailed, "550"},
	} {
		_, err := s.Send(context.Background(), tc.m)
		var se *sender.SendError
		if !errors.As(err, &se) || se.Status != tc.status || se.Code != tc.code || se.Provider != "dev" || !strings.HasPrefix(se.Reason, "simulated") {
			t.Errorf("%s: %v, want %s %s", tc.m.To, err, tc.status, tc.code)
		}
	}
}
