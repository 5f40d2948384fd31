// Package redis is the hub.Broker of a deployment with several instances:
// events appended on one instance reach the subscribers of every other
// through Redis pub/sub. One setting of the go-redis UniversalClient picks a
// single server, Sentinel or Cluster; the broker only uses PUBLISH and
// SUBSCRIBE, which work the same on all three.
//
// Redis only carries notifications. The store is the record, and Redis
// pub/sub is at-most-once: a message published while a subscriber's
// connection is down is lost for good. The broker therefore never tries to
// replay anything; it tells its receivers to Resync (read the store)
// whenever it may have missed a message, and the hub heals the gap itself.
//
// # Channels
//
// Each topic has a channel, Prefix+topic: Prefix+"room:"+roomID for a
// room's events, Prefix+"account:"+accountID for an account's changes (see
// hub.RoomTopic and hub.AccountTopic). A channel carries JSON objects
// {"origin": id, "topic": topic, "event": room.Event}; origin is a random
// id of the publishing broker, which skips its own messages when they come
// back. An instance subscribes to a topic's channel while it has at least
// one local receiver of the topic, on one subscription connection shared
// by every topic. Subscribe returns once Redis has confirmed the
// subscription (a PING sent after the SUBSCRIBE has come back), so an
// event published after Subscribe returns reaches the receiver or the
// receiver is told to Resync.
//
// The Ended signal (hub.Broker.PublishEnded: credentials that ended) has
// one channel for the deployment, Prefix+"credentials:ended", carrying
// {"origin": id, "keys": [...]}. Every subscription connection subscribes
// it with the probe channel, so its receivers are told to Resync with the
// topics' receivers. PublishEnded is the one publish that waits on Redis
// (a single PUBLISH, bounded by Options.Timeout): signals are rare, and a
// failed one is reported rather than queued.
//
// # Publishing
//
// Publish never waits on Redis. It hands the event to the topic's local
// receivers at once, so subscribers on the publishing instance need no
// round trip through Redis and stay live while Redis is away, and queues it
// (Options.QueueSize) for one goroutine that sends the queue in pipelined
// batches. A batch that fails, or an event that finds the queue full, is
// not simply dropped: the newest event of each such topic is kept and
// published again once Redis answers, so that the receivers of other
// instances whose subscriptions never dropped (and so never resync) still
// see it, and heal whatever came before it from the store.
//
// # Lost connections
//
// go-redis reconnects a pub/sub connection that fails and subscribes it
// again to every channel it had, in one SUBSCRIBE command. The broker
// notices through its own probe channel, Prefix+"probe:"+a random id, which
// goes in the first SUBSCRIBE of every go-redis PubSub it opens, ahead of
// any topic's channel: a second confirmation of that subscription can only
// come from go-redis subscribing again after a reconnect. By then every
// topic's channel is subscribed again (Redis runs a command as a whole), so
// the broker calls Resync on every local receiver at that point, before it
// delivers anything that follows.
//
// # Silent subscriptions
//
// A pub/sub connection can also go quiet without failing, as after some
// failovers: the connection stays open but no message arrives any more.
// Every ProbeInterval, while at least one topic or Ended receiver is
// subscribed, the broker
// publishes a message on its probe channel; if it has not come back within
// ProbeTimeout, the broker closes the pub/sub connection, opens a new one
// subscribed to every topic, and calls Resync on every local receiver once
// the new subscriptions are confirmed.
//
// # Timeouts
//
// Each batch of publishes is bounded by Options.Timeout. go-redis applies
// context deadlines to sockets only when the client has
// ContextTimeoutEnabled; without it a batch sent to an unresponsive server
// is bounded by the client's ReadTimeout and WriteTimeout instead, and New
// logs a warning. Subscribe gives Redis Options.Timeout to confirm.
//
// Writes on the shared pub/sub connection never use a caller's context:
// go-redis drops a connection whose write times out, and one caller's
// short deadline must not cost every topic a resync. go-redis also holds
// the pub/sub connection's lock while it reconnects, so while the server
// is unresponsive Subscribe, unsubscribing and Close can wait for that
// attempt, which the client's DialTimeout and ReadTimeout bound.
package redis
