package devoutbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/hub/devoutbox"
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
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
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
