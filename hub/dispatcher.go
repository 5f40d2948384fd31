package hub

import (
	"context"
	"time"

	"github.com/rs/zerolog"

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

func (h *Hub) send(log zerolog.Logger, m store.Message) {
	ctx, cancel := context.WithTimeout(h.ctx, sendTimeout)
	err := h.cfg.Sender.Send(ctx, m)
	cancel()
	status, errText := store.MessageSent, ""
	if err != nil {
		errText = err.Error()
		status = store.MessagePending // retried when the lease runs out
		if m.Attempts >= maxSendAttempts {
			status = store.MessageFailed
		}
		log.Warn().Err(err).Str("message", m.ID).Int("attempt", m.Attempts).Msg("send message")
	}
	// Record the outcome even if the hub is stopping: the send happened.
	fctx, fcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer fcancel()
	if err := h.store.FinishMessage(fctx, m.ID, status, errText, h.now()); err != nil {
		log.Error().Err(err).Str("message", m.ID).Msg("record message outcome")
	}
}
