package main

import (
	"fmt"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tandemhq/tandem/hub/api"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/hub/blob/s3"
	"github.com/tandemhq/tandem/hub/sender/smtp"
)

// config is the server's configuration, read from the environment.
type config struct {
	Port        string
	PublicURL   *url.URL
	DataDir     string
	DatabaseURL string
	// DBMaxConns bounds the store's pool of connections, all kept open
	// while idle (TANDEM_DB_MAX_CONNS); zero keeps the store's default.
	DBMaxConns int
	// DBConnMaxLifetime is how long a PostgreSQL connection is kept
	// (TANDEM_DB_CONN_MAX_LIFETIME); zero keeps the store's default.
	DBConnMaxLifetime time.Duration
	// Committers is how many batches of changes an instance writes at once
	// (TANDEM_COMMITTERS); zero keeps the hub's default (one).
	Committers int

	RedisURL    string
	RedisMaster string // Sentinel: the master's name
	RedisPrefix string
	// S3 is the bucket files are kept in (TANDEM_S3_URL); nil keeps them
	// under DataDir/files.
	S3 *s3.Config

	AdminEmail    string
	AdminPassword string
	AccountName   string
	PhoneRegion   string
	Twilio        twilioConfig
	SMTP          *smtp.Options // nil: email through the dev outbox
	// FrameAncestors may embed the pages (TANDEM_FRAME_ANCESTORS).
	FrameAncestors []string
	// TrustedProxies are the proxies whose X-Forwarded-For is believed
	// (TANDEM_TRUSTED_PROXIES, CIDRs or addresses separated by spaces or
	// commas).
	TrustedProxies []netip.Prefix

	LinkTTL    time.Duration
	SessionTTL time.Duration
	// MaxPDFBytes and MaxImageBytes bound uploads (TANDEM_MAX_PDF_MB,
	// TANDEM_MAX_IMAGE_MB); zero keeps the hub's defaults (25 and 10 MiB).
	MaxPDFBytes   int64
	MaxImageBytes int64

	LogLevel  string
	LogFormat string

	MetricsToken string

	// DebugAddr, when set, is where the profiling listener serves
	// net/http/pprof and expvar (TANDEM_DEBUG_ADDR); see debug.go.
	DebugAddr string
	// CustomerWritesPerMinute bounds a room customer's writes per room
	// and instance (TANDEM_CUSTOMER_WRITES_PER_MINUTE); zero keeps the
	// hub's default (api.CustomerWritesPerMinute).
	CustomerWritesPerMinute int

	Seal     sealConfig
	Payments paymentConfig
}

// loadConfig reads the environment through getenv. Every setting is
// documented in README.md.
func loadConfig(getenv func(string) string) (config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := config{
		Port:          get("PORT", "8080"),
		DataDir:       get("TANDEM_DATA_DIR", "tandem-data"),
		DatabaseURL:   get("DATABASE_URL", ""),
		RedisURL:      get("REDIS_URL", ""),
		RedisMaster:   get("TANDEM_REDIS_MASTER", ""),
		RedisPrefix:   get("TANDEM_REDIS_PREFIX", "tandem:"),
		AdminEmail:    get("TANDEM_ADMIN_EMAIL", "admin@example.com"),
		AdminPassword: getenv("TANDEM_ADMIN_PASSWORD"),
		AccountName:   get("TANDEM_ACCOUNT_NAME", "Tandem"),
		PhoneRegion:   strings.ToUpper(get("TANDEM_PHONE_REGION", "US")),
		LogLevel:      get("TANDEM_LOG_LEVEL", "info"),
		LogFormat:     get("TANDEM_LOG_FORMAT", "json"),
		MetricsToken:  getenv("TANDEM_METRICS_TOKEN"),
	}
	if n, err := strconv.Atoi(c.Port); err != nil || n < 0 || n > 65535 {
		return c, fmt.Errorf("PORT %q is not a port number", c.Port)
	}
	// Without TANDEM_PUBLIC_URL the hub is its own public address,
	// http://localhost:PORT, settled once it listens (PORT may be 0).
	if pub := get("TANDEM_PUBLIC_URL", ""); pub != "" {
		u, err := url.Parse(strings.TrimSuffix(pub, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return c, fmt.Errorf("TANDEM_PUBLIC_URL %q must be an http or https URL such as https://tandem.example.com", pub)
		}
		c.PublicURL = u
	}
	var err error
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return c, fmt.Errorf("DATABASE_URL must be a postgres:// URL; leave it unset for the embedded SQLite store")
	}
	if v := get("TANDEM_DB_MAX_CONNS", ""); v != "" {
		if c.DBMaxConns, err = strconv.Atoi(v); err != nil || c.DBMaxConns < 1 || c.DBMaxConns > 1000 {
			return c, fmt.Errorf("TANDEM_DB_MAX_CONNS must be a whole number from 1 to 1000, not %q", v)
		}
	}
	if v := get("TANDEM_COMMITTERS", ""); v != "" {
		if c.Committers, err = strconv.Atoi(v); err != nil || c.Committers < 1 || c.Committers > 64 {
			return c, fmt.Errorf("TANDEM_COMMITTERS must be a whole number from 1 to 64, not %q", v)
		}
	}
	if v := get("TANDEM_DB_CONN_MAX_LIFETIME", ""); v != "" {
		if c.DBConnMaxLifetime, err = parseDuration(v); err != nil {
			return c, fmt.Errorf("TANDEM_DB_CONN_MAX_LIFETIME: %w", err)
		}
	}
	if c.DataDir, err = filepath.Abs(c.DataDir); err != nil {
		return c, fmt.Errorf("TANDEM_DATA_DIR: %w", err)
	}
	if raw := get("TANDEM_S3_URL", ""); raw != "" {
		s3c, err := s3.ParseURL(raw)
		if err != nil {
			return c, fmt.Errorf("TANDEM_S3_URL: %w", err)
		}
		c.S3 = &s3c
	}
	if c.LinkTTL, err = parseDuration(get("TANDEM_LINK_TTL", "7d")); err != nil {
		return c, fmt.Errorf("TANDEM_LINK_TTL: %w", err)
	}
	if c.SessionTTL, err = parseDuration(get("TANDEM_SESSION_TTL", "14d")); err != nil {
		return c, fmt.Errorf("TANDEM_SESSION_TTL: %w", err)
	}
	for _, lim := range []struct {
		key  string
		into *int64
	}{{"TANDEM_MAX_PDF_MB", &c.MaxPDFBytes}, {"TANDEM_MAX_IMAGE_MB", &c.MaxImageBytes}} {
		if v := get(lim.key, ""); v != "" {
			mb, err := strconv.Atoi(v)
			if err != nil || mb < 1 || mb > 1024 {
				return c, fmt.Errorf("%s must be a whole number of MiB from 1 to 1024, not %q", lim.key, v)
			}
			*lim.into = int64(mb) << 20
		}
	}
	c.Twilio = twilioConfig{
		AccountSID: getenv("TWILIO_ACCOUNT_SID"), AuthToken: getenv("TWILIO_AUTH_TOKEN"),
		From: getenv("TWILIO_FROM"), MessagingServiceSID: getenv("TWILIO_MESSAGING_SERVICE_SID"),
	}
	if err := c.Twilio.check(); err != nil {
		return c, err
	}
	if v := get("TANDEM_CUSTOMER_WRITES_PER_MINUTE", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return c, fmt.Errorf("TANDEM_CUSTOMER_WRITES_PER_MINUTE must be a whole number of writes a minute, at least 1, not %q", v)
		}
		c.CustomerWritesPerMinute = n
	}
	if c.DebugAddr, err = debugAddr(get("TANDEM_DEBUG_ADDR", ""), get("TANDEM_DEBUG_ALLOW_REMOTE", "")); err != nil {
		return c, err
	}
	if c.Twilio.AccountSID != "" && c.PublicURL == nil {
		return c, fmt.Errorf("TANDEM_PUBLIC_URL is required with Twilio: it is where Twilio sends delivery statuses, and what their signatures cover")
	}
	if c.SMTP, err = smtpConfig(getenv); err != nil {
		return c, err
	}
	c.FrameAncestors = strings.Fields(getenv("TANDEM_FRAME_ANCESTORS"))
	for _, a := range c.FrameAncestors {
		if !api.ValidFrameAncestor(a) {
			return c, fmt.Errorf("TANDEM_FRAME_ANCESTORS: %q is not an origin such as https://crm.example.com or https://*.example.com", a)
		}
	}
	for _, f := range strings.FieldsFunc(getenv("TANDEM_TRUSTED_PROXIES"), func(r rune) bool { return r == ',' || r == ' ' }) {
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return c, fmt.Errorf("TANDEM_TRUSTED_PROXIES: %q is not a CIDR such as 10.0.0.0/8 or an address", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, p.Masked())
	}
	if c.Seal, err = readSealConfig(getenv); err != nil {
		return c, err
	}
	if c.Payments, err = readPaymentConfig(getenv); err != nil {
		return c, err
	}
	if !app.ValidPhoneRegion(c.PhoneRegion) {
		return c, fmt.Errorf("TANDEM_PHONE_REGION %q is not a region code such as US, GB or FR", c.PhoneRegion)
	}
	if c.LogFormat != "json" && c.LogFormat != "console" {
		return c, fmt.Errorf("TANDEM_LOG_FORMAT must be json or console, not %q", c.LogFormat)
	}
	return c, nil
}

// twilioConfig is the Twilio account SMS go out through; all empty means
// none (the dev outbox).
type twilioConfig struct {
	AccountSID, AuthToken, From, MessagingServiceSID string
}

func (t twilioConfig) check() error {
	if t == (twilioConfig{}) {
		return nil
	}
	switch {
	case t.AccountSID == "" || t.AuthToken == "":
		return fmt.Errorf("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN go together: set both to send SMS through Twilio, or neither for the dev outbox")
	case t.From == "" && t.MessagingServiceSID == "":
		return fmt.Errorf("set TWILIO_FROM (a number of the Twilio account, in E.164) or TWILIO_MESSAGING_SERVICE_SID")
	}
	return nil
}

// smtpConfig reads SMTP_URL, or SMTP_HOST with SMTP_PORT, SMTP_USERNAME,
// SMTP_PASSWORD and SMTP_TLS (starttls, tls, none), and SMTP_FROM.
func smtpConfig(getenv func(string) string) (*smtp.Options, error) {
	raw, host := getenv("SMTP_URL"), getenv("SMTP_HOST")
	if raw == "" && host == "" {
		return nil, nil
	}
	var o smtp.Options
	if raw != "" {
		var err error
		if o, err = smtp.ParseURL(raw); err != nil {
			return nil, err
		}
	} else {
		o = smtp.Options{Host: host, Port: 587, Username: getenv("SMTP_USERNAME"), Password: getenv("SMTP_PASSWORD"), TLS: smtp.StartTLS}
		if p := getenv("SMTP_PORT"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n <= 0 || n > 65535 {
				return nil, fmt.Errorf("SMTP_PORT %q is not a port", p)
			}
			o.Port = n
		}
		switch t := smtp.TLS(getenv("SMTP_TLS")); t {
		case "":
		case smtp.StartTLS, smtp.Implicit, smtp.NoTLS:
			o.TLS = t
		default:
			return nil, fmt.Errorf("SMTP_TLS must be starttls, tls or none, not %q", t)
		}
	}
	o.From, o.HELO = getenv("SMTP_FROM"), getenv("SMTP_HELO")
	if o.From == "" {
		return nil, fmt.Errorf("SMTP_FROM is required with an SMTP server: the address invitations come from, such as \"Acme <noreply@acme.example>\"")
	}
	if _, err := smtp.New(o); err != nil {
		return nil, err
	}
	return &o, nil
}

// parseDuration reads a Go duration ("36h", "90m") or a number of days
// ("7d").
func parseDuration(s string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration such as 7d or 36h", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is not a duration such as 7d or 36h", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be positive", s)
	}
	return d, nil
}
