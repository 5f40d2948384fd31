package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
)

// syncBuffer is a log sink the test reads while the server writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is the whole binary, run in-process through run().
type server struct {
	url  string
	logs *syncBuffer
	stop func() error
}

func startServer(t *testing.T, env map[string]string) *server {
	t.Helper()
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	getenv := func(k string) string { return env[k] }
	go func() { errc <- run(ctx, []string{"serve"}, getenv, logs, logs, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-errc:
		cancel()
		t.Fatalf("server did not start: %v\n%s", err, logs)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("server did not start in time\n%s", logs)
	}
	port := addr[strings.LastIndex(addr, ":")+1:]
	s := &server{url: "http://localhost:" + port, logs: logs}
	var once sync.Once
	var stopErr error
	s.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-errc:
			case <-time.After(30 * time.Second):
				t.Error("server did not stop in time")
			}
		})
		return stopErr
	}
	t.Cleanup(func() { _ = s.stop() })
	return s
}

// logged returns the first JSON log line whose message contains msg.
func (s *server) logged(t *testing.T, msg string) map[string]any {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(s.logs.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) == nil && strings.Contains(line["message"].(string), msg) {
			return line
		}
	}
	return nil
}

func mustClient(t *testing.T, url string) *client.Client {
	t.Helper()
	c, err := client.New(url)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The newcomer's path: start with nothing configured, sign in with the
// printed password, invite a customer, watch them connect; stop and start
// again on the same data without losing anything.
func TestEmbeddedDefaultEndToEnd(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"PORT": "0", "TANDEM_DATA_DIR": dir}
	srv := startServer(t, env)
	ctx := context.Background()

	first := srv.logged(t, "first start: created the admin")
	if first == nil {
		t.Fatalf("no first-start line in the log:\n%s", srv.logs)
	}
	email, password := first["email"].(string), first["password"].(string)
	if email != "admin@example.com" || len(password) < 16 {
		t.Fatalf("first start: email %q, password %q", email, password)
	}
	agent := mustClient(t, srv.url)
	if _, err := agent.Login(ctx, email, password); err != nil {
		t.Fatal(err)
	}
	s, err := agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Sam Lee", Phone: "+14155550134"}})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := agent.Subscribe(ctx, s.ID, s.Seq)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if _, err := agent.Invite(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if ev, err := sub.Next(tctx); err != nil || ev.Type != room.TypeRoomInvited {
		t.Fatalf("invited event: %+v %v", ev, err)
	}
	msgs, err := agent.DevOutbox(ctx)
	if err != nil || len(msgs) != 1 || !strings.HasPrefix(msgs[0].Link, srv.url+"/r/") {
		t.Fatalf("dev outbox: %+v %v", msgs, err)
	}
	// The dispatcher "sends" it, and the room shows its simulated delivery.
	if ev, err := sub.Next(tctx); err != nil || ev.Type != room.TypeDelivery || !strings.Contains(string(ev.Data), `"status":"delivered"`) ||
		!strings.Contains(string(ev.Data), "simulated") {
		t.Fatalf("delivery event: %+v %v", ev, err)
	}
	if srv.logged(t, "dev outbox (simulation") == nil {
		t.Errorf("the dev outbox did not log the message:\n%s", srv.logs)
	}
	cust := mustClient(t, srv.url)
	if _, err := cust.OpenLink(ctx, msgs[0].Link); err != nil {
		t.Fatal(err)
	}
	csub, err := cust.Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer csub.Close()
	if ev, err := sub.Next(tctx); err != nil || ev.Type != room.TypeParticipantJoined {
		t.Fatalf("joined event: %+v %v", ev, err)
	}

	// SIGTERM.
	if err := srv.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	// Same data directory: no second admin, same password, same room.
	srv2 := startServer(t, env)
	if srv2.logged(t, "first start") != nil {
		t.Fatal("the admin was created again on the second start")
	}
	agent2 := mustClient(t, srv2.url)
	if _, err := agent2.Login(ctx, email, password); err != nil {
		t.Fatal(err)
	}
	evs, err := agent2.Events(ctx, s.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, ev := range evs {
		types = append(types, ev.Type)
	}
	want := "room.created room.invited invitation.delivery participant.joined participant.left"
	if strings.Join(types, " ") != want {
		t.Fatalf("log after restart: %v, want %s", types, want)
	}
}

func TestAdminFromEnvironment(t *testing.T) {
	srv := startServer(t, map[string]string{
		"PORT": "0", "TANDEM_DATA_DIR": t.TempDir(),
		"TANDEM_ADMIN_EMAIL": "Boss@Example.com", "TANDEM_ADMIN_PASSWORD": "a long enough secret", "TANDEM_ACCOUNT_NAME": "Acme",
	})
	line := srv.logged(t, "first start: created the admin")
	if line == nil || line["password"] != nil {
		t.Fatalf("first start line %v: the given password must not be logged", line)
	}
	c := mustClient(t, srv.url)
	u, err := c.Login(context.Background(), "boss@example.com", "a long enough secret")
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != "admin" {
		t.Fatalf("role %q", u.Role)
	}
	me, err := c.Me(context.Background())
	if err != nil || me.Account.Name != "Acme" {
		t.Fatalf("me %+v %v", me, err)
	}
}

func TestBadConfigurationIsRefusedClearly(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"PORT": "eighty"}, "PORT"},
		{map[string]string{"TANDEM_PUBLIC_URL": "ftp://x"}, "TANDEM_PUBLIC_URL"},
		{map[string]string{"DATABASE_URL": "mysql://x"}, "DATABASE_URL"},
		{map[string]string{"TANDEM_LINK_TTL": "forever"}, "TANDEM_LINK_TTL"},
		{map[string]string{"TANDEM_DB_MAX_CONNS": "0"}, "TANDEM_DB_MAX_CONNS"},
		{map[string]string{"TANDEM_DB_MAX_CONNS": "many"}, "TANDEM_DB_MAX_CONNS"},
		{map[string]string{"TANDEM_COMMITTERS": "0"}, "TANDEM_COMMITTERS"},
		{map[string]string{"TANDEM_COMMITTERS": "65"}, "TANDEM_COMMITTERS"},
		{map[string]string{"TANDEM_DB_CONN_MAX_LIFETIME": "soon"}, "TANDEM_DB_CONN_MAX_LIFETIME"},
		{map[string]string{"TANDEM_PHONE_REGION": "USA"}, "TANDEM_PHONE_REGION"},
		{map[string]string{"TANDEM_FRAME_ANCESTORS": "https://crm.example.com *"}, "TANDEM_FRAME_ANCESTORS"},
		{map[string]string{"TWILIO_ACCOUNT_SID": "AC1"}, "TWILIO_AUTH_TOKEN"},
		{map[string]string{"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "x"}, "TWILIO_FROM"},
		{map[string]string{"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "x", "TWILIO_FROM": "+15005550006"}, "TANDEM_PUBLIC_URL"},
		{map[string]string{"TANDEM_S3_URL": "s3://key:secret@s3.example.com"}, "TANDEM_S3_URL"},
		{map[string]string{"SMTP_URL": "smtp://mail.example.com"}, "SMTP_FROM"},
		{map[string]string{"SMTP_URL": "mail.example.com", "SMTP_FROM": "a@b.example"}, "SMTP_URL"},
		{map[string]string{"SMTP_HOST": "mail.example.com", "SMTP_PORT": "x", "SMTP_FROM": "a@b.example"}, "SMTP_PORT"},
		{map[string]string{"SMTP_HOST": "mail.example.com", "SMTP_TLS": "maybe", "SMTP_FROM": "a@b.example"}, "SMTP_TLS"},
		{map[string]string{"PORT": "0", "TANDEM_DATA_DIR": t.TempDir(), "TANDEM_ADMIN_PASSWORD": "short"}, "password"},
		{map[string]string{"TANDEM_CUSTOMER_WRITES_PER_MINUTE": "0"}, "TANDEM_CUSTOMER_WRITES_PER_MINUTE"},
		{map[string]string{"TANDEM_CUSTOMER_WRITES_PER_MINUTE": "lots"}, "TANDEM_CUSTOMER_WRITES_PER_MINUTE"},
		{map[string]string{"TANDEM_DEBUG_ADDR": "6060"}, "TANDEM_DEBUG_ADDR"},
	} {
		err := run(context.Background(), nil, func(k string) string { return tc.env[k] }, &bytes.Buffer{}, &bytes.Buffer{}, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error naming %s", tc.env, err, tc.want)
		}
	}
}

// TestDBPoolSettings reads the pool's settings, and leaves the store's
// defaults when they are unset.
func TestDBPoolSettings(t *testing.T) {
	cfg, err := loadConfig(func(k string) string {
		return map[string]string{"TANDEM_DB_MAX_CONNS": "40", "TANDEM_DB_CONN_MAX_LIFETIME": "2h", "TANDEM_COMMITTERS": "3"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DBMaxConns != 40 || cfg.DBConnMaxLifetime != 2*time.Hour || cfg.Committers != 3 {
		t.Fatalf("TANDEM_DB_MAX_CONNS=40, TANDEM_DB_CONN_MAX_LIFETIME=2h, TANDEM_COMMITTERS=3 read as %d, %v, %d", cfg.DBMaxConns, cfg.DBConnMaxLifetime, cfg.Committers)
	}
	if cfg, err = loadConfig(func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if cfg.DBMaxConns != 0 || cfg.DBConnMaxLifetime != 0 || cfg.Committers != 0 {
		t.Fatalf("unset, the pool settings read as %d, %v, want the store's defaults (0)", cfg.DBMaxConns, cfg.DBConnMaxLifetime)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "36h": 36 * time.Hour, "90m": 90 * time.Minute} {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "0d", "-1h", "soon"} {
		if _, err := parseDuration(in); err == nil {
			t.Errorf("parseDuration(%q) accepted", in)
		}
	}
}

// With Twilio configured, SMS go through Twilio and its status callbacks
// are served (an unsigned one is refused); email stays on the dev outbox.
func TestTwilioIsWired(t *testing.T) {
	srv := startServer(t, map[string]string{
		"PORT": "0", "TANDEM_DATA_DIR": t.TempDir(), "TANDEM_PUBLIC_URL": "https://tandem.example",
		"TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000001", "TWILIO_AUTH_TOKEN": "faketoken", "TWILIO_FROM": "+15005550006",
	})
	line := srv.logged(t, "SMS: Twilio")
	if line == nil || line["status_callback"] != "https://tandem.example/api/v1/hooks/twilio/status" {
		t.Fatalf("no Twilio line, or a wrong callback URL: %v\n%s", line, srv.logs)
	}
	if dev := srv.logged(t, "dev outbox"); dev != nil {
		t.Fatalf("the dev outbox runs beside a real provider: %v", dev)
	}
	if warn := srv.logged(t, "no provider is configured for this channel"); warn == nil || warn["channel"] != "email" {
		t.Fatalf("no warning that email is unavailable: %v", warn)
	}
	res, err := http.Post(srv.url+"/api/v1/hooks/twilio/status", "application/x-www-form-urlencoded", strings.NewReader("MessageSid=SM1&MessageStatus=delivered"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("an unsigned Twilio callback: %d", res.StatusCode)
	}
}

// With SMTP_URL, invitations by email go to the SMTP server, in plain text
// and HTML with the room's link, and the room shows them sent; a mailbox
// the server refuses shows as failed with the server's words.
func TestEmailThroughSMTP(t *testing.T) {
	mx := smtpmock.New(smtpmock.ConfigurationAttr{
		HostAddress: "127.0.0.1", MultipleMessageReceiving: true,
		BlacklistedRcpttoEmails: []string{"gone@example.com"}, MsgRcpttoBlacklistedEmail: "550 5.1.1 No such user here",
	})
	if err := mx.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = mx.Stop() }()
	srv := startServer(t, map[string]string{
		"PORT": "0", "TANDEM_DATA_DIR": t.TempDir(), "TANDEM_ADMIN_PASSWORD": "a long enough secret",
		"SMTP_URL": fmt.Sprintf("smtp://127.0.0.1:%d?tls=none", mx.PortNumber()), "SMTP_FROM": "Acme <noreply@acme.example>",
	})
	ctx := context.Background()
	agent := mustClient(t, srv.url)
	if _, err := agent.Login(ctx, "admin@example.com", "a long enough secret"); err != nil {
		t.Fatal(err)
	}
	delivery := func(email string) string {
		t.Helper()
		s, err := agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelEmail, Customer: room.Customer{Name: "Sam Lee", Email: email}})
		if err != nil {
			t.Fatal(err)
		}
		sub, err := agent.Subscribe(ctx, s.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		for {
			ev, err := sub.Next(tctx)
			if err != nil {
				t.Fatalf("no delivery event for %s: %v", email, err)
			}
			if ev.Type == room.TypeDelivery {
				return string(ev.Data)
			}
		}
	}
	if d := delivery("sam@example.com"); !strings.Contains(d, `"status":"sent"`) || !strings.Contains(d, `"provider":"smtp"`) {
		t.Fatalf("delivery by SMTP: %s", d)
	}
	msgs, err := mx.WaitForMessages(1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	body := strings.ReplaceAll(strings.ReplaceAll(msgs[0].MsgRequest(), "=\r\n", ""), "=3D", "=")
	if !strings.Contains(body, srv.url+"/r/") || !strings.Contains(body, "text/html") || !strings.Contains(body, "Subject: Tandem: your secure room with Admin") {
		t.Fatalf("the email:\n%s", body)
	}
	if d := delivery("gone@example.com"); !strings.Contains(d, `"status":"failed"`) || !strings.Contains(d, "No such user") || !strings.Contains(d, `"code":"550"`) {
		t.Fatalf("delivery to a refused mailbox: %s", d)
	}
	// With a real provider there is no dev outbox page: the links in the
	// messages are real customers'.
	if _, err := agent.DevOutbox(ctx); client.ErrorCode(err) != "not_found" {
		t.Fatalf("the dev outbox beside a real provider: %v", err)
	}
}
