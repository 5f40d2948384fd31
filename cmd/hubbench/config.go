package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// config is what a run does, from the command line.
type config struct {
	Hubs     []string // base URLs of the instances of one deployment
	Email    string
	Password string

	Rooms      int
	Rate       float64       // events per second across all rooms
	Burst      float64       // rate multiplier during bursts; 1 for none
	BurstEvery time.Duration // a burst starts every BurstEvery…
	BurstLen   time.Duration // …and lasts BurstLen, at the end of the period
	Duration   time.Duration // of the main phase

	Churn      float64       // fraction of subscriptions closed and reopened per second
	Recover    int           // subscriptions dropped in the recovery phase
	RecoverFor time.Duration // how long they stay away
	Drain      time.Duration // the longest wait for subscriptions to catch up at the end

	// Settle, when positive, is how long the subscriptions are held idle
	// after the setup, before any publishing, for the memory each one
	// costs the hubs (the idle figures of the report).
	Settle time.Duration
	// DebugURLs are the hubs' profiling listeners (TANDEM_DEBUG_ADDR), in
	// the order of Hubs: before each idle reading, hubbench has each hub
	// collect its garbage through them, so that the heap figures are of
	// what the sockets hold.
	DebugURLs []string

	// ResumeEvents, when positive, makes the run a resume measurement
	// instead of a load: ResumeEvents events are written to each of
	// ResumeRooms rooms, then each room is read from its start
	// ResumeRepeat times (resume.go).
	ResumeEvents int
	ResumeRooms  int
	ResumeRepeat int

	Setup   int // rooms set up at a time
	Senders int // activity POSTs in flight at most

	MetricsToken string
	JSON         bool
	KeepRooms    bool
	Quiet        bool
}

// defaultConfig is the configuration of a run with no flags.
func defaultConfig() config {
	return config{
		Hubs:       []string{"http://127.0.0.1:8080"},
		Email:      "admin@example.com",
		Rooms:      100,
		Rate:       200,
		Burst:      1,
		BurstEvery: 5 * time.Second,
		BurstLen:   time.Second,
		Duration:   30 * time.Second,
		RecoverFor: 3 * time.Second,
		Drain:      10 * time.Second,
		Setup:      16,
		Senders:    64,

		ResumeRooms:  3,
		ResumeRepeat: 3,
	}
}

const usageHead = `hubbench puts load on a Tandem hub and checks what it delivers.

It creates rooms, plays each room's agent and customer (two WebSockets per
room), has the customers report activity at a steady rate with optional
bursts, and measures the latency from each POST to the agent receiving the
event. Every subscription's seqs are checked: nothing lost, duplicated or
out of order. It exits with status 1 if anything was.

Usage: hubbench [flags]

Example, against a hub started with TANDEM_ADMIN_PASSWORD=… make run:

  hubbench -rooms 1000 -rate 2000 -duration 30s

Flags:
`

// parseFlags reads the command line; getenv supplies the defaults of the
// credentials. It returns flag.ErrHelp after printing the usage for -h.
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	cfg := defaultConfig()
	if v := getenv("TANDEM_ADMIN_EMAIL"); v != "" {
		cfg.Email = v
	}

	fs := flag.NewFlagSet("hubbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageHead)
		fs.PrintDefaults()
	}
	hubs := fs.String("hubs", strings.Join(cfg.Hubs, ","), "comma-separated base `URLs` of the hub instances of one deployment; a room's agent and customer connect to different ones when there are several")
	fs.StringVar(&cfg.Email, "email", cfg.Email, "admin `email`; TANDEM_ADMIN_EMAIL sets the default")
	// The secrets have no default on the command line, so that -h never
	// prints them; the environment fills them in after parsing.
	password := fs.String("password", "", "admin `password`; default TANDEM_ADMIN_PASSWORD")
	metricsToken := fs.String("metrics-token", "", "bearer `token` for the hubs' /metrics; default TANDEM_METRICS_TOKEN")
	fs.IntVar(&cfg.Rooms, "rooms", cfg.Rooms, "`number` of live rooms to create; each holds two WebSockets, the agent's and the customer's")
	fs.Float64Var(&cfg.Rate, "rate", cfg.Rate, "activity `events` per second in total across rooms (0: only hold the connections)")
	fs.Float64Var(&cfg.Burst, "burst", cfg.Burst, "rate `factor` of periodic bursts (1: no bursts)")
	fs.DurationVar(&cfg.BurstEvery, "burst-every", cfg.BurstEvery, "the `period` of bursts: each period ends with a burst of -burst-len")
	fs.DurationVar(&cfg.BurstLen, "burst-len", cfg.BurstLen, "how long each burst lasts (a `duration`)")
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "length of the main phase (a `duration`)")
	fs.Float64Var(&cfg.Churn, "churn", cfg.Churn, "`fraction` of the subscriptions closed and reopened (from their last seq) per second during the main phase")
	fs.IntVar(&cfg.Recover, "recover", cfg.Recover, "after the main phase, drop this `number` of subscriptions, keep publishing for -recover-for, then resume them from their last seq and time their catch-up")
	fs.DurationVar(&cfg.RecoverFor, "recover-for", cfg.RecoverFor, "how long the -recover subscriptions stay away (a `duration`)")
	fs.DurationVar(&cfg.Drain, "drain", cfg.Drain, "the longest wait, after publishing stops, for every subscription to reach its room's last seq (a `duration`)")
	fs.DurationVar(&cfg.Settle, "settle", cfg.Settle, "hold the subscriptions idle for this `duration` after the setup, before publishing, and report what each costs the hubs in RSS, heap and goroutines (with -rate 0 -duration 1s: an idle-memory run)")
	debugURLs := fs.String("debug-urls", "", "comma-separated base `URLs` of the hubs' profiling listeners (TANDEM_DEBUG_ADDR), in the order of -hubs: with -settle, each hub collects its garbage (GET /debug/pprof/heap?gc=1) before each idle reading")
	fs.IntVar(&cfg.ResumeEvents, "resume-events", cfg.ResumeEvents, "instead of a load, write this `number` of events to each of -resume-rooms rooms, then time reading each room from its start (since=0) as the agent, -resume-repeat times, to the last event")
	fs.IntVar(&cfg.ResumeRooms, "resume-rooms", cfg.ResumeRooms, "`number` of rooms of a -resume-events run")
	fs.IntVar(&cfg.ResumeRepeat, "resume-repeat", cfg.ResumeRepeat, "how many `times` each room of a -resume-events run is read")
	fs.IntVar(&cfg.Setup, "setup-concurrency", cfg.Setup, "`number` of rooms created and connected at a time")
	fs.IntVar(&cfg.Senders, "senders", cfg.Senders, "activity POSTs in flight at most (a `number`); sends due when all are busy and as many wait are counted as skipped")
	fs.BoolVar(&cfg.JSON, "json", cfg.JSON, "print the report as one JSON object instead of a table")
	fs.BoolVar(&cfg.KeepRooms, "keep-rooms", cfg.KeepRooms, "leave the rooms open at the end instead of closing them")
	fs.BoolVar(&cfg.Quiet, "quiet", cfg.Quiet, "no progress line on stderr")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	cfg.Password, cfg.MetricsToken = *password, *metricsToken
	if cfg.Password == "" {
		cfg.Password = getenv("TANDEM_ADMIN_PASSWORD")
	}
	if cfg.MetricsToken == "" {
		cfg.MetricsToken = getenv("TANDEM_METRICS_TOKEN")
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q (flags only; see -h)", fs.Args())
	}
	var err error
	if cfg.Hubs, err = parseURLs("-hubs", *hubs); err != nil {
		return cfg, err
	}
	if *debugURLs != "" {
		if cfg.DebugURLs, err = parseURLs("-debug-urls", *debugURLs); err != nil {
			return cfg, err
		}
		if len(cfg.DebugURLs) != len(cfg.Hubs) {
			return cfg, fmt.Errorf("-debug-urls: %d URLs for %d hubs; give one for each hub, in the same order", len(cfg.DebugURLs), len(cfg.Hubs))
		}
	}
	return cfg, cfg.validate()
}

// parseURLs splits and checks a list of base URLs, of the flag name.
func parseURLs(name, s string) ([]string, error) {
	var hubs []string
	for _, h := range strings.Split(s, ",") {
		h = strings.TrimRight(strings.TrimSpace(h), "/")
		if h == "" {
			continue
		}
		u, err := url.Parse(h)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%s: %q is not an http:// or https:// URL", name, h)
		}
		hubs = append(hubs, h)
	}
	if len(hubs) == 0 {
		return nil, fmt.Errorf("%s: no URL given", name)
	}
	return hubs, nil
}

func (c config) validate() error {
	switch {
	case c.Password == "":
		return errors.New("no admin password: give -password or set TANDEM_ADMIN_PASSWORD")
	case c.Email == "":
		return errors.New("no admin email: give -email or set TANDEM_ADMIN_EMAIL")
	case c.Rooms < 1:
		return errors.New("-rooms must be at least 1")
	case c.Rate < 0:
		return errors.New("-rate must not be negative")
	case c.Burst < 1:
		return errors.New("-burst must be at least 1 (1 means no bursts)")
	case c.Burst > 1 && (c.BurstEvery <= 0 || c.BurstLen <= 0 || c.BurstLen >= c.BurstEvery):
		return errors.New("-burst-len must be positive and shorter than -burst-every")
	case c.Duration <= 0:
		return errors.New("-duration must be positive")
	case c.Churn < 0 || c.Churn > 1:
		return errors.New("-churn must be a fraction between 0 and 1")
	case c.Recover < 0 || c.Recover > 2*c.Rooms:
		return fmt.Errorf("-recover must be between 0 and the number of subscriptions (%d)", 2*c.Rooms)
	case c.Recover > 0 && c.RecoverFor <= 0:
		return errors.New("-recover-for must be positive")
	case c.Drain <= 0:
		return errors.New("-drain must be positive")
	case c.Settle < 0:
		return errors.New("-settle must not be negative")
	case c.ResumeEvents < 0:
		return errors.New("-resume-events must not be negative")
	case c.ResumeEvents > 0 && (c.ResumeRooms < 1 || c.ResumeRepeat < 1):
		return errors.New("-resume-rooms and -resume-repeat must be at least 1")
	case c.Setup < 1 || c.Senders < 1:
		return errors.New("-setup-concurrency and -senders must be at least 1")
	}
	return nil
}
