// Package hub is Tandem's real-time core: the broker interface, topics
// (one broker subscription per room or account shared by every local
// connection), the WebSockets of rooms and of account feeds with their
// resume from the store, and the tracking of who is connected.
//
// The core never decides anything about a room: the use cases (hub/app)
// commit events through the store and hand them to Core.Publish, which
// fans them out through the Broker to every connection on every instance.
// The database is the source of truth: a connection that sees a gap in the
// sequence numbers it receives reads the missing events from the store, so
// the broker only has to be fast, not reliable.
//
// The HTTP edge (hub/api) authenticates each request and passes the core
// an Access (which room, as whom, from where); it is the only package
// that knows routes. Concrete brokers live under hub/broker and are wired
// by cmd/tandem; this package only knows their interface.
package hub
