package storetest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

func (f *fixture) newSignIn(t *testing.T, account, user string) store.SignIn {
	t.Helper()
	s := store.SignIn{TokenHash: room.NewID("tok"), Account: account, User: user, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	if err := f.st.CreateSignIn(ctx, s); err != nil {
		t.Fatalf("create session: %v", err)
	}
	return s
}

// live reports whether the auth session with the token hash is live at t0.
func (f *fixture) live(t *testing.T, tokenHash string) bool {
	t.Helper()
	_, err := f.st.SignIn(ctx, tokenHash, t0)
	if err != nil && !tandem.IsKind(err, tandem.KindNotFound) {
		t.Fatalf("auth session: %v", err)
	}
	return err == nil
}

func testSignIns(t *testing.T, open Open) {
	f := newFixture(t, open)
	s := store.SignIn{TokenHash: room.NewID("tok"), Account: f.account, User: f.agent.ID,
		CreatedAt: t0.In(elsewhere), ExpiresAt: t0.Add(time.Hour).In(elsewhere)}
	if err := f.st.CreateSignIn(ctx, s); err != nil {
		t.Fatalf("create session: %v", err)
	}
	want := store.SignIn{TokenHash: s.TokenHash, Account: f.account, User: f.agent.ID, CreatedAt: stored(t0), ExpiresAt: stored(t0.Add(time.Hour))}
	for _, now := range []time.Time{t0, t0.Add(30 * time.Minute).In(elsewhere), stored(t0.Add(time.Hour)).Add(-time.Microsecond)} {
		got, err := f.st.SignIn(ctx, s.TokenHash, now)
		if err != nil {
			t.Fatalf("session at %v: %v", now, err)
		}
		wantEqual(t, "session", got, want)
	}
	// Expired at its expiry time and after.
	for _, now := range []time.Time{t0.Add(time.Hour), stored(t0.Add(time.Hour)), t0.Add(48 * time.Hour)} {
		_, err := f.st.SignIn(ctx, s.TokenHash, now)
		wantErr(t, err, tandem.KindNotFound, "")
	}
	_, err := f.st.SignIn(ctx, room.NewID("tok"), t0)
	wantErr(t, err, tandem.KindNotFound, "")

	wantErr(t, f.st.CreateSignIn(ctx, s), tandem.KindConflict, "")

	other := f.newSignIn(t, f.account, f.agent.ID)
	if err := f.st.DeleteSignIn(ctx, s.TokenHash); err != nil {
		t.Fatalf("delete session: %v", err)
	}
	if f.live(t, s.TokenHash) {
		t.Fatal("the deleted session is still live")
	}
	if !f.live(t, other.TokenHash) {
		t.Fatal("deleting a session deleted another one of the same user")
	}
	// Signing out twice signs out.
	if err := f.st.DeleteSignIn(ctx, s.TokenHash); err != nil {
		t.Fatalf("delete a deleted session: %v", err)
	}
}

func testDeleteUserSessions(t *testing.T, open Open) {
	f := newFixture(t, open)
	colleague := newUser(t, f.st, f.account, room.NewID("us")+"@example.com")
	stranger := newUser(t, f.st, f.other, room.NewID("us")+"@example.com")
	mine := []store.SignIn{f.newSignIn(t, f.account, f.agent.ID), f.newSignIn(t, f.account, f.agent.ID)}
	theirs := f.newSignIn(t, f.account, colleague.ID)
	strangers := f.newSignIn(t, f.other, stranger.ID)

	if err := f.st.DeleteUserSignIns(ctx, f.account, f.agent.ID); err != nil {
		t.Fatalf("delete user sessions: %v", err)
	}
	for _, s := range mine {
		if f.live(t, s.TokenHash) {
			t.Fatal("a session of the signed-out user is still live")
		}
	}
	if !f.live(t, theirs.TokenHash) || !f.live(t, strangers.TokenHash) {
		t.Fatal("signing a user out ended another user's session")
	}
	if err := f.st.DeleteUserSignIns(ctx, f.account, f.agent.ID); err != nil {
		t.Fatalf("delete the sessions of a user who has none: %v", err)
	}

	// Another account cannot sign the colleague out.
	wantErr(t, f.st.DeleteUserSignIns(ctx, f.other, colleague.ID), tandem.KindNotFound, "")
	if !f.live(t, theirs.TokenHash) {
		t.Fatal("another account signed a user out")
	}
	wantErr(t, f.st.DeleteUserSignIns(ctx, f.account, room.NewID("us")), tandem.KindNotFound, "")
}

func (f *fixture) newReset(t *testing.T, expires time.Time) store.PasswordReset {
	t.Helper()
	r := store.PasswordReset{TokenHash: room.NewID("tok"), Account: f.account, User: f.agent.ID, CreatedAt: t0, ExpiresAt: expires}
	if err := f.st.CreatePasswordReset(ctx, r); err != nil {
		t.Fatalf("create password reset: %v", err)
	}
	return r
}

func testPasswordResets(t *testing.T, open Open) {
	f := newFixture(t, open)
	r := store.PasswordReset{TokenHash: room.NewID("tok"), Account: f.account, User: f.agent.ID,
		CreatedAt: t0.In(elsewhere), ExpiresAt: t0.Add(time.Hour).In(elsewhere)}
	if err := f.st.CreatePasswordReset(ctx, r); err != nil {
		t.Fatalf("create password reset: %v", err)
	}
	wantErr(t, f.st.CreatePasswordReset(ctx, r), tandem.KindConflict, "")

	used := t0.Add(10 * time.Minute).In(elsewhere)
	got, err := f.st.UsePasswordReset(ctx, r.TokenHash, used)
	if err != nil {
		t.Fatalf("use password reset: %v", err)
	}
	wantEqual(t, "used reset", got, store.PasswordReset{TokenHash: r.TokenHash, Account: f.account, User: f.agent.ID,
		CreatedAt: stored(t0), ExpiresAt: stored(t0.Add(time.Hour)), UsedAt: storedPtr(used)})
	_, err = f.st.UsePasswordReset(ctx, r.TokenHash, used.Add(time.Second))
	wantErr(t, err, tandem.KindGone, "")

	// Live until its expiry time, gone from then on.
	last := f.newReset(t, t0.Add(time.Hour))
	if _, err := f.st.UsePasswordReset(ctx, last.TokenHash, stored(t0.Add(time.Hour)).Add(-time.Microsecond)); err != nil {
		t.Fatalf("use a reset just before it expires: %v", err)
	}
	for _, now := range []time.Time{t0.Add(time.Hour), t0.Add(24 * time.Hour)} {
		expired := f.newReset(t, t0.Add(time.Hour))
		_, err = f.st.UsePasswordReset(ctx, expired.TokenHash, now)
		wantErr(t, err, tandem.KindGone, "")
		// Trying did not use it up: it is still gone for being expired, and
		// usable by no one.
		_, err = f.st.UsePasswordReset(ctx, expired.TokenHash, now)
		wantErr(t, err, tandem.KindGone, "")
	}

	_, err = f.st.UsePasswordReset(ctx, room.NewID("tok"), t0)
	wantErr(t, err, tandem.KindNotFound, "")
}

// Using one of a user's resets spends all of them, older and newer, and
// no one else's.
func testPasswordResetSpendsTheUsers(t *testing.T, open Open) {
	f := newFixture(t, open)
	colleague := newUser(t, f.st, f.account, room.NewID("us")+"@example.com")
	for _, use := range []int{0, 2} { // the oldest, then the newest
		var mine []store.PasswordReset
		for i := range 3 {
			r := store.PasswordReset{TokenHash: room.NewID("tok"), Account: f.account, User: f.agent.ID,
				CreatedAt: t0.Add(time.Duration(i) * time.Minute), ExpiresAt: t0.Add(time.Hour)}
			if err := f.st.CreatePasswordReset(ctx, r); err != nil {
				t.Fatal(err)
			}
			mine = append(mine, r)
		}
		theirs := store.PasswordReset{TokenHash: room.NewID("tok"), Account: f.account, User: colleague.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		if err := f.st.CreatePasswordReset(ctx, theirs); err != nil {
			t.Fatal(err)
		}
		now := t0.Add(10 * time.Minute)
		if _, err := f.st.UsePasswordReset(ctx, mine[use].TokenHash, now); err != nil {
			t.Fatalf("use reset %d: %v", use, err)
		}
		for i, r := range mine {
			_, err := f.st.UsePasswordReset(ctx, r.TokenHash, now.Add(time.Second))
			wantErr(t, err, tandem.KindGone, "")
			if t.Failed() {
				t.Fatalf("reset %d after reset %d was used", i, use)
			}
		}
		if got, err := f.st.UsePasswordReset(ctx, theirs.TokenHash, now.Add(time.Second)); err != nil || got.User != colleague.ID {
			t.Fatalf("a colleague's reset after the agent's was used: %+v, %v", got, err)
		}
	}
}

func testPasswordResetConcurrentUse(t *testing.T, open Open) {
	f := newFixture(t, open)
	const n = 8
	for round := range 3 {
		r := f.newReset(t, t0.Add(time.Hour))
		var won, gone atomic.Int32
		parallel(n, func(int) {
			_, err := f.st.UsePasswordReset(ctx, r.TokenHash, t0.Add(time.Minute))
			switch {
			case err == nil:
				won.Add(1)
			case tandem.IsKind(err, tandem.KindGone):
				gone.Add(1)
			default:
				t.Errorf("round %d: use password reset: %v", round, err)
			}
		})
		if won.Load() != 1 || gone.Load() != n-1 {
			t.Fatalf("round %d: %d of %d concurrent uses succeeded and %d were refused as gone; want exactly 1 and %d", round, won.Load(), n, gone.Load(), n-1)
		}
	}
	// Concurrent uses of different resets of one user: one wins, the
	// others find theirs spent.
	for round := range 3 {
		rs := make([]store.PasswordReset, n)
		for i := range rs {
			rs[i] = f.newReset(t, t0.Add(time.Hour))
		}
		var won, gone atomic.Int32
		parallel(n, func(i int) {
			_, err := f.st.UsePasswordReset(ctx, rs[i].TokenHash, t0.Add(time.Minute))
			switch {
			case err == nil:
				won.Add(1)
			case tandem.IsKind(err, tandem.KindGone):
				gone.Add(1)
			default:
				t.Errorf("round %d: use password reset %d: %v", round, i, err)
			}
		})
		if won.Load() != 1 || gone.Load() != n-1 {
			t.Fatalf("round %d: %d of %d concurrent uses of a user's resets succeeded and %d were refused as gone; want exactly 1 and %d", round, won.Load(), n, gone.Load(), n-1)
		}
	}
}

func testRoomPasses(t *testing.T, open Open) {
	f := newFixture(t, open)
	s := f.newRoom(t, t0)
	_, l, _ := f.invite(t, s, t0)
	rs := store.RoomPass{TokenHash: room.NewID("tok"), Account: f.account, Room: s.ID, Link: l.ID,
		CreatedAt: t0.Add(time.Minute).In(elsewhere), ExpiresAt: t0.Add(2 * time.Hour).In(elsewhere)}
	if err := f.st.CreateRoomPass(ctx, rs); err != nil {
		t.Fatalf("create room session: %v", err)
	}
	want := store.RoomPass{TokenHash: rs.TokenHash, Account: f.account, Room: s.ID, Link: l.ID,
		CreatedAt: stored(t0.Add(time.Minute)), ExpiresAt: stored(t0.Add(2 * time.Hour))}
	for _, now := range []time.Time{t0, stored(t0.Add(2 * time.Hour)).Add(-time.Microsecond)} {
		got, err := f.st.RoomPass(ctx, rs.TokenHash, now)
		if err != nil {
			t.Fatalf("room session at %v: %v", now, err)
		}
		wantEqual(t, "room session", got, want)
	}
	for _, now := range []time.Time{t0.Add(2 * time.Hour), t0.Add(72 * time.Hour)} {
		_, err := f.st.RoomPass(ctx, rs.TokenHash, now)
		wantErr(t, err, tandem.KindNotFound, "")
	}
	_, err := f.st.RoomPass(ctx, room.NewID("tok"), t0)
	wantErr(t, err, tandem.KindNotFound, "")
	wantErr(t, f.st.CreateRoomPass(ctx, rs), tandem.KindConflict, "")
	// An auth session's token is no room session.
	a := f.newSignIn(t, f.account, f.agent.ID)
	_, err = f.st.RoomPass(ctx, a.TokenHash, t0)
	wantErr(t, err, tandem.KindNotFound, "")
}
