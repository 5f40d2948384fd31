package app

import (
	"context"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/sender"
	"github.com/tandemhq/tandem/room"
)

// recordDelivery appends what a provider said of an invitation's message
// to its room, if it moves the invitation forward.
func (a *App) recordDelivery(ctx context.Context, account, roomID string, d room.Delivery) error {
	_, err := a.Commit(ctx, account, roomID, func(s room.State) (Plan, error) {
		ds, err := room.ReportDelivery(s, d)
		return Plan{Drafts: ds}, err
	})
	return err
}

// ReportDelivery applies a provider's status callback: the message is
// found by the provider's id, and its room records the status if it moves
// the invitation forward. A report about a message Tandem does not know is
// a KindNotFound error.
func (a *App) ReportDelivery(ctx context.Context, rep sender.DeliveryReport) error {
	m, err := a.store.MessageByProvider(ctx, rep.Provider, rep.ProviderID)
	// A callback can beat the dispatcher's record of the provider's id,
	// which is written just after the provider answers: wait a little
	// rather than lose it (Twilio does not call again).
	for wait := 50 * time.Millisecond; tandem.IsKind(err, tandem.KindNotFound) && wait <= 800*time.Millisecond; wait *= 2 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		m, err = a.store.MessageByProvider(ctx, rep.Provider, rep.ProviderID)
	}
	if err != nil {
		return err
	}
	if m.Room == "" || m.LinkID == "" {
		return nil // a message of no invitation (a password reset): nothing to show
	}
	return a.recordDelivery(ctx, m.Account, m.Room, room.Delivery{
		Link: m.LinkID, Message: m.ID, Status: rep.Status, Provider: rep.Provider, Code: rep.Code, Reason: rep.Reason,
	})
}
