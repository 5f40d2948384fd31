package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store/sqlite/sqlitetest"
)

// disguised is a name that reads "Sam Lee" backwards from its override
// on: on screen it can pass for someone else.
const disguised = "Sam \u202eeeL"

// A name with a Unicode format character (a bidi override, a zero-width
// character) is refused wherever a name comes in: a new room's customer,
// Re-engage, a contact edit.
func TestNamesRefuseFormatCharacters(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	for _, name := range []string{disguised, "Sam\u200bLee", "\ufeffSam Lee", "Sam \u2066Lee\u2069"} {
		_, err := e.agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS,
			Customer: room.Customer{Name: name, Phone: "+14155550134"}})
		if apiCode(t, err) != "invalid_name" {
			t.Errorf("a room for %q: %v, want invalid_name", name, err)
		}
	}
	s := e.liveRoom()
	if _, err := e.agent.Reengage(ctx, s.ID, room.ChannelSMS, room.Customer{Name: disguised, Phone: "+14155550135"}); apiCode(t, err) != "invalid_name" {
		t.Errorf("re-engage with a disguised name: %v, want invalid_name", err)
	}
	cs, err := e.agent.Contacts(ctx, "", 0)
	if err != nil || len(cs) != 1 {
		t.Fatalf("contacts: %+v, %v", cs, err)
	}
	if _, err := e.agent.UpdateContact(ctx, cs[0].ID, strp(disguised), nil, nil); apiCode(t, err) != "invalid_name" {
		t.Errorf("renaming a contact with a disguised name: %v, want invalid_name", err)
	}
	if got, _ := e.agent.Contacts(ctx, "", 0); got[0].Name != "Sam Lee" {
		t.Fatalf("the contact after the refused edits: %+v", got[0])
	}
}

// A user's name is checked as a customer's is where users are made: the
// first admin.
func TestUserNamesRefuseFormatCharacters(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{disguised, "Admin\u200b", ""} {
		st := sqlitetest.Open(t)
		created, _, err := app.Bootstrap(ctx, st, app.FirstAdmin{AccountName: "Acme", Name: name, Email: "admin@acme.test", Password: testPassword}, time.Now())
		if created || tandem.ErrorCode(err) != "invalid_name" {
			t.Errorf("the first admin named %q: created %v, %v; want invalid_name", name, created, err)
		}
		if n, err := st.CountUsers(ctx); err != nil || n != 0 {
			t.Errorf("the first admin named %q: %d users, %v", name, n, err)
		}
	}
	st := sqlitetest.Open(t)
	if created, _, err := app.Bootstrap(ctx, st, app.FirstAdmin{AccountName: "Acme", Name: "Ana María", Email: "admin@acme.test", Password: testPassword}, time.Now()); !created || err != nil {
		t.Fatalf("the first admin: created %v, %v", created, err)
	}
}
