package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
)

// agentIn signs in a new agent (not an admin) of the env's account.
func (e *env) agentIn(email, team string) *client.Client {
	e.t.Helper()
	hash, _ := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err := e.st.CreateUser(context.Background(), tandem.User{ID: room.NewID("us"), Account: e.account, Email: email, Name: email,
		Role: tandem.RoleAgent, Team: team, PasswordHash: string(hash), CreatedAt: time.Now()}); err != nil {
		e.t.Fatal(err)
	}
	c := e.client()
	if _, err := c.Login(context.Background(), email, testPassword); err != nil {
		e.t.Fatal(err)
	}
	return c
}

func strp(s string) *string { return &s }

// Invitations fill the address book, one contact per person; it is
// searched by name, phone or email; a session started from a contact is
// pre-filled; contacts are edited; each account has its own.
func TestAddressBook(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	invite := func(c *client.Client, ch room.Channel, cust room.Customer) room.State {
		t.Helper()
		e.clock.Advance(time.Second) // the book lists the most recently used first
		s, err := c.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: ch, Customer: cust})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	invite(e.agent, room.ChannelSMS, room.Customer{Name: "Sam Lee", Phone: "(415) 555-2671"})
	invite(e.agent, room.ChannelSMS, room.Customer{Name: "Sam Lee", Phone: "+1 415 555 2671", Email: "sam@example.com"})
	invite(e.agent, room.ChannelEmail, room.Customer{Name: "Ana Diaz", Email: "ana@example.com"})
	// A pre-planned room's customer is in the book at once: the agent will
	// come back to them.
	e.clock.Advance(time.Second)
	if _, err := e.agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Zoe", Phone: "4155550188"}}); err != nil {
		t.Fatal(err)
	}
	all, err := e.agent.Contacts(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].Name != "Zoe" || all[0].Phone != "+14155550188" {
		t.Fatalf("the book: %+v", all)
	}
	for q, want := range map[string]string{"sam": "Sam Lee", "2671": "Sam Lee", "ana@": "Ana Diaz", "DIAZ": "Ana Diaz"} {
		cs, err := e.agent.Contacts(ctx, q, 0)
		if err != nil || len(cs) != 1 || cs[0].Name != want {
			t.Errorf("search %q: %+v, %v", q, cs, err)
		}
	}
	sam, _ := e.agent.Contacts(ctx, "sam", 1)
	if sam[0].Email != "sam@example.com" || sam[0].Phone != "+14155552671" {
		t.Fatalf("Sam, merged: %+v", sam[0])
	}

	// Start a session from a contact: pre-filled.
	s, err := e.agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelEmail, Contact: sam[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if s.Customer != (room.Customer{Name: "Sam Lee", Phone: "+14155552671", Email: "sam@example.com"}) || s.Invite.To != "sam@example.com" {
		t.Fatalf("a room from a contact: %+v", s.Customer)
	}

	// Edit, with the same rules as a room's customer.
	got, err := e.agent.UpdateContact(ctx, sam[0].ID, strp("Samuel Lee"), strp("415 555 2672"), nil)
	if err != nil || got.Name != "Samuel Lee" || got.Phone != "+14155552672" || got.Email != "sam@example.com" {
		t.Fatalf("edit: %+v, %v", got, err)
	}
	for _, tc := range []struct {
		name, phone, email *string
		code               string
	}{
		{nil, strp("12"), nil, "invalid_phone"},
		{nil, nil, strp("Sam <sam@x.com>"), "invalid_email"},
		{strp(" "), nil, nil, "invalid_name"},
		{nil, strp(""), strp(""), "contact_required"},
		{nil, nil, strp("ana@example.com"), "contact_exists"},
	} {
		if _, err := e.agent.UpdateContact(ctx, sam[0].ID, tc.name, tc.phone, tc.email); apiCode(t, err) != tc.code {
			t.Errorf("edit %v %v %v: %v, want %s", tc.name, tc.phone, tc.email, err, tc.code)
		}
	}

	// Another account sees nothing of it, and cannot use it.
	_, other := e.newAgent("Globex", "hank@globex.test", "Hank")
	if cs, err := other.Contacts(ctx, "", 0); err != nil || len(cs) != 0 {
		t.Fatalf("another account's book: %+v, %v", cs, err)
	}
	if _, err := other.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS, Contact: sam[0].ID}); apiCode(t, err) != "contact_not_found" {
		t.Fatalf("a room from another account's contact: %v", err)
	}
	if _, err := other.UpdateContact(ctx, sam[0].ID, strp("Hijack"), nil, nil); apiCode(t, err) != "contact_not_found" {
		t.Fatalf("editing another account's contact: %v", err)
	}
	if err := other.DeleteContact(ctx, sam[0].ID); apiCode(t, err) != "contact_not_found" {
		t.Fatalf("deleting another account's contact: %v", err)
	}
}

// The account decides which contacts agents see: all, their team's, or
// their own; admins see all.
func TestContactScope(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	blue1, blue2, red := e.agentIn("b1@acme.test", "blue"), e.agentIn("b2@acme.test", "blue"), e.agentIn("r1@acme.test", "red")
	for i, c := range []*client.Client{blue1, blue2, red} {
		if _, err := c.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS,
			Customer: room.Customer{Name: "Customer", Phone: "415555010" + string(rune('1'+i))}}); err != nil {
			t.Fatal(err)
		}
	}
	count := func(c *client.Client) int {
		t.Helper()
		cs, err := c.Contacts(ctx, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	for _, tc := range []struct {
		scope                  string
		blue1, red, admin, all int
	}{
		{"", 3, 3, 3, 3}, {"all", 3, 3, 3, 3}, {"team", 2, 1, 3, 3}, {"own", 1, 1, 3, 3},
	} {
		if _, err := e.agent.UpdateSettings(ctx, client.AccountSettings{ContactScope: tc.scope}); err != nil {
			t.Fatal(err)
		}
		if b, r, a := count(blue1), count(red), count(e.agent); b != tc.blue1 || r != tc.red || a != tc.admin {
			t.Errorf("scope %q: blue1 sees %d, red %d, the admin %d; want %d, %d, %d", tc.scope, b, r, a, tc.blue1, tc.red, tc.admin)
		}
	}
	// Out of scope is not found, for reading, editing and starting from.
	redsContact, _ := red.Contacts(ctx, "", 0)
	if _, err := blue1.UpdateContact(ctx, redsContact[0].ID, strp("x"), nil, nil); apiCode(t, err) != "contact_not_found" {
		t.Fatalf("editing a contact out of scope: %v", err)
	}
	if _, err := blue1.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS, Contact: redsContact[0].ID}); apiCode(t, err) != "contact_not_found" {
		t.Fatalf("starting from a contact out of scope: %v", err)
	}
	if _, err := e.agent.UpdateSettings(ctx, client.AccountSettings{ContactScope: "everyone"}); apiCode(t, err) != "invalid_settings" {
		t.Fatalf("an unknown scope: %v", err)
	}
}

// Deleting a contact removes it from the book and its personal data from
// its rooms' records, which keep every event; the rooms record the
// erasure, live.
func TestDeleteContactErasesItFromRooms(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	// A pre-planned room of Sam's, never invited, is erased too.
	pre, err := e.agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Sam Lee", Phone: "+14155550134"}})
	if err != nil {
		t.Fatal(err)
	}
	s := e.liveRoom() // Sam Lee, +14155550134
	if _, err := e.agent.Reengage(ctx, s.ID, room.ChannelEmail, room.Customer{Phone: "+14155550134", Email: "sam@example.com"}); err != nil {
		t.Fatal(err)
	}
	before, err := e.agent.Events(ctx, s.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	sub := subscribe(t, e, s.ID)
	cs, _ := e.agent.Contacts(ctx, "sam", 0)
	if len(cs) != 1 {
		t.Fatalf("Sam's contacts: %+v", cs)
	}
	if err := e.agent.DeleteContact(ctx, cs[0].ID); err != nil {
		t.Fatal(err)
	}
	if ev := nextOfType(t, sub, room.TypeContactErased); ev.Actor.ID == "" {
		t.Fatalf("erasure event: %+v", ev)
	}
	if cs, _ := e.agent.Contacts(ctx, "", 0); len(cs) != 0 {
		t.Fatalf("the book after the deletion: %+v", cs)
	}
	after, err := e.agent.Events(ctx, s.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(after)
	for _, pii := range []string{"Sam Lee", "+14155550134", "sam@example.com"} {
		if strings.Contains(string(raw), pii) {
			t.Fatalf("%s is still in the room's log", pii)
		}
	}
	if len(after) != len(before)+1 {
		t.Fatalf("the log had %d events, now %d (want one more: the erasure)", len(before), len(after))
	}
	st, err := e.agent.Room(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Customer.Name != room.ErasedName || strings.Contains(st.Customer.Phone, "555") || st.Invite.To == "sam@example.com" {
		t.Fatalf("the room after the erasure: %+v %+v", st.Customer, st.Invite)
	}
	msgs, _ := e.agent.DevOutbox(ctx)
	for _, m := range msgs {
		if m.Room == s.ID && (m.To != "" || strings.Contains(m.Body, "Sam") || m.Status != "failed") {
			t.Fatalf("a message still names Sam, or is still to be sent: %+v", m)
		}
	}
	if st, err := e.agent.Room(ctx, pre.ID); err != nil || st.Customer.Name != room.ErasedName || !st.ContactErased {
		t.Fatalf("the pre-planned room after the erasure: %+v, %v", st.Customer, err)
	}
}
