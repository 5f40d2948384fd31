// Package sender is the vocabulary between the hub and the providers that
// deliver outbox messages: a Sender takes a message and answers with a
// Receipt or a SendError, and a provider that reports on delivery later
// reads its status callbacks as a StatusCallback, into DeliveryReports.
//
// The providers live in subpackages (sender/twilio for SMS, sender/smtp
// for email, sender/devoutbox for the embedded default, which only shows
// the messages) and are wired by cmd/tandem; the hub only knows these
// interfaces.
package sender

import (
	"context"
	"fmt"
	"net/http"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Sender delivers an outbox message to the customer or agent: SMS, email,
// or the dev outbox, which only shows it.
//
// Send returns what the provider said on taking the message. An error that
// is a *SendError is a refusal retrying cannot fix (an impossible number,
// a rejected address); any other error is retried after the hub's
// dispatcher lease, a few times.
type Sender interface {
	Send(ctx context.Context, m store.Message) (Receipt, error)
}

// DevProvider is the Provider of the dev outbox (sender/devoutbox), the
// embedded simulation that reaches no one: the hub keeps the links of the
// messages it takes, for the dev outbox page to show, where it removes
// them from every other provider's once they have gone.
const DevProvider = "dev"

// Receipt is a provider's answer to a message it took.
type Receipt struct {
	Provider string              // "twilio", "smtp", "dev"
	ID       string              // the provider's id of the message (a Twilio SID, an email's Message-ID)
	Status   room.DeliveryStatus // what it says at once: queued or sent, usually
	Reason   string              // in words, when there is something to say ("simulated: nothing was sent")
}

// SendError is a provider's refusal of a message for good.
type SendError struct {
	Provider string
	Status   room.DeliveryStatus // DeliveryInvalid (the number or address cannot receive it) or DeliveryFailed
	Code     string              // the provider's code: 21211, 550…
	Reason   string              // in words, for the agent
}

// Error describes the refusal with the provider's status and code, for
// the log; Reason alone is what the agent is shown.
func (e *SendError) Error() string {
	return fmt.Sprintf("%s refused the message (%s %s): %s", e.Provider, e.Status, e.Code, e.Reason)
}

// DeliveryReport is a provider's later word on a message it took: a
// status callback.
type DeliveryReport struct {
	Provider   string
	ProviderID string
	Status     room.DeliveryStatus
	Code       string
	Reason     string
}

// StatusCallback reads a provider's delivery status callbacks, served on
// POST /api/v1/hooks/{provider}/status. ParseCallback authenticates the
// request (a forged one is a *tandem.Error of KindForbidden) and returns the
// report; url is the public URL the provider called, which its signature
// covers. The body is already limited in size.
type StatusCallback interface {
	ParseCallback(r *http.Request, url string) (DeliveryReport, error)
}
