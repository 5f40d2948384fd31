package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

func testEvents(t *testing.T, open Open) {
	f := newFixture(t, open)
	s := f.newRoom(t, t0)
	s, _, _ = f.invite(t, s, t0.Add(time.Minute))
	s = f.join(t, s, t0.Add(2*time.Minute))
	ds := room.Leave(s, room.CustomerParticipant, "closed")
	closing, err := room.Close(s, f.actor(), "done")
	if err != nil {
		t.Fatal(err)
	}
	s = f.commit(t, appendChange(t, s, seal(t, s.ID, s.Seq, t0.Add(3*time.Minute), append(ds, closing...)...)...))

	all, err := f.st.Events(ctx, f.account, s.ID, 0, 100)
	if err != nil {
		t.Fatalf("events: %v", err)
	}
	types := []string{room.TypeRoomCreated, room.TypeRoomInvited, room.TypeParticipantJoined, room.TypeParticipantLeft, room.TypeLinkRevoked, room.TypeRoomClosed}
	if len(all) != len(types) {
		t.Fatalf("%d events, want %d", len(all), len(types))
	}
	for i, e := range all {
		if e.Room != s.ID || e.Seq != int64(i)+1 || e.Type != types[i] {
			t.Fatalf("event %d is %s #%d %s, want %s #%d %s", i, e.Room, e.Seq, e.Type, s.ID, i+1, types[i])
		}
	}
	wantEqual(t, "state", f.room(t, s.ID), fold(t, all))
	wantEqual(t, "state", s, fold(t, all))

	cases := []struct {
		after int64
		limit int
		want  []room.Event
	}{
		{0, 6, all},
		{0, 1000, all},
		{2, 100, all[2:]},
		{0, 2, all[:2]},
		{2, 3, all[2:5]},
		{5, 1, all[5:]},
		{5, 100, all[5:]},
		{6, 100, nil},
		{100, 100, nil},
	}
	for _, tc := range cases {
		got, err := f.st.Events(ctx, f.account, s.ID, tc.after, tc.limit)
		if err != nil {
			t.Fatalf("events after %d, limit %d: %v", tc.after, tc.limit, err)
		}
		if len(got) == 0 && len(tc.want) == 0 {
			continue
		}
		wantEqual(t, fmt.Sprintf("events after %d, limit %d", tc.after, tc.limit), got, tc.want)
	}

	_, err = f.st.Events(ctx, f.account, room.NewID("rm"), 0, 100)
	wantErr(t, err, tandem.KindNotFound, tandem.CodeRoomNotFound)
}

func testEventsRoundTrip(t *testing.T, open Open) {
	f := newFixture(t, open)
	s := f.newRoom(t, t0)
	at := time.Date(2026, 11, 25, 11, 30, 0, 987654321, elsewhere)
	evs := []room.Event{
		{Room: s.ID, Seq: 2, Type: "test.note", At: at, Actor: room.Actor{Kind: room.ActorAgent, ID: f.agent.ID, Name: `Ana "the agent" Lee ✓`},
			Data: json.RawMessage(`{"z": 1,  "a": [true, null, 1.50, 1e3, "é\u00e9\u0000\"\\"], "nested": {"k": "v"}, "a": "dup key"}`)},
		{Room: s.ID, Seq: 3, Type: "test.string", At: at.Add(time.Nanosecond), Actor: room.System, Data: json.RawMessage(`"just a string"`)},
		{Room: s.ID, Seq: 4, Type: "test.number", At: at.Add(time.Microsecond), Actor: room.Actor{Kind: room.ActorCustomer, Name: "Sam"},
			Data: json.RawMessage(`12345678901234567890123`)},
		{Room: s.ID, Seq: 5, Type: "test.empty_list", At: at.Add(-time.Hour).UTC(), Actor: room.System, Data: json.RawMessage("[\n\t]")},
		{Room: s.ID, Seq: 6, Type: "test.null", At: at, Actor: room.System, Data: json.RawMessage(`null`)},
	}
	f.commit(t, appendChange(t, s, evs...))
	if next := f.room(t, s.ID); next.Seq != 6 || !next.UpdatedAt.Equal(stored(at)) {
		t.Fatalf("state after the notes: seq %d, updated %v", next.Seq, next.UpdatedAt)
	}
	got, err := f.st.Events(ctx, f.account, s.ID, 1, 100)
	if err != nil {
		t.Fatalf("events: %v", err)
	}
	wantEqual(t, "events", got, normal(evs))
	for i, e := range got {
		if string(e.Data) != string(evs[i].Data) {
			t.Fatalf("event %d data %s, want the bytes %s", e.Seq, e.Data, evs[i].Data)
		}
		if e.At.Location() != time.UTC || e.At.Nanosecond()%1000 != 0 {
			t.Fatalf("event %d at %v: want UTC to the microsecond", e.Seq, e.At)
		}
	}
}

func testEventsLimit(t *testing.T, open Open) {
	f := newFixture(t, open)
	s := f.newRoom(t, t0)
	const n = 40
	var evs []room.Event
	for i := range n {
		evs = append(evs, note(s.ID, int64(i)+2, t0.Add(time.Duration(i)*time.Second), fmt.Sprintf(`{"i":%d}`, i)))
	}
	f.commit(t, appendChange(t, s, evs...))
	all, err := f.st.Events(ctx, f.account, s.ID, 0, 1000)
	if err != nil {
		t.Fatalf("events: %v", err)
	}
	if len(all) != n+1 {
		t.Fatalf("%d events, want %d", len(all), n+1)
	}
	wantEqual(t, "events", all[1:], normal(evs))

	for _, limit := range []int{1, 3, 7, 40, 41, 100} {
		var got []room.Event
		var after int64
		for pages := 0; ; pages++ {
			if pages > n+1 {
				t.Fatalf("limit %d: paging does not end", limit)
			}
			page, err := f.st.Events(ctx, f.account, s.ID, after, limit)
			if err != nil {
				t.Fatalf("events after %d, limit %d: %v", after, limit, err)
			}
			if len(page) > limit {
				t.Fatalf("events after %d, limit %d: %d events", after, limit, len(page))
			}
			if want := min(limit, n+1-int(after)); len(page) != want {
				t.Fatalf("events after %d, limit %d: %d events, want %d", after, limit, len(page), want)
			}
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
			after = page[len(page)-1].Seq
		}
		wantEqual(t, fmt.Sprintf("events read %d at a time", limit), got, all)
	}
}
