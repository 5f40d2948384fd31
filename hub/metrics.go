package hub

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/tandemhq/tandem/room"
)

// metrics are the core's Prometheus series, in a registry of the core's own
// (never the global one), so that several instances in one process — tests —
// keep separate counts. docs/deploy.md lists them.
type metrics struct {
	reg        *prometheus.Registry
	appended   prometheus.Counter
	deliveries prometheus.Counter
	brokerLag  prometheus.Histogram
	resyncs    *prometheus.CounterVec
	slowCloses prometheus.Counter
}

// Reasons a connection reads the log from the store instead of the broker.
const (
	resyncBroker   = "broker"   // the broker said it may have missed events
	resyncGap      = "gap"      // a live event's seq skipped ahead
	resyncOverflow = "overflow" // the connection's queue was full
)

func newMetrics(c *Core, extra []prometheus.Collector) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		appended: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tandem_events_appended_total", Help: "Events this instance appended to room logs.",
		}),
		deliveries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tandem_deliveries_total", Help: "Event frames this instance wrote to WebSockets.",
		}),
		brokerLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "tandem_broker_lag_seconds",
			Help:    "Time from an event's append to its arrival from the broker on this instance.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		resyncs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tandem_resyncs_total", Help: "Times a WebSocket caught up from the store, by reason (broker, gap, overflow).",
		}, []string{"reason"}),
		slowCloses: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tandem_slow_closes_total", Help: "WebSockets closed because they did not take a frame within the write deadline.",
		}),
	}
	for _, r := range []string{resyncBroker, resyncGap, resyncOverflow} {
		m.resyncs.WithLabelValues(r)
	}
	m.reg.MustRegister(
		m.appended, m.deliveries, m.brokerLag, m.resyncs, m.slowCloses,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tandem_ws_connections", Help: "Open WebSockets on this instance.",
		}, func() float64 { return float64(c.stats.conns.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tandem_rooms", Help: "Rooms with at least one WebSocket on this instance.",
		}, func() float64 { return float64(c.topics.rooms()) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	for _, c := range extra {
		m.reg.MustRegister(c)
	}
	return m
}

// observeLag records how long ev took to come back from the broker.
func (m *metrics) observeLag(ev room.Event) {
	if d := time.Since(ev.At); d >= 0 {
		m.brokerLag.Observe(d.Seconds())
	}
}
