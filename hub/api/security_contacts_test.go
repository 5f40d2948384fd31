package api_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
)

// contactsOf returns the contacts c sees.
func contactsOf(t *testing.T, c *client.Client) []client.Contact {
	t.Helper()
	cs, err := c.Contacts(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// An agent may reach a customer whose contact is out of their scope, but
// not rewrite it: the room joins the contact (so that erasing the person
// erases it too), and the contact keeps its owner's name, phone and email.
// Within their scope the book is updated as before.
func TestInvitingDoesNotRewriteContactsOutOfScope(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, open)
			ctx := context.Background()
			ana, bob := e.agentIn("ana.agent@acme.test", "blue"), e.agentIn("bob.agent@acme.test", "red")
			bea := e.agentIn("bea.agent@acme.test", "blue")
			for _, scope := range []string{"own", "team"} {
				if _, err := e.agent.UpdateSettings(ctx, client.AccountSettings{ContactScope: scope}); err != nil {
					t.Fatal(err)
				}
				phone := map[string]string{"own": "+14155550101", "team": "+14155550102"}[scope]
				email := scope + "@sam.example"
				if _, err := ana.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS,
					Customer: room.Customer{Name: "Sam Lee", Phone: phone, Email: email}}); err != nil {
					t.Fatal(err)
				}
				before := len(contactsOf(t, e.agent))
				s, err := bob.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS,
					Customer: room.Customer{Name: "Mallory", Phone: phone, Email: "mallory@evil.example"}})
				if err != nil {
					t.Fatal(err)
				}
				if s.Customer.Name != "Mallory" {
					t.Fatalf("scope %s: the room's customer is %+v, as the agent entered them", scope, s.Customer)
				}
				all := contactsOf(t, e.agent)
				if len(all) != before {
					t.Fatalf("scope %s: the book went from %d to %d contacts: one per person", scope, before, len(all))
				}
				var sam client.Contact
				for _, c := range all {
					if c.Phone == phone {
						sam = c
					}
				}
				if sam.Name != "Sam Lee" || sam.Email != email {
					t.Fatalf("scope %s: an agent out of scope rewrote the contact: %+v", scope, sam)
				}
				for _, c := range contactsOf(t, bob) {
					if c.Phone == phone {
						t.Fatalf("scope %s: the agent out of scope sees the contact: %+v", scope, c)
					}
				}
				rooms, err := e.st.ContactRooms(ctx, e.account, sam.ID)
				if err != nil || !strings.Contains(strings.Join(rooms, ","), s.ID) {
					t.Fatalf("scope %s: the room is not among the contact's: %v, %v", scope, rooms, err)
				}
			}
			// In scope (the same team), the book takes the latest name.
			if _, err := bea.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS,
				Customer: room.Customer{Name: "Samuel Lee", Phone: "+14155550102"}}); err != nil {
				t.Fatal(err)
			}
			renamed := false
			for _, c := range contactsOf(t, bea) {
				renamed = renamed || c.Phone == "+14155550102" && c.Name == "Samuel Lee"
			}
			if !renamed {
				t.Fatalf("a teammate's invitation did not update the contact: %+v", contactsOf(t, bea))
			}
		})
	}
}

// A contact edit that would give a contact the phone or email of another
// answers 409 contact_exists with the same words whether the other is in
// the caller's scope or not, and names nothing of it: the book holds one
// contact per person for the whole account. The other contact is left
// alone.
func TestContactExistsSaysNothingOfScope(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	if _, err := e.agent.UpdateSettings(ctx, client.AccountSettings{ContactScope: "own"}); err != nil {
		t.Fatal(err)
	}
	ana, bob := e.agentIn("ana.agent@acme.test", ""), e.agentIn("bob.agent@acme.test", "")
	invite := func(c *client.Client, name, phone string) {
		t.Helper()
		if _, err := c.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelSMS, Customer: room.Customer{Name: name, Phone: phone}}); err != nil {
			t.Fatal(err)
		}
	}
	invite(ana, "Sam Secret", "+14155550111")
	invite(bob, "Xavier", "+14155550122")
	invite(bob, "Yolanda", "+14155550133")
	var xavier client.Contact
	for _, c := range contactsOf(t, bob) {
		if c.Name == "Xavier" {
			xavier = c
		}
	}
	sam := contactsOf(t, ana)[0]
	patch := func(phone string) (int, string) {
		t.Helper()
		res := e.do(t, "PATCH", "/api/v1/contacts/"+xavier.ID, `{"phone":"`+phone+`"}`, map[string]string{"Authorization": "Bearer " + bob.Token()})
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	inStatus, inBody := patch("+14155550133")   // Yolanda's: in scope
	outStatus, outBody := patch("+14155550111") // Sam's: out of scope
	if inStatus != http.StatusConflict || !strings.Contains(inBody, `"contact_exists"`) {
		t.Fatalf("a collision in scope: %d %s", inStatus, inBody)
	}
	if outStatus != inStatus || outBody != inBody {
		t.Fatalf("a collision out of scope answers %d %s; in scope, %d %s", outStatus, outBody, inStatus, inBody)
	}
	for _, secret := range []string{sam.ID, sam.Name, sam.Owner} {
		if strings.Contains(outBody, secret) {
			t.Fatalf("the answer names the contact out of scope (%s): %s", secret, outBody)
		}
	}
	if got := contactsOf(t, ana)[0]; got.Name != sam.Name || got.Phone != sam.Phone || !got.UpdatedAt.Equal(sam.UpdatedAt) {
		t.Fatalf("the contact out of scope after the collision: %+v, was %+v", got, sam)
	}
}
