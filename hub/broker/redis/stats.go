package redis

import "sync/atomic"

// Stats are counters of a Broker's activity since New, for metrics. An
// event published on two topics is two events here.
type Stats struct {
	// Published counts the events Redis accepted; PublishErrors those it
	// did not, at their first attempt or because the queue was full.
	Published, PublishErrors uint64
	// Republished counts the events published again after a failure (each
	// topic's newest); PendingDropped the failures that could not be kept
	// for it because too many topics were waiting already.
	Republished, PendingDropped uint64
	// Received counts the events of other instances that arrived from
	// Redis, whether or not a local receiver was still subscribed to
	// their topic.
	Received uint64
	// Malformed counts the messages dropped because they did not decode
	// to an event of their channel's topic.
	Malformed uint64
	// Resyncs counts the rounds of Resync calls to every local receiver.
	Resyncs uint64
	// ProbeFailures counts the probes that did not come back in time.
	ProbeFailures uint64
	// Reconnects counts the pub/sub connections replaced since the first
	// topic was subscribed: by go-redis after a failure, or by the broker
	// after a failed probe.
	Reconnects uint64
}

type counters struct {
	published, publishErrors, republished, pendingDropped, received, malformed, resyncs, probeFailures, reconnects atomic.Uint64
}

// Stats returns the broker's counters.
func (b *Broker) Stats() Stats {
	return Stats{
		Published:      b.stats.published.Load(),
		PublishErrors:  b.stats.publishErrors.Load(),
		Republished:    b.stats.republished.Load(),
		PendingDropped: b.stats.pendingDropped.Load(),
		Received:       b.stats.received.Load(),
		Malformed:      b.stats.malformed.Load(),
		Resyncs:        b.stats.resyncs.Load(),
		ProbeFailures:  b.stats.probeFailures.Load(),
		Reconnects:     b.stats.reconnects.Load(),
	}
}
