package api

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// maxUploadText bounds the name and folder parts of an upload.
const maxUploadText = 4 << 10

// assetView is an asset as one asset is answered: always with its fields.
type assetView struct {
	store.Asset
	Fields []room.Field `json:"fields"`
}

func viewAsset(a store.Asset) assetView {
	v := assetView{Asset: a, Fields: a.Fields}
	if v.Fields == nil {
		v.Fields = []room.Field{}
	}
	return v
}

// handleUploadAsset serves POST /api/v1/assets: a multipart form with the
// PDF (file), its name and its folder. The file goes to a temporary file
// while it is read, never wholly to memory; the body is cut at the
// largest PDF plus a margin for the rest.
func (s *Server) handleUploadAsset(w http.ResponseWriter, r *http.Request) {
	caller := principalFrom(r.Context()).Caller
	if err := s.app.CheckAssetWriter(caller); err != nil {
		s.writeError(w, r, err)
		return
	}
	max := s.app.MaxPDFBytes()
	tooLarge := tandem.Errorf(tandem.KindTooLarge, "a PDF is at most %d bytes", max)
	up, err := readUpload(w, r, max, tooLarge, map[string]int{"name": maxUploadText, "folder": maxUploadText})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer up.close()
	n := app.NewAsset{Name: up.text["name"], Folder: up.text["folder"]}
	if strings.TrimSpace(n.Name) == "" {
		n.Name = up.base()
	}
	a, err := s.app.UploadAsset(r.Context(), caller, n, up.file)
	s.answer(w, r, http.StatusCreated, map[string]any{"asset": viewAsset(a)}, err)
}

// handleAssets serves GET /api/v1/assets?q=…&folder=…: the library by
// name, and its folders.
func (s *Server) handleAssets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	as, folders, err := s.app.Assets(r.Context(), principalFrom(r.Context()).Caller, q.Get("q"), q.Get("folder"))
	if as == nil {
		as = []store.Asset{}
	}
	s.answer(w, r, http.StatusOK, map[string]any{"assets": as, "folders": folders}, err)
}

func (s *Server) handleAsset(w http.ResponseWriter, r *http.Request) {
	a, err := s.app.Asset(r.Context(), principalFrom(r.Context()).Caller, mux.Vars(r)["id"])
	s.answer(w, r, http.StatusOK, map[string]any{"asset": viewAsset(a)}, err)
}

// handleAssetFields serves PUT /api/v1/assets/{id}/fields: the asset's
// fields, all of them.
func (s *Server) handleAssetFields(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Fields []room.Field `json:"fields"`
	}
	if err := decodeUpTo(w, r, &req, maxFieldsBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.app.SetAssetFields(r.Context(), principalFrom(r.Context()).Caller, mux.Vars(r)["id"], req.Fields)
	s.answer(w, r, http.StatusOK, map[string]any{"asset": viewAsset(a)}, err)
}

// maxFieldsBody bounds a PUT of fields: room.MaxFields fields with long
// labels and options.
const maxFieldsBody = 1 << 20

// handleUpdateAsset serves PATCH /api/v1/assets/{id}: rename, move.
func (s *Server) handleUpdateAsset(w http.ResponseWriter, r *http.Request) {
	var req app.AssetPatch
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.app.UpdateAsset(r.Context(), principalFrom(r.Context()).Caller, mux.Vars(r)["id"], req)
	s.answer(w, r, http.StatusOK, map[string]any{"asset": viewAsset(a)}, err)
}

func (s *Server) handleDeleteAsset(w http.ResponseWriter, r *http.Request) {
	if err := s.app.DeleteAsset(r.Context(), principalFrom(r.Context()).Caller, mux.Vars(r)["id"]); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleAssetFile serves GET /api/v1/assets/{id}/file: the PDF, as an
// attachment named after the asset.
func (s *Server) handleAssetFile(w http.ResponseWriter, r *http.Request) {
	a, f, err := s.app.AssetFile(r.Context(), principalFrom(r.Context()).Caller, mux.Vars(r)["id"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name + ".pdf"}))
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, f); err != nil {
		s.log.Warn().Err(err).Str("asset", a.ID).Msg("sending an asset's file failed")
	}
}
