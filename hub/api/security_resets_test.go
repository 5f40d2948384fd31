package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
)

// resetTokens asks for n password resets of email and returns their
// tokens, oldest first, as the emails (kept by the dev outbox) carry them.
// The env's admin must be signed in, to read the dev outbox.
func (e *env) resetTokens(t *testing.T, email string, n int) []string {
	t.Helper()
	ctx := context.Background()
	resets := func() []client.OutboxMessage {
		msgs, err := e.agent.DevOutbox(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []client.OutboxMessage
		for _, m := range msgs {
			if strings.Contains(m.Link, "/password/reset?token=") && m.To == email {
				out = append(out, m)
			}
		}
		return out
	}
	for range n {
		e.clock.Advance(time.Second) // the outbox lists newest first
		had := len(resets())
		if err := e.client().ForgotPassword(ctx, email); err != nil {
			t.Fatal(err)
		}
		// The email is made after the answer: wait for it before the next.
		e.waitOutbox(t, func(client.OutboxMessage) bool { return len(resets()) > had })
	}
	msgs := resets()
	var tokens []string
	for _, m := range msgs { // newest first
		if i := strings.Index(m.Link, "/password/reset?token="); i >= 0 && m.To == email && len(tokens) < n {
			tokens = append([]string{m.Link[i+len("/password/reset?token="):]}, tokens...)
		}
	}
	if len(tokens) != n {
		t.Fatalf("%d reset emails to %s, want %d", len(tokens), email, n)
	}
	return tokens
}

// Using a reset link spends every other one the user was sent: a link
// left in an old email, or sent to someone who watched the inbox, cannot
// take the account back after the owner chose a new password. Whichever
// is used first, the others then answer as used; and the reset ends the
// user's sign-ins everywhere.
func TestResetSpendsEveryOutstandingReset(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			for _, tc := range []struct {
				name       string
				use, after int // of three tokens, oldest first
			}{
				{"the newest, then an older one", 2, 0},
				{"the oldest, then a newer one", 0, 2},
			} {
				t.Run(tc.name, func(t *testing.T) {
					e := newEnv(t, open)
					ctx := context.Background()
					tokens := e.resetTokens(t, "ana@acme.test", 3)
					if err := e.client().ResetPassword(ctx, tokens[tc.use], "the chosen password"); err != nil {
						t.Fatalf("reset with token %d: %v", tc.use, err)
					}
					if _, err := e.agent.Me(ctx); client.ErrorCode(err) != "unauthorized" {
						t.Fatalf("a sign-in from before the reset: %v", err)
					}
					for i, tok := range tokens {
						if i == tc.use {
							continue
						}
						if code := apiCode(t, e.client().ResetPassword(ctx, tok, "a stolen password")); code != "reset_expired" {
							t.Errorf("token %d after token %d was used: %q, want reset_expired", i, tc.use, code)
						}
					}
					if _, err := e.client().Login(ctx, "ana@acme.test", "the chosen password"); err != nil {
						t.Fatalf("the chosen password: %v", err)
					}
					if _, err := e.client().Login(ctx, "ana@acme.test", "a stolen password"); client.ErrorCode(err) != "invalid_credentials" {
						t.Fatalf("the password set with a spent token: %v", err)
					}
					// A reset asked for afterwards works.
					if _, err := e.agent.Login(ctx, "ana@acme.test", "the chosen password"); err != nil {
						t.Fatal(err)
					}
					fresh := e.resetTokens(t, "ana@acme.test", 1)[0]
					if err := e.client().ResetPassword(ctx, fresh, "a later password"); err != nil {
						t.Fatalf("a reset asked for after the others were spent: %v", err)
					}
				})
			}
		})
	}
}

// Spending a user's resets leaves other users' alone.
func TestResetSpendsOnlyThatUsersResets(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	e.agentIn("bob@acme.test", "")
	bobs := e.resetTokens(t, "bob@acme.test", 1)
	anas := e.resetTokens(t, "ana@acme.test", 1)
	if err := e.client().ResetPassword(ctx, anas[0], "ana's new password"); err != nil {
		t.Fatal(err)
	}
	if err := e.client().ResetPassword(ctx, bobs[0], "bob's new password"); err != nil {
		t.Fatalf("bob's reset after ana's: %v", err)
	}
}
