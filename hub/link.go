package hub

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// handleLink is the customer's entry: GET /r/{token}. A valid link gives
// the customer a room cookie for that room only and sends them to the room.
func (h *Hub) handleLink(w http.ResponseWriter, r *http.Request) {
	token := mux.Vars(r)["token"]
	l, err := h.checkLink(r, token)
	if err != nil {
		h.linkError(w, r, err)
		return
	}
	cookieToken, hash := newToken()
	now := h.now()
	s := store.RoomSession{TokenHash: hash, Account: l.Account, Room: l.Room, Link: l.ID, CreatedAt: now, ExpiresAt: l.ExpiresAt}
	if err := h.store.CreateRoomSession(r.Context(), s); err != nil {
		h.linkError(w, r, err)
		return
	}
	// The cookie is only as good as its session: the server checks on every
	// request that it belongs to the room asked for.
	http.SetCookie(w, &http.Cookie{
		Name: roomCookie, Value: cookieToken, Path: "/", Expires: s.ExpiresAt,
		HttpOnly: true, Secure: h.secureCookies(), SameSite: http.SameSiteLaxMode,
	})
	h.log.Info().Str("room", l.Room).Str("link", l.ID).Msg("customer opened link")
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, map[string]any{"room": l.Room, "expires_at": l.ExpiresAt})
		return
	}
	http.Redirect(w, r, "/room/"+l.Room, http.StatusSeeOther)
}

func (h *Hub) checkLink(r *http.Request, token string) (store.Link, error) {
	notFound := room.Coded(room.KindNotFound, "link_not_found", "This link is not valid. Check that you opened the whole link, or ask your agent to send a new one.")
	if !plausibleToken(token) {
		return store.Link{}, notFound
	}
	l, err := h.store.LinkByToken(r.Context(), hashToken(token))
	switch {
	case room.IsKind(err, room.KindNotFound):
		return l, notFound
	case err != nil:
		return l, err
	case l.RevokedAt != nil:
		return l, room.Coded(room.KindGone, "link_revoked", "This link was replaced by a newer one. Use the latest message you received, or ask your agent to send a new link.")
	case !h.now().Before(l.ExpiresAt):
		return l, room.Coded(room.KindGone, "link_expired", "This link has expired. Ask your agent to send you a new one.")
	}
	return l, nil
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// linkError shows a customer what went wrong with their link: a page for a
// browser, the error body for a program. Never a stack trace.
func (h *Hub) linkError(w http.ResponseWriter, r *http.Request, err error) {
	if wantsJSON(r) {
		h.writeError(w, r, err)
		return
	}
	kind := room.ErrorKind(err)
	if kind == room.KindInternal || kind == room.KindUnavailable {
		h.log.Error().Err(err).Msg("room link failed")
	}
	title := "This link does not work"
	switch room.ErrorCode(err) {
	case "link_expired":
		title = "This link has expired"
	case "link_revoked":
		title = "This link was replaced"
	}
	msg := room.ErrorMessage(err)
	if kind == room.KindInternal || kind == room.KindUnavailable {
		title, msg = "Something went wrong on our side", "Please try again in a minute. If it keeps happening, ask your agent to send a new link."
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(statusOf(kind))
	_ = pageTmpl.Execute(w, page{Title: title, Message: msg, Code: room.ErrorCode(err)})
}

type page struct {
	Title, Message, Code string
}

// pageTmpl is the plain page customers see when their link cannot open a
// room. It has no script and inline style only through the stylesheet.
var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Tandem</title>
<link rel="stylesheet" href="/static/page.css">
</head>
<body>
<main class="notice" data-code="{{.Code}}">
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
<p class="hint">You can reply to the message that brought you here to ask your agent for a new link.</p>
</main>
</body>
</html>
`))
