package api

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/tandemhq/tandem"
)

// handleStatusCallback serves POST /api/v1/hooks/{provider}/status: a
// provider's word on a message it took. The provider's StatusCallback
// authenticates it; the room records the status if it moves the
// invitation forward, and every subscriber sees it at once.
func (s *Server) handleStatusCallback(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["provider"]
	cb := s.cfg.Callbacks[name]
	if cb == nil {
		s.writeError(w, r, tandem.Coded(tandem.KindNotFound, "not_found", "no status callbacks are configured for %q", name))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	rep, err := cb.ParseCallback(r, s.requestPublicURL(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep.Provider = name
	if err := s.app.ReportDelivery(r.Context(), rep); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// requestPublicURL is the URL a caller from outside used for r: the
// public URL's scheme, host and path prefix, with r's path and query. A
// provider signs this URL, whatever proxies stand in between.
func (s *Server) requestPublicURL(r *http.Request) string {
	u := *s.cfg.PublicURL
	u.Path = strings.TrimSuffix(u.Path, "/") + r.URL.Path
	u.RawPath = ""
	u.RawQuery = r.URL.RawQuery
	return u.String()
}
