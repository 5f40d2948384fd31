package api

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/app"
)

// handleContacts serves GET /api/v1/contacts?q=…&limit=…: the address
// book, most recently used first, searched by name, phone or email.
func (s *Server) handleContacts(w http.ResponseWriter, r *http.Request) {
	limit := 0
	if l := r.URL.Query().Get("limit"); l != "" {
		var err error
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 {
			s.writeError(w, r, tandem.Errorf(tandem.KindInvalid, "limit must be a positive number"))
			return
		}
	}
	cs, err := s.app.Contacts(r.Context(), principalFrom(r.Context()).Caller, r.URL.Query().Get("q"), limit)
	s.answer(w, r, http.StatusOK, map[string]any{"contacts": cs}, err)
}

func (s *Server) handleContact(w http.ResponseWriter, r *http.Request) {
	c, err := s.app.Contact(r.Context(), principalFrom(r.Context()).Caller, mux.Vars(r)["id"])
	s.answer(w, r, http.StatusOK, c, err)
}

// handleUpdateContact serves PATCH /api/v1/contacts/{id}: name, phone and
// email, each optional; the result must still have a phone or an email.
func (s *Server) handleUpdateContact(w http.ResponseWriter, r *http.Request) {
	var req app.ContactPatch
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.app.UpdateContact(r.Context(), principalFrom(r.Context()).Caller, mux.Vars(r)["id"], req)
	s.answer(w, r, http.StatusOK, c, err)
}

// handleDeleteContact serves DELETE /api/v1/contacts/{id}: the contact
// leaves the address book and its personal data the records of its rooms.
func (s *Server) handleDeleteContact(w http.ResponseWriter, r *http.Request) {
	if err := s.app.DeleteContact(r.Context(), principalFrom(r.Context()).Caller, mux.Vars(r)["id"]); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
