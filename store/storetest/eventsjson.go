package storetest

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// testEventsJSON checks that EventsJSON gives, byte for byte, what
// json.Marshal gives for each event Events returns: for an event of every
// type the room package knows, and for odd actors, origins, data and
// hashes.
func testEventsJSON(t *testing.T, open Open) {
	f := newFixture(t, open)
	s := f.newRoom(t, t0)
	s, _, _ = f.invite(t, s, t0.Add(time.Minute))
	s = f.join(t, s, t0.Add(2*time.Minute))

	actors := []room.Actor{
		room.System,
		{Kind: room.ActorAgent, ID: f.agent.ID, Name: `Ana "the <agent>" Lee & co ✓`},
		{Kind: room.ActorCustomer, Name: "Sam\u2028Lee\u2029\t\\ \x01 \x7f"},
	}
	origins := []*room.Origin{
		nil,
		{IP: "203.0.113.7"},
		{IP: "2001:db8::1", UserAgent: `Mozilla/5.0 (<script>&"x") é ` + "\u2028"},
	}
	datas := []string{
		`{"z": 1,  "a": [true, null, 1.50, 1e3, "é\u00e9\u0000\"\\"], "nested": {"k": "v"}, "a": "dup key"}`,
		`"<b>&amp;</b>` + "\u2028\u2029" + `"`,
		"[\n\t]",
		`null`,
		`12345678901234567890123`,
		` { "spaced" : "a b\tc" , "html" : "</script>" } `,
		`{"escaped":"\u003c\u2028\"","emoji":"🦀","slash":"a\/b"}`,
	}
	hashes := []string{"", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
	at := time.Date(2026, 11, 25, 11, 30, 0, 987654321, elsewhere)
	// room.created only ever opens a log: the room's own is the first
	// event read.
	var types []string
	for _, typ := range append(room.Types(), noteType, "test.other_type") {
		if typ != room.TypeRoomCreated {
			types = append(types, typ)
		}
	}
	var evs []room.Event
	for i, typ := range types {
		evs = append(evs, room.Event{
			Room: s.ID, Seq: s.Seq + int64(i) + 1, Type: typ,
			At:     at.Add(time.Duration(i) * 1001 * time.Microsecond), // whole seconds, trailing zeros and not
			Actor:  actors[i%len(actors)],
			Origin: origins[i%len(origins)],
			Data:   json.RawMessage(datas[i%len(datas)]),
			Hash:   hashes[i%len(hashes)],
		})
	}
	next := s
	next.Seq = evs[len(evs)-1].Seq
	next.UpdatedAt = stored(evs[len(evs)-1].At)
	f.commit(t, store.Change{Account: s.Account, Room: s.ID, Head: s.Seq, Events: evs, State: next})

	want, err := f.st.Events(ctx, f.account, s.ID, 0, tandem.MaxEventsPage)
	if err != nil {
		t.Fatalf("events: %v", err)
	}
	if len(want) != int(next.Seq) {
		t.Fatalf("%d events, want %d", len(want), next.Seq)
	}
	for _, after := range []int64{0, 2, next.Seq - 1, next.Seq} {
		got, err := f.st.EventsJSON(ctx, f.account, s.ID, after, tandem.MaxEventsPage)
		if err != nil {
			t.Fatalf("events as JSON after %d: %v", after, err)
		}
		if len(got) != len(want)-int(after) {
			t.Fatalf("after %d: %d events as JSON, want %d", after, len(got), len(want)-int(after))
		}
		for i, g := range got {
			e := want[int(after)+i]
			b, err := json.Marshal(e)
			if err != nil {
				t.Fatalf("marshal event %d: %v", e.Seq, err)
			}
			if g.Seq != e.Seq || !bytes.Equal(g.JSON, b) {
				t.Fatalf("event %d (%s) as JSON:\n%s (seq %d)\nwant what json.Marshal gives:\n%s", e.Seq, e.Type, g.JSON, g.Seq, b)
			}
		}
	}
	got, err := f.st.EventsJSON(ctx, f.account, s.ID, 0, 3)
	if err != nil || len(got) != 3 || got[2].Seq != 3 {
		t.Fatalf("a page of 3: %d events, %v", len(got), err)
	}
	// Each event's JSON is its own: appending to one leaves the next
	// as it was.
	next3 := string(got[1].JSON)
	_ = append(got[0].JSON, "garbage"...)
	if string(got[1].JSON) != next3 {
		t.Fatalf("appending to an event's JSON changed the next one's: %s", got[1].JSON)
	}

	_, err = f.st.EventsJSON(ctx, f.account, room.NewID("rm"), 0, 100)
	wantErr(t, err, tandem.KindNotFound, tandem.CodeRoomNotFound)
	_, err = f.st.EventsJSON(ctx, f.other, s.ID, 0, 100)
	wantErr(t, err, tandem.KindNotFound, tandem.CodeRoomNotFound)
}
