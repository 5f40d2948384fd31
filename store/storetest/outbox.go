package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

func enqueue(t *testing.T, st store.Store, m store.Message) store.Message {
	t.Helper()
	if err := st.EnqueueMessage(ctx, m); err != nil {
		t.Fatalf("enqueue message: %v", err)
	}
	return m
}

func resetEmail(account string, at time.Time) store.Message {
	return store.Message{ID: room.NewID("msg"), Account: account, Channel: room.ChannelEmail, To: "ana@example.com",
		Subject: "Reset your password", Body: "Open https://tandem.example/reset/x to choose a new password.",
		Link: "https://tandem.example/reset/x", CreatedAt: at, Status: store.MessagePending}
}

// claim claims messages and returns their ids, failing t on an error.
func claim(t *testing.T, st store.Store, now time.Time, lease time.Duration, limit int) []store.Message {
	t.Helper()
	ms, err := st.ClaimMessages(ctx, now, lease, limit)
	if err != nil {
		t.Fatalf("claim messages at %v: %v", now, err)
	}
	return ms
}

func messageIDs(ms []store.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

// claimed is m as a claim returns it for the nth time.
func claimed(m store.Message, n int) store.Message {
	m = storedMessage(m)
	m.Attempts = n
	return m
}

func testOutbox(t *testing.T, open Open) {
	f := newFixture(t, open)
	first := enqueue(t, f.st, resetEmail(f.account, t0))
	s := f.newRoom(t, t0)
	_, _, invitation := f.invite(t, s, t0.Add(time.Second))
	second := enqueue(t, f.st, resetEmail(f.account, t0.Add(2*time.Second).In(elsewhere)))
	theirs := enqueue(t, f.st, resetEmail(f.other, t0.Add(3*time.Second)))
	dup := resetEmail(f.account, t0)
	dup.ID = first.ID
	wantErr(t, f.st.EnqueueMessage(ctx, dup), tandem.KindConflict, "")

	// Newest first, each account its own.
	mine := []store.Message{storedMessage(second), storedMessage(invitation), storedMessage(first)}
	wantEqual(t, "messages", f.messages(t, f.account), mine)
	got, err := f.st.Messages(ctx, f.account, 2)
	if err != nil {
		t.Fatalf("messages: %v", err)
	}
	wantEqual(t, "two messages", got, mine[:2])
	wantEqual(t, "the other account's messages", f.messages(t, f.other), []store.Message{storedMessage(theirs)})
	if ms := f.messages(t, room.NewID("ac")); len(ms) != 0 {
		t.Fatalf("an unknown account has %d messages", len(ms))
	}

	// Claims take the oldest pending messages of all accounts, up to the
	// limit, and count an attempt.
	now, lease := t0.Add(time.Hour), time.Minute
	if ms := claim(t, f.st, now, lease, 0); len(ms) != 0 {
		t.Fatalf("a claim of 0 messages claimed %d", len(ms))
	}
	wantEqual(t, "first claim", claim(t, f.st, now, lease, 2), []store.Message{claimed(first, 1), claimed(invitation, 1)})
	wantEqual(t, "second claim", claim(t, f.st, now, lease, 10), []store.Message{claimed(second, 1), claimed(theirs, 1)})
	// Leased: not claimed again until the lease runs out.
	for _, at := range []time.Time{now, now.Add(lease / 2), stored(now.Add(lease)).Add(-time.Microsecond)} {
		if ms := claim(t, f.st, at, lease, 10); len(ms) != 0 {
			t.Fatalf("claim at %v took leased messages %v", at, messageIDs(ms))
		}
	}
	now = now.Add(lease)
	wantEqual(t, "claim after the lease", claim(t, f.st, now, lease, 1), []store.Message{claimed(first, 2)})
	wantEqual(t, "claim the rest after the lease", claim(t, f.st, now, lease, 10),
		[]store.Message{claimed(invitation, 2), claimed(second, 2), claimed(theirs, 2)})

	// Outcomes, with the text and link each message is to keep when they
	// say (the link removed, once the provider has it).
	sentAt := now.Add(time.Second).In(elsewhere)
	sentBody, failedBody, noLink := "Open [link removed] to choose a new password.", "join us, [link removed]", ""
	if err := f.st.FinishMessage(ctx, first.ID, store.Outcome{Status: store.MessageSent, At: sentAt, Provider: "twilio", ProviderID: "SM1",
		Body: &sentBody, Link: &noLink}); err != nil {
		t.Fatalf("finish sent: %v", err)
	}
	if err := f.st.FinishMessage(ctx, invitation.ID, store.Outcome{Status: store.MessageFailed, Error: "carrier refused the number", At: now, Provider: "twilio",
		Body: &failedBody, Link: &noLink}); err != nil {
		t.Fatalf("finish failed: %v", err)
	}
	if err := f.st.FinishMessage(ctx, second.ID, store.Outcome{Status: store.MessagePending, Error: "timeout", At: now}); err != nil {
		t.Fatalf("finish pending: %v", err)
	}
	wantErr(t, f.st.FinishMessage(ctx, room.NewID("msg"), store.Outcome{Status: store.MessageSent, At: now}), tandem.KindNotFound, "")
	wantErr(t, f.st.FinishMessage(ctx, theirs.ID, store.Outcome{Status: "lost", At: now}), tandem.KindInvalid, "")

	wantSent := claimed(first, 2)
	wantSent.Status, wantSent.SentAt, wantSent.Provider, wantSent.ProviderID = store.MessageSent, storedPtr(sentAt), "twilio", "SM1"
	wantSent.Body, wantSent.Link = sentBody, ""
	wantFailed := claimed(invitation, 2)
	wantFailed.Status, wantFailed.Error, wantFailed.Provider = store.MessageFailed, "carrier refused the number", "twilio"
	wantFailed.Body, wantFailed.Link = failedBody, ""
	wantRetry := claimed(second, 2)
	wantRetry.Error = "timeout"
	wantEqual(t, "messages after their outcomes", f.messages(t, f.account), []store.Message{wantRetry, wantFailed, wantSent})
	wantEqual(t, "the other account's message", f.messages(t, f.other), []store.Message{claimed(theirs, 2)})

	// A message to retry waits for its lease to run out; sent and failed
	// ones are never claimed again.
	if ms := claim(t, f.st, now.Add(lease/2), lease, 10); len(ms) != 0 {
		t.Fatalf("claimed leased messages %v", messageIDs(ms))
	}
	now = now.Add(lease)
	wantRetry.Attempts = 3
	wantEqual(t, "claim after the outcomes", claim(t, f.st, now, lease, 10), []store.Message{wantRetry, claimed(theirs, 3)})
	later := now.Add(24 * time.Hour)
	wantRetry.Attempts = 4
	wantEqual(t, "claim a day later", claim(t, f.st, later, lease, 10), []store.Message{wantRetry, claimed(theirs, 4)})
	// An outcome that gives no text nor link keeps the message's (the dev
	// outbox's, whose page shows them).
	if err := f.st.FinishMessage(ctx, second.ID, store.Outcome{Status: store.MessageSent, At: later, Provider: "smtp", ProviderID: "<m2@tandem>"}); err != nil {
		t.Fatalf("finish the retried message: %v", err)
	}
	wantRetry.Status, wantRetry.Error, wantRetry.SentAt = store.MessageSent, "", storedPtr(later)
	wantRetry.Provider, wantRetry.ProviderID = "smtp", "<m2@tandem>"
	wantEqual(t, "the retried message", f.messages(t, f.account)[0], wantRetry)

	// A delivery report finds its message by the provider's id, and only
	// that provider's; one provider id is one message.
	if m, err := f.st.MessageByProvider(ctx, "twilio", "SM1"); err != nil || m.ID != first.ID {
		t.Fatalf("message by provider id: %+v, %v", m, err)
	}
	_, err = f.st.MessageByProvider(ctx, "smtp", "SM1")
	wantErr(t, err, tandem.KindNotFound, "")
	_, err = f.st.MessageByProvider(ctx, "twilio", "")
	wantErr(t, err, tandem.KindNotFound, "")
	wantErr(t, f.st.FinishMessage(ctx, theirs.ID, store.Outcome{Status: store.MessageSent, At: later, Provider: "twilio", ProviderID: "SM1"}), tandem.KindConflict, "")
	wantEqual(t, "claim after all is sent", claim(t, f.st, later.Add(48*time.Hour), lease, 10), []store.Message{claimed(theirs, 5)})
}

func testOutboxConcurrentClaims(t *testing.T, open Open) {
	st := open(t)
	account := newAccount(t, st)
	const n, claimers = 60, 6
	for i := range n {
		// Pairs share a time, so the order of the claims is also by id.
		enqueue(t, st, resetEmail(account, t0.Add(time.Duration(i/2)*time.Millisecond)))
	}
	lease := time.Hour
	for round := 1; round <= 2; round++ {
		now := t0.Add(time.Duration(round) * 2 * lease)
		var mu sync.Mutex
		got := map[string]int{}
		parallel(claimers, func(w int) {
			for {
				ms, err := st.ClaimMessages(ctx, now, lease, 4)
				if err != nil {
					t.Errorf("claimer %d: %v", w, err)
					return
				}
				if len(ms) == 0 {
					return
				}
				mu.Lock()
				for _, m := range ms {
					got[m.ID]++
					if m.Attempts != round {
						t.Errorf("round %d: message %s claimed with %d attempts", round, m.ID, m.Attempts)
					}
				}
				mu.Unlock()
			}
		})
		if t.Failed() {
			t.FailNow()
		}
		if len(got) != n {
			t.Fatalf("round %d: %d messages claimed, want %d", round, len(got), n)
		}
		for id, k := range got {
			if k != 1 {
				t.Fatalf("round %d: message %s was handed to claimers %d times", round, id, k)
			}
		}
		if ms := claim(t, st, now, lease, n); len(ms) != 0 {
			t.Fatalf("round %d: %d messages left unclaimed", round, len(ms))
		}
	}
}

func testOutboxAttachment(t *testing.T, open Open) {
	f := newFixture(t, open)
	m := resetEmail(f.account, t0)
	m.Attachment = &store.MessageAttachment{Name: "Lease (signed).pdf", ContentType: "application/pdf", SHA256: shaA, Content: []byte("never stored")}
	enqueue(t, f.st, m)
	got := f.messages(t, f.account)
	if len(got) != 1 || got[0].Attachment == nil {
		t.Fatalf("messages: %+v", got)
	}
	want := store.MessageAttachment{Name: "Lease (signed).pdf", ContentType: "application/pdf", SHA256: shaA}
	wantEqual(t, "the attachment", *got[0].Attachment, want)
	ms := claim(t, f.st, t0.Add(time.Hour), time.Minute, 10)
	for _, c := range ms {
		if c.ID == m.ID && (c.Attachment == nil || c.Attachment.SHA256 != shaA || c.Attachment.Content != nil) {
			t.Fatalf("the claimed message's attachment: %+v", c.Attachment)
		}
	}
}
