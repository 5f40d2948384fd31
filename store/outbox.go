package store

import (
	"context"
	"time"

	"github.com/tandemhq/tandem/room"
)

// MessageStatus is where an outbox message stands.
type MessageStatus string

// The message statuses.
const (
	MessagePending MessageStatus = "pending"
	MessageSent    MessageStatus = "sent"
	MessageFailed  MessageStatus = "failed"
)

// Message is an SMS or email in the outbox. It is written in the same
// transaction as the event that causes it and sent afterwards by a
// dispatcher, so a crash can delay a message but never lose it.
type Message struct {
	ID        string        `json:"id"`
	Account   string        `json:"account"`
	Room      string        `json:"room,omitempty"`
	Channel   room.Channel  `json:"channel"`
	To        string        `json:"to"`
	Subject   string        `json:"subject,omitempty"`
	Body      string        `json:"body"`
	Link      string        `json:"link,omitempty"` // the URL the message carries
	LinkID    string        `json:"link_id,omitempty"`
	CreatedAt time.Time     `json:"at"`
	Status    MessageStatus `json:"status"`
	Attempts  int           `json:"attempts"`
	SentAt    *time.Time    `json:"sent_at,omitempty"`
	Error     string        `json:"error,omitempty"`
	// Provider names who took the message ("twilio", "smtp", "dev") and
	// ProviderID is its id there, once sent.
	Provider   string `json:"provider,omitempty"`
	ProviderID string `json:"provider_id,omitempty"`
	// Attachment is a file of the account's files sent with an email
	// (the signed copy of a document), if any.
	Attachment *MessageAttachment `json:"attachment,omitempty"`
}

// MessageAttachment is a file an email carries: the store keeps its name,
// type and SHA-256 in the account's files; the dispatcher reads its
// Content from there just before sending, and it is never stored with
// the message.
type MessageAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	SHA256      string `json:"sha256"`
	Content     []byte `json:"-"`
}

// Outcome is the result of one attempt to send a claimed message.
type Outcome struct {
	// Status is MessageSent, MessageFailed (for good), or MessagePending
	// to retry after the lease.
	Status MessageStatus
	Error  string
	At     time.Time
	// Provider and ProviderID, for a sent message.
	Provider, ProviderID string
	// Body and Link, if set, replace the message's text and link: what
	// the hub keeps of a message once the provider has it (the link
	// removed, since it is a secret the provider now carries). Nil keeps
	// them as they are.
	Body, Link *string
}

// Outbox keeps messages to send.
type Outbox interface {
	// EnqueueMessage adds a message that belongs to no room (a password
	// reset email).
	EnqueueMessage(ctx context.Context, m Message) error
	// ClaimMessages leases up to limit pending messages whose lease has run
	// out at now, for lease, and counts an attempt on each. Two dispatchers
	// never hold the same message at once.
	ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Message, error)
	// FinishMessage records the outcome of an attempt to send a claimed
	// message, and the text and link it is to keep if the outcome says.
	FinishMessage(ctx context.Context, id string, o Outcome) error
	// MessageByProvider finds a sent message by its provider's id, for a
	// delivery report that names no account; KindNotFound if none.
	MessageByProvider(ctx context.Context, provider, providerID string) (Message, error)
	// Messages lists an account's messages, newest first.
	Messages(ctx context.Context, account string, limit int) ([]Message, error)
}
