package hub

import (
	"context"

	"github.com/tandemhq/tandem/room"
)

// Broker carries committed events from the instance that appended them to
// every instance with subscribers in the room. It is a notification path,
// not a record: a broker may drop, repeat or reorder events, and
// subscribers skip what they have and heal gaps from the store. Publish must not block for long.
type Broker interface {
	// Publish announces a committed event.
	Publish(ctx context.Context, ev room.Event) error
	// Subscribe passes r every event published for roomID until the
	// returned function is called. roomID is a room's id or, for the
	// account feed, "feed:" and the account's id: the hub publishes there
	// a wake-up (Room set to that name) for each change of a room of the
	// account.
	Subscribe(ctx context.Context, roomID string, r Receiver) (unsubscribe func(), err error)
}

// Receiver takes what a Broker delivers for one room. Its methods must not
// block: they run on the broker's delivery path.
type Receiver interface {
	// Receive is called with each event published for the room.
	Receive(ev room.Event)
	// Resync is called when the broker may have missed events (its
	// connection dropped, or a subscription went silent): the receiver
	// must read the room's log from the store to catch up.
	Resync()
}
