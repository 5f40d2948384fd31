package app_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store/sqlite/sqlitetest"
)

type noPublisher struct{}

func (noPublisher) Publish(string, []room.Event) {}

// newLinksApp is an App on a fresh store with one account and its agent.
func newLinksApp(t *testing.T) (*app.App, app.Caller) {
	t.Helper()
	st := sqlitetest.Open(t)
	pub, _ := url.Parse("https://hub.example.com")
	a, err := app.New(app.Config{Store: st, Publisher: noPublisher{}, PublicURL: pub, BcryptCost: 4})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	acct := tandem.Account{ID: room.NewID("ac"), Name: "Acme", CreatedAt: now}
	if err := st.CreateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	u := tandem.User{ID: room.NewID("us"), Account: acct.ID, Email: "ana@acme.test", Name: "Ana", Role: tandem.RoleAdmin, PasswordHash: "x", CreatedAt: now}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	return a, app.Caller{User: &u}
}

// Copy link gives a link that opens the room, and ends the one before;
// the close then makes every link of the room answer room_closed.
func TestCopyLinkThenClose(t *testing.T) {
	a, agent := newLinksApp(t)
	ctx := context.Background()
	s, err := a.CreateRoom(ctx, agent, app.NewRoom{Mode: room.ModeLive, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Sam Lee", Phone: "+14155550134"}})
	if err != nil {
		t.Fatal(err)
	}
	st, first, err := a.CopyLink(ctx, agent, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first, "https://hub.example.com/r/") || st.Invite.Link == s.Invite.Link {
		t.Fatalf("copied %q, link %s (was %s)", first, st.Invite.Link, s.Invite.Link)
	}
	st, second, err := a.CopyLink(ctx, agent, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	token := func(u string) string { return u[strings.LastIndex(u, "/")+1:] }
	if _, _, err := a.OpenLink(ctx, token(first), ""); tandem.ErrorCode(err) != app.CodeLinkRevoked {
		t.Fatalf("the first copied link after the second: %v", err)
	}
	passToken, _, err := a.OpenLink(ctx, token(second), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Customer(ctx, passToken, s.ID); err != nil {
		t.Fatalf("the customer of the copied link: %v", err)
	}
	if st, err = a.ResendLink(ctx, agent, s.ID); err != nil || st.Invite.Attempt != 2 {
		t.Fatalf("resend: %+v %v", st.Invite, err)
	}
	if _, err := a.CloseRoom(ctx, agent, s.ID, "Done"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{first, second} {
		if _, _, err := a.OpenLink(ctx, token(u), ""); tandem.ErrorCode(err) != app.CodeRoomClosed || !tandem.IsKind(err, tandem.KindGone) {
			t.Fatalf("a link of the closed room: %v", err)
		}
	}
	if _, err := a.Customer(ctx, passToken, s.ID); tandem.ErrorCode(err) != app.CodeRoomClosed || !tandem.IsKind(err, tandem.KindUnauthorized) {
		t.Fatalf("the customer's pass after the close: %v", err)
	}
	if _, _, err := a.CopyLink(ctx, agent, s.ID); tandem.ErrorCode(err) != "room_closed" {
		t.Fatalf("copy after the close: %v", err)
	}
}
