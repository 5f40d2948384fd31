package room_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/room"
)

// TestCustomerViewDropsOriginAndHash: the customer sees no event's origin
// (another recipient's address and browser) and no hash (which would let
// a guess of masked data be checked), nor the state's head.
func TestCustomerViewDropsOriginAndHash(t *testing.T) {
	evs := chainedLog(t, 6)
	for _, e := range evs {
		view := room.ForCustomer(e)
		if view.Origin != nil || view.Hash != "" {
			t.Fatalf("the customer's view of %s #%d keeps origin %+v, hash %q", e.Type, e.Seq, view.Origin, view.Hash)
		}
		b, err := json.Marshal(view)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), `"origin"`) || strings.Contains(string(b), `"hash"`) || strings.Contains(string(b), "203.0.113.7") {
			t.Fatalf("the customer's view of %s #%d in JSON: %s", e.Type, e.Seq, b)
		}
	}
	if evs[1].Origin == nil || evs[1].Hash == "" {
		t.Fatal("the view changed the agent's event")
	}
	s := fold(t, evs)
	if s.Hash == "" {
		t.Fatal("the state has no head")
	}
	b, err := json.Marshal(s.ForCustomer())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), `"hash"`) || strings.Contains(string(b), s.Hash) {
		t.Fatalf("the customer's snapshot shows the head: %s", b)
	}
}

// TestCustomerViewOfErasure: the head an erasure keeps is the agent's.
func TestCustomerViewOfErasure(t *testing.T) {
	evs := chainedLog(t, 3)
	s := fold(t, evs)
	e := mustNumber(t, "rm_1", s.Seq, room.EraseContact(s, agent, "ct_1")...)[0]
	var d room.ContactErased
	if err := json.Unmarshal(e.Data, &d); err != nil || d.PreviousHead != s.Hash {
		t.Fatalf("erasure data %s (%v), want previous_head %s", e.Data, err, s.Hash)
	}
	if view := room.ForCustomer(e); strings.Contains(string(view.Data), "previous_head") {
		t.Fatalf("the customer sees %s", view.Data)
	}
}

// TestStateKeepsHead: the head survives the state's trip through JSON,
// as the stores keep it.
func TestStateKeepsHead(t *testing.T) {
	s := fold(t, chainedLog(t, 4))
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back room.State
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Hash != s.Hash || back.Hash == "" {
		t.Fatalf("head after the trip %q, want %q", back.Hash, s.Hash)
	}
}
