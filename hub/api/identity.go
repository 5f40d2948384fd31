package api

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/app"
)

// Cookie names.
const (
	signInCookie = "tandem_session"
	roomCookie   = "tandem_room"
)

// principal is who makes a request (an agent, or the customer of one
// room) and how it proved it.
type principal struct {
	app.Caller
	viaCookie bool
}

type principalKey struct{}

func principalFrom(ctx context.Context) principal {
	p, _ := ctx.Value(principalKey{}).(principal)
	return p
}

// agent finds the agent of a request by its sign-in: a bearer token first,
// then the sign-in cookie. ok is false if the request carries neither.
func (s *Server) agent(r *http.Request) (p principal, ok bool, err error) {
	var token string
	if a := r.Header.Get("Authorization"); a != "" {
		scheme, t, found := strings.Cut(a, " ")
		if !found || !strings.EqualFold(scheme, "Bearer") {
			return p, true, tandem.Errorf(tandem.KindUnauthorized, "the Authorization header must be \"Bearer <token>\"")
		}
		token = strings.TrimSpace(t)
	} else if c, cerr := r.Cookie(signInCookie); cerr == nil {
		token, p.viaCookie = c.Value, true
	} else {
		return p, false, nil
	}
	p.Caller, err = s.app.Agent(r.Context(), token)
	return p, true, err
}

// customer finds the customer of a request by its room cookie, for roomID.
func (s *Server) customer(r *http.Request, roomID string) (principal, error) {
	c, err := r.Cookie(roomCookie)
	if err != nil {
		return principal{}, tandem.Errorf(tandem.KindUnauthorized, "sign in, or open the link you were sent")
	}
	caller, err := s.app.Customer(r.Context(), c.Value, roomID)
	return principal{Caller: caller, viaCookie: true}, err
}

// pass calls next with p in the request's context, unless finding p failed
// (err) or the request fails the CSRF checks.
func (s *Server) pass(w http.ResponseWriter, r *http.Request, p principal, err error, next http.HandlerFunc) {
	if err == nil {
		err = s.checkCSRF(r, p)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	next(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
}

// requireAgent lets only signed-in agents through.
func (s *Server) requireAgent(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok, err := s.agent(r)
		if err == nil && !ok {
			err = tandem.Errorf(tandem.KindUnauthorized, "sign in first")
		}
		s.pass(w, r, p, err, next)
	}
}

// requireRoomAccess lets through agents of the room's account and the
// room's customer. The room id comes from the path. A request with
// ?as=customer is the customer's whatever other credentials it carries:
// the customer's page says so, since a browser in which an agent is signed
// in (trying the flow on one machine) sends both cookies.
func (s *Server) requireRoomAccess(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := roomIDFrom(r)
		var (
			p   principal
			ok  bool
			err error
		)
		if r.URL.Query().Get("as") != "customer" {
			p, ok, err = s.agent(r)
		}
		if err == nil && !ok {
			p, err = s.customer(r, id)
		}
		s.pass(w, r, p, err, next)
	}
}

func (s *Server) secureCookies() bool { return s.cfg.PublicURL.Scheme == "https" }

// setSignInCookie sets (or, with maxAge < 0, removes) the agent's sign-in
// cookie. It is Lax by default. When the console may be framed by other
// sites (FrameAncestors) and the hub is served over TLS, it is
// SameSite=None and Partitioned (CHIPS), or a CRM's frame could never sign
// in; cross-site requests are then refused by the Origin check of
// checkCSRF, which every cookie-authenticated change goes through.
func (s *Server) setSignInCookie(w http.ResponseWriter, value string, expires time.Time, maxAge int) {
	c := &http.Cookie{
		Name: signInCookie, Value: value, Path: "/", Expires: expires, MaxAge: maxAge,
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode,
	}
	if len(s.cfg.FrameAncestors) > 0 && s.secureCookies() {
		c.SameSite, c.Partitioned = http.SameSiteNoneMode, true
	}
	http.SetCookie(w, c)
}

// clientIP is the address rate limits count by: the connection's peer,
// or, when the peer is a trusted proxy (TrustedProxies), the last address
// of X-Forwarded-For that is not one: any client can set the header, so
// only what trusted proxies appended counts.
func (s *Server) clientIP(r *http.Request) string {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	addr := peer.Addr().Unmap()
	if !s.trusted(addr) {
		return addr.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed hop: trust nothing before it
		}
		hop = hop.Unmap()
		if !s.trusted(hop) {
			return hop.String()
		}
		addr = hop
	}
	return addr.String()
}

// trusted reports whether addr is one of the TrustedProxies.
func (s *Server) trusted(addr netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
