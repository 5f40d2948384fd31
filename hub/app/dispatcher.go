package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/hub/sender"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Dispatcher tuning. A claimed message is leased: if this instance dies
// while sending, another one sends it after the lease.
const (
	dispatchBatch   = 20
	dispatchLease   = time.Minute
	dispatchPoll    = 2 * time.Second
	sendTimeout     = 30 * time.Second
	maxSendAttempts = 5
)

// kickDispatcher wakes the dispatcher now instead of at its next poll.
func (a *App) kickDispatcher() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// Dispatch sends the outbox messages that are due: the dispatcher
// worker's round. A claimed message is leased, so two instances never send
// it at once.
func (a *App) Dispatch(ctx context.Context) {
	log := a.log.With().Str("component", "dispatcher").Logger()
	for {
		msgs, err := a.store.ClaimMessages(ctx, a.now(), dispatchLease, dispatchBatch)
		if err != nil {
			if ctx.Err() == nil {
				log.Error().Err(err).Msg("claim outbox messages")
			}
			return
		}
		for _, m := range msgs {
			a.send(ctx, log, m)
		}
		if len(msgs) < dispatchBatch {
			return
		}
	}
}

// send makes one attempt at m, records its outcome on the message and, for
// an invitation, in the room: the agent sees at once that the link went
// out, or why it did not.
func (a *App) send(ctx context.Context, log zerolog.Logger, m store.Message) {
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	err := a.readAttachment(ctx, &m)
	var receipt sender.Receipt
	if err == nil {
		receipt, err = a.cfg.Sender.Send(ctx, m)
	}
	cancel()
	outcome := store.Outcome{Status: store.MessageSent, At: a.now(), Provider: receipt.Provider, ProviderID: receipt.ID}
	delivery := room.Delivery{Link: m.LinkID, Message: m.ID, Status: receipt.Status, Provider: receipt.Provider, Reason: receipt.Reason}
	if delivery.Status == "" {
		delivery.Status = room.DeliverySent
	}
	var refused *sender.SendError
	switch {
	case errors.As(err, &refused):
		outcome = store.Outcome{Status: store.MessageFailed, Error: refused.Error(), At: a.now(), Provider: refused.Provider}
		delivery = room.Delivery{Link: m.LinkID, Message: m.ID, Status: refused.Status, Provider: refused.Provider, Code: refused.Code, Reason: refused.Reason}
		log.Warn().Err(err).Str("message", m.ID).Str("room", m.Room).Msg("message refused")
	case err != nil && m.Attempts < maxSendAttempts:
		// Retried when the lease runs out; the room hears nothing yet.
		outcome = store.Outcome{Status: store.MessagePending, Error: err.Error(), At: a.now()}
		delivery = room.Delivery{}
		log.Warn().Err(err).Str("message", m.ID).Int("attempt", m.Attempts).Msg("send message; will retry")
	case err != nil:
		outcome = store.Outcome{Status: store.MessageFailed, Error: err.Error(), At: a.now()}
		delivery = room.Delivery{Link: m.LinkID, Message: m.ID, Status: room.DeliveryFailed,
			Reason: fmt.Sprintf("could not be sent after %d attempts: %v", m.Attempts, err)}
		log.Error().Err(err).Str("message", m.ID).Int("attempt", m.Attempts).Msg("send message; giving up")
	}
	if outcome.Status != store.MessagePending && !keepsLinks(outcome.Provider) {
		outcome.Body, outcome.Link = withoutLink(m)
	}
	// Record the outcome even if the hub is stopping: the send happened.
	fctx, fcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer fcancel()
	if err := a.store.FinishMessage(fctx, m.ID, outcome); err != nil {
		log.Error().Err(err).Str("message", m.ID).Msg("record message outcome")
	}
	if delivery.Status != "" && m.Room != "" && m.LinkID != "" {
		if err := a.recordDelivery(fctx, m.Account, m.Room, delivery); err != nil {
			log.Error().Err(err).Str("message", m.ID).Str("room", m.Room).Msg("record delivery in the room")
		}
	}
}

// readAttachment reads the content of m's attachment, if it has one,
// from the account's files: the outbox keeps only its name.
func (a *App) readAttachment(ctx context.Context, m *store.Message) error {
	if m.Attachment == nil {
		return nil
	}
	att := *m.Attachment
	var err error
	if att.Content, err = a.readFile(ctx, m.Account, att.SHA256, a.MaxVerifyBytes()); err != nil {
		return fmt.Errorf("read the attachment %s: %w", att.Name, err)
	}
	m.Attachment = &att
	return nil
}

// linkRemoved stands in a sent message's text where its link was.
const linkRemoved = "[link removed]"

// keepsLinks reports whether the messages a provider took or refused keep
// their links: only the dev outbox's, which reaches no one and whose page
// exists to show them.
func keepsLinks(provider string) bool { return provider == sender.DevProvider }

// withoutLink is what the hub keeps of m once it has gone for good: its
// text with the link replaced by linkRemoved, and no link. The link is a
// secret (a room's, a password reset's) that only the customer or agent
// it was sent to should hold: kept, anyone who reads the database could
// use it until it expires.
func withoutLink(m store.Message) (body, link *string) {
	if m.Link == "" {
		return nil, nil
	}
	b, l := strings.ReplaceAll(m.Body, m.Link, linkRemoved), ""
	return &b, &l
}
