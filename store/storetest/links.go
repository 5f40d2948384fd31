package storetest

import (
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

func testLinks(t *testing.T, open Open) {
	f := newFixture(t, open)
	s := f.newRoom(t, t0)
	s, l, _ := f.invite(t, s, t0.In(elsewhere))
	want := storedLink(l)
	if want.CreatedAt.Location() != time.UTC {
		t.Fatal("storedLink does not normalise")
	}
	got, err := f.st.LinkByToken(ctx, l.TokenHash)
	if err != nil {
		t.Fatalf("link by token: %v", err)
	}
	wantEqual(t, "link by token", got, want)
	wantEqual(t, "link", f.link(t, l.ID), want)

	_, err = f.st.Link(ctx, f.other, l.ID)
	wantErr(t, err, tandem.KindNotFound, "")
	_, err = f.st.Link(ctx, f.account, room.NewID("ln"))
	wantErr(t, err, tandem.KindNotFound, "")
	_, err = f.st.LinkByToken(ctx, room.NewID("tok"))
	wantErr(t, err, tandem.KindNotFound, "")
	// A link's id is no token.
	_, err = f.st.LinkByToken(ctx, l.ID)
	wantErr(t, err, tandem.KindNotFound, "")

	// A link that expired long ago is still found: the caller tells the
	// customer it has expired.
	old := f.newRoom(t, time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
	expired := f.newLink(old, old.CreatedAt)
	d, err := room.Invite(old, room.InviteCustomer{Agent: f.actor(), Link: expired.ID, ExpiresAt: expired.ExpiresAt})
	if err != nil {
		t.Fatal(err)
	}
	c := appendChange(t, old, seal(t, old.ID, old.Seq, old.CreatedAt, d)...)
	c.Links = []store.Link{expired}
	f.commit(t, c)
	got, err = f.st.LinkByToken(ctx, expired.TokenHash)
	if err != nil {
		t.Fatalf("expired link by token: %v", err)
	}
	wantEqual(t, "expired link", got, storedLink(expired))

	// So is a revoked link.
	closing, err := room.Close(s, f.actor(), "")
	if err != nil {
		t.Fatal(err)
	}
	at := t0.Add(time.Minute)
	c = appendChange(t, s, seal(t, s.ID, s.Seq, at, closing...)...)
	c.RevokeLinks = []string{l.ID}
	f.commit(t, c)
	want.RevokedAt = storedPtr(at)
	got, err = f.st.LinkByToken(ctx, l.TokenHash)
	if err != nil {
		t.Fatalf("revoked link by token: %v", err)
	}
	wantEqual(t, "revoked link", got, want)
	wantEqual(t, "revoked link by id", f.link(t, l.ID), want)
}
