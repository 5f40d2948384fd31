package room_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/room"
)

// chainedLog returns a room's log of n events, chained from "": room.created
// then notes, a few of them from the customer with an origin.
func chainedLog(t *testing.T, n int) []room.Event {
	t.Helper()
	ds := []room.Draft{mustCreate(t)}
	for i := 1; i < n; i++ {
		ds = append(ds, room.Draft{Type: "test.note", Actor: room.System, Data: map[string]int{"i": i}})
	}
	evs := mustNumber(t, "rm_1", 0, ds...)
	for i := range evs {
		if i%3 == 1 {
			evs[i].Actor = room.Actor{Kind: room.ActorCustomer, Name: "Sam"}
			evs[i].Origin = &room.Origin{IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (iPhone)"}
		}
	}
	room.Chain("", evs)
	return evs
}

func TestCanonicalForm(t *testing.T) {
	e := room.Event{
		Room: "rm_1", Seq: 7, Type: "document.field_filled",
		At:     time.Date(2026, 11, 25, 10, 0, 0, 123456000, time.FixedZone("UTC+2", 7200)),
		Actor:  room.Actor{Kind: room.ActorCustomer, Name: "Zoë <Lee> & \"co\""},
		Origin: &room.Origin{IP: "2001:db8::1", UserAgent: "Safari/605"},
		Data:   json.RawMessage("{ \"b\": 1,\n \"a\": \"x\\u003cy\" }"),
		Hash:   "not covered",
	}
	want := `{"room":"rm_1","seq":7,"type":"document.field_filled","at":"2026-11-25T08:00:00.123456Z",` +
		`"actor":{"kind":"customer","name":"Zoë <Lee> & \"co\""},"origin":{"ip":"2001:db8::1","user_agent":"Safari/605"},` +
		`"data":{"b":1,"a":"x\u003cy"}}`
	if got := string(room.Canonical(e)); got != want {
		t.Fatalf("canonical form\n got %s\nwant %s", got, want)
	}
	if !json.Valid(room.Canonical(e)) {
		t.Fatal("the canonical form is not JSON")
	}

	// No origin, an empty one, and a system actor.
	e.Origin, e.Actor, e.Data = nil, room.System, nil
	bare := `{"room":"rm_1","seq":7,"type":"document.field_filled","at":"2026-11-25T08:00:00.123456Z","actor":{"kind":"system"},"data":null}`
	if got := string(room.Canonical(e)); got != bare {
		t.Fatalf("canonical form without origin\n got %s\nwant %s", got, bare)
	}
	e.Origin = &room.Origin{}
	if got := string(room.Canonical(e)); got != bare {
		t.Fatalf("an empty origin is no origin\n got %s\nwant %s", got, bare)
	}
	e.Origin = &room.Origin{UserAgent: "curl/8"}
	if got := string(room.Canonical(e)); !strings.Contains(got, `"origin":{"user_agent":"curl/8"}`) {
		t.Fatalf("origin without an address: %s", got)
	}
}

func TestChainHash(t *testing.T) {
	evs := chainedLog(t, 3)
	// The documented form, computed by hand: SHA-256 of prev, "\n", canonical.
	if got, want := room.ChainHash("", evs[0]), sha256Hex("\n"+string(room.Canonical(evs[0]))); got != want {
		t.Fatalf("first hash %s, want %s", got, want)
	}
	if got, want := evs[1].Hash, sha256Hex(evs[0].Hash+"\n"+string(room.Canonical(evs[1]))); got != want {
		t.Fatalf("second hash %s, want %s", got, want)
	}
	// Whitespace in data does not change the hash; anything else does.
	spaced := evs[1]
	spaced.Data = json.RawMessage(" {\n\t\"i\" : 1 } ")
	if room.ChainHash(evs[0].Hash, spaced) != evs[1].Hash {
		t.Fatal("whitespace in data changed the hash")
	}
	changes := map[string]func(e *room.Event){
		"room":   func(e *room.Event) { e.Room = "rm_2" },
		"seq":    func(e *room.Event) { e.Seq++ },
		"type":   func(e *room.Event) { e.Type = "test.other" },
		"at":     func(e *room.Event) { e.At = e.At.Add(time.Microsecond) },
		"actor":  func(e *room.Event) { e.Actor.Name = "Someone" },
		"origin": func(e *room.Event) { e.Origin = &room.Origin{IP: "203.0.113.8"} },
		"data":   func(e *room.Event) { e.Data = json.RawMessage(`{"i":2}`) },
	}
	for what, change := range changes {
		e := evs[1]
		change(&e)
		if room.ChainHash(evs[0].Hash, e) == evs[1].Hash {
			t.Errorf("a change of %s kept the hash", what)
		}
	}
	if room.ChainHash("other", evs[1]) == evs[1].Hash {
		t.Error("another previous hash kept the hash")
	}
}

func TestVerifyChain(t *testing.T) {
	evs := chainedLog(t, 3000)
	r, err := room.VerifyChain(evs)
	if err != nil {
		t.Fatalf("an intact log: %v", err)
	}
	if r.Events != 3000 || r.Unchained != 0 || r.Head != evs[2999].Hash || r.Room != "rm_1" {
		t.Fatalf("report %+v", r)
	}
	s := fold(t, evs)
	if s.Hash != r.Head {
		t.Fatalf("the state's head %q, want %q", s.Hash, r.Head)
	}
	if err := room.CheckHead(s, r); err != nil {
		t.Fatalf("head of an intact log: %v", err)
	}

	copyLog := func() []room.Event { return append([]room.Event(nil), evs...) }
	tests := []struct {
		name    string
		tamper  func([]room.Event) []room.Event
		seq     int64
		problem room.ChainProblem
		words   string
	}{
		{"edited data", func(l []room.Event) []room.Event {
			l[1233].Data = json.RawMessage(`{"i":1}`)
			return l
		}, 1234, room.ChainChanged, "event 1234 was changed after it was written"},
		{"edited origin", func(l []room.Event) []room.Event {
			l[1].Origin = &room.Origin{IP: "198.51.100.1"}
			return l
		}, 2, room.ChainChanged, "event 2 was changed"},
		{"edited hash", func(l []room.Event) []room.Event {
			l[99].Hash = strings.Repeat("0", 64)
			return l
		}, 100, room.ChainChanged, "event 100 was changed"},
		{"deleted", func(l []room.Event) []room.Event {
			return append(l[:499], l[500:]...)
		}, 500, room.ChainMissing, "event 500 is missing"},
		{"swapped", func(l []room.Event) []room.Event {
			l[9], l[10] = l[10], l[9]
			l[9].Seq, l[10].Seq = 10, 11
			return l
		}, 10, room.ChainOutOfOrder, "what was written as event 10 is now at 11"},
		{"swapped far apart", func(l []room.Event) []room.Event {
			l[9], l[2000] = l[2000], l[9]
			l[9].Seq, l[2000].Seq = 10, 2001
			return l
		}, 10, room.ChainOutOfOrder, "is now at 2001"},
		{"read out of order", func(l []room.Event) []room.Event {
			l[20], l[21] = l[21], l[20]
			return l
		}, 21, room.ChainMissing, "event 21 is missing"},
		{"repeated", func(l []room.Event) []room.Event {
			return append(l[:31], l[30:]...)
		}, 31, room.ChainOutOfOrder, "event 31 is out of order"},
		{"hash removed", func(l []room.Event) []room.Event {
			l[40].Hash = ""
			return l
		}, 41, room.ChainUnhashed, "event 41 has no hash"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := room.VerifyChain(tc.tamper(copyLog()))
			var ce *room.ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v, want a *ChainError", err)
			}
			if ce.Seq != tc.seq || ce.Problem != tc.problem {
				t.Fatalf("error at seq %d (%s), want %d (%s): %v", ce.Seq, ce.Problem, tc.seq, tc.problem, err)
			}
			if !strings.Contains(err.Error(), tc.words) || !strings.HasPrefix(err.Error(), "rm_1: ") {
				t.Fatalf("error %q does not say %q", err, tc.words)
			}
		})
	}
}

func TestCheckHead(t *testing.T) {
	evs := chainedLog(t, 20)
	s := fold(t, evs)
	// The last two events lost: the log checks, the head does not.
	r, err := room.VerifyChain(evs[:18])
	if err != nil {
		t.Fatal(err)
	}
	err = room.CheckHead(s, r)
	var ce *room.ChainError
	if !errors.As(err, &ce) || ce.Problem != room.ChainMissing || ce.Seq != 19 || !strings.Contains(err.Error(), "events 19 to 20 are missing") {
		t.Fatalf("lost tail: %v", err)
	}
	// The last event rewritten with a hash of its own: the head says no.
	last := evs[19]
	last.Data = json.RawMessage(`{"i":"forged"}`)
	last.Hash = room.ChainHash(evs[18].Hash, last)
	r, err = room.VerifyChain(append(evs[:19:19], last))
	if err != nil {
		t.Fatal(err)
	}
	if err := room.CheckHead(s, r); !errors.As(err, &ce) || ce.Problem != room.ChainHeadMismatch {
		t.Fatalf("forged last event: %v", err)
	}
}

func TestVerifyChainUnchainedStart(t *testing.T) {
	evs := chainedLog(t, 10)
	for i := range 4 {
		evs[i].Hash = ""
	}
	// What the hub does for a room made before logs were chained: the
	// state's head is "" and the next events chain from it.
	room.Chain("", evs[4:])
	r, err := room.VerifyChain(evs)
	if err != nil {
		t.Fatal(err)
	}
	if r.Unchained != 4 || r.Events != 10 || r.Head != evs[9].Hash {
		t.Fatalf("report %+v", r)
	}
	if err := room.CheckHead(fold(t, evs), r); err != nil {
		t.Fatal(err)
	}
	// A log wholly before chaining.
	for i := range evs {
		evs[i].Hash = ""
	}
	if r, err = room.VerifyChain(evs); err != nil || r.Unchained != 10 || r.Head != "" {
		t.Fatalf("unchained log: %+v, %v", r, err)
	}
}

func TestVerifyChainRewrites(t *testing.T) {
	evs := chainedLog(t, 5)
	before := fold(t, evs)
	masked, err := room.Redact(evs)
	if err != nil {
		t.Fatal(err)
	}
	after := fold(t, masked)
	log := append(masked, mustNumber(t, "rm_1", after.Seq, room.EraseContact(before, agent, "ct_1")...)...)
	room.Chain("", log)
	r, err := room.VerifyChain(log)
	if err != nil {
		t.Fatal(err)
	}
	want := []room.ChainRewrite{{Seq: 6, PreviousHead: evs[4].Hash}}
	if fmt.Sprint(r.Rewrites) != fmt.Sprint(want) {
		t.Fatalf("rewrites %+v, want %+v", r.Rewrites, want)
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
