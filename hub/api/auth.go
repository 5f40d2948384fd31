package api

import (
	"net/http"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/store"
)

type userJSON struct {
	ID      string      `json:"id"`
	Account string      `json:"account"`
	Email   string      `json:"email"`
	Name    string      `json:"name"`
	Role    tandem.Role `json:"role"`
}

func toUserJSON(u tandem.User) userJSON {
	return userJSON{ID: u.ID, Account: u.Account, Email: u.Email, Name: u.Name, Role: u.Role}
}

// errRateLimited is the answer past a limit of attempts.
func errRateLimited(what string) error {
	return tandem.Coded(tandem.KindRateLimited, "rate_limited", "too many %s; wait a minute and try again", what)
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if !s.sameOrigin(r) {
		s.writeError(w, r, tandem.Coded(tandem.KindForbidden, codeCSRF, "this request did not come from Tandem's own pages"))
		return
	}
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.attempt(r, "login", app.NormalizeLogin(req.Email)) {
		s.writeError(w, r, errRateLimited("sign-in attempts"))
		return
	}
	token, in, u, err := s.app.SignIn(r.Context(), req.Email, req.Password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.signedIn(w, token, in, u)
}

// signedIn answers a sign-in (a password, an accepted invitation): the
// session's cookie, and its token for a program.
func (s *Server) signedIn(w http.ResponseWriter, token string, in store.SignIn, u tandem.User) {
	s.setSignInCookie(w, token, in.ExpiresAt, 0)
	writeJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(u), "token": token, "expires_at": in.ExpiresAt})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	if err := s.app.SignOut(r.Context(), p.Caller); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.setSignInCookie(w, "", time.Time{}, -1)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	a, err := s.app.Account(r.Context(), p.Caller)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(*p.User), "account": a})
}

// handleWhoami answers GET /api/v1/whoami: who is signed in, as /me
// does, or {"signed_in": false} with 200 rather than 401. A page that
// opens before anyone signs in (the console) asks it, so that nobody's
// first visit logs a failed request.
func (s *Server) handleWhoami(w http.ResponseWriter, r *http.Request) {
	p, ok, err := s.agent(r)
	if !ok || tandem.ErrorKind(err) == tandem.KindUnauthorized {
		writeJSON(w, http.StatusOK, map[string]any{"signed_in": false})
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.app.Account(r.Context(), p.Caller)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"signed_in": true, "user": toUserJSON(*p.User), "account": a})
}

func (s *Server) handleForgot(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email string `json:"email"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.attempt(r, "forgot", app.NormalizeLogin(req.Email)) {
		s.writeError(w, r, errRateLimited("requests"))
		return
	}
	// The answer comes before the work, and is the same whatever the
	// email: it must not tell whether the email has an account.
	s.app.ForgotPassword(req.Email)
	writeJSON(w, http.StatusAccepted, struct{}{})
}

func (s *Server) handleReset(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.attempt(r, "reset", "") {
		s.writeError(w, r, errRateLimited("attempts"))
		return
	}
	if err := s.app.ResetPassword(r.Context(), req.Token, req.Password); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
