package storetest

import (
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

func testAccounts(t *testing.T, open Open) {
	st := open(t)
	a := tandem.Account{ID: room.NewID("ac"), Name: "Acme Plumbing", CreatedAt: t0.In(elsewhere)}
	if err := st.CreateAccount(ctx, a); err != nil {
		t.Fatalf("create account: %v", err)
	}
	want := tandem.Account{ID: a.ID, Name: a.Name, PhoneRegion: tandem.DefaultPhoneRegion, CreatedAt: stored(t0)}
	got, err := st.Account(ctx, a.ID)
	if err != nil {
		t.Fatalf("account: %v", err)
	}
	wantEqual(t, "account", got, want)

	gb := tandem.Account{ID: room.NewID("ac"), Name: "Acme UK", PhoneRegion: "GB", CreatedAt: t0}
	if err := st.CreateAccount(ctx, gb); err != nil {
		t.Fatalf("create account: %v", err)
	}
	if got, err := st.Account(ctx, gb.ID); err != nil || got.PhoneRegion != "GB" {
		t.Fatalf("account with a phone region: %+v, %v", got, err)
	}

	err = st.CreateAccount(ctx, tandem.Account{ID: a.ID, Name: "Impostor", CreatedAt: t0})
	wantErr(t, err, tandem.KindConflict, "")
	got, err = st.Account(ctx, a.ID)
	if err != nil {
		t.Fatalf("account after a duplicate: %v", err)
	}
	wantEqual(t, "account after a duplicate", got, want)

	_, err = st.Account(ctx, room.NewID("ac"))
	wantErr(t, err, tandem.KindNotFound, "")

	// Settings: empty at first, replaced whole, each account its own.
	set := tandem.AccountSettings{TimeZone: "Europe/Paris", QuietStart: "20:00", QuietEnd: "08:00", RemindAfterHours: 24, RemindMax: 2,
		InviteTemplate: "Bonjour {customer} : {link}", ReminderTemplate: "Rappel : {link}", EmailSubject: "{company}"}
	if err := st.UpdateAccountSettings(ctx, a.ID, set); err != nil {
		t.Fatalf("update settings: %v", err)
	}
	if got, err := st.Account(ctx, a.ID); err != nil || got.Settings != set {
		t.Fatalf("settings after the update: %+v, %v", got.Settings, err)
	}
	if got, err := st.Account(ctx, gb.ID); err != nil || got.Settings != (tandem.AccountSettings{}) {
		t.Fatalf("another account's settings: %+v, %v", got.Settings, err)
	}
	wantErr(t, st.UpdateAccountSettings(ctx, room.NewID("ac"), set), tandem.KindNotFound, "")
}

func testUsers(t *testing.T, open Open) {
	st := open(t)
	acme, globex := newAccount(t, st), newAccount(t, st)
	count := func(want int) {
		t.Helper()
		n, err := st.CountUsers(ctx)
		if err != nil {
			t.Fatalf("count users: %v", err)
		}
		if n != want {
			t.Fatalf("count users = %d, want %d", n, want)
		}
	}
	count(0)

	u := tandem.User{ID: room.NewID("us"), Account: acme, Email: "Ana.Lee@Example.COM", Name: "Ana Lee", Role: tandem.RoleAdmin,
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA", CreatedAt: t0.In(elsewhere)}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	want := u
	want.Email = "ana.lee@example.com"
	want.CreatedAt = stored(t0)
	got, err := st.User(ctx, acme, u.ID)
	if err != nil {
		t.Fatalf("user: %v", err)
	}
	wantEqual(t, "user", got, want)
	for _, email := range []string{"ana.lee@example.com", "ANA.LEE@EXAMPLE.COM", "Ana.Lee@Example.COM"} {
		got, err := st.UserByEmail(ctx, email)
		if err != nil {
			t.Fatalf("user by email %q: %v", email, err)
		}
		wantEqual(t, "user by email "+email, got, want)
	}
	count(1)

	// The email is the login: it is unique across accounts, whatever its case.
	dup := tandem.User{ID: room.NewID("us"), Account: globex, Email: "ana.lee@EXAMPLE.com", Name: "Other Ana", Role: tandem.RoleAgent,
		PasswordHash: "x", CreatedAt: t0}
	wantErr(t, st.CreateUser(ctx, dup), tandem.KindConflict, "email_taken")
	dup.Account = acme
	wantErr(t, st.CreateUser(ctx, dup), tandem.KindConflict, "email_taken")
	if _, err := st.User(ctx, acme, dup.ID); !tandem.IsKind(err, tandem.KindNotFound) {
		t.Fatalf("the user refused for its email was written: %v", err)
	}
	// The same id again, with a free email: a conflict, but not about the email.
	err = st.CreateUser(ctx, tandem.User{ID: u.ID, Account: acme, Email: "free@example.com", Name: "Twin", Role: tandem.RoleAgent, PasswordHash: "x", CreatedAt: t0})
	wantErr(t, err, tandem.KindConflict, "")
	if tandem.ErrorCode(err) == "email_taken" {
		t.Fatalf("a duplicate user id is reported as a taken email: %v", err)
	}
	if _, err := st.UserByEmail(ctx, "free@example.com"); !tandem.IsKind(err, tandem.KindNotFound) {
		t.Fatalf("the user refused for its id was written: %v", err)
	}
	got, _ = st.User(ctx, acme, u.ID)
	wantEqual(t, "user after refused duplicates", got, want)
	count(1)

	agent := newUser(t, st, globex, "bo@example.com")
	count(2)
	got, err = st.User(ctx, globex, agent.ID)
	if err != nil {
		t.Fatalf("second user: %v", err)
	}
	if got.Role != tandem.RoleAgent || got.Account != globex {
		t.Fatalf("second user: %+v", got)
	}

	_, err = st.User(ctx, acme, room.NewID("us"))
	wantErr(t, err, tandem.KindNotFound, "")
	_, err = st.UserByEmail(ctx, "nobody@example.com")
	wantErr(t, err, tandem.KindNotFound, "")

	if err := st.SetPasswordHash(ctx, acme, u.ID, "new-hash"); err != nil {
		t.Fatalf("set password: %v", err)
	}
	want.PasswordHash = "new-hash"
	got, _ = st.User(ctx, acme, u.ID)
	wantEqual(t, "user after a new password", got, want)
	got, _ = st.UserByEmail(ctx, want.Email)
	wantEqual(t, "user by email after a new password", got, want)
	got, _ = st.User(ctx, globex, agent.ID)
	if got.PasswordHash != agent.PasswordHash {
		t.Fatalf("setting a password changed another user's: %q", got.PasswordHash)
	}
	wantErr(t, st.SetPasswordHash(ctx, acme, room.NewID("us"), "x"), tandem.KindNotFound, "")
}

func testUsersScoped(t *testing.T, open Open) {
	f := newFixture(t, open)
	_, err := f.st.User(ctx, f.other, f.agent.ID)
	wantErr(t, err, tandem.KindNotFound, "")
	wantErr(t, f.st.SetPasswordHash(ctx, f.other, f.agent.ID, "stolen"), tandem.KindNotFound, "")
	got, err := f.st.User(ctx, f.account, f.agent.ID)
	if err != nil {
		t.Fatalf("user: %v", err)
	}
	if got.PasswordHash != f.agent.PasswordHash {
		t.Fatalf("another account changed the password: %q", got.PasswordHash)
	}
}
