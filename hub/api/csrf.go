package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/tandemhq/tandem"
)

// codeCSRF refuses a request that another site made a browser send.
const codeCSRF = "csrf"

// checkCSRF refuses a state-changing request authenticated by a cookie
// when a browser says it comes from another site: browsers attach cookies
// to requests other sites make, but also say where those come from
// (Origin, Sec-Fetch-Site, Referer). A request that carries none of them
// is not a cross-site request from a browser (the policy of Go's
// http.CrossOriginProtection), so API clients need no special header.
//
// Reads by cookie are refused too when fetch metadata says another site
// (or a sibling subdomain) made them: with the cookie SameSite=None, for a
// console framed by a CRM, another site could otherwise probe the API with
// the agent's cookie (does this customer exist?). Tandem's own pages,
// framed or not, make same-origin requests.
func (s *Server) checkCSRF(r *http.Request, p principal) error {
	if !p.viaCookie {
		return nil
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return tandem.Coded(tandem.KindForbidden, codeCSRF, "this request did not come from Tandem's own pages")
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if s.sameOrigin(r) {
		return nil
	}
	return tandem.Coded(tandem.KindForbidden, codeCSRF, "this request did not come from Tandem's own pages")
}

// sameOrigin reports whether the request comes from the hub's public
// origin by its Origin, its Sec-Fetch-Site, or its Referer, in that order.
// A request with none of them (not from a browser) passes.
func (s *Server) sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" {
		return strings.EqualFold(o, s.origin)
	}
	// Fetch metadata: every current browser says where a request comes
	// from, even when it leaves Origin out.
	switch r.Header.Get("Sec-Fetch-Site") {
	case "":
	case "same-origin", "none":
		return true
	default:
		return false
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		u, err := url.Parse(ref)
		return err == nil && strings.EqualFold(u.Scheme+"://"+u.Host, s.origin)
	}
	return true
}
