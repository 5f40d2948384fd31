package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/api"
)

func TestLoginWrongPasswordAndUnknownEmailLookAlike(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	for _, tc := range []struct{ email, password string }{
		{"ana@acme.test", "wrong password"},
		{"nobody@acme.test", testPassword},
		{"ana@acme.test", "short"},
		{"", ""},
	} {
		_, err := e.client().Login(ctx, tc.email, tc.password)
		if code := apiCode(t, err); code != "invalid_credentials" {
			t.Errorf("login %q/%q: code %q, want invalid_credentials", tc.email, tc.password, code)
		}
		var ae *client.APIError
		if !asAPIError(err, &ae) || ae.StatusCode != http.StatusUnauthorized {
			t.Errorf("login %q: %v, want a 401", tc.email, err)
		}
	}
	// Email is case-insensitive.
	if _, err := e.client().Login(ctx, "  ANA@Acme.Test ", testPassword); err != nil {
		t.Fatalf("login with other case: %v", err)
	}
}

func TestLoginSessionWorksAsBearerAndCookieAndLogoutEndsIt(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	me, err := e.agent.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if me.User.Email != "ana@acme.test" || me.Account.Name != "Acme" {
		t.Fatalf("me = %+v", me)
	}
	// The same token as a cookie, as the console uses it.
	res := e.do(t, "GET", "/api/v1/me", "", map[string]string{"Cookie": "tandem_session=" + e.agent.Token()})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("me by cookie: %d", res.StatusCode)
	}
	if err := e.agent.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = e.agent.Me(ctx)
	if code := apiCode(t, err); code != "unauthorized" {
		t.Fatalf("me after logout: %q", code)
	}
}

// whoami tells a page who is signed in without a failed request: the
// agent with a live sign-in, signed_in false (200) with none, an ended
// one or a malformed header.
func TestWhoami(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	read := func(hdr map[string]string) (int, map[string]any) {
		t.Helper()
		res := e.do(t, "GET", "/api/v1/whoami", "", hdr)
		var body map[string]any
		_ = json.NewDecoder(res.Body).Decode(&body)
		return res.StatusCode, body
	}
	cookie := map[string]string{"Cookie": "tandem_session=" + e.agent.Token()}
	code, body := read(cookie)
	user, _ := body["user"].(map[string]any)
	if code != http.StatusOK || body["signed_in"] != true || user["email"] != "ana@acme.test" {
		t.Fatalf("whoami signed in: %d %v", code, body)
	}
	if _, ok := user["password_hash"]; ok {
		t.Fatalf("whoami shows a password hash: %v", body)
	}
	if err := e.agent.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	for _, hdr := range []map[string]string{nil, cookie, {"Authorization": "Basic eA=="}} {
		if code, body := read(hdr); code != http.StatusOK || body["signed_in"] != false || body["user"] != nil {
			t.Errorf("whoami with %v: %d %v, want 200 signed_in false", hdr, code, body)
		}
	}
}

func TestLoginSetsHardenedCookie(t *testing.T) {
	e := newEnv(t, nil)
	res := e.do(t, "POST", "/api/v1/login", `{"email":"ana@acme.test","password":"`+testPassword+`"}`, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("login: %d", res.StatusCode)
	}
	var found bool
	for _, c := range res.Cookies() {
		if c.Name == "tandem_session" {
			found = true
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
				t.Errorf("session cookie %+v is not HttpOnly, SameSite=Lax, Path=/", c)
			}
		}
	}
	if !found {
		t.Fatal("no session cookie")
	}
}

// Behind TLS the cookie is Secure; when CRMs may frame the console it is
// also SameSite=None and Partitioned, so it works inside their frame, and
// a cross-site change with it is still refused by the Origin check.
func TestSessionCookieForFramedConsole(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ancestors []string
		none      bool
	}{
		{"TLS", nil, false},
		{"TLS, framed by a CRM", []string{"https://crm.example.com"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil, func(cfg *api.Config) {
				cfg.PublicURL, _ = url.Parse("https://tandem.example.com")
				cfg.FrameAncestors = tc.ancestors
			})
			res := e.do(t, "POST", "/api/v1/login", `{"email":"ana@acme.test","password":"`+testPassword+`"}`, nil)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("login: %d", res.StatusCode)
			}
			raw := res.Header.Get("Set-Cookie")
			var c *http.Cookie
			for _, k := range res.Cookies() {
				if k.Name == "tandem_session" {
					c = k
				}
			}
			if c == nil || !c.Secure || !c.HttpOnly {
				t.Fatalf("session cookie %q is not Secure and HttpOnly", raw)
			}
			if got := c.SameSite == http.SameSiteNoneMode && c.Partitioned; got != tc.none {
				t.Fatalf("session cookie %q: SameSite=None; Partitioned is %v, want %v", raw, got, tc.none)
			}
			if !tc.none && c.SameSite != http.SameSiteLaxMode {
				t.Fatalf("session cookie %q is not SameSite=Lax", raw)
			}
			cookie := "tandem_session=" + c.Value
			body := `{"mode":"preplan","channel":"email","customer":{"name":"Kim","email":"kim@example.com"}}`
			if res := e.do(t, "POST", "/api/v1/rooms", body, map[string]string{"Cookie": cookie, "Origin": "https://crm.example.com"}); res.StatusCode != http.StatusForbidden {
				t.Fatalf("a change from the CRM's origin with the cookie: %d, want 403", res.StatusCode)
			}
			if res := e.do(t, "POST", "/api/v1/rooms", body, map[string]string{"Cookie": cookie, "Origin": "https://tandem.example.com"}); res.StatusCode != http.StatusCreated {
				t.Fatalf("a change from the console's own origin: %d, want 201", res.StatusCode)
			}
			// Reads by cookie from another site are refused too; our own
			// pages' are not.
			for site, want := range map[string]int{"cross-site": http.StatusForbidden, "same-site": http.StatusForbidden, "same-origin": http.StatusOK, "none": http.StatusOK} {
				if res := e.do(t, "GET", "/api/v1/rooms?q=kim", "", map[string]string{"Cookie": cookie, "Sec-Fetch-Site": site}); res.StatusCode != want {
					t.Errorf("a read by cookie with Sec-Fetch-Site %s: %d, want %d", site, res.StatusCode, want)
				}
			}
		})
	}
}

func TestCookieRequestsNeedOurOrigin(t *testing.T) {
	e := newEnv(t, nil)
	body := `{"mode":"preplan","channel":"email","customer":{"name":"Sam","email":"sam@example.com"}}`
	cookie := "tandem_session=" + e.agent.Token()
	for _, tc := range []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"cookie, not from a browser", map[string]string{"Cookie": cookie}, http.StatusCreated},
		{"cookie, cross-site by fetch metadata", map[string]string{"Cookie": cookie, "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"cookie, same-site by fetch metadata", map[string]string{"Cookie": cookie, "Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"cookie, same-origin by fetch metadata", map[string]string{"Cookie": cookie, "Sec-Fetch-Site": "same-origin"}, http.StatusCreated},
		{"cookie, other referer", map[string]string{"Cookie": cookie, "Referer": "https://evil.example/page"}, http.StatusForbidden},
		{"cookie, other origin", map[string]string{"Cookie": cookie, "Origin": "https://evil.example"}, http.StatusForbidden},
		{"cookie, our origin", map[string]string{"Cookie": cookie, "Origin": e.url}, http.StatusCreated},
		{"cookie, our referer", map[string]string{"Cookie": cookie, "Referer": e.url + "/console"}, http.StatusCreated},
		{"bearer, no origin", map[string]string{"Authorization": "Bearer " + e.agent.Token()}, http.StatusCreated},
	} {
		res := e.do(t, "POST", "/api/v1/rooms", body, tc.hdr)
		if res.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, res.StatusCode, tc.want)
		}
		if tc.want == http.StatusForbidden {
			if code, _ := decodeError(t, res); code != "csrf" {
				t.Errorf("%s: code %q, want csrf", tc.name, code)
			}
		}
	}
}

func TestLoginIsRateLimited(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	var last error
	for i := 0; i < 11; i++ {
		_, last = e.client().Login(ctx, "ana@acme.test", "wrong password")
	}
	if code := apiCode(t, last); code != "rate_limited" {
		t.Fatalf("11th attempt: %q, want rate_limited", code)
	}
	// A minute later the address may try again.
	e.clock.Advance(61 * time.Second)
	if _, err := e.client().Login(ctx, "ana@acme.test", testPassword); err != nil {
		t.Fatalf("login after the window: %v", err)
	}
}

func TestPasswordReset(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	anon := e.client()

	// Unknown and known emails get the same answer; only the known one
	// gets a message.
	if err := anon.ForgotPassword(ctx, "nobody@acme.test"); err != nil {
		t.Fatalf("forgot unknown: %v", err)
	}
	if err := anon.ForgotPassword(ctx, "ANA@acme.test"); err != nil {
		t.Fatalf("forgot known: %v", err)
	}
	msgs := e.waitOutbox(t, func(m client.OutboxMessage) bool { return strings.Contains(m.Link, "/password/reset?token=") })
	var links []string
	for _, m := range msgs {
		if m.To == "nobody@acme.test" {
			t.Fatal("a reset message went to an email without an account")
		}
		if m.To == "ana@acme.test" && strings.Contains(m.Link, "/password/reset?token=") {
			links = append(links, m.Link)
			if !strings.Contains(m.Body, m.Link) || m.Subject == "" {
				t.Errorf("reset email lacks its link or subject: %+v", m)
			}
		}
	}
	if len(links) != 1 {
		t.Fatalf("reset messages to ana: %d, want 1", len(links))
	}
	token := links[0][strings.Index(links[0], "token=")+len("token="):]

	// Too short or too long a password is refused and does not use up the token.
	if code := apiCode(t, anon.ResetPassword(ctx, token, "short")); code != "password_too_short" {
		t.Fatalf("short password: %q", code)
	}
	if code := apiCode(t, anon.ResetPassword(ctx, token, strings.Repeat("x", 73))); code != "password_too_long" {
		t.Fatalf("long password: %q", code)
	}
	if code := apiCode(t, anon.ResetPassword(ctx, "not-a-token", "a new password")); code != "reset_not_found" {
		t.Fatalf("bogus token: %q", code)
	}
	if err := anon.ResetPassword(ctx, token, "a new password"); err != nil {
		t.Fatalf("reset: %v", err)
	}
	// Single use.
	if code := apiCode(t, anon.ResetPassword(ctx, token, "another password")); code != "reset_expired" {
		t.Fatalf("second use: %q", code)
	}
	// The reset signed the agent out everywhere; the new password works,
	// the old one does not.
	if _, err := e.agent.Me(ctx); client.ErrorCode(err) != "unauthorized" {
		t.Fatalf("old session after reset: %v", err)
	}
	if _, err := e.client().Login(ctx, "ana@acme.test", testPassword); client.ErrorCode(err) != "invalid_credentials" {
		t.Fatalf("old password after reset: %v", err)
	}
	if _, err := e.client().Login(ctx, "ana@acme.test", "a new password"); err != nil {
		t.Fatalf("new password: %v", err)
	}
}

func TestPasswordResetLinkExpiresAfterAnHour(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	if err := e.client().ForgotPassword(ctx, "ana@acme.test"); err != nil {
		t.Fatal(err)
	}
	link := e.waitMessage(t, func(m client.OutboxMessage) bool { return strings.Contains(m.Link, "/password/reset?token=") }).Link
	token := link[strings.Index(link, "token=")+len("token="):]
	e.clock.Advance(61 * time.Minute)
	if code := apiCode(t, e.client().ResetPassword(ctx, token, "a new password")); code != "reset_expired" {
		t.Fatalf("after an hour: %q", code)
	}
}

func TestRequestBodyLimitsAndStrictJSON(t *testing.T) {
	e := newEnv(t, nil)
	auth := map[string]string{"Authorization": "Bearer " + e.agent.Token()}
	res := e.do(t, "POST", "/api/v1/rooms", `{"mode":"live","customer":{"name":"`+strings.Repeat("a", 70<<10)+`"}}`, auth)
	if code, _ := decodeError(t, res); res.StatusCode != http.StatusRequestEntityTooLarge || code != "too_large" {
		t.Errorf("large body: %d %s", res.StatusCode, code)
	}
	res = e.do(t, "POST", "/api/v1/rooms", `{"mode":"live","colour":"red"}`, auth)
	if code, msg := decodeError(t, res); res.StatusCode != http.StatusBadRequest || code != "invalid_json" || !strings.Contains(msg, "colour") {
		t.Errorf("unknown field: %d %s %s", res.StatusCode, code, msg)
	}
	res = e.do(t, "POST", "/api/v1/rooms", `{"mode":`, auth)
	if code, _ := decodeError(t, res); res.StatusCode != http.StatusBadRequest || code != "invalid_json" {
		t.Errorf("truncated JSON: %d %s", res.StatusCode, code)
	}
	res = e.do(t, "GET", "/api/v1/nothing-here", "", auth)
	if code, _ := decodeError(t, res); res.StatusCode != http.StatusNotFound || code != "not_found" {
		t.Errorf("unknown endpoint: %d %s", res.StatusCode, code)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	e := newEnv(t, nil)
	if res := e.do(t, "GET", "/healthz", "", nil); res.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", res.StatusCode)
	}
	if res := e.do(t, "GET", "/readyz", "", nil); res.StatusCode != http.StatusOK {
		t.Fatalf("readyz: %d", res.StatusCode)
	}
	e.st.Close()
	if res := e.do(t, "GET", "/readyz", "", nil); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz with the store closed: %d", res.StatusCode)
	}
}
