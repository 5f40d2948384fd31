package storetest

import (
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// testPeople: an account's users listed by name and capped, changed and
// deactivated within the account only, never leaving it without an
// active admin.
func testPeople(t *testing.T, open Open) {
	f := newFixture(t, open)
	admin := tandem.User{ID: room.NewID("us"), Account: f.account, Email: room.NewID("us") + "@example.com", Name: "zoe Admin",
		Role: tandem.RoleAdmin, PasswordHash: "hash", CreatedAt: t0}
	if err := f.st.CreateUser(ctx, admin); err != nil {
		t.Fatalf("create admin: %v", err)
	}
	// An invited user: no password yet.
	invited := tandem.User{ID: room.NewID("us"), Account: f.account, Email: room.NewID("us") + "@example.com", Name: "Bea Invited",
		Role: tandem.RoleAgent, Team: "North", CreatedAt: t0}
	if err := f.st.CreateUser(ctx, invited); err != nil {
		t.Fatalf("create invited user: %v", err)
	}
	stranger := newUser(t, f.st, f.other, room.NewID("us")+"@example.com")

	list, err := f.st.ListUsers(ctx, f.account, 10)
	if err != nil {
		t.Fatalf("list users: %v", err)
	}
	names := []string{}
	for _, u := range list {
		names = append(names, u.Name)
		if u.Account != f.account {
			t.Fatalf("another account's user listed: %+v", u)
		}
	}
	wantEqual(t, "users by name", names, []string{"Ana", "Bea Invited", "zoe Admin"})
	if list[1].PasswordHash != "" || !list[1].Invited() || list[1].Team != "North" || !list[1].Active() {
		t.Fatalf("invited user listed as %+v", list[1])
	}
	if list, err := f.st.ListUsers(ctx, f.account, 2); err != nil || len(list) != 2 {
		t.Fatalf("list capped at 2: %d users, %v", len(list), err)
	}
	if list, err := f.st.ListUsers(ctx, room.NewID("ac"), 10); err != nil || len(list) != 0 {
		t.Fatalf("list of an unknown account: %+v, %v", list, err)
	}

	// Change name, role and team.
	u := f.agent
	name, team, adminRole := "Ana Lee", "South", tandem.RoleAdmin
	if w, err := f.st.UpdateUser(ctx, f.account, u.ID, store.UserChange{Name: &name, Role: &adminRole, Team: &team}); err != nil || w.Name != name || w.Role != adminRole || w.Team != team {
		t.Fatalf("update user: %+v, %v", w, err)
	}
	got, err := f.st.User(ctx, f.account, u.ID)
	if err != nil || got.Name != "Ana Lee" || got.Role != tandem.RoleAdmin || got.Team != "South" || got.PasswordHash != "hash" || got.Email != u.Email {
		t.Fatalf("user after the update: %+v, %v", got, err)
	}

	// Only the fields a change sets are written.
	other := "South 2"
	if w, err := f.st.UpdateUser(ctx, f.account, u.ID, store.UserChange{Team: &other}); err != nil || w.Name != name || w.Role != adminRole || w.Team != other {
		t.Fatalf("a change of the team alone: %+v, %v", w, err)
	}

	// Another account cannot change it.
	stolen := "Stolen"
	_, err = f.st.UpdateUser(ctx, f.other, u.ID, store.UserChange{Name: &stolen})
	wantErr(t, err, tandem.KindNotFound, "")
	if got, _ := f.st.User(ctx, f.account, u.ID); got.Name != "Ana Lee" {
		t.Fatalf("another account renamed the user: %q", got.Name)
	}
	_, err = f.st.UpdateUser(ctx, f.account, room.NewID("us"), store.UserChange{Name: &stolen})
	wantErr(t, err, tandem.KindNotFound, "")

	// Deactivating ends the user's sign-ins, and only theirs.
	mine := f.newSignIn(t, f.account, u.ID)
	adminIn := f.newSignIn(t, f.account, admin.ID)
	strangerIn := f.newSignIn(t, f.other, stranger.ID)
	at := t0.Add(time.Minute)
	off, on := false, true
	link := f.newReset(t, t0.Add(7*24*time.Hour)) // an invitation or reset link of the user's
	if _, err := f.st.UpdateUser(ctx, f.account, u.ID, store.UserChange{Active: &off, At: at}); err != nil {
		t.Fatalf("deactivate: %v", err)
	}
	_, err = f.st.UsePasswordReset(ctx, link.TokenHash, at.Add(time.Second))
	wantErr(t, err, tandem.KindGone, "") // spent with the deactivation, and stays spent
	// A rename meanwhile, by an admin who read the user before, does not
	// bring them back.
	if w, err := f.st.UpdateUser(ctx, f.account, u.ID, store.UserChange{Name: &name, At: at.Add(time.Second)}); err != nil || w.Active() {
		t.Fatalf("a rename after the deactivation: %+v, %v", w, err)
	}
	got, _ = f.st.User(ctx, f.account, u.ID)
	if got.Active() || !got.DeactivatedAt.Equal(stored(at)) {
		t.Fatalf("deactivated user reads %+v", got)
	}
	if byEmail, _ := f.st.UserByEmail(ctx, u.Email); byEmail.Active() {
		t.Fatal("the deactivated user is active by email")
	}
	if f.live(t, mine.TokenHash) {
		t.Fatal("a deactivated user's sign-in is still live")
	}
	if !f.live(t, adminIn.TokenHash) || !f.live(t, strangerIn.TokenHash) {
		t.Fatal("deactivating a user ended another's sign-in")
	}

	// The last active admin can be neither demoted nor deactivated.
	agentRole := tandem.RoleAgent
	_, err = f.st.UpdateUser(ctx, f.account, admin.ID, store.UserChange{Role: &agentRole})
	wantErr(t, err, tandem.KindConflict, "last_admin")
	_, err = f.st.UpdateUser(ctx, f.account, admin.ID, store.UserChange{Active: &off, At: at})
	wantErr(t, err, tandem.KindConflict, "last_admin")
	if got, _ := f.st.User(ctx, f.account, admin.ID); got.Role != tandem.RoleAdmin || !got.Active() {
		t.Fatalf("the refused change was written: %+v", got)
	}
	if !f.live(t, adminIn.TokenHash) {
		t.Fatal("a refused deactivation ended the admin's sign-in")
	}
	// Reactivated, the first admin lets the other step down.
	if _, err := f.st.UpdateUser(ctx, f.account, u.ID, store.UserChange{Active: &on, At: at}); err != nil {
		t.Fatalf("reactivate: %v", err)
	}
	if _, err := f.st.UpdateUser(ctx, f.account, admin.ID, store.UserChange{Active: &off, At: at}); err != nil {
		t.Fatalf("deactivate an admin while another is active: %v", err)
	}
	if got, _ := f.st.User(ctx, f.account, u.ID); !got.Active() {
		t.Fatal("the reactivated user is not active")
	}
}
