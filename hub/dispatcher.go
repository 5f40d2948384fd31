package hub

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

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

// dispatcherKick wakes the dispatcher now instead of at its next poll.
func (h *Hub) dispatcherKick() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// dispatch sends outbox messages until the hub shuts down.
func (h *Hub) dispatch() {
	defer h.bg.Done()
	log := h.log.With().Str("component", "dispatcher").Logger()
	t := time.NewTicker(dispatchPoll)
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
		case <-h.kick:
		}
		for {
			msgs, err := h.store.ClaimMessages(h.ctx, h.now(), dispatchLease, dispatchBatch)
			if err != nil {
				if h.ctx.Err() == nil {
					log.Error().Err(err).Msg("claim outbox messages")
				}
				break
			}
			for _, m := range msgs {
				h.send(log, m)
			}
			if len(msgs) < dispatchBatch {
				break
			}
		}
	}
}

// send makes one attempt at m, records its outcome on the message and, for
// an invitation, in the room: the agent sees at once that the link went
// out, or why it did not.
func (h *Hub) send(log zerolog.Logger, m store.Message) {
	ctx, cancel := context.WithTimeout(h.ctx, sendTimeout)
	receipt, err := h.cfg.Sender.Send(ctx, m)
	cancel()
	outcome := store.Outcome{Status: store.MessageSent, At: h.now(), Provider: receipt.Provider, ProviderID: receipt.ID}
	delivery := room.Delivery{Link: m.LinkID, Message: m.ID, Status: receipt.Status, Provider: receipt.Provider, Reason: receipt.Reason}
	if delivery.Status == "" {
		delivery.Status = room.DeliverySent
	}
	var refused *SendError
	switch {
	case errors.As(err, &refused):
		outcome = store.Outcome{Status: store.MessageFailed, Error: refused.Error(), At: h.now(), Provider: refused.Provider}
		delivery = room.Delivery{Link: m.LinkID, Message: m.ID, Status: refused.Status, Provider: refused.Provider, Code: refused.Code, Reason: refused.Reason}
		log.Warn().Err(err).Str("message", m.ID).Str("room", m.Room).Msg("message refused")
	case err != nil && m.Attempts < maxSendAttempts:
		// Retried when the lease runs out; the room hears nothing yet.
		outcome = store.Outcome{Status: store.MessagePending, Error: err.Error(), At: h.now()}
		delivery = room.Delivery{}
		log.Warn().Err(err).Str("message", m.ID).Int("attempt", m.Attempts).Msg("send message; will retry")
	case err != nil:
		outcome = store.Outcome{Status: store.MessageFailed, Error: err.Error(), At: h.now()}
		delivery = room.Delivery{Link: m.LinkID, Message: m.ID, Status: room.DeliveryFailed,
			Reason: fmt.Sprintf("could not be sent after %d attempts: %v", m.Attempts, err)}
		log.Error().Err(err).Str("message", m.ID).Int("attempt", m.Attempts).Msg("send message; giving up")
	}
	// Record the outcome even if the hub is stopping: the send happened.
	fctx, fcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer fcancel()
	if err := h.store.FinishMessage(fctx, m.ID, outcome); err != nil {
		log.Error().Err(err).Str("message", m.ID).Msg("record message outcome")
	}
	if delivery.Status != "" && m.Room != "" && m.LinkID != "" {
		if err := h.recordDelivery(fctx, m.Account, m.Room, delivery); err != nil {
			log.Error().Err(err).Str("message", m.ID).Str("room", m.Room).Msg("record delivery in the room")
		}
	}
}

// recordDelivery appends what a provider said of an invitation's message
// to its room, if it moves the invitation forward.
func (h *Hub) recordDelivery(ctx context.Context, account, roomID string, d room.Delivery) error {
	_, err := h.commit(ctx, account, roomID, func(s room.State) (plan, error) {
		ds, err := room.ReportDelivery(s, d)
		return plan{drafts: ds}, err
	})
	return err
}

// ReportDelivery applies a provider's status callback: the message is
// found by the provider's id, and its room records the status if it moves
// the invitation forward. A report about a message Tandem does not know is
// a KindNotFound error.
func (h *Hub) ReportDelivery(ctx context.Context, rep DeliveryReport) error {
	m, err := h.store.MessageByProvider(ctx, rep.Provider, rep.ProviderID)
	// A callback can beat the dispatcher's record of the provider's id,
	// which is written just after the provider answers: wait a little
	// rather than lose it (Twilio does not call again).
	for wait := 50 * time.Millisecond; room.IsKind(err, room.KindNotFound) && wait <= 800*time.Millisecond; wait *= 2 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		m, err = h.store.MessageByProvider(ctx, rep.Provider, rep.ProviderID)
	}
	if err != nil {
		return err
	}
	if m.Room == "" || m.LinkID == "" {
		return nil // a message of no invitation (a password reset): nothing to show
	}
	return h.recordDelivery(ctx, m.Account, m.Room, room.Delivery{
		Link: m.LinkID, Message: m.ID, Status: rep.Status, Provider: rep.Provider, Code: rep.Code, Reason: rep.Reason,
	})
}
