package api

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/store"
)

// documentTypeView is a document type as the API answers it.
type documentTypeView struct {
	ID          string `json:"id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Category    string `json:"category"`
	Description string `json:"description"`
	Retired     bool   `json:"retired"`
}

func viewDocumentType(t store.DocumentType) documentTypeView {
	return documentTypeView{ID: t.ID, Code: t.Code, Name: t.Name, Category: t.Category, Description: t.Description, Retired: t.Retired}
}

// handleDocumentTypes serves GET /api/v1/document-types?q=…&include_retired=1:
// the account's catalog by category then name.
func (s *Server) handleDocumentTypes(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	all := false
	if v := q.Get("include_retired"); v != "" {
		var err error
		if all, err = strconv.ParseBool(v); err != nil {
			s.writeError(w, r, tandem.Errorf(tandem.KindInvalid, "include_retired is 1 or 0"))
			return
		}
	}
	ts, err := s.app.DocumentTypes(r.Context(), principalFrom(r.Context()).Caller, q.Get("q"), all)
	views := make([]documentTypeView, len(ts))
	for i, t := range ts {
		views[i] = viewDocumentType(t)
	}
	s.answer(w, r, http.StatusOK, map[string]any{"document_types": views}, err)
}

// handleCreateDocumentType serves POST /api/v1/document-types.
func (s *Server) handleCreateDocumentType(w http.ResponseWriter, r *http.Request) {
	var req app.NewDocumentType
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.app.CreateDocumentType(r.Context(), principalFrom(r.Context()).Caller, req)
	s.answer(w, r, http.StatusCreated, map[string]any{"document_type": viewDocumentType(t)}, err)
}

// handleUpdateDocumentType serves PATCH /api/v1/document-types/{id}:
// rename, recategorise, describe, retire or restore.
func (s *Server) handleUpdateDocumentType(w http.ResponseWriter, r *http.Request) {
	var req app.DocumentTypePatch
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.app.UpdateDocumentType(r.Context(), principalFrom(r.Context()).Caller, mux.Vars(r)["id"], req)
	s.answer(w, r, http.StatusOK, map[string]any{"document_type": viewDocumentType(t)}, err)
}
