// Package devoutbox is the hub.Sender of the embedded default: it sends
// nothing. Messages stay in the outbox, where the console's dev outbox page
// (GET /api/v1/dev/outbox) shows them with their links, and each one is
// written to the log, so the whole flow can be tried on one machine. It is
// a simulation and says so.
package devoutbox

import (
	"context"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/store"
)

var _ hub.Sender = (*Sender)(nil)

// Sender logs messages instead of sending them.
type Sender struct {
	log zerolog.Logger
}

// New returns a Sender that writes to log.
func New(log zerolog.Logger) *Sender {
	return &Sender{log: log.With().Str("component", "devoutbox").Logger()}
}

// Send implements hub.Sender: it logs m and reports success.
func (s *Sender) Send(_ context.Context, m store.Message) error {
	s.log.Info().
		Str("channel", string(m.Channel)).Str("to", m.To).Str("subject", m.Subject).
		Str("link", m.Link).Str("room", m.Room).
		Msg("dev outbox (simulation, nothing was sent): " + m.Body)
	return nil
}
