package api

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/web"
)

// handleLink is the customer's entry: GET /r/{token}. A valid link gives
// the customer a room cookie for that room only and sends them to the room.
func (s *Server) handleLink(w http.ResponseWriter, r *http.Request) {
	var held string
	if c, err := r.Cookie(roomCookie); err == nil {
		held = c.Value
	}
	token, pass, err := s.app.OpenLink(r.Context(), mux.Vars(r)["token"], held)
	if err != nil {
		s.linkError(w, r, err)
		return
	}
	// The cookie is only as good as its pass: the server checks on every
	// request that it belongs to the room asked for.
	http.SetCookie(w, &http.Cookie{
		Name: roomCookie, Value: token, Path: "/", Expires: pass.ExpiresAt,
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode,
	})
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, map[string]any{"room": pass.Room, "expires_at": pass.ExpiresAt})
		return
	}
	http.Redirect(w, r, "/room/"+pass.Room, http.StatusSeeOther)
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// linkError shows a customer what went wrong with their link: a page for a
// browser, the error body for a program. Never a stack trace.
func (s *Server) linkError(w http.ResponseWriter, r *http.Request, err error) {
	if wantsJSON(r) {
		s.writeError(w, r, err)
		return
	}
	err = classify(err)
	kind := tandem.ErrorKind(err)
	if kind == tandem.KindInternal || kind == tandem.KindUnavailable {
		s.log.Error().Err(err).Msg("room link failed")
	}
	title := "This link does not work"
	hint := "You can reply to the message that brought you here to ask your agent for a new link."
	switch tandem.ErrorCode(err) {
	case app.CodeLinkExpired:
		title = "This link has expired"
	case app.CodeLinkRevoked:
		title = "This link was replaced"
	case app.CodeRoomClosed:
		// An ended session is not a broken link: nothing to ask for.
		title, hint = "This session has ended", "Thank you. You can close this page."
	}
	msg := tandem.ErrorMessage(err)
	if kind == tandem.KindInternal || kind == tandem.KindUnavailable {
		title, msg = "Something went wrong on our side", "Please try again in a minute. If it keeps happening, ask your agent to send a new link."
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(statusOf(kind))
	_ = web.LinkPage().Execute(w, struct{ Title, Message, Hint, Code string }{title, msg, hint, tandem.ErrorCode(err)})
}
