package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// roomFor creates a room of account for cu, as an invitation does.
func roomFor(t *testing.T, st store.Store, account string, agent room.Actor, cu store.ContactUse) room.State {
	t.Helper()
	c := createChange(t, account, createdEventsIn(t, account, room.NewID("rm"), cu.At, agent))
	c.Contact = &cu
	if err := commit(st, c); err != nil {
		t.Fatalf("create room for %+v: %v", cu, err)
	}
	return c.State
}

func contactIDs(cs []tandem.Contact) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func testContacts(t *testing.T, open Open) {
	f := newFixture(t, open)
	me := f.actor()
	contacts := func(q store.ContactQuery) []tandem.Contact {
		t.Helper()
		cs, err := f.st.Contacts(ctx, f.account, q)
		if err != nil {
			t.Fatalf("contacts %+v: %v", q, err)
		}
		return cs
	}

	// An invitation makes a contact; the same phone again is the same
	// contact, renamed and used again; the same email too, and it gains
	// the phone number it did not have.
	r1 := roomFor(t, f.st, f.account, me, store.ContactUse{Owner: me.ID, Team: "blue", Name: "Sam Lee", Phone: "+14155550134", At: t0})
	cs := contacts(store.ContactQuery{})
	if len(cs) != 1 || cs[0].Name != "Sam Lee" || cs[0].Phone != "+14155550134" || cs[0].Owner != me.ID || cs[0].Team != "blue" {
		t.Fatalf("after the first invitation: %+v", cs)
	}
	sam := cs[0].ID
	roomFor(t, f.st, f.account, me, store.ContactUse{Owner: me.ID, Name: "Samuel Lee", Phone: "+14155550134", Email: "Sam@Example.com", At: t0.Add(time.Hour)})
	ana := roomFor(t, f.st, f.account, me, store.ContactUse{Owner: "us_other", Team: "red", Name: "Ana Diaz", Email: "ana@example.com", At: t0.Add(2 * time.Hour)})
	roomFor(t, f.st, f.account, me, store.ContactUse{Owner: "us_other", Name: "Ana D.", Phone: "+14155550199", Email: "ANA@example.com", At: t0.Add(3 * time.Hour)})
	cs = contacts(store.ContactQuery{})
	if len(cs) != 2 {
		t.Fatalf("deduplication: %d contacts: %+v", len(cs), cs)
	}
	if cs[0].Name != "Ana D." || cs[0].Phone != "+14155550199" || cs[0].Email != "ana@example.com" || !cs[0].LastUsedAt.Equal(stored(t0.Add(3*time.Hour))) {
		t.Fatalf("Ana, most recently used first: %+v", cs[0])
	}
	if cs[1].ID != sam || cs[1].Name != "Samuel Lee" || cs[1].Email != "sam@example.com" || !cs[1].CreatedAt.Equal(stored(t0)) {
		t.Fatalf("Sam: %+v", cs[1])
	}
	anaID := cs[0].ID

	// Search by name in any case, by digits of the phone, by email;
	// wildcards are taken literally.
	for q, want := range map[string][]string{
		"samuel": {sam}, "LEE": {sam}, "415 555-0199": {anaID}, "5550": {anaID, sam}, "example.com": {anaID, sam},
		"ana@": {anaID}, "%": nil, "_": nil, "nobody": nil,
	} {
		if got := contactIDs(contacts(store.ContactQuery{Search: q})); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("search %q: %v, want %v", q, got, want)
		}
	}
	// Scopes: an owner's, a team's.
	if got := contactIDs(contacts(store.ContactQuery{Owner: me.ID})); len(got) != 1 || got[0] != sam {
		t.Fatalf("my contacts: %v", got)
	}
	red := "red"
	if got := contactIDs(contacts(store.ContactQuery{Team: &red})); len(got) != 1 || got[0] != anaID {
		t.Fatalf("team red's contacts: %v", got)
	}
	if got := contacts(store.ContactQuery{Limit: 1}); len(got) != 1 {
		t.Fatalf("limit 1: %d", len(got))
	}
	// Another account sees none of them, and has its own.
	if cs, err := f.st.Contacts(ctx, f.other, store.ContactQuery{}); err != nil || len(cs) != 0 {
		t.Fatalf("the other account's contacts: %+v, %v", cs, err)
	}
	roomFor(t, f.st, f.other, f.otherAgent(t), store.ContactUse{Owner: "us_x", Name: "Sam Lee", Phone: "+14155550134", At: t0})
	if cs := contacts(store.ContactQuery{}); len(cs) != 2 {
		t.Fatalf("another account's invitation merged into ours: %+v", cs)
	}
	_, err := f.st.Contact(ctx, f.other, sam)
	wantErr(t, err, tandem.KindNotFound, "contact_not_found")

	// Edit: a phone or email of another contact is a conflict.
	c, err := f.st.Contact(ctx, f.account, sam)
	if err != nil {
		t.Fatal(err)
	}
	c.Email, c.UpdatedAt = "ana@example.com", t0.Add(4*time.Hour)
	_, err = f.st.UpdateContact(ctx, f.account, c)
	wantErr(t, err, tandem.KindConflict, "contact_exists")
	c.Name, c.Email = "Sam L.", "sam.lee@example.com"
	if got, err := f.st.UpdateContact(ctx, f.account, c); err != nil || got.Name != "Sam L." || got.Email != "sam.lee@example.com" || !got.UpdatedAt.Equal(stored(c.UpdatedAt)) {
		t.Fatalf("update: %+v, %v", got, err)
	}
	c.ID, c.Phone, c.Email = room.NewID("ct"), "+14155550100", ""
	_, err = f.st.UpdateContact(ctx, f.account, c)
	wantErr(t, err, tandem.KindNotFound, "contact_not_found")
	_, err = f.st.UpdateContact(ctx, f.other, tandem.Contact{ID: sam, Name: "Hijack"})
	wantErr(t, err, tandem.KindNotFound, "contact_not_found")

	// A room moved to another contact (Re-engage) stays among the first
	// one's rooms: its records name them both.
	reengage := appendChange(t, r1, note(r1.ID, r1.Seq+1, t0, `{}`))
	reengage.Contact = &store.ContactUse{Owner: me.ID, Name: "Sam Lee", Email: "sam.work@example.com", At: t0.Add(5 * time.Hour)}
	f.commit(t, reengage)
	// Rooms of a contact, within the account.
	rooms, err := f.st.ContactRooms(ctx, f.account, sam)
	if err != nil || len(rooms) != 2 || !strings.Contains(strings.Join(rooms, ","), r1.ID) {
		t.Fatalf("Sam's rooms: %v, %v", rooms, err)
	}
	if rooms, err := f.st.ContactRooms(ctx, f.other, sam); err != nil || len(rooms) != 0 {
		t.Fatalf("Sam's rooms seen from another account: %v, %v", rooms, err)
	}

	// Delete.
	wantErr(t, f.st.DeleteContact(ctx, f.other, anaID), tandem.KindNotFound, "contact_not_found")
	if err := f.st.DeleteContact(ctx, f.account, anaID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, f.st.DeleteContact(ctx, f.account, anaID), tandem.KindNotFound, "contact_not_found")
	for _, c := range contacts(store.ContactQuery{}) {
		if c.ID == anaID {
			t.Fatalf("Ana is still in the book: %+v", c)
		}
	}
	_ = ana
}

// A use of a contact outside the part of the book it may edit links the
// room and marks the contact used, and leaves its details as they were;
// inside it (or with no limit), the details are updated.
func testContactsOutOfScope(t *testing.T, open Open) {
	f := newFixture(t, open)
	me := f.actor()
	red := "red"
	theirs := store.ContactUse{Owner: "us_owner", Team: red, Name: "Sam Lee", Phone: "+14155550134", Email: "sam@example.com", At: t0}
	roomFor(t, f.st, f.account, me, theirs)
	cs, err := f.st.Contacts(ctx, f.account, store.ContactQuery{})
	if err != nil || len(cs) != 1 {
		t.Fatalf("contacts: %+v, %v", cs, err)
	}
	sam := cs[0]
	blue := "blue"
	for i, scope := range []store.ContactScope{{Owner: me.ID}, {Team: &blue}, {Owner: "us_owner", Team: &blue}} {
		at := t0.Add(time.Duration(i+1) * time.Hour)
		s := roomFor(t, f.st, f.account, me, store.ContactUse{Owner: me.ID, Team: blue, Name: "Mallory", Phone: "+14155550134", Email: "mallory@example.com", At: at, Editable: scope})
		got, err := f.st.Contact(ctx, f.account, sam.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := sam
		want.LastUsedAt = stored(at)
		wantEqual(t, "a contact used out of the scope it may edit", got, want)
		if rooms, err := f.st.ContactRooms(ctx, f.account, sam.ID); err != nil || !strings.Contains(strings.Join(rooms, ","), s.ID) {
			t.Fatalf("scope %+v: the room is not the contact's: %v, %v", scope, rooms, err)
		}
		if cs, _ := f.st.Contacts(ctx, f.account, store.ContactQuery{}); len(cs) != 1 {
			t.Fatalf("scope %+v: a second contact for one person: %+v", scope, cs)
		}
	}
	for i, scope := range []store.ContactScope{{}, {Owner: "us_owner"}, {Team: &red}} {
		at := t0.Add(time.Duration(i+10) * time.Hour)
		name := fmt.Sprintf("Samuel Lee %d", i)
		roomFor(t, f.st, f.account, me, store.ContactUse{Owner: me.ID, Name: name, Phone: "+14155550134", At: at, Editable: scope})
		got, err := f.st.Contact(ctx, f.account, sam.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != name || !got.UpdatedAt.Equal(stored(at)) || got.Owner != "us_owner" {
			t.Fatalf("scope %+v: a contact used in the scope it may edit: %+v", scope, got)
		}
	}
}
