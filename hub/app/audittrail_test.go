package app

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/room"
)

// A link the agent copied to pass on by hand is in the trail, with who
// was given it: a signature made through it must not read as if the
// customer came by the hub's message.
func TestAuditTrailSaysALinkWasGivenByHand(t *testing.T) {
	data, _ := json.Marshal(room.LinkCopied{Link: "lk_x", Previous: "lk_y", ExpiresAt: time.Now()})
	e := room.Event{Type: room.TypeLinkCopied, Actor: room.Actor{Kind: room.ActorAgent, ID: "us_x", Name: "Sam Agent"}, Data: data}
	got, ok := auditWhat(e, "dc_x", nil)
	if !ok || !strings.Contains(got, "Sam Agent") || !strings.Contains(got, "by hand") {
		t.Fatalf("auditWhat(room.link_copied) = %q, %v; want a line naming Sam Agent and that the link was passed on by hand", got, ok)
	}
}
