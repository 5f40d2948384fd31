package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// listAll lists the rooms of account that q selects, page by page, limit at
// a time, following the cursor.
func listAll(t *testing.T, st store.Store, account string, q store.RoomQuery, limit int) []room.State {
	t.Helper()
	var out []room.State
	q.Limit = limit
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("paging %+v does not end", q)
		}
		page, err := st.ListRooms(ctx, account, q)
		if err != nil {
			t.Fatalf("list rooms %+v: %v", q, err)
		}
		if len(page) > limit {
			t.Fatalf("list rooms %+v: %d rooms", q, len(page))
		}
		out = append(out, page...)
		if len(page) < limit {
			return out
		}
		last := page[len(page)-1]
		q.Before = &store.RoomCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
}

// newest sorts rooms as a listing does: newest first, ties broken by id,
// higher first.
func newest(rooms []room.State) []room.State {
	out := slices.Clone(rooms)
	slices.SortFunc(out, func(a, b room.State) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	return out
}

func ids(rooms []room.State) []string {
	out := make([]string, len(rooms))
	for i, r := range rooms {
		out[i] = r.ID
	}
	return out
}

func testListRooms(t *testing.T, open Open) {
	f := newFixture(t, open)
	colleague := newUser(t, f.st, f.account, room.NewID("us")+"@example.com")
	bo := room.Actor{Kind: room.ActorAgent, ID: colleague.ID, Name: colleague.Name}
	create := func(at time.Time, agent room.Actor) room.State {
		t.Helper()
		return f.commit(t, createChange(t, f.account, f.createdEvents(t, room.NewID("rm"), at, agent)))
	}
	var rooms []room.State
	rooms = append(rooms, create(t0, f.actor()))
	rooms = append(rooms, create(t0.Add(time.Minute), bo))
	// Five rooms created in the same microsecond, by both agents: their
	// order is their ids'.
	for i := range 5 {
		agent := f.actor()
		if i%2 == 1 {
			agent = bo
		}
		rooms = append(rooms, create(t0.Add(2*time.Minute).Add(time.Duration(i)*time.Nanosecond), agent))
	}
	invited, _, _ := f.invite(t, create(t0.Add(3*time.Minute), f.actor()), t0.Add(4*time.Minute))
	rooms = append(rooms, invited)
	joined, _, _ := f.invite(t, create(t0.Add(-time.Hour).In(elsewhere), bo), t0)
	joined = f.join(t, joined, t0.Add(time.Minute))
	rooms = append(rooms, joined)
	// Rooms of the other account never show.
	f.commit(t, createChange(t, f.other, createdEventsIn(t, f.other, room.NewID("rm"), t0.Add(time.Minute), f.otherAgent(t))))

	filter := func(keep func(room.State) bool) []room.State {
		var out []room.State
		for _, r := range newest(rooms) {
			if keep(r) {
				out = append(out, r)
			}
		}
		return out
	}
	cases := []struct {
		q    store.RoomQuery
		want []room.State
	}{
		{store.RoomQuery{}, newest(rooms)},
		{store.RoomQuery{Agent: f.agent.ID}, filter(func(r room.State) bool { return r.Agent.ID == f.agent.ID })},
		{store.RoomQuery{Agent: bo.ID}, filter(func(r room.State) bool { return r.Agent.ID == bo.ID })},
		{store.RoomQuery{Agent: room.NewID("us")}, nil},
		{store.RoomQuery{Status: room.StatusPending}, filter(func(r room.State) bool { return r.Status == room.StatusPending })},
		{store.RoomQuery{Status: room.StatusInvited}, []room.State{invited}},
		{store.RoomQuery{Status: room.StatusConnected}, []room.State{joined}},
		{store.RoomQuery{Status: room.StatusClosed}, nil},
		{store.RoomQuery{Agent: bo.ID, Status: room.StatusPending}, filter(func(r room.State) bool { return r.Agent.ID == bo.ID && r.Status == room.StatusPending })},
		{store.RoomQuery{Agent: bo.ID, Status: room.StatusInvited}, nil},
	}
	if n := len(cases[0].want); n != 9 || len(cases[1].want) == 0 || len(cases[2].want) == 0 || len(cases[4].want) != 7 {
		t.Fatalf("the fixture is not what the test means: %d rooms", n)
	}
	for _, tc := range cases {
		got, err := f.st.ListRooms(ctx, f.account, store.RoomQuery{Agent: tc.q.Agent, Status: tc.q.Status, Limit: 100})
		if err != nil {
			t.Fatalf("list rooms %+v: %v", tc.q, err)
		}
		if len(got) != 0 || len(tc.want) != 0 {
			wantEqual(t, fmt.Sprintf("rooms %+v (ids %v)", tc.q, ids(got)), got, tc.want)
		}
		// Page by page, the cursor splitting the ties anywhere.
		for _, limit := range []int{1, 2, 3, 4} {
			got := listAll(t, f.st, f.account, tc.q, limit)
			if len(got) != 0 || len(tc.want) != 0 {
				wantEqual(t, fmt.Sprintf("rooms %+v, %d a page", tc.q, limit), ids(got), ids(tc.want))
			}
		}
	}

	// A cursor is a position, whatever the zone its time is written in.
	all := newest(rooms)
	for i, r := range all {
		for _, at := range []time.Time{r.CreatedAt, r.CreatedAt.In(elsewhere)} {
			got, err := f.st.ListRooms(ctx, f.account, store.RoomQuery{Before: &store.RoomCursor{CreatedAt: at, ID: r.ID}, Limit: 100})
			if err != nil {
				t.Fatalf("list rooms before %s: %v", r.ID, err)
			}
			if len(got) != 0 || i+1 < len(all) {
				wantEqual(t, fmt.Sprintf("rooms before room %d", i), ids(got), ids(all[i+1:]))
			}
		}
	}
	// A cursor on a room that is not there still splits by time, then id.
	tie := rooms[2].CreatedAt
	var want []room.State
	for _, r := range all {
		if r.CreatedAt.Before(tie) || r.CreatedAt.Equal(tie) && r.ID < "rm_m" {
			want = append(want, r)
		}
	}
	got, err := f.st.ListRooms(ctx, f.account, store.RoomQuery{Before: &store.RoomCursor{CreatedAt: tie, ID: "rm_m"}, Limit: 100})
	if err != nil {
		t.Fatalf("list rooms before a missing room: %v", err)
	}
	wantEqual(t, "rooms before a missing room", ids(got), ids(want))
}

func testListRoomsLimit(t *testing.T, open Open) {
	f := newFixture(t, open)
	const n, max = 205, 200
	var rooms []room.State
	for i := range n {
		rooms = append(rooms, f.newRoom(t, t0.Add(time.Duration(i%50)*time.Second)))
	}
	all := newest(rooms)
	for _, tc := range []struct{ limit, want int }{{1, 1}, {10, 10}, {199, 199}, {200, 200}, {201, max}, {1000, max}} {
		got, err := f.st.ListRooms(ctx, f.account, store.RoomQuery{Limit: tc.limit})
		if err != nil {
			t.Fatalf("list rooms, limit %d: %v", tc.limit, err)
		}
		if len(got) != tc.want {
			t.Fatalf("list rooms, limit %d: %d rooms, want %d", tc.limit, len(got), tc.want)
		}
		wantEqual(t, fmt.Sprintf("rooms, limit %d", tc.limit), ids(got), ids(all[:tc.want]))
	}
	wantEqual(t, "rooms read 200 at a time", ids(listAll(t, f.st, f.account, store.RoomQuery{}, max)), ids(all))
	wantEqual(t, "rooms read 7 at a time", ids(listAll(t, f.st, f.account, store.RoomQuery{}, 7)), ids(all))
}

// RoomsInStatus walks the rooms of every account in one status, by id.
func testRoomsInStatus(t *testing.T, open Open) {
	f := newFixture(t, open)
	var invited []string
	for i := range 5 {
		s := f.newRoom(t, t0)
		if i%2 == 0 {
			s, _, _ = f.invite(t, s, t0)
			invited = append(invited, s.ID)
		}
	}
	theirs := f.commit(t, createChange(t, f.other, createdEventsIn(t, f.other, room.NewID("rm"), t0, f.otherAgent(t))))
	slices.Sort(invited)
	var got []string
	after := ""
	for {
		page, err := f.st.RoomsInStatus(ctx, room.StatusInvited, after, 2)
		if err != nil {
			t.Fatalf("rooms in status: %v", err)
		}
		if len(page) == 0 {
			break
		}
		for _, s := range page {
			if s.Status != room.StatusInvited {
				t.Fatalf("room %s is %s", s.ID, s.Status)
			}
			got = append(got, s.ID)
		}
		after = page[len(page)-1].ID
	}
	wantEqual(t, "invited rooms", got, invited)
	pending, err := f.st.RoomsInStatus(ctx, room.StatusPending, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(pending, func(s room.State) bool { return s.ID == theirs.ID }) || len(pending) != 3 {
		t.Fatalf("pending rooms of both accounts: %d, with the other account's: %v", len(pending), slices.ContainsFunc(pending, func(s room.State) bool { return s.ID == theirs.ID }))
	}
	if none, err := f.st.RoomsInStatus(ctx, room.StatusInvited, "", 0); err != nil || len(none) != 0 {
		t.Fatalf("limit 0: %d rooms, %v", len(none), err)
	}
}

// byActivity sorts rooms as a listing by activity does: the latest event
// first, ties broken by id, higher first.
func byActivity(rooms []room.State) []room.State {
	out := slices.Clone(rooms)
	slices.SortFunc(out, func(a, b room.State) int {
		return cmp.Or(b.UpdatedAt.Compare(a.UpdatedAt), cmp.Compare(b.ID, a.ID))
	})
	return out
}

// listByActivity lists the rooms q selects by activity, page by page,
// limit at a time, following the cursor of the order.
func listByActivity(t *testing.T, st store.Store, account string, q store.RoomQuery, limit int) []room.State {
	t.Helper()
	var out []room.State
	q.Limit, q.Order = limit, store.OrderActivity
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("paging %+v does not end", q)
		}
		page, err := st.ListRooms(ctx, account, q)
		if err != nil {
			t.Fatalf("list rooms %+v: %v", q, err)
		}
		out = append(out, page...)
		if len(page) < limit {
			return out
		}
		last := page[len(page)-1]
		q.Before = &store.RoomCursor{UpdatedAt: last.UpdatedAt, ID: last.ID}
	}
}

// The session list by last activity: a room whose last event is the latest
// comes first, whenever it was created; the cursor pages by that time; and
// Waiting keeps the invited rooms whose link has not failed.
func testListRoomsByActivity(t *testing.T, open Open) {
	f := newFixture(t, open)
	deliver := func(s room.State, l store.Link, status room.DeliveryStatus, at time.Time) room.State {
		t.Helper()
		d, err := room.ReportDelivery(s, room.Delivery{Link: l.ID, Status: status, Provider: "dev"})
		if err != nil || len(d) != 1 {
			t.Fatalf("delivery %s: %v %v", status, d, err)
		}
		return f.commit(t, appendChange(t, s, seal(t, s.ID, s.Seq, at, d...)...))
	}
	// Created oldest first; their last events in another order.
	old := f.newRoom(t, t0)
	mid := f.newRoom(t, t0.Add(time.Minute))
	recent := f.newRoom(t, t0.Add(2*time.Minute))
	old, _, _ = f.invite(t, old, t0.Add(10*time.Minute)) // the latest: waiting
	mid, midLink, _ := f.invite(t, mid, t0.Add(5*time.Minute))
	mid = deliver(mid, midLink, room.DeliveryDelivered, t0.Add(6*time.Minute)) // waiting, delivered
	bad := f.newRoom(t, t0.Add(3*time.Minute))
	bad, badLink, _ := f.invite(t, bad, t0.Add(4*time.Minute))
	bad = deliver(bad, badLink, room.DeliveryInvalid, t0.Add(7*time.Minute)) // invited, but invalid
	failed := f.newRoom(t, t0.Add(4*time.Minute))
	failed, failedLink, _ := f.invite(t, failed, t0.Add(5*time.Minute))
	failed = deliver(failed, failedLink, room.DeliveryFailed, t0.Add(8*time.Minute))
	joined, _, _ := f.invite(t, f.newRoom(t, t0.Add(5*time.Minute)), t0.Add(6*time.Minute))
	joined = f.join(t, joined, t0.Add(9*time.Minute))
	// Three rooms whose last events share a microsecond: their order is
	// their ids'.
	var ties []room.State
	for range 3 {
		ties = append(ties, f.newRoom(t, t0.Add(time.Hour).Add(-time.Duration(len(ties))*time.Minute)))
	}
	for i := range ties {
		ties[i], _, _ = f.invite(t, ties[i], t0.Add(11*time.Minute))
	}
	f.commit(t, createChange(t, f.other, createdEventsIn(t, f.other, room.NewID("rm"), t0.Add(time.Hour), f.otherAgent(t))))
	rooms := append([]room.State{old, mid, recent, bad, failed, joined}, ties...)
	all := byActivity(rooms)
	if all[len(all)-1].ID != recent.ID || all[3].ID != old.ID {
		t.Fatalf("the fixture is not what the test means: %v", ids(all))
	}
	keep := func(ok func(room.State) bool) []room.State {
		var out []room.State
		for _, r := range all {
			if ok(r) {
				out = append(out, r)
			}
		}
		return out
	}
	waiting := keep(func(r room.State) bool {
		return r.Status == room.StatusInvited && (r.InviteStatus == room.InviteSent || r.InviteStatus == room.InviteDelivered)
	})
	if len(waiting) != 5 || slices.ContainsFunc(waiting, func(r room.State) bool { return r.ID == bad.ID || r.ID == failed.ID }) {
		t.Fatalf("the fixture's waiting rooms: %v", ids(waiting))
	}
	for _, tc := range []struct {
		what string
		q    store.RoomQuery
		want []room.State
	}{
		{"all", store.RoomQuery{}, all},
		{"the agent's", store.RoomQuery{Agent: f.agent.ID}, all},
		{"invited", store.RoomQuery{Status: room.StatusInvited}, keep(func(r room.State) bool { return r.Status == room.StatusInvited })},
		{"waiting", store.RoomQuery{Waiting: true}, waiting},
		{"waiting, the agent's", store.RoomQuery{Waiting: true, Agent: f.agent.ID}, waiting},
		{"waiting and pending", store.RoomQuery{Waiting: true, Status: room.StatusPending}, nil},
		{"invalid", store.RoomQuery{InviteStatus: room.InviteInvalid}, []room.State{bad}},
	} {
		for _, limit := range []int{1, 2, 3, 100} {
			got := listByActivity(t, f.st, f.account, tc.q, limit)
			if len(got) != 0 || len(tc.want) != 0 {
				wantEqual(t, fmt.Sprintf("%s by activity, %d a page", tc.what, limit), ids(got), ids(tc.want))
			}
		}
		// Waiting in the default order too.
		if tc.q.Waiting {
			got := listAll(t, f.st, f.account, tc.q, 2)
			var want []room.State
			for _, r := range newest(rooms) {
				if slices.ContainsFunc(tc.want, func(w room.State) bool { return w.ID == r.ID }) {
					want = append(want, r)
				}
			}
			if len(got) != 0 || len(want) != 0 {
				wantEqual(t, tc.what+" newest first", ids(got), ids(want))
			}
		}
	}
	// A room with a new event moves to the top.
	recent, _, _ = f.invite(t, recent, t0.Add(20*time.Minute))
	got, err := f.st.ListRooms(ctx, f.account, store.RoomQuery{Order: store.OrderActivity, Limit: 1})
	if err != nil || len(got) != 1 || got[0].ID != recent.ID {
		t.Fatalf("after an event of the oldest room, the first by activity: %v, %v", ids(got), err)
	}
	// A cursor is a position, whatever the zone its time is written in.
	before := &store.RoomCursor{UpdatedAt: recent.UpdatedAt.In(elsewhere), ID: recent.ID}
	got, err = f.st.ListRooms(ctx, f.account, store.RoomQuery{Order: store.OrderActivity, Before: before, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "rooms after the latest by activity", ids(got), ids(all[:len(all)-1])) // all but recent
	// An order the store does not know is refused.
	if _, err := f.st.ListRooms(ctx, f.account, store.RoomQuery{Order: "name"}); !tandem.IsKind(err, tandem.KindInvalid) {
		t.Fatalf("an unknown order: %v", err)
	}
}
