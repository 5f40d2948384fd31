package redis

import "context"

// SilenceSubscription makes b's subscription silent the way some failovers
// do: the connection stays open, but Redis sends nothing more on it. It
// unsubscribes every channel on the server through the PubSub itself, so
// no error surfaces and go-redis has nothing to subscribe again: only the
// probe can notice.
func SilenceSubscription(ctx context.Context, b *Broker) error {
	return b.current().ps.Unsubscribe(ctx)
}
