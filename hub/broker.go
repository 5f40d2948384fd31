package hub

import (
	"context"

	"github.com/tandemhq/tandem/room"
)

// Broker carries committed events from the instance that appended them to
// every instance with subscribers on the event's topics. It is a
// notification path, not a record: a broker may drop, repeat or reorder
// events, and subscribers skip what they have and heal gaps from the
// store. Publish must not block for long.
//
// It also carries one signal that is not an event: credentials ended
// (Ended), which every instance subscribes to, so that a sign-out or a
// revoked link takes effect at once on every instance.
type Broker interface {
	// Publish announces a committed event on topic.
	Publish(ctx context.Context, topic string, ev room.Event) error
	// Subscribe passes r every event published on topic until the
	// returned function is called.
	Subscribe(ctx context.Context, topic string, r Receiver) (unsubscribe func(), err error)
	// PublishEnded announces to every instance (this one included) that
	// the credentials e names ended. Like events, the signal may be lost:
	// a receiver that may have missed one is told to Resync.
	PublishEnded(ctx context.Context, e Ended) error
	// SubscribeEnded passes r every Ended published by any instance until
	// the returned function is called.
	SubscribeEnded(ctx context.Context, r EndedReceiver) (unsubscribe func(), err error)
}

// RoomTopic is the topic of a room's events: every event of the room.
func RoomTopic(roomID string) string { return "room:" + roomID }

// AccountTopic is the topic of an account's changes: the last event of
// each change to any room of the account (the account feed only uses it
// as a wake-up).
func AccountTopic(account string) string { return "account:" + account }

// Receiver takes what a Broker delivers for one topic. Its methods must not
// block: they run on the broker's delivery path.
type Receiver interface {
	// Receive is called with each event published on the topic.
	Receive(ev room.Event)
	// Resync is called when the broker may have missed events (its
	// connection dropped, or a subscription went silent): the receiver
	// must read the store to catch up.
	Resync()
}

// Ended is the signal that credentials ended, or must be resolved again,
// on every instance. It is the payload of Broker.PublishEnded; a broker
// that crosses processes sends it as JSON, {"keys": ["…", …]}.
type Ended struct {
	// Keys name what ended: a credential by its key (Credential.Key, its
	// token's hash), or a group of credentials by the group's key
	// (Credential.Groups: a room link, whose passes end with it; all the
	// sign-ins of a user). A key no credential holds only makes the
	// instances forget what they cached under it (a user to read again).
	Keys []string `json:"keys"`
}

// EndedReceiver takes the Ended signals a Broker delivers. Its methods must
// not block: they run on the broker's delivery path.
type EndedReceiver interface {
	// Ended is called with each signal published by any instance.
	Ended(e Ended)
	// Resync is called when the broker may have missed signals: the
	// receiver must forget what it holds of credentials and check them
	// again in the store.
	Resync()
}
