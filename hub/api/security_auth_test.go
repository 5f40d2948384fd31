package api_test

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/api"
	"github.com/tandemhq/tandem/store"
)

// slowResets is a store whose password resets take long to write, as a
// busy database would: it makes the work behind /password/forgot visible
// in its timing.
type slowResets struct{ store.Store }

func (s slowResets) CreatePasswordReset(ctx context.Context, r store.PasswordReset) error {
	time.Sleep(300 * time.Millisecond)
	return s.Store.CreatePasswordReset(ctx, r)
}

// Finding 3: /password/forgot took longer for an email with an account.
// The answer comes before the work, so both take the same (short) time.
func TestForgotPasswordTimingTellsNothing(t *testing.T) {
	e := newEnv(t, func(tb testing.TB) store.Store { return slowResets{stores["sqlite"](tb)} })
	ctx := context.Background()
	took := func(email string) time.Duration {
		start := time.Now()
		if err := e.client().ForgotPassword(ctx, email); err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	}
	for range 3 {
		known, unknown := took("ana@acme.test"), took("nobody@acme.test")
		if known > 200*time.Millisecond || unknown > 200*time.Millisecond {
			t.Fatalf("forgot took %v for an account's email and %v for an unknown one: the answer waits for the work", known, unknown)
		}
	}
	// The work is still done.
	e.waitOutbox(t, func(m client.OutboxMessage) bool { return strings.Contains(m.Link, "/password/reset?token=") })
}

// Finding 4: eleven wrong passwords a minute from one address locked the
// user out from everywhere, refused attempts kept the lock, and behind a
// load balancer everyone shared one bucket. Limits are per (email, client
// address) and per address; refused attempts are not counted; the client
// address comes from X-Forwarded-For only through a trusted proxy.
func TestSignInLimitsCannotLockAUserOut(t *testing.T) {
	e := newEnv(t, nil, func(cfg *api.Config) { cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} })
	login := func(from, password string) int {
		t.Helper()
		res := e.do(t, "POST", "/api/v1/login", `{"email":"ana@acme.test","password":"`+password+`"}`, map[string]string{"X-Forwarded-For": from})
		res.Body.Close()
		return res.StatusCode
	}
	attacker, ana := "203.0.113.5", "198.51.100.7"
	for i := range 10 {
		if code := login(attacker, "wrong password"); code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i+1, code)
		}
	}
	if code := login(attacker, "wrong password"); code != http.StatusTooManyRequests {
		t.Fatalf("11th wrong password: %d, want 429", code)
	}
	if code := login(ana, testPassword); code != http.StatusOK {
		t.Fatalf("the user from her own address while an attacker is locked: %d", code)
	}
	// The attacker's refused attempts do not keep the lock alive.
	e.clock.Advance(40 * time.Second)
	for range 5 {
		login(attacker, "wrong password")
	}
	e.clock.Advance(21 * time.Second)
	if code := login(attacker, testPassword); code != http.StatusOK {
		t.Fatalf("a minute after the first attempt: %d", code)
	}
	// The header of a client that is not a trusted proxy is not believed.
	e2 := newEnv(t, nil)
	for i := range 11 {
		res := e2.do(t, "POST", "/api/v1/login", `{"email":"ana@acme.test","password":"wrong"}`, map[string]string{"X-Forwarded-For": "192.0.2." + string(rune('1'+i%9))})
		res.Body.Close()
		if i == 10 && res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("a forged X-Forwarded-For escaped the limit: %d", res.StatusCode)
		}
	}
}

// Finding 7: fifty opens of one link made fifty room passes, and a link
// holder could write without limit. A browser's pass is reused, and a
// customer's writes to a room are rate-limited.
func TestLinkHolderLimits(t *testing.T) {
	e := newEnv(t, nil)
	s := e.liveRoom()
	link := e.lastLink(s.ID)
	open := func(cookie string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, link, nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for _, c := range res.Cookies() {
			if c.Name == "tandem_room" {
				return c.Name + "=" + c.Value
			}
		}
		t.Fatalf("no room cookie (status %d)", res.StatusCode)
		return ""
	}
	first := open("")
	for range 5 {
		if again := open(first); again != first {
			t.Fatalf("opening the link again in the same browser made a new pass")
		}
	}
	if other := open(""); other == first {
		t.Fatal("another browser got the same pass")
	}

	writes, limited := 0, false
	for range api.CustomerWritesPerMinute + 1 {
		res := e.do(t, "POST", "/api/v1/rooms/"+s.ID+"/activity?as=customer", `{"what":"viewing"}`, map[string]string{"Cookie": first})
		res.Body.Close()
		switch res.StatusCode {
		case http.StatusCreated:
			writes++
		case http.StatusTooManyRequests:
			limited = true
		default:
			t.Fatalf("activity: %d", res.StatusCode)
		}
	}
	if !limited || writes != api.CustomerWritesPerMinute {
		t.Fatalf("%d writes went through of %d, limited %v", writes, api.CustomerWritesPerMinute+1, limited)
	}
	// Agents are not limited by it.
	if _, err := e.agent.ReportActivity(context.Background(), s.ID, "viewing", ""); err != nil {
		t.Fatalf("the agent after the customer's limit: %v", err)
	}
}
