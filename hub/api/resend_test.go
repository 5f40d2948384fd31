package api_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/hub/api"
	"github.com/tandemhq/tandem/room"
)

// Resend link sends the invitation again to the contact in use; Copy link
// hands the agent a fresh link and sends nothing. Each ends the link
// before it, and neither is possible while the customer is in the room.
func TestResendAndCopyLink(t *testing.T) {
	e := newEnv(t, nil, withDevOutbox)
	ctx := context.Background()
	s := e.liveRoom()
	first := e.lastLink(s.ID)

	e.clock.Advance(time.Second) // the outbox lists newest first
	st, err := e.agent.ResendLink(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Invite.Attempt != 2 || st.Invite.To != "+14155550134" || st.Channel != room.ChannelSMS {
		t.Fatalf("after resend: %+v", st.Invite)
	}
	resent := e.lastLink(s.ID)
	if resent == first {
		t.Fatal("resend sent the same link")
	}
	if _, err := e.client().OpenLink(ctx, first); apiCode(t, err) != "link_revoked" {
		t.Fatalf("the first link after resend: %v", err)
	}

	e.clock.Advance(time.Second)
	msgs, err := e.agent.DevOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	copied, err := e.agent.CopyLink(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(copied.URL, e.url+"/r/") || copied.Room.Invite.Link == st.Invite.Link || !copied.ExpiresAt.Equal(copied.Room.Invite.ExpiresAt) {
		t.Fatalf("copied link: %+v", copied)
	}
	after, err := e.agent.DevOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(msgs) {
		t.Fatalf("copy link sent a message: %d messages before, %d after", len(msgs), len(after))
	}
	if _, err := e.client().OpenLink(ctx, resent); apiCode(t, err) != "link_revoked" {
		t.Fatalf("the resent link after copy: %v", err)
	}
	evs, err := e.agent.Events(ctx, s.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, ev := range evs {
		if ev.Type == room.TypeLinkRevoked {
			reasons = append(reasons, string(ev.Data))
		}
	}
	if len(reasons) != 2 || !strings.Contains(reasons[0], `"resent"`) || !strings.Contains(reasons[1], `"copied"`) || evs[len(evs)-1].Type != room.TypeLinkCopied {
		t.Fatalf("revocations %v, last event %s", reasons, evs[len(evs)-1].Type)
	}

	// The customer comes by the copied link: in the room, they need none.
	cust := e.client()
	if _, err := cust.OpenLink(ctx, copied.URL); err != nil {
		t.Fatal(err)
	}
	sub := subscribe(t, e, s.ID)
	csub, err := cust.Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer csub.Close()
	nextOfType(t, sub, room.TypeParticipantJoined)
	if _, err := e.agent.ResendLink(ctx, s.ID); apiCode(t, err) != "customer_in_room" {
		t.Fatalf("resend with the customer in: %v", err)
	}
	if _, err := e.agent.CopyLink(ctx, s.ID); apiCode(t, err) != "customer_in_room" {
		t.Fatalf("copy with the customer in: %v", err)
	}
	if _, err := cust.Room(ctx, s.ID); err != nil {
		t.Fatalf("the customer after the refused resend: %v", err)
	}

	// Another account's agent learns nothing of the room.
	_, other := e.newAgent("Initech", "eve@initech.test", "Eve")
	if _, err := other.CopyLink(ctx, s.ID); apiCode(t, err) != "room_not_found" {
		t.Fatalf("another account's copy: %v", err)
	}
}

// New links are bounded per room: a loop cannot flood the customer.
func TestNewLinksAreRateLimited(t *testing.T) {
	e := newEnv(t, nil, withDevOutbox)
	ctx := context.Background()
	s := e.liveRoom()
	for i := 0; i < api.LinksPerMinute; i++ {
		if _, err := e.agent.CopyLink(ctx, s.ID); err != nil {
			t.Fatalf("link %d: %v", i+1, err)
		}
	}
	if _, err := e.agent.ResendLink(ctx, s.ID); apiCode(t, err) != "rate_limited" {
		t.Fatalf("one link too many: %v", err)
	}
}

// Ending a session: the outcome is kept for the agent, the customer's
// socket ends, their pass and the link then answer room_closed, and the
// link's page says the session ended, not that the link was replaced.
func TestCloseReadsAsEnded(t *testing.T) {
	e := newEnv(t, nil, withDevOutbox)
	ctx := context.Background()
	s := e.liveRoom()
	link := e.lastLink(s.ID)
	cust := e.customer(s.ID)
	if _, err := e.agent.CloseRoom(ctx, s.ID, strings.Repeat("x", 501)); apiCode(t, err) != "invalid_outcome" {
		t.Fatalf("a long outcome: %v", err)
	}
	st, err := e.agent.CloseRoom(ctx, s.ID, " Lease signed ")
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != room.StatusClosed || st.Outcome != "Lease signed" {
		t.Fatalf("closed: %q %q", st.Status, st.Outcome)
	}
	if _, err := cust.Room(ctx, s.ID); apiCode(t, err) != "room_closed" {
		t.Fatalf("the customer's pass after the close: %v", err)
	}
	if _, err := e.client().OpenLink(ctx, link); apiCode(t, err) != "room_closed" {
		t.Fatalf("the link after the close: %v", err)
	}
	res, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	page := string(body)
	if res.StatusCode != http.StatusGone || !strings.Contains(page, "This session has ended") || strings.Contains(page, "replaced") ||
		strings.Contains(strings.ToLower(page), "keep this page open") || !strings.Contains(page, `data-code="room_closed"`) {
		t.Fatalf("the link's page after the close: %d %s", res.StatusCode, page)
	}
}
