package api

import (
	"net/http"
)

// LinksPerMinute bounds the links an account's agents may make for one
// room by hand (Resend link, Copy link), per instance: each is a message
// sent, or a live link handed out.
const LinksPerMinute = 6

// newLinkAllowed reports whether the caller may make another link for the
// room now; it answers 429 if not.
func (s *Server) newLinkAllowed(w http.ResponseWriter, r *http.Request) bool {
	p := principalFrom(r.Context())
	if !s.limiter.allow(limit{key: "room-links:" + p.Caller.Account() + "|" + roomIDFrom(r), n: LinksPerMinute}) {
		s.writeError(w, r, errRateLimited("new links for this session"))
		return false
	}
	return true
}

// handleResend serves POST /api/v1/rooms/{id}/resend: the link goes out
// again, on a new link, to the contact in use.
func (s *Server) handleResend(w http.ResponseWriter, r *http.Request) {
	if !s.newLinkAllowed(w, r) {
		return
	}
	st, err := s.app.ResendLink(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r))
	s.answer(w, r, http.StatusOK, st, err)
}

// handleCopyLink serves POST /api/v1/rooms/{id}/link: a new link, whose
// address the agent passes on themselves; nothing is sent.
func (s *Server) handleCopyLink(w http.ResponseWriter, r *http.Request) {
	if !s.newLinkAllowed(w, r) {
		return
	}
	st, url, err := s.app.CopyLink(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"url": url, "expires_at": st.Invite.ExpiresAt, "room": st})
}
