package hub

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Cookie names.
const (
	sessionCookie = "tandem_session"
	roomCookie    = "tandem_room"
)

// Password rules: at least 8 characters, as people expect today, and at
// most 72 bytes, bcrypt's limit (longer input would be silently cut).
const (
	minPassword = 8
	maxPassword = 72
)

// principal is who makes a request: an agent (user set) or a customer of
// one room (customer set).
type principal struct {
	user      *store.User
	session   *store.AuthSession
	customer  *store.RoomSession
	viaCookie bool
}

func (p principal) account() string {
	if p.user != nil {
		return p.user.Account
	}
	return p.customer.Account
}

func (p principal) actor() room.Actor {
	if p.user != nil {
		return room.Actor{Kind: room.ActorAgent, ID: p.user.ID, Name: p.user.Name}
	}
	return room.Actor{Kind: room.ActorCustomer}
}

// team is the agent's team, if any.
func (p principal) team() string {
	if p.user != nil {
		return p.user.Team
	}
	return ""
}

type principalKey struct{}

func principalFrom(ctx context.Context) principal {
	p, _ := ctx.Value(principalKey{}).(principal)
	return p
}

// agentSession finds the agent session of a request: a bearer token first,
// then the session cookie. ok is false if the request carries neither.
func (h *Hub) agentSession(r *http.Request) (p principal, ok bool, err error) {
	var token string
	if a := r.Header.Get("Authorization"); a != "" {
		scheme, t, found := strings.Cut(a, " ")
		if !found || !strings.EqualFold(scheme, "Bearer") {
			return p, true, room.Errorf(room.KindUnauthorized, "the Authorization header must be \"Bearer <token>\"")
		}
		token = strings.TrimSpace(t)
	} else if c, cerr := r.Cookie(sessionCookie); cerr == nil {
		token, p.viaCookie = c.Value, true
	} else {
		return p, false, nil
	}
	unauthorized := room.Errorf(room.KindUnauthorized, "your session has expired or was signed out; sign in again")
	if !plausibleToken(token) {
		return p, true, unauthorized
	}
	s, err := h.store.AuthSession(r.Context(), hashToken(token), h.now())
	if room.IsKind(err, room.KindNotFound) {
		return p, true, unauthorized
	} else if err != nil {
		return p, true, err
	}
	u, err := h.store.User(r.Context(), s.Account, s.User)
	if room.IsKind(err, room.KindNotFound) {
		return p, true, unauthorized
	} else if err != nil {
		return p, true, err
	}
	p.user, p.session = &u, &s
	return p, true, nil
}

// customerSession finds the room session of a request's room cookie and
// checks that it is for roomID and that its link has not been revoked.
func (h *Hub) customerSession(r *http.Request, roomID string) (principal, error) {
	var p principal
	unauthorized := room.Errorf(room.KindUnauthorized, "sign in, or open the link you were sent")
	c, err := r.Cookie(roomCookie)
	if err != nil || !plausibleToken(c.Value) {
		return p, unauthorized
	}
	s, err := h.store.RoomSession(r.Context(), hashToken(c.Value), h.now())
	if room.IsKind(err, room.KindNotFound) {
		return p, room.Errorf(room.KindUnauthorized, "your access to this room has expired; open the link again or ask your agent for a new one")
	} else if err != nil {
		return p, err
	}
	if s.Room != roomID {
		// Another room's cookie: say nothing about this room.
		return p, room.Coded(room.KindNotFound, "room_not_found", "room not found")
	}
	l, err := h.store.Link(r.Context(), s.Account, s.Link)
	if err != nil {
		return p, err
	}
	if l.RevokedAt != nil {
		return p, room.Coded(room.KindUnauthorized, "link_revoked", "this link was replaced by a newer one; use the latest link you were sent")
	}
	p.customer, p.viaCookie = &s, true
	return p, nil
}

// requireAgent lets only signed-in agents through.
func (h *Hub) requireAgent(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok, err := h.agentSession(r)
		if err == nil && !ok {
			err = room.Errorf(room.KindUnauthorized, "sign in first")
		}
		if err == nil {
			err = h.checkCSRF(r, p)
		}
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

// requireRoomAccess lets through agents of the room's account and the
// room's customer. The room id comes from the path. A request with
// ?as=customer is the customer's whatever other credentials it carries:
// the customer's page says so, since a browser in which an agent is signed
// in (trying the flow on one machine) sends both cookies.
func (h *Hub) requireRoomAccess(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := roomIDFrom(r)
		var (
			p   principal
			ok  bool
			err error
		)
		if r.URL.Query().Get("as") != "customer" {
			p, ok, err = h.agentSession(r)
		}
		if err == nil && !ok {
			p, err = h.customerSession(r, id)
		}
		if err == nil {
			err = h.checkCSRF(r, p)
		}
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

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
func (h *Hub) checkCSRF(r *http.Request, p principal) error {
	if !p.viaCookie {
		return nil
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return room.Coded(room.KindForbidden, "csrf", "this request did not come from Tandem's own pages")
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if h.sameOrigin(r) {
		return nil
	}
	return room.Coded(room.KindForbidden, "csrf", "this request did not come from Tandem's own pages")
}

// sameOrigin reports whether the request comes from the hub's public
// origin by its Origin, its Sec-Fetch-Site, or its Referer, in that order.
// A request with none of them (not from a browser) passes.
func (h *Hub) sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" {
		return strings.EqualFold(o, h.origin)
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
		return err == nil && strings.EqualFold(u.Scheme+"://"+u.Host, h.origin)
	}
	return true
}

func (h *Hub) secureCookies() bool { return h.cfg.PublicURL.Scheme == "https" }

// setSessionCookie sets (or, with maxAge < 0, removes) the agent's session
// cookie. It is Lax by default. When the console may be framed by other
// sites (FrameAncestors) and the hub is served over TLS, it is
// SameSite=None and Partitioned (CHIPS), or a CRM's frame could never sign
// in; cross-site requests are then refused by the Origin check of
// checkCSRF, which every cookie-authenticated change goes through.
func (h *Hub) setSessionCookie(w http.ResponseWriter, value string, expires time.Time, maxAge int) {
	c := &http.Cookie{
		Name: sessionCookie, Value: value, Path: "/", Expires: expires, MaxAge: maxAge,
		HttpOnly: true, Secure: h.secureCookies(), SameSite: http.SameSiteLaxMode,
	}
	if len(h.cfg.FrameAncestors) > 0 && h.secureCookies() {
		c.SameSite, c.Partitioned = http.SameSiteNoneMode, true
	}
	http.SetCookie(w, c)
}

// clientIP is the address rate limits count by. Behind a proxy it is the
// proxy's unless the proxy is trusted; forwarded headers are not trusted
// here because any client can set them.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type userJSON struct {
	ID      string     `json:"id"`
	Account string     `json:"account"`
	Email   string     `json:"email"`
	Name    string     `json:"name"`
	Role    store.Role `json:"role"`
}

func toUserJSON(u store.User) userJSON {
	return userJSON{ID: u.ID, Account: u.Account, Email: u.Email, Name: u.Name, Role: u.Role}
}

// dummyHash makes a login for an unknown email cost as much as one with a
// wrong password, so timing does not tell which emails have accounts.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("tandem-no-such-user"), bcrypt.DefaultCost)

func (h *Hub) handleLogin(w http.ResponseWriter, r *http.Request) {
	if !h.sameOrigin(r) {
		h.writeError(w, r, room.Coded(room.KindForbidden, "csrf", "this request did not come from Tandem's own pages"))
		return
	}
	var req loginRequest
	if err := decode(w, r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if !h.limiter.allow("login-ip:"+clientIP(r), "login-email:"+email) {
		h.writeError(w, r, room.Coded(room.KindRateLimited, "rate_limited", "too many sign-in attempts; wait a minute and try again"))
		return
	}
	bad := room.Coded(room.KindUnauthorized, "invalid_credentials", "Email or password is incorrect.")
	if email == "" || req.Password == "" || len(req.Password) > maxPassword {
		h.writeError(w, r, bad)
		return
	}
	u, err := h.store.UserByEmail(r.Context(), email)
	if room.IsKind(err, room.KindNotFound) {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(req.Password))
		h.writeError(w, r, bad)
		return
	} else if err != nil {
		h.writeError(w, r, err)
		return
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(req.Password)) != nil {
		h.writeError(w, r, bad)
		return
	}
	token, hash := newToken()
	now := h.now()
	s := store.AuthSession{TokenHash: hash, Account: u.Account, User: u.ID, CreatedAt: now, ExpiresAt: now.Add(h.cfg.SessionTTL)}
	if err := h.store.CreateAuthSession(r.Context(), s); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.setSessionCookie(w, token, s.ExpiresAt, 0)
	h.log.Info().Str("user", u.ID).Str("account", u.Account).Msg("agent signed in")
	writeJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(u), "token": token, "expires_at": s.ExpiresAt})
}

func (h *Hub) handleLogout(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	if err := h.store.DeleteAuthSession(r.Context(), p.session.TokenHash); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.setSessionCookie(w, "", time.Time{}, -1)
	w.WriteHeader(http.StatusNoContent)
}

func (h *Hub) handleMe(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	a, err := h.store.Account(r.Context(), p.user.Account)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(*p.user), "account": a})
}

func (h *Hub) handleForgot(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email string `json:"email"`
	}
	if err := decode(w, r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if !h.limiter.allow("forgot-ip:"+clientIP(r), "forgot-email:"+email) {
		h.writeError(w, r, room.Coded(room.KindRateLimited, "rate_limited", "too many requests; wait a minute and try again"))
		return
	}
	// Whatever happens next, the answer is the same: it must not tell
	// whether the email has an account.
	if err := h.sendReset(r.Context(), email); err != nil {
		h.log.Error().Err(err).Msg("password reset not sent")
	}
	writeJSON(w, http.StatusAccepted, struct{}{})
}

func (h *Hub) sendReset(ctx context.Context, email string) error {
	if email == "" {
		return nil
	}
	u, err := h.store.UserByEmail(ctx, email)
	if room.IsKind(err, room.KindNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	token, hash := newToken()
	now := h.now()
	if err := h.store.CreatePasswordReset(ctx, store.PasswordReset{
		TokenHash: hash, Account: u.Account, User: u.ID, CreatedAt: now, ExpiresAt: now.Add(h.cfg.ResetTTL),
	}); err != nil {
		return err
	}
	link := h.publicURL("/password/reset", url.Values{"token": {token}})
	m := store.Message{
		ID: room.NewID("msg"), Account: u.Account, Channel: room.ChannelEmail, To: u.Email,
		Subject: "Reset your Tandem password",
		Body: "Hello " + u.Name + ",\n\nSomeone asked to reset the password of your Tandem account. " +
			"If it was you, open this link within " + humanDuration(h.cfg.ResetTTL) + " to choose a new password:\n\n" + link +
			"\n\nIf it was not you, ignore this email: your password stays as it is.\n",
		Link: link, CreatedAt: now, Status: store.MessagePending,
	}
	if err := h.store.EnqueueMessage(ctx, m); err != nil {
		return err
	}
	h.dispatcherKick()
	return nil
}

func (h *Hub) handleReset(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	if !h.limiter.allow("reset-ip:" + clientIP(r)) {
		h.writeError(w, r, room.Coded(room.KindRateLimited, "rate_limited", "too many attempts; wait a minute and try again"))
		return
	}
	hash, err := h.hashPassword(req.Password)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if !plausibleToken(req.Token) {
		h.writeError(w, r, room.Coded(room.KindNotFound, "reset_not_found", "this password reset link is not valid; ask for a new one"))
		return
	}
	reset, err := h.store.UsePasswordReset(r.Context(), hashToken(req.Token), h.now())
	switch {
	case room.IsKind(err, room.KindNotFound):
		err = room.Coded(room.KindNotFound, "reset_not_found", "this password reset link is not valid; ask for a new one")
	case room.IsKind(err, room.KindGone):
		err = room.Coded(room.KindGone, "reset_expired", "this password reset link has expired or was already used; ask for a new one")
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.store.SetPasswordHash(r.Context(), reset.Account, reset.User, hash); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.store.DeleteUserSessions(r.Context(), reset.Account, reset.User); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.log.Info().Str("user", reset.User).Msg("password reset")
	w.WriteHeader(http.StatusNoContent)
}

// hashPassword checks the password rules and hashes it.
func (h *Hub) hashPassword(pw string) (string, error) {
	if err := CheckPassword(pw); err != nil {
		return "", err
	}
	b, err := bcrypt.GenerateFromPassword([]byte(pw), h.cfg.BcryptCost)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// CheckPassword applies the password rules: 8 characters at least, 72 bytes
// at most.
func CheckPassword(pw string) error {
	if len([]rune(pw)) < minPassword {
		return room.Coded(room.KindInvalid, "password_too_short", "the password must have at least %d characters", minPassword)
	}
	if len(pw) > maxPassword {
		return room.Coded(room.KindInvalid, "password_too_long", "the password must be at most %d bytes", maxPassword)
	}
	return nil
}

func (h *Hub) publicURL(path string, q url.Values) string {
	u := *h.cfg.PublicURL
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = q.Encode()
	return u.String()
}

func humanDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		n := int(d / (24 * time.Hour))
		if n == 1 {
			return "1 day"
		}
		return strconv.Itoa(n) + " days"
	case d%time.Hour == 0:
		n := int(d / time.Hour)
		if n == 1 {
			return "1 hour"
		}
		return strconv.Itoa(n) + " hours"
	default:
		return d.String()
	}
}
