package storetest

import (
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
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
	u.Name, u.Role, u.Team = "Ana Lee", tandem.RoleAdmin, "South"
	if err := f.st.UpdateUser(ctx, u); err != nil {
		t.Fatalf("update user: %v", err)
	}
	got, err := f.st.User(ctx, f.account, u.ID)
	if err != nil || got.Name != "Ana Lee" || got.Role != tandem.RoleAdmin || got.Team != "South" || got.PasswordHash != "hash" || got.Email != u.Email {
		t.Fatalf("user after the update: %+v, %v", got, err)
	}

	// Another account cannot change it.
	theirs := u
	theirs.Account, theirs.Name = f.other, "Stolen"
	wantErr(t, f.st.UpdateUser(ctx, theirs), tandem.KindNotFound, "")
	if got, _ := f.st.User(ctx, f.account, u.ID); got.Name != "Ana Lee" {
		t.Fatalf("another account renamed the user: %q", got.Name)
	}
	wantErr(t, f.st.UpdateUser(ctx, tandem.User{ID: room.NewID("us"), Account: f.account, Name: "X", Role: tandem.RoleAgent}), tandem.KindNotFound, "")

	// Deactivating ends the user's sign-ins, and only theirs.
	mine := f.newSignIn(t, f.account, u.ID)
	adminIn := f.newSignIn(t, f.account, admin.ID)
	strangerIn := f.newSignIn(t, f.other, stranger.ID)
	ins, err := f.st.UserSignIns(ctx, f.account, u.ID, t0, 10)
	if err != nil || len(ins) != 1 || ins[0].TokenHash != mine.TokenHash {
		t.Fatalf("the user's sign-ins: %+v, %v", ins, err)
	}
	if ins, err := f.st.UserSignIns(ctx, f.other, u.ID, t0, 10); err != nil || len(ins) != 0 {
		t.Fatalf("another account lists the user's sign-ins: %+v, %v", ins, err)
	}
	if ins, err := f.st.UserSignIns(ctx, f.account, u.ID, t0.Add(2*time.Hour), 10); err != nil || len(ins) != 0 {
		t.Fatalf("expired sign-ins listed: %+v, %v", ins, err)
	}
	at := t0.Add(time.Minute)
	u.DeactivatedAt = &at
	if err := f.st.UpdateUser(ctx, u); err != nil {
		t.Fatalf("deactivate: %v", err)
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
	last := admin
	last.Role = tandem.RoleAgent
	wantErr(t, f.st.UpdateUser(ctx, last), tandem.KindConflict, "last_admin")
	last = admin
	last.DeactivatedAt = &at
	wantErr(t, f.st.UpdateUser(ctx, last), tandem.KindConflict, "last_admin")
	if got, _ := f.st.User(ctx, f.account, admin.ID); got.Role != tandem.RoleAdmin || !got.Active() {
		t.Fatalf("the refused change was written: %+v", got)
	}
	if !f.live(t, adminIn.TokenHash) {
		t.Fatal("a refused deactivation ended the admin's sign-in")
	}
	// Reactivated, the first admin lets the other step down.
	u.DeactivatedAt = nil
	if err := f.st.UpdateUser(ctx, u); err != nil {
		t.Fatalf("reactivate: %v", err)
	}
	if err := f.st.UpdateUser(ctx, last); err != nil {
		t.Fatalf("deactivate an admin while another is active: %v", err)
	}
	if got, _ := f.st.User(ctx, f.account, u.ID); !got.Active() {
		t.Fatal("the reactivated user is not active")
	}
}
