package hub

import (
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tandemhq/tandem/room"
)

// metrics are the hub's Prometheus series, in a registry of the hub's own
// (never the global one), so that several hubs in one process — tests —
// keep separate counts. docs/operations.md lists them.
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

func newMetrics(h *Hub, extra []prometheus.Collector) *metrics {
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
		}, func() float64 { return float64(h.stats.conns.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tandem_rooms", Help: "Rooms with at least one WebSocket on this instance.",
		}, func() float64 { return float64(h.topics.count()) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	for _, c := range extra {
		m.reg.MustRegister(c)
	}
	return m
}

// observeLag records how long ev took to come back from the broker.
func (m *metrics) observeLag(ev room.Event, now time.Time) {
	if d := now.Sub(ev.At); d >= 0 {
		m.brokerLag.Observe(d.Seconds())
	}
}

// handleMetrics serves GET /metrics in the Prometheus text format. With a
// MetricsToken configured it asks for it as a bearer token.
func (h *Hub) handleMetrics() http.Handler {
	serve := promhttp.HandlerFor(h.metrics.reg, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := h.cfg.MetricsToken; tok != "" {
			got := r.Header.Get("Authorization")
			if subtle.ConstantTimeCompare([]byte(got), []byte("Bearer "+tok)) != 1 {
				h.writeError(w, r, room.Errorf(room.KindUnauthorized, "the metrics need the bearer token TANDEM_METRICS_TOKEN"))
				return
			}
		}
		serve.ServeHTTP(w, r)
	})
}
