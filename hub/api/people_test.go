package api_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/api"
)

func boolp(b bool) *bool { return &b }

// invitationToken waits for the invitation email to to and returns the
// token of its link.
func (e *env) invitationToken(t *testing.T, to string) (client.OutboxMessage, string) {
	t.Helper()
	m := e.waitMessage(t, func(m client.OutboxMessage) bool {
		return m.To == to && strings.Contains(m.Link, "/invitation?token=")
	})
	return m, m.Link[strings.Index(m.Link, "token=")+len("token="):]
}

// An admin invites a person: the email's link sets their password and
// signs them in; the admin changes their role and team; a second link
// after the first was used does nothing; an agent may not manage people.
func TestPeopleInvite(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	p, err := e.agent.InvitePerson(ctx, client.NewPerson{Name: "Cy Newman", Email: " Cy@Acme.Test ", Team: "North"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != "invited" || p.Role != "agent" || p.Team != "North" || p.Email != "cy@acme.test" || !strings.HasPrefix(p.ID, "us_") {
		t.Fatalf("invited person: %+v", p)
	}
	m, token := e.invitationToken(t, "cy@acme.test")
	if m.Channel != "email" || !strings.Contains(m.Subject, "Acme") || !strings.Contains(m.Body, "Ana invited you") || !strings.Contains(m.Body, "7 days") {
		t.Fatalf("invitation email: %+v", m)
	}
	// Not yet accepted: no password signs in.
	if _, err := e.client().Login(ctx, "cy@acme.test", ""); apiCode(t, err) != "invalid_credentials" {
		t.Fatalf("an invited user signed in without a password: %v", err)
	}
	// Resent: a second link; either works, once.
	if _, err := e.agent.ResendInvitation(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	cy := e.client()
	u, err := cy.AcceptInvitation(ctx, token, "cy's own password")
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "cy@acme.test" {
		t.Fatalf("signed in as %+v", u)
	}
	if me, err := cy.Me(ctx); err != nil || me.User.ID != p.ID {
		t.Fatalf("me after accepting: %+v, %v", me, err)
	}
	if _, err := e.client().AcceptInvitation(ctx, token, "another password"); apiCode(t, err) != "invitation_expired" {
		t.Fatalf("a used invitation again: %v", err)
	}
	if _, err := e.agent.ResendInvitation(ctx, p.ID); apiCode(t, err) != "invitation_accepted" {
		t.Fatalf("resend to an accepted invitation: %v", err)
	}
	if _, err := e.client().Login(ctx, "cy@acme.test", "cy's own password"); err != nil {
		t.Fatalf("sign in with the chosen password: %v", err)
	}

	people, err := e.agent.People(ctx)
	if err != nil || len(people) != 2 || people[1].ID != p.ID || people[1].Status != "active" {
		t.Fatalf("people: %+v, %v", people, err)
	}
	p, err = e.agent.UpdatePerson(ctx, p.ID, client.PersonPatch{Role: strp("admin"), Team: strp(" South ")})
	if err != nil || p.Role != "admin" || p.Team != "South" {
		t.Fatalf("role and team: %+v, %v", p, err)
	}
	p, err = e.agent.UpdatePerson(ctx, p.ID, client.PersonPatch{Role: strp("agent"), Name: strp("Cy N.")})
	if err != nil || p.Role != "agent" || p.Name != "Cy N." {
		t.Fatalf("back to agent: %+v, %v", p, err)
	}

	// Bad input.
	for _, in := range []client.NewPerson{
		{Name: "", Email: "x@acme.test"},
		{Name: "X", Email: "not an email"},
		{Name: "X", Email: "x@acme.test", Role: "owner"},
		{Name: "X", Email: "x@acme.test", Team: "a\nb"},
	} {
		if _, err := e.agent.InvitePerson(ctx, in); apiCode(t, err) == "" || !strings.HasPrefix(apiCode(t, err), "invalid_") {
			t.Errorf("invite %+v: %v", in, err)
		}
	}
	if _, err := e.agent.InvitePerson(ctx, client.NewPerson{Name: "Twin", Email: "CY@acme.test"}); apiCode(t, err) != "email_taken" {
		t.Fatalf("an email in use: %v", err)
	}

	// An agent may not manage people.
	if _, err := cy.People(ctx); apiCode(t, err) != "forbidden" {
		t.Fatalf("an agent lists people: %v", err)
	}
	if _, err := cy.InvitePerson(ctx, client.NewPerson{Name: "Mal", Email: "mal@acme.test"}); apiCode(t, err) != "forbidden" {
		t.Fatalf("an agent invites: %v", err)
	}
	if _, err := cy.UpdatePerson(ctx, people[0].ID, client.PersonPatch{Active: boolp(false)}); apiCode(t, err) != "forbidden" {
		t.Fatalf("an agent deactivates an admin: %v", err)
	}

	// Another account's admin sees none of them and changes nothing.
	_, gia := e.newAgent("Globex", "gia@globex.test", "Gia")
	theirs, err := gia.People(ctx)
	if err != nil || len(theirs) != 1 || theirs[0].Email != "gia@globex.test" {
		t.Fatalf("another account's people: %+v, %v", theirs, err)
	}
	if _, err := gia.UpdatePerson(ctx, p.ID, client.PersonPatch{Active: boolp(false)}); apiCode(t, err) != "not_found" {
		t.Fatalf("another account deactivates: %v", err)
	}
	if _, err := gia.ResendInvitation(ctx, p.ID); apiCode(t, err) != "not_found" {
		t.Fatalf("another account resends: %v", err)
	}
}

// Deactivating a person signs them out at once: their feed and room
// sockets close with 4401 (on this instance and another), /me answers 401,
// their password no longer signs in; reactivated, they sign in again.
// An admin cannot demote or deactivate themselves, and the account keeps
// an active admin.
func TestPeopleDeactivate(t *testing.T) {
	e := newEnv(t, nil, withCredentialCheck)
	other := e.peer(withCredentialCheck)
	ctx := context.Background()
	s := e.liveRoom()
	bo := e.agentIn("bo@acme.test", "")
	me, err := bo.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	feed, err := bo.Feed(ctx, client.FeedQuery{})
	if err != nil {
		t.Fatal(err)
	}
	defer feed.Close()
	sub, err := bo.Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	elsewhere, err := mustClient(t, other.url, client.WithToken(bo.Token())).Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer elsewhere.Close()

	p, err := e.agent.UpdatePerson(ctx, me.User.ID, client.PersonPatch{Active: boolp(false)})
	if err != nil || p.Status != "deactivated" || p.DeactivatedAt == nil {
		t.Fatalf("deactivate: %+v, %v", p, err)
	}
	endsWithAccessEnded(t, sub, "deactivation, room socket")
	endsWithAccessEnded(t, elsewhere, "deactivation, room socket on another instance")
	tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for {
		_, err := feed.Next(tctx)
		if err == nil {
			continue
		}
		var ce *client.CloseError
		if !errors.As(err, &ce) || ce.Code != client.CloseAccessEnded {
			t.Fatalf("the feed ended with %v, want close 4401", err)
		}
		break
	}
	if _, err := bo.Me(ctx); apiCode(t, err) != "unauthorized" {
		t.Fatalf("me after deactivation: %v", err)
	}
	res := e.do(t, http.MethodGet, "/api/v1/me", "", map[string]string{"Authorization": "Bearer " + bo.Token()})
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("me after deactivation: %d", res.StatusCode)
	}
	if _, err := e.client().Login(ctx, "bo@acme.test", testPassword); apiCode(t, err) != "user_deactivated" {
		t.Fatalf("sign in when deactivated: %v", err)
	}
	// No reset email for a deactivated user.
	if err := e.client().ForgotPassword(ctx, "bo@acme.test"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.agent.UpdatePerson(ctx, me.User.ID, client.PersonPatch{Active: boolp(true)}); err != nil {
		t.Fatalf("reactivate: %v", err)
	}
	if _, err := e.client().Login(ctx, "bo@acme.test", testPassword); err != nil {
		t.Fatalf("sign in when reactivated: %v", err)
	}
	msgs, err := e.agent.DevOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.To == "bo@acme.test" {
			t.Fatalf("a deactivated user was sent %q", m.Subject)
		}
	}

	// Guards.
	ana, err := e.agent.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.agent.UpdatePerson(ctx, ana.User.ID, client.PersonPatch{Active: boolp(false)}); apiCode(t, err) != "self_change" {
		t.Fatalf("deactivate oneself: %v", err)
	}
	if _, err := e.agent.UpdatePerson(ctx, ana.User.ID, client.PersonPatch{Role: strp("agent")}); apiCode(t, err) != "self_change" {
		t.Fatalf("demote oneself: %v", err)
	}
	// Bo, made admin, cannot demote Ana once she is the only other one…
	if _, err := e.agent.UpdatePerson(ctx, me.User.ID, client.PersonPatch{Role: strp("admin")}); err != nil {
		t.Fatal(err)
	}
	bo = e.client()
	if _, err := bo.Login(ctx, "bo@acme.test", testPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := bo.UpdatePerson(ctx, ana.User.ID, client.PersonPatch{Role: strp("agent")}); err != nil {
		t.Fatalf("demote another admin: %v", err)
	}
	// … but now Bo is the last admin, and Ana, an agent, may do nothing.
	if _, err := e.agent.UpdatePerson(ctx, me.User.ID, client.PersonPatch{Role: strp("agent")}); apiCode(t, err) != "forbidden" {
		t.Fatalf("a demoted admin changes roles: %v", err)
	}
	if _, err := bo.UpdatePerson(ctx, me.User.ID, client.PersonPatch{Role: strp("agent")}); apiCode(t, err) != "self_change" {
		t.Fatalf("the last admin demotes themselves: %v", err)
	}
}

// A person's sockets end together, whichever of their sign-ins opened
// them and on whichever instance, when they are deactivated or reset their
// password: at once, not at the next credential check (every 30 s here).
// A new team leaves them open.
func TestSignInsEndTogether(t *testing.T) {
	e := newEnv(t, nil)
	other := e.peer()
	ctx := context.Background()
	s := e.liveRoom()
	bo := e.agentIn("bo@acme.test", "")
	me, err := bo.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	subscribe := func() (here, there *client.Subscription) {
		t.Helper()
		elsewhere := mustClient(t, other.url)
		if _, err := elsewhere.Login(ctx, "bo@acme.test", testPassword); err != nil {
			t.Fatal(err) // a second sign-in, on the other instance
		}
		here, err := bo.Subscribe(ctx, s.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = here.Close() })
		there, err = elsewhere.Subscribe(ctx, s.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = there.Close() })
		return here, there
	}
	here, there := subscribe()

	team := "South"
	if _, err := e.agent.UpdatePerson(ctx, me.User.ID, client.PersonPatch{Team: &team}); err != nil {
		t.Fatalf("a new team: %v", err)
	}
	if _, err := e.agent.CopyLink(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	head, err := e.agent.Room(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	collect(t, here, 0, head.Seq)  // still open after the new team
	collect(t, there, 0, head.Seq) // and on the other instance

	if _, err := e.agent.UpdatePerson(ctx, me.User.ID, client.PersonPatch{Active: boolp(false)}); err != nil {
		t.Fatalf("deactivate: %v", err)
	}
	endsWithAccessEnded(t, here, "deactivation, the first sign-in's socket")
	endsWithAccessEnded(t, there, "deactivation, the second sign-in's socket on another instance")

	if _, err := e.agent.UpdatePerson(ctx, me.User.ID, client.PersonPatch{Active: boolp(true)}); err != nil {
		t.Fatalf("reactivate: %v", err)
	}
	bo = e.client()
	if _, err := bo.Login(ctx, "bo@acme.test", testPassword); err != nil {
		t.Fatal(err)
	}
	here, there = subscribe()
	if err := e.client().ForgotPassword(ctx, "bo@acme.test"); err != nil {
		t.Fatal(err)
	}
	link := e.waitMessage(t, func(m client.OutboxMessage) bool {
		return m.To == "bo@acme.test" && strings.Contains(m.Link, "token=")
	}).Link
	if err := e.client().ResetPassword(ctx, link[strings.Index(link, "token=")+len("token="):], "a new password"); err != nil {
		t.Fatal(err)
	}
	endsWithAccessEnded(t, here, "password reset, the first sign-in's socket")
	endsWithAccessEnded(t, there, "password reset, the second sign-in's socket on another instance")
}

// An admin's invitation emails are limited: past InvitationsPerMinute a
// minute, inviting and resending answer 429 and send nothing.
func TestPeopleInvitationsAreLimited(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	var last client.Person
	for i := 0; i < api.InvitationsPerMinute; i++ {
		p, err := e.agent.InvitePerson(ctx, client.NewPerson{Name: "Person " + strconv.Itoa(i), Email: "p" + strconv.Itoa(i) + "@acme.test"})
		if err != nil {
			t.Fatalf("invitation %d: %v", i, err)
		}
		last = p
	}
	if _, err := e.agent.InvitePerson(ctx, client.NewPerson{Name: "One Too Many", Email: "many@acme.test"}); apiCode(t, err) != "rate_limited" {
		t.Fatalf("invitation past the limit: %v", err)
	}
	if _, err := e.agent.ResendInvitation(ctx, last.ID); apiCode(t, err) != "rate_limited" {
		t.Fatalf("resend past the limit: %v", err)
	}
	people, err := e.agent.People(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		if p.Email == "many@acme.test" {
			t.Fatal("the refused invitation made a person")
		}
	}
}
