// Package hub is Tandem's server: the HTTP API (gorilla/mux), the room
// WebSockets (coder/websocket), authentication of agents and customers,
// subscriptions, presence and the outbox dispatcher.
//
// The hub turns requests into room commands (package room), commits their
// events through a store.Store, and fans them out through a Broker to every
// connection in the room on every instance. The database is the source of
// truth: a connection that sees a gap in the sequence numbers it receives
// reads the missing events from the store, so the broker only has to be
// fast, not reliable.
//
// Concrete brokers and message senders live in subpackages (hub/memory,
// hub/devoutbox, …) and are wired by cmd/tandem; this package only knows
// their interfaces.
package hub
