// Command hubbench is the load tool of the Tandem hub. It plays agents and
// customers through the client package, as real ones would, measures the
// latency of events from publish to receipt, and checks by seq that every
// subscription receives every event exactly once and in order.
//
// Start a hub with the dev outbox (no SMS or email provider: hubbench reads
// the room links from GET /api/v1/dev/outbox), then run hubbench with the
// admin's credentials:
//
//	TANDEM_ADMIN_PASSWORD=benchpass123 make run
//	TANDEM_ADMIN_PASSWORD=benchpass123 go run ./cmd/hubbench -rooms 1000 -rate 2000 -duration 30s
//
// A run has four phases:
//
//   - setup: create -rooms live rooms (-setup-concurrency at a time), open
//     each room's link as its customer, and subscribe the agent and the
//     customer of each room: two WebSockets per room. With several -hubs
//     (instances of one deployment), connections are spread round-robin and
//     a room's agent and customer are on different instances, so every
//     event crosses instances.
//   - main (-duration): customers report activity ("viewing", with a ref
//     that identifies the event) at -rate events/s in total, with a burst
//     at -burst times the rate for -burst-len at the end of every
//     -burst-every; -churn closes and reopens that fraction of the
//     subscriptions per second, each resuming from its last seq.
//   - recovery (-recover N): N subscriptions are dropped for -recover-for
//     while publishing goes on, then resumed from their last seq; the report
//     says how long they took to catch up.
//   - drain: publishing stops; every subscription must reach its room's
//     final seq within -drain. Then the rooms are closed (unless
//     -keep-rooms).
//
// Latency is from just before the POST to the agent's subscription
// delivering the event (main phase only). Every subscription's seqs are
// checked: lost, duplicated and out-of-order events are counted, and
// hubbench exits with status 1 if any is not zero (or no room could be set
// up). Each hub's /metrics (with -metrics-token if it needs one) is read
// before the load and during it, for the heap and resident memory per
// connection and the hub's own counters.
//
// Two more measurements: -settle holds the subscriptions idle after the
// setup and reports what each costs every hub (RSS, heap and goroutines,
// from /metrics once the rooms are created, before the first socket, and
// after the settle):
//
//	hubbench -rooms 5000 -rate 0 -duration 1s -settle 60s
//
// and -resume-events N, instead of a load, writes N events to each of a
// few new rooms and times a WebSocket opened with since=0, from its dial
// to the room's last event, checking that every event arrives once and in
// order:
//
//	hubbench -resume-events 1000 -resume-rooms 3 -resume-repeat 3
//
// A progress line goes to stderr every second; the report goes to stdout,
// as a table or, with -json, as one JSON object. Ctrl-C stops the load and
// prints the report so far; a second Ctrl-C quits at once.
//
// Each WebSocket is a file descriptor on both sides: hubbench raises its
// own open-file limit to the hard limit and warns if that is too low, but
// the hub's limit (ulimit -n in its shell) must allow about 2 × -rooms
// too.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, the next one gets its default effect: quit.
	context.AfterFunc(ctx, stop)
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is main without the process; it returns the exit status: 0 when the
// run was healthy, 1 when something was lost, duplicated or out of order
// (or the run could not start), 2 for a bad command line.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "hubbench:", err)
		return 2
	}
	checkFileLimit(cfg, stderr)
	var rep output
	var ok bool
	if cfg.ResumeEvents > 0 {
		r, err := runResume(ctx, cfg, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "hubbench:", err)
			return 1
		}
		rep, ok = r, r.OK
	} else {
		r, err := runBench(ctx, cfg, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "hubbench:", err)
			return 1
		}
		rep, ok = r, r.OK
	}
	if cfg.JSON {
		err = rep.writeJSON(stdout)
	} else {
		err = rep.writeText(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "hubbench: write report:", err)
		return 1
	}
	if !ok {
		return 1
	}
	return 0
}

// output is a report of a run: a load's or a resume measurement's.
type output interface {
	writeText(io.Writer) error
	writeJSON(io.Writer) error
}

var (
	_ output = (*report)(nil)
	_ output = (*resumeReport)(nil)
)

// checkFileLimit raises the open-file limit and warns if it is below what
// the run needs: two WebSockets per room plus the HTTP connections.
func checkFileLimit(cfg config, stderr io.Writer) {
	need := uint64(2*cfg.Rooms + cfg.Senders + cfg.Setup + 64)
	limit, err := raiseFileLimit()
	switch {
	case err != nil && limit == 0:
		fmt.Fprintf(stderr, "hubbench: cannot read the open-file limit (%v); the run needs about %d\n", err, need)
	case limit < need:
		fmt.Fprintf(stderr, "hubbench: the open-file limit is %d but %d rooms need about %d: raise the hard limit (ulimit -Hn) or use fewer rooms\n", limit, cfg.Rooms, need)
	}
}
