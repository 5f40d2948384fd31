// Command tandem runs the Tandem hub. It is the only place that knows which
// store, broker and sender implementations exist, and wires them from the
// environment (see README.md):
//
//	tandem serve    run the hub (the default)
//	tandem verify   check rooms' hash chains and sealed PDFs (verify.go)
//	tandem version  print the version
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/hub/api"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/hub/blob"
	blobfs "github.com/tandemhq/tandem/hub/blob/fs"
	"github.com/tandemhq/tandem/hub/blob/s3"
	"github.com/tandemhq/tandem/hub/seal/cms"
	"github.com/tandemhq/tandem/store"
	"github.com/tandemhq/tandem/store/postgres"
	"github.com/tandemhq/tandem/store/sqlite"
	"github.com/tandemhq/tandem/web"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "tandem:", err)
		os.Exit(1)
	}
}

// run is main without the process: tests call it with their own
// environment, and ready, if not nil, receives the address the hub listens
// on once it serves.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready chan<- string) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "serve":
		cfg, err := loadConfig(getenv)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, stderr, ready)
	case "verify":
		return verify(ctx, args[1:], getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "tandem", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, "usage: tandem [serve|verify|version]\nConfiguration is read from the environment; see README.md. tandem verify -h tells how to check rooms and PDFs.")
		return nil
	default:
		return fmt.Errorf("unknown command %q (try: tandem help)", cmd)
	}
}

func newLogger(cfg config, w io.Writer) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(cfg.LogLevel)
	if err != nil {
		return zerolog.Logger{}, fmt.Errorf("TANDEM_LOG_LEVEL: %w", err)
	}
	if cfg.LogFormat == "console" {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
}

// openStore picks PostgreSQL when DATABASE_URL is set, the embedded SQLite
// file in the data directory otherwise.
func openStore(ctx context.Context, cfg config, log zerolog.Logger) (store.Store, error) {
	if cfg.DatabaseURL != "" {
		st, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.MaxConns(cfg.DBMaxConns), postgres.ConnMaxLifetime(cfg.DBConnMaxLifetime))
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL: %w", err)
		}
		log.Info().Msg("store: PostgreSQL")
		return st, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(cfg.DataDir, "tandem.db")
	st, err := sqlite.Open(ctx, path, sqlite.MaxConns(cfg.DBMaxConns))
	if err != nil {
		return nil, fmt.Errorf("open SQLite: %w", err)
	}
	log.Info().Str("path", path).Msg("store: embedded SQLite")
	return st, nil
}

// openBlobs picks the S3-compatible bucket of TANDEM_S3_URL when it is set,
// the directory TANDEM_DATA_DIR/files otherwise.
func openBlobs(ctx context.Context, cfg config, log zerolog.Logger) (blob.Store, error) {
	if cfg.S3 != nil {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		bs, err := s3.New(sctx, *cfg.S3)
		if err != nil {
			return nil, fmt.Errorf("TANDEM_S3_URL: %w", err)
		}
		log.Info().Str("bucket", cfg.S3.String()).Msg("files: S3 bucket")
		return bs, nil
	}
	dir := filepath.Join(cfg.DataDir, "files")
	bs, err := blobfs.New(dir)
	if err != nil {
		return nil, err
	}
	log.Info().Str("path", dir).Msg("files: directory (one instance, or a directory every instance shares; set TANDEM_S3_URL for a bucket)")
	return bs, nil
}

func serve(ctx context.Context, cfg config, logOut io.Writer, ready chan<- string) error {
	log, err := newLogger(cfg, logOut)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	broker, collectors, releaseBroker, err := openBroker(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer releaseBroker()
	blobs, err := openBlobs(ctx, cfg, log)
	if err != nil {
		return err
	}

	created, generated, err := app.Bootstrap(ctx, st, app.FirstAdmin{
		AccountName: cfg.AccountName, PhoneRegion: cfg.PhoneRegion, Name: "Admin", Email: cfg.AdminEmail, Password: cfg.AdminPassword,
	}, time.Now())
	if err != nil {
		return err
	}
	switch {
	case created && generated != "":
		// Shown once: only its hash is stored.
		log.Warn().Str("email", cfg.AdminEmail).Str("password", generated).Str("account", cfg.AccountName).
			Msg("first start: created the admin; sign in with this email and password (the password is not shown again)")
	case created:
		log.Warn().Str("email", cfg.AdminEmail).Str("account", cfg.AccountName).
			Msg("first start: created the admin; sign in with this email and TANDEM_ADMIN_PASSWORD")
	}

	ln, err := net.Listen("tcp", ":"+cfg.Port)
	if err != nil {
		return fmt.Errorf("listen on port %s: %w", cfg.Port, err)
	}
	defer ln.Close()
	dbg, err := startDebug(cfg.DebugAddr, log)
	if err != nil {
		return err
	}
	defer dbg.close()
	if cfg.PublicURL == nil {
		cfg.PublicURL = &url.URL{Scheme: "http", Host: fmt.Sprintf("localhost:%d", ln.Addr().(*net.TCPAddr).Port)}
	}
	sender, callbacks, dev, err := openSenders(cfg, cfg.PublicURL, log)
	if err != nil {
		return err
	}
	keys, err := sealKeys(ctx, cfg.Seal, st, sealName(cfg), log)
	if err != nil {
		return err
	}
	sealer, err := cms.NewSealer(keys, cms.WithTSA(cfg.Seal.TSA, nil))
	if err != nil {
		return err
	}
	// The dev outbox reaches no one: a simulation, whose payments are the
	// sandbox's unless Stripe is set.
	payments, err := openPayments(cfg.Payments, len(dev) > 0, log)
	if err != nil {
		return err
	}
	h, err := api.New(api.Config{
		Store:     st,
		Broker:    broker,
		Blobs:     blobs,
		PublicURL: cfg.PublicURL,
		Logger:    log,
		Sender:    sender,
		Callbacks: callbacks,
		DevOutbox: dev,
		LinkTTL:   cfg.LinkTTL,
		SignInTTL: cfg.SessionTTL,
		Web:       web.FS(),

		MaxPDFBytes:   cfg.MaxPDFBytes,
		MaxImageBytes: cfg.MaxImageBytes,
		Sealer:        sealer,
		Verifier:      cms.NewVerifier(keys.Root()),
		Payments:      payments,

		CustomerWritesPerMinute: cfg.CustomerWritesPerMinute,
		Committers:              cfg.Committers,

		MetricsToken:   cfg.MetricsToken,
		FrameAncestors: cfg.FrameAncestors,
		TrustedProxies: cfg.TrustedProxies,
		Collectors:     collectors,
	})
	if err != nil {
		return err
	}

	srv := &http.Server{
		Handler:           h.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info().Str("addr", ln.Addr().String()).Str("public_url", cfg.PublicURL.String()).Str("version", version).Msg("tandem hub serving")
	if ready != nil {
		ready <- ln.Addr().String()
	}

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info().Msg("shutting down: no new connections; closing WebSockets with going away")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn().Err(err).Msg("http shutdown")
	}
	if err := h.Shutdown(sctx); err != nil {
		log.Warn().Err(err).Msg("hub shutdown")
	}
	if err := dbg.shutdown(sctx); err != nil {
		log.Warn().Err(err).Msg("profiling listener shutdown")
	}
	log.Info().Msg("stopped")
	return nil
}
