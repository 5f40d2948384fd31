package hub

import (
	"context"

	"github.com/tandemhq/tandem/store"
)

// Sender delivers an outbox message to the customer or agent (SMS, email,
// or the dev outbox, which only shows it).
type Sender interface {
	Send(ctx context.Context, m store.Message) error
}
