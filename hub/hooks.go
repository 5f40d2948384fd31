package hub

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/tandemhq/tandem/room"
)

// handleStatusCallback serves POST /api/v1/hooks/{provider}/status: a
// provider's word on a message it took. The provider's StatusCallback
// authenticates it; the room records the status if it moves the
// invitation forward, and every subscriber sees it at once.
func (h *Hub) handleStatusCallback(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["provider"]
	cb := h.cfg.Callbacks[name]
	if cb == nil {
		h.writeError(w, r, room.Coded(room.KindNotFound, "not_found", "no status callbacks are configured for %q", name))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	rep, err := cb.ParseCallback(r, h.requestPublicURL(r))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	rep.Provider = name
	if err := h.ReportDelivery(r.Context(), rep); err != nil {
		h.writeError(w, r, classify(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// requestPublicURL is the URL a caller from outside used for r: the
// public URL's scheme, host and path prefix, with r's path and query. A
// provider signs this URL, whatever proxies stand in between.
func (h *Hub) requestPublicURL(r *http.Request) string {
	u := *h.cfg.PublicURL
	u.Path = strings.TrimSuffix(u.Path, "/") + r.URL.Path
	u.RawPath = ""
	u.RawQuery = r.URL.RawQuery
	return u.String()
}
