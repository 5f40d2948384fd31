package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// customerRoom creates a pre-planned room of agent in account for cust.
func customerRoom(t *testing.T, st store.Store, account string, agent room.Actor, cust room.Customer, ch room.Channel, at time.Time) room.State {
	t.Helper()
	d, err := room.Create(room.CreateRoom{Account: account, Agent: agent, Mode: room.ModePreplan, Channel: ch, Customer: cust})
	if err != nil {
		t.Fatal(err)
	}
	id := room.NewID("rm")
	c := createChange(t, account, seal(t, id, 0, at, d))
	if err := commit(st, c); err != nil {
		t.Fatalf("create room for %s: %v", cust.Name, err)
	}
	return c.State
}

// The session list searches the customer's name, email and phone number,
// and filters by invitation status; an erased customer is found no more.
func testListRoomsSearch(t *testing.T, open Open) {
	f := newFixture(t, open)
	sam := f.newRoom(t, t0) // Sam Lee, +14155550134
	ada := customerRoom(t, f.st, f.account, f.actor(), room.Customer{Name: "Ada Lovelace", Phone: "+447700900123", Email: "Ada@Example.com"}, room.ChannelSMS, t0.Add(time.Minute))
	zoe := customerRoom(t, f.st, f.account, f.actor(), room.Customer{Name: "Zoë Faure", Email: "zoe@example.fr"}, room.ChannelEmail, t0.Add(2*time.Minute))
	shop := customerRoom(t, f.st, f.account, f.actor(), room.Customer{Name: "50% Off_Shop", Email: "deals@shop.test"}, room.ChannelEmail, t0.Add(3*time.Minute))
	// "Golf Sam" holds "f s": an unescaped "_" would find it for "f_s".
	golf := customerRoom(t, f.st, f.account, f.actor(), room.Customer{Name: "Golf Sam", Email: "gs@golf.test"}, room.ChannelEmail, t0.Add(30*time.Second))
	// The other account's customer of the same name never shows.
	customerRoom(t, f.st, f.other, f.otherAgent(t), room.Customer{Name: "Ada Lovelace", Phone: "+447700900123"}, room.ChannelSMS, t0)
	sam, _, _ = f.invite(t, sam, t0.Add(4*time.Minute))

	for _, tc := range []struct {
		q    store.RoomQuery
		want []room.State
	}{
		{store.RoomQuery{Search: "lee"}, []room.State{sam}},
		{store.RoomQuery{Search: "  LOVE "}, []room.State{ada}},
		{store.RoomQuery{Search: "ada@example"}, []room.State{ada}},
		{store.RoomQuery{Search: "415 555"}, []room.State{sam}},
		{store.RoomQuery{Search: "+44 (7700) 900"}, []room.State{ada}},
		{store.RoomQuery{Search: "example"}, []room.State{zoe, ada}},
		{store.RoomQuery{Search: "ZOË"}, []room.State{zoe}},
		// LIKE's wildcards are taken literally: "50%" as a pattern would
		// match Sam's number, "f_s" would match "f s".
		{store.RoomQuery{Search: "50%"}, []room.State{shop}},
		{store.RoomQuery{Search: "f_s"}, []room.State{shop}},
		{store.RoomQuery{Search: `\`}, nil},
		{store.RoomQuery{Search: "nobody"}, nil},
		{store.RoomQuery{InviteStatus: room.InviteSent}, []room.State{sam}},
		{store.RoomQuery{InviteStatus: room.InvitePending}, []room.State{shop, zoe, ada, golf}},
		{store.RoomQuery{Search: "golf"}, []room.State{golf}},
		{store.RoomQuery{InviteStatus: room.InvitePending, Search: "ada"}, []room.State{ada}},
		{store.RoomQuery{InviteStatus: room.InviteInvalid}, nil},
	} {
		got, err := f.st.ListRooms(ctx, f.account, store.RoomQuery{Search: tc.q.Search, InviteStatus: tc.q.InviteStatus, Limit: 100})
		if err != nil {
			t.Fatalf("list %+v: %v", tc.q, err)
		}
		wantEqual(t, fmt.Sprintf("rooms %+v", tc.q), ids(got), ids(tc.want))
	}

	// Erased, Ada is found neither by name nor by number.
	f.commit(t, eraseChange(t, f.st, f.account, ada, f.actor(), t0.Add(time.Hour)))
	for _, q := range []string{"ada", "7700", "example.com"} {
		got, err := f.st.ListRooms(ctx, f.account, store.RoomQuery{Search: q, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range got {
			if r.ID == ada.ID {
				t.Fatalf("searching %q still finds the erased customer", q)
			}
		}
	}
}

// ChangedRooms lists the rooms changed since a time, oldest change first,
// and resumes after a room.
func testChangedRooms(t *testing.T, open Open) {
	f := newFixture(t, open)
	colleague := newUser(t, f.st, f.account, room.NewID("us")+"@example.com")
	bo := room.Actor{Kind: room.ActorAgent, ID: colleague.ID, Name: colleague.Name}
	r1 := f.newRoom(t, t0)
	r2 := f.newRoom(t, t0.Add(time.Minute))
	r3 := customerRoom(t, f.st, f.account, bo, room.Customer{Name: "Bo's customer", Email: "c@example.com"}, room.ChannelEmail, t0.Add(2*time.Minute))
	r1, _, _ = f.invite(t, r1, t0.Add(3*time.Minute))
	// Two rooms changed in the same microsecond: by id.
	tieA := f.newRoom(t, t0.Add(4*time.Minute))
	tieB := f.newRoom(t, t0.Add(4*time.Minute))
	tie := []room.State{tieA, tieB}
	if tieB.ID < tieA.ID {
		tie = []room.State{tieB, tieA}
	}
	customerRoom(t, f.st, f.other, f.otherAgent(t), room.Customer{Name: "Elsewhere", Email: "e@example.com"}, room.ChannelEmail, t0.Add(time.Hour))

	changed := func(q store.ChangeQuery) []string {
		t.Helper()
		got, err := f.st.ChangedRooms(ctx, f.account, q)
		if err != nil {
			t.Fatalf("changed rooms %+v: %v", q, err)
		}
		return ids(got)
	}
	all := []room.State{r2, r3, r1, tie[0], tie[1]}
	wantEqual(t, "changed since the start", changed(store.ChangeQuery{Since: t0}), ids(all))
	wantEqual(t, "changed since 90 s, in another zone", changed(store.ChangeQuery{Since: t0.Add(90 * time.Second).In(elsewhere)}), ids(all[1:]))
	wantEqual(t, "changed since r1's change, r1 included", changed(store.ChangeQuery{Since: r1.UpdatedAt}), ids(all[2:]))
	wantEqual(t, "after r1", changed(store.ChangeQuery{Since: r1.UpdatedAt, AfterID: r1.ID}), ids(all[3:]))
	wantEqual(t, "after the first of the tie", changed(store.ChangeQuery{Since: tie[0].UpdatedAt, AfterID: tie[0].ID}), ids(tie[1:]))
	wantEqual(t, "Bo's", changed(store.ChangeQuery{Since: t0, Agent: bo.ID}), ids([]room.State{r3}))
	wantEqual(t, "two at most", changed(store.ChangeQuery{Since: t0, Limit: 2}), ids(all[:2]))
	if got := changed(store.ChangeQuery{Since: t0.Add(time.Hour)}); len(got) != 0 {
		t.Fatalf("changed after the last change: %v", got)
	}
}
