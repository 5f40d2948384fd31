// Package devoutbox is the sender.Sender of the embedded default: it sends
// nothing. Messages stay in the outbox, where the console's dev outbox page
// (GET /api/v1/dev/outbox) shows them with their links, and each one is
// written to the log, so the whole flow can be tried on one machine.
//
// It simulates delivery, and says so in every status it reports: a message
// is "delivered" at once, except to the numbers and addresses below, which
// let a person try the failure paths (invalid number, Re-engage) without a
// provider. The numbers are Twilio's own test numbers, with the same error
// codes.
//
//	+15005550001         invalid, 21211 (not a valid phone number)
//	+15005550009         invalid, 21614 (not a mobile number)
//	anything@invalid.example  failed, 550 (mailbox unavailable)
package devoutbox

import (
	"context"
	"strings"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/hub/sender"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

var _ sender.Sender = (*Sender)(nil)

// Provider is the name the dev outbox reports as its provider.
const Provider = sender.DevProvider

// simulated is the prefix of every reason the dev outbox gives.
const simulated = "simulated by the dev outbox, nothing was sent: "

// Sender logs messages instead of sending them.
type Sender struct {
	log zerolog.Logger
}

// New returns a Sender that writes to log.
func New(log zerolog.Logger) *Sender {
	return &Sender{log: log.With().Str("component", "devoutbox").Logger()}
}

// Send implements sender.Sender: it logs m and reports the simulated outcome.
func (s *Sender) Send(_ context.Context, m store.Message) (sender.Receipt, error) {
	s.log.Info().
		Str("channel", string(m.Channel)).Str("to", m.To).Str("subject", m.Subject).
		Str("link", m.Link).Str("room", m.Room).
		Msg("dev outbox (simulation, nothing was sent): " + m.Body)
	switch {
	case m.Channel == room.ChannelSMS && m.To == "+15005550001":
		return sender.Receipt{}, &sender.SendError{Provider: Provider, Status: room.DeliveryInvalid, Code: "21211", Reason: simulated + "not a valid phone number"}
	case m.Channel == room.ChannelSMS && m.To == "+15005550009":
		return sender.Receipt{}, &sender.SendError{Provider: Provider, Status: room.DeliveryInvalid, Code: "21614", Reason: simulated + "not a mobile number, it cannot receive SMS"}
	case m.Channel == room.ChannelEmail && strings.HasSuffix(strings.ToLower(m.To), "@invalid.example"):
		return sender.Receipt{}, &sender.SendError{Provider: Provider, Status: room.DeliveryFailed, Code: "550", Reason: simulated + "mailbox unavailable"}
	}
	return sender.Receipt{Provider: Provider, ID: m.ID, Status: room.DeliveryDelivered, Reason: simulated + "delivered"}, nil
}
