package api

import (
	"net/http"

	"github.com/tandemhq/tandem"
)

// handleSettings serves GET /api/v1/account/settings: any agent of the
// account may read them.
func (s *Server) handleSettings(w http.ResponseWriter, r *http.Request) {
	set, err := s.app.Settings(r.Context(), principalFrom(r.Context()).Caller)
	s.answer(w, r, http.StatusOK, set, err)
}

// handlePutSettings serves PUT /api/v1/account/settings: an admin replaces
// the account's settings.
func (s *Server) handlePutSettings(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	if !p.Admin() {
		s.writeError(w, r, tandem.Errorf(tandem.KindForbidden, "only an admin of the account may change its settings"))
		return
	}
	var set tandem.AccountSettings
	if err := decode(w, r, &set); err != nil {
		s.writeError(w, r, err)
		return
	}
	set, err := s.app.PutSettings(r.Context(), p.Caller, set)
	s.answer(w, r, http.StatusOK, set, err)
}
