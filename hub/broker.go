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
type Broker interface {
	// Publish announces a committed event on topic.
	Publish(ctx context.Context, topic string, ev room.Event) error
	// Subscribe passes r every event published on topic until the
	// returned function is called.
	Subscribe(ctx context.Context, topic string, r Receiver) (unsubscribe func(), err error)
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
