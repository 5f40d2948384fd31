// Package client is the Go SDK for Tandem's HTTP and WebSocket API, as
// described in docs/protocol.md.
//
// A Client talks to one hub. It signs in as an agent with Login, after which
// every request carries the session as a bearer token, or it acts as a
// customer after OpenLink, which puts the room cookie in the Client's cookie
// jar. The same Client then reads rooms and their events over REST and
// follows a room live with Subscribe or SubscribeSnapshot.
//
// A Subscription hides the WebSocket's life: one goroutine reads frames and,
// when the connection drops (the hub restarts, closes a slow consumer, the
// network fails), reconnects with backoff and resumes from the last event it
// received, so Next returns every event exactly once and in seq order. It
// stops only on Close, on the end of its context, or when the hub says that
// retrying cannot help (access ended, room gone). A Feed, which follows the
// changes of all the account's rooms, reconnects by the same policy: the
// wait grows from 100 ms to 5 s, with jitter, is at least what the hub asks
// for with Retry-After (up to a minute), and starts again from 100 ms after
// a connection that proved healthy.
//
// Errors answered by the hub are *APIError values whose Code is the stable
// code of docs/errors.md; ErrorCode extracts it. The package never logs and
// bounds everything it reads from the network.
package client
