package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
)

// report is what a run found. The JSON field names are stable, for
// scripts that compare runs.
type report struct {
	Hubs           []string `json:"hubs"`
	Rooms          int      `json:"rooms"`
	RoomsRequested int      `json:"rooms_requested"`
	Connections    int      `json:"connections"` // subscriptions held during the main phase
	Interrupted    bool     `json:"interrupted"`

	Duration     float64 `json:"duration_s"` // of publishing: main phase and recovery
	MainDuration float64 `json:"main_duration_s"`
	TargetRate   float64 `json:"target_rate"`
	Burst        float64 `json:"burst"`

	// OfferedPerSec is what the pacer asked for (sent and skipped) per
	// second of publishing; AppendedPerSec is what the hub sustained.
	OfferedPerSec  float64        `json:"offered_per_s"`
	Sent           int64          `json:"events_sent"`
	Appended       int64          `json:"events_appended"` // POSTs answered 201
	AppendedPerSec float64        `json:"events_appended_per_s"`
	Skipped        int64          `json:"sends_skipped"`
	Deliveries     int64          `json:"deliveries"` // events received by all subscriptions
	DeliveriesSec  float64        `json:"deliveries_per_s"`
	Latency        latencySummary `json:"latency"`     // publish → the agent's subscription
	AckLatency     latencySummary `json:"ack_latency"` // publish → 201

	Lost        int64       `json:"lost"`
	Duplicated  int64       `json:"duplicated"`
	OutOfOrder  int64       `json:"out_of_order"`
	Late        int64       `json:"late"` // out of order, but arrived: part of out_of_order's damage, not lost
	Undelivered undelivered `json:"undelivered"`
	Drained     bool        `json:"drained"`
	DrainMs     float64     `json:"drain_ms"`

	Churned          int64           `json:"churned"`
	ClientReconnects int64           `json:"client_reconnects"`
	Recovery         *recoveryReport `json:"recovery,omitempty"`

	Errors  map[string]int64 `json:"errors"`
	Servers []serverReport   `json:"servers"`
	OK      bool             `json:"ok"`
}

// undelivered counts acknowledged events, by their ref, that a room's
// subscription never received: a check of content beside the seq check.
type undelivered struct {
	Agent    int64 `json:"agent"`
	Customer int64 `json:"customer"`
}

type recoveryReport struct {
	Dropped  int            `json:"dropped"`
	AwayS    float64        `json:"away_s"`
	Resumed  int64          `json:"resumed"`
	CaughtUp int64          `json:"caught_up"`
	Replayed int64          `json:"replayed"`
	CatchUp  latencySummary `json:"catch_up"`
}

// serverReport are one hub's figures from its /metrics.
type serverReport struct {
	URL         string `json:"url"`
	Connections int    `json:"connections"` // the bench's subscriptions on this hub
	Error       string `json:"error,omitempty"`

	WSConnections gaugePair `json:"ws_connections"`
	HeapInuse     gaugePair `json:"heap_inuse_bytes"`
	RSS           gaugePair `json:"resident_memory_bytes"`
	HeapPerConn   float64   `json:"heap_per_connection_bytes"`
	RSSPerConn    float64   `json:"rss_per_connection_bytes"`

	// Increases from the baseline to the end of the load.
	EventsAppended float64            `json:"events_appended"`
	Deliveries     float64            `json:"deliveries"`
	Resyncs        map[string]float64 `json:"resyncs"`
	BrokerLagCount float64            `json:"broker_lag_count"`

	// Idle is what the bench's sockets cost the hub after -settle.
	Idle *idleReport `json:"idle,omitempty"`
}

// gaugePair is a gauge before the load and its highest value during it.
type gaugePair struct {
	Baseline float64 `json:"baseline"`
	Peak     float64 `json:"peak"`
}

// report sums up the run; the subscriptions must have stopped.
func (b *bench) report() *report {
	r := &report{
		Hubs:           b.cfg.Hubs,
		Rooms:          len(b.rooms),
		RoomsRequested: b.cfg.Rooms,
		Connections:    len(b.conns),
		Interrupted:    b.interrupted.Load(),
		Duration:       (b.loadEnd - b.loadStart).Seconds(),
		MainDuration:   (b.mainEnd - b.loadStart).Seconds(),
		TargetRate:     b.cfg.Rate,
		Burst:          b.cfg.Burst,
		Sent:           b.sent.Load(),
		Appended:       b.acked.Load(),
		Skipped:        b.skipped.Load(),
		Deliveries:     b.deliveries.Load(),
		Latency:        b.lat.summary(),
		AckLatency:     b.ackLat.summary(),
		Drained:        b.drained,
		DrainMs:        ms(b.drainTook),
		Churned:        b.churned.Load(),
		Errors:         b.errs.snapshot(),
	}
	if d := b.loadEnd - b.loadStart; d > 0 {
		r.AppendedPerSec = float64(b.ackedAtEnd-b.ackedAtStart) / d.Seconds()
		r.OfferedPerSec = float64(r.Sent+r.Skipped) / d.Seconds()
		r.DeliveriesSec = float64(b.delivAtEnd-b.delivAtStart) / d.Seconds()
	}
	for _, c := range b.conns {
		r.Duplicated += c.check.duplicated
		r.OutOfOrder += c.check.outOfOrder
		r.Late += c.check.late
		r.ClientReconnects += c.reconnects
		if c.rm.finalOK {
			r.Lost += c.check.lost(c.rm.final)
		}
	}
	r.Undelivered.Agent, r.Undelivered.Customer = b.sends.unmatched()
	if b.recovery.dropped > 0 {
		r.Recovery = &recoveryReport{
			Dropped:  b.recovery.dropped,
			AwayS:    b.recovery.away.Seconds(),
			Resumed:  b.recovery.resumed.Load(),
			CaughtUp: b.recovery.caught.Load(),
			Replayed: b.recovery.replayed.Load(),
			CatchUp:  b.recovery.times.summary(),
		}
	}
	for _, h := range b.hubs {
		s := h.report()
		h.mu.Lock()
		if b.settled > 0 {
			s.Idle = idleFigures(h.baseline, h.settling, h.settled, h.collected, h.conns, b.settled)
		}
		h.mu.Unlock()
		r.Servers = append(r.Servers, s)
	}
	r.OK = r.Rooms > 0 && r.Lost == 0 && r.Duplicated == 0 && r.OutOfOrder == 0 &&
		r.Undelivered == (undelivered{})
	return r
}

func (h *hubStats) report() serverReport {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := serverReport{URL: h.url, Connections: h.conns, Resyncs: map[string]float64{}}
	if h.err != nil {
		r.Error = h.err.Error()
	}
	if h.baseline == nil {
		return r
	}
	gauge := func(name string) gaugePair {
		v, _ := h.baseline.get(name)
		return gaugePair{Baseline: finite(v), Peak: finite(max(v, h.peak[name]))}
	}
	r.WSConnections, r.HeapInuse, r.RSS = gauge(mConns), gauge(mHeap), gauge(mRSS)
	conns := r.WSConnections.Peak - r.WSConnections.Baseline
	if conns <= 0 {
		conns = float64(h.conns)
	}
	if conns > 0 {
		r.HeapPerConn = (r.HeapInuse.Peak - r.HeapInuse.Baseline) / conns
		r.RSSPerConn = (r.RSS.Peak - r.RSS.Baseline) / conns
	}
	if h.final == nil {
		return r
	}
	delta := func(name string) float64 {
		a, _ := h.baseline.get(name)
		z, _ := h.final.get(name)
		return finite(z - a)
	}
	r.EventsAppended, r.Deliveries, r.BrokerLagCount = delta(mAppended), delta(mDeliveries), delta(mLagCount)
	before := h.baseline.byLabel(mResyncs, "reason")
	for reason, v := range h.final.byLabel(mResyncs, "reason") {
		r.Resyncs[reason] = finite(v - before[reason])
	}
	return r
}

// finite returns v, or 0 for NaN and infinities, which JSON cannot carry.
func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

func (r *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// writeText prints the report as a table for people.
func (r *report) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, args ...any) {
		fmt.Fprintf(tw, "  %s\t"+format+"\n", append([]any{k}, args...)...)
	}
	fmt.Fprintln(tw, "hubbench report")
	if r.Interrupted {
		row("interrupted", "yes: the figures are of the part that ran")
	}
	row("hubs", "%s", strings.Join(r.Hubs, ", "))
	row("rooms", "%d of %d", r.Rooms, r.RoomsRequested)
	row("connections", "%d WebSockets held (agent and customer of each room)", r.Connections)
	rate := fmt.Sprintf("%g events/s", r.TargetRate)
	if r.Burst > 1 {
		rate += fmt.Sprintf(", bursts at ×%g", r.Burst)
	}
	row("duration", "%.1fs (main %.1fs), target %s", r.Duration, r.MainDuration, rate)
	row("events appended", "%d (%.1f/s); %d sent, %d skipped", r.Appended, r.AppendedPerSec, r.Sent, r.Skipped)
	row("offered / sustained", "%.1f events/s offered, %.1f events/s sustained (appended)", r.OfferedPerSec, r.AppendedPerSec)
	row("deliveries", "%d (%.1f/s)", r.Deliveries, r.DeliveriesSec)
	row("latency", "%s  (publish → agent receives, main phase)", fmtLatency(r.Latency))
	row("ack latency", "%s  (publish → 201)", fmtLatency(r.AckLatency))
	row("lost", "%d", r.Lost)
	row("duplicated", "%d", r.Duplicated)
	row("out of order", "%d (late arrivals %d)", r.OutOfOrder, r.Late)
	row("undelivered", "agent %d, customer %d (acknowledged events never received, by ref)", r.Undelivered.Agent, r.Undelivered.Customer)
	drain := fmt.Sprintf("all caught up in %s", fmtMs(r.DrainMs))
	if !r.Drained {
		drain = fmt.Sprintf("NOT all caught up after %s", fmtMs(r.DrainMs))
	}
	row("drain", "%s", drain)
	row("churn", "%d subscriptions closed and reopened; %d reconnects by the client itself", r.Churned, r.ClientReconnects)
	if rc := r.Recovery; rc != nil {
		row("recovery", "%d dropped for %.1fs, %d resumed, %d caught up (%d events replayed); catch-up %s",
			rc.Dropped, rc.AwayS, rc.Resumed, rc.CaughtUp, rc.Replayed, fmtLatency(rc.CatchUp))
	}
	writeErrors(row, r.Errors)
	for _, s := range r.Servers {
		fmt.Fprintf(tw, "\nserver %s\t(%d of the bench's connections)\n", s.URL, s.Connections)
		if s.Error != "" {
			row("scrape error", "%s", s.Error)
		}
		row("ws connections", "%.0f → %.0f", s.WSConnections.Baseline, s.WSConnections.Peak)
		row("heap in use", "%s → %s  (%s per connection)", fmtBytes(s.HeapInuse.Baseline), fmtBytes(s.HeapInuse.Peak), fmtBytes(s.HeapPerConn))
		row("resident memory", "%s → %s  (%s per connection)", fmtBytes(s.RSS.Baseline), fmtBytes(s.RSS.Peak), fmtBytes(s.RSSPerConn))
		row("events appended", "+%.0f", s.EventsAppended)
		row("deliveries", "+%.0f", s.Deliveries)
		var rs []string
		for _, k := range slices.Sorted(maps.Keys(s.Resyncs)) {
			rs = append(rs, fmt.Sprintf("%s %.0f", k, s.Resyncs[k]))
		}
		row("resyncs", "%s", strings.Join(rs, ", "))
		row("broker lag count", "+%.0f", s.BrokerLagCount)
		if id := s.Idle; id != nil {
			row("idle sockets", "%.0f, held %.1fs before any publishing", id.Sockets, id.SettleS)
			row("idle RSS", "%s → %s  (%s per socket)", fmtBytes(id.RSS.Before), fmtBytes(id.RSS.After), fmtBytes(id.RSSPerSocket))
			row("idle heap in use", "%s → %s  (%s per socket)", fmtBytes(id.HeapInuse.Before), fmtBytes(id.HeapInuse.After), fmtBytes(id.HeapInusePerSocket))
			row("idle heap alloc", "%s → %s  (%s per socket)", fmtBytes(id.HeapAlloc.Before), fmtBytes(id.HeapAlloc.After), fmtBytes(id.HeapAllocPerSocket))
			row("idle heap live", "%s → %s  (%s per socket; kept by the last collection)", fmtBytes(id.HeapLive.Before), fmtBytes(id.HeapLive.After), fmtBytes(id.HeapLivePerSocket))
			if hc := id.HeapCollected; hc != nil {
				row("idle heap collected", "%s → %s  (%s per socket; each read after a garbage collection)", fmtBytes(hc.Before), fmtBytes(hc.After), fmtBytes(id.HeapCollectedPerSocket))
			}
			row("idle stacks", "%s → %s  (%s per socket)", fmtBytes(id.Stacks.Before), fmtBytes(id.Stacks.After), fmtBytes(id.StacksPerSocket))
			row("idle goroutines", "%.0f → %.0f  (%.2f per socket)", id.Goroutines.Before, id.Goroutines.After, id.GoroutinesPerSocket)
		}
	}
	fmt.Fprintln(tw)
	if r.OK {
		fmt.Fprintln(tw, "result: OK (nothing lost, duplicated or out of order)")
	} else {
		fmt.Fprintln(tw, "result: FAILED (see lost, duplicated, out of order and undelivered above)")
	}
	return tw.Flush()
}

// writeErrors prints the error counts, one kind a row.
func writeErrors(row func(k, format string, args ...any), errs map[string]int64) {
	if len(errs) == 0 {
		row("errors", "none")
		return
	}
	for i, k := range slices.Sorted(maps.Keys(errs)) {
		label := ""
		if i == 0 {
			label = "errors"
		}
		row(label, "%d  %s", errs[k], k)
	}
}

func fmtLatency(s latencySummary) string {
	if s.Samples == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50 %s  p99 %s  p99.9 %s  max %s  (%d samples)", fmtMs(s.P50), fmtMs(s.P99), fmtMs(s.P999), fmtMs(s.Max), s.Samples)
}

// fmtBytes formats a byte count in binary units; it may be negative (a
// heap that shrank).
func fmtBytes(v float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for a := v; (a >= 1024 || a <= -1024) && i < len(units)-1; a /= 1024 {
		i++
	}
	x := v / float64(int64(1)<<(10*i))
	if i == 0 {
		return fmt.Sprintf("%.0f B", x)
	}
	return fmt.Sprintf("%.1f %s", x, units[i])
}
