package api_test

import (
	"net/url"
	"testing"

	"github.com/tandemhq/tandem/hub/api"
)

const hsts = "max-age=63072000; includeSubDomains"

// withPublicURL serves the hub as if it were reached at raw.
func withPublicURL(t *testing.T, raw string) envOption {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return func(cfg *api.Config) { cfg.PublicURL = u }
}

// A hub served over https tells browsers to come back over https only,
// on every answer: pages, API answers and errors alike. One served over
// plain http (a developer's machine) does not.
func TestStrictTransportSecurity(t *testing.T) {
	answers := [][2]string{
		{"GET", "/healthz"},
		{"GET", "/api/v1/me"},                          // 401
		{"GET", "/api/v1/nothing-here"},                // the API's 404
		{"GET", "/nothing-here"},                       // a 404 outside the API
		{"DELETE", "/api/v1/login"},                    // a method the path does not take
		{"GET", "/r/" + "not-a-real-token-at-all-xyz"}, // a link
	}
	secure := newEnv(t, nil, withPublicURL(t, "https://tandem.example"))
	for _, a := range answers {
		if got := secure.do(t, a[0], a[1], "", nil).Header.Get("Strict-Transport-Security"); got != hsts {
			t.Errorf("https: %s %s: Strict-Transport-Security %q, want %q", a[0], a[1], got, hsts)
		}
	}
	plain := newEnv(t, nil)
	for _, a := range answers {
		if got := plain.do(t, a[0], a[1], "", nil).Header.Get("Strict-Transport-Security"); got != "" {
			t.Errorf("http: %s %s: Strict-Transport-Security %q, want none", a[0], a[1], got)
		}
	}
}
