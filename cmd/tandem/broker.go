package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/hub/broker/memory"
	hubredis "github.com/tandemhq/tandem/hub/broker/redis"
)

// openBroker returns the in-memory broker without REDIS_URL, and the Redis
// broker with it, with the Prometheus collectors that go with it and a
// function that releases it.
func openBroker(ctx context.Context, cfg config, log zerolog.Logger) (hub.Broker, []prometheus.Collector, func(), error) {
	if cfg.RedisURL == "" {
		log.Info().Msg("broker: in-memory (one instance; set REDIS_URL to run several)")
		return memory.New(), nil, func() {}, nil
	}
	opts, err := redisOptions(cfg.RedisURL, cfg.RedisMaster)
	if err != nil {
		return nil, nil, nil, err
	}
	rc := goredis.NewUniversalClient(opts)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := rc.Ping(pctx).Err(); err != nil {
		_ = rc.Close()
		return nil, nil, nil, fmt.Errorf("connect to Redis at %s: %w", redactURL(cfg.RedisURL), err)
	}
	b, err := hubredis.New(rc, hubredis.Options{Prefix: cfg.RedisPrefix, Logger: log.With().Str("component", "redis").Logger()})
	if err != nil {
		_ = rc.Close()
		return nil, nil, nil, err
	}
	log.Info().Str("redis", redactURL(cfg.RedisURL)).Str("prefix", cfg.RedisPrefix).Msg("broker: Redis pub/sub")
	counter := func(name, help string, v func(hubredis.Stats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(v(b.Stats())) })
	}
	collectors := []prometheus.Collector{
		counter("tandem_redis_published_total", "Events published to Redis.", func(s hubredis.Stats) uint64 { return s.Published }),
		counter("tandem_redis_publish_errors_total", "Publishes to Redis that failed (the event is durable; subscribers heal from the store).", func(s hubredis.Stats) uint64 { return s.PublishErrors }),
		counter("tandem_redis_republished_total", "Events published again after a failed publish (each topic's newest).", func(s hubredis.Stats) uint64 { return s.Republished }),
		counter("tandem_redis_received_total", "Events of other instances received from Redis.", func(s hubredis.Stats) uint64 { return s.Received }),
		counter("tandem_redis_resyncs_total", "Rounds of resync after the Redis subscription was lost.", func(s hubredis.Stats) uint64 { return s.Resyncs }),
		counter("tandem_redis_probe_failures_total", "Probes that did not come back: a silently dead subscription, replaced.", func(s hubredis.Stats) uint64 { return s.ProbeFailures }),
		counter("tandem_redis_reconnects_total", "Reconnections of the Redis subscription.", func(s hubredis.Stats) uint64 { return s.Reconnects }),
	}
	release := func() {
		_ = b.Close()
		_ = rc.Close()
	}
	return b, collectors, release, nil
}

// redisOptions reads REDIS_URL: redis://[user:password@]host:port[/db], or
// rediss:// for TLS; more servers as ?addr=host:port parameters. One server
// is a plain client; several are a Cluster; with master (TANDEM_REDIS_MASTER)
// the servers are Sentinels watching that master.
func redisOptions(raw, master string) (*goredis.UniversalOptions, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		return nil, fmt.Errorf("REDIS_URL must be a redis:// or rediss:// URL")
	}
	// ParseClusterURL knows the addr parameters; ParseURL knows the db.
	q := u.Query()
	addrs := q["addr"]
	q.Del("addr")
	single := *u
	single.RawQuery = q.Encode()
	o, err := goredis.ParseURL(single.String())
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	return &goredis.UniversalOptions{
		Addrs:      append([]string{o.Addr}, addrs...),
		DB:         o.DB,
		Username:   o.Username,
		Password:   o.Password,
		TLSConfig:  o.TLSConfig,
		MasterName: master,
		// The broker bounds every call with its own timeout; go-redis must
		// honour contexts for that to hold.
		ContextTimeoutEnabled: true,
		DialTimeout:           5 * time.Second,
		ReadTimeout:           3 * time.Second,
		WriteTimeout:          3 * time.Second,
	}, nil
}

// redactURL hides the password of a URL for the log.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return strings.TrimSpace(u.Redacted())
}
