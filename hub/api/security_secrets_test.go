package api_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/hub/sender"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// linkRemoved is what a sent message's text says where its link was.
const linkRemoved = "[link removed]"

// refusingProvider refuses every message for good, as a provider does an
// impossible number.
type refusingProvider struct{ fakeProvider }

func (p *refusingProvider) Send(ctx context.Context, m store.Message) (sender.Receipt, error) {
	p.fakeProvider.Send(ctx, m) // keeps what it was given
	return sender.Receipt{}, &sender.SendError{Provider: "fake", Status: room.DeliveryInvalid, Code: "21211", Reason: "not a valid phone number"}
}

// storedMessages waits until the account's n messages have their final
// outcome in the store, and returns them.
func (e *env) storedMessages(t *testing.T, n int) []store.Message {
	t.Helper()
	var msgs []store.Message
	waitFor(t, "the messages' outcomes are recorded", func() bool {
		var err error
		if msgs, err = e.st.Messages(context.Background(), e.account, 0); err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, m := range msgs {
			if m.Status != store.MessagePending {
				done++
			}
		}
		return len(msgs) == n && done == n
	})
	return msgs
}

// tokenOf is the secret a link carries: a room link's last path segment,
// a reset link's token parameter.
func tokenOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if tok := u.Query().Get("token"); tok != "" {
		return tok
	}
	return u.Path[strings.LastIndexByte(u.Path, '/')+1:]
}

// wantNoSecrets fails t if a stored message still holds the link (or its
// token) the provider was given.
func wantNoSecrets(t *testing.T, stored []store.Message, given []store.Message) {
	t.Helper()
	if len(given) != len(stored) {
		t.Fatalf("the provider was given %d messages, the store has %d", len(given), len(stored))
	}
	for _, g := range given {
		if g.Link == "" || !strings.Contains(g.Body, g.Link) {
			t.Fatalf("the provider was given message %s without its link: %+v", g.ID, g)
		}
		token := tokenOf(t, g.Link)
		for _, m := range stored {
			if m.ID != g.ID {
				continue
			}
			if m.Link != "" || strings.Contains(m.Body, token) || strings.Contains(m.Subject, token) {
				t.Errorf("message %s (%s) keeps its secret after it went: link %q, body %q", m.ID, m.Status, m.Link, m.Body)
			}
			if !strings.Contains(m.Body, linkRemoved) {
				t.Errorf("message %s: the body does not say where the link was: %q", m.ID, m.Body)
			}
		}
	}
}

// Once a real provider has a message, the hub keeps no way into the room
// or the account: the invitation's link and the password reset's token
// leave the stored message, whose text says where they were.
func TestSentMessagesKeepNoSecret(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			p := &fakeProvider{}
			e := newEnv(t, open, withSender(p))
			e.liveRoom()
			if res := e.do(t, "POST", "/api/v1/password/forgot", `{"email":"ana@acme.test"}`, nil); res.StatusCode != 202 {
				t.Fatalf("forgot password: %d", res.StatusCode)
			}
			stored := e.storedMessages(t, 2)
			for _, m := range stored {
				if m.Status != store.MessageSent {
					t.Fatalf("message %s: %s, want sent", m.ID, m.Status)
				}
			}
			wantNoSecrets(t, stored, p.messages())
		})
	}
}

// A message refused for good keeps no secret either.
func TestRefusedMessagesKeepNoSecret(t *testing.T) {
	p := &refusingProvider{}
	e := newEnv(t, nil, withSender(p))
	e.liveRoom()
	stored := e.storedMessages(t, 1)
	if stored[0].Status != store.MessageFailed {
		t.Fatalf("the refused message: %s, want failed", stored[0].Status)
	}
	wantNoSecrets(t, stored, p.messages())
}

// The dev outbox reaches no one: its page is how a person plays the
// customer, so its messages keep their links after their simulated
// delivery, until the customer's contact is erased.
func TestDevOutboxMessagesKeepTheirLinks(t *testing.T) {
	e := newEnv(t, nil, withDevOutbox)
	ctx := context.Background()
	s := e.liveRoom()
	m := e.storedMessages(t, 1)[0]
	if m.Status != store.MessageSent || m.Link == "" || !strings.Contains(m.Body, m.Link) {
		t.Fatalf("a message of the dev outbox after its delivery: %+v", m)
	}
	if got := e.lastLink(s.ID); got != m.Link {
		t.Fatalf("the dev outbox page shows %q, want %q", got, m.Link)
	}
	cs, err := e.agent.Contacts(ctx, "", 0)
	if err != nil || len(cs) != 1 {
		t.Fatalf("contacts: %+v, %v", cs, err)
	}
	if err := e.agent.DeleteContact(ctx, cs[0].ID); err != nil {
		t.Fatal(err)
	}
	msgs, err := e.st.Messages(ctx, e.account, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Link != "" || strings.Contains(msgs[0].Body, tokenOf(t, m.Link)) {
		t.Fatalf("the message after its contact was erased: %+v", msgs)
	}
}
