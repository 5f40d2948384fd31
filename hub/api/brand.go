package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/room"
)

// brandImagePattern is the path of a brand image: its content's SHA-256.
const brandImagePattern = "{sha:[0-9a-f]{64}}"

// handlePublicBrand serves GET /api/v1/brand, to anyone: the brand the
// sign-in page shows (app.PublicBrand).
func (s *Server) handlePublicBrand(w http.ResponseWriter, r *http.Request) {
	b, err := s.app.PublicBrand(r.Context())
	s.answer(w, r, http.StatusOK, b, err)
}

// handleAccountBrand serves GET /api/v1/account/brand: the caller's
// account's brand and the caller's photo, for the console.
func (s *Server) handleAccountBrand(w http.ResponseWriter, r *http.Request) {
	b, err := s.app.AccountBrand(r.Context(), principalFrom(r.Context()).Caller)
	s.answer(w, r, http.StatusOK, b, err)
}

// handlePatchAccount serves PATCH /api/v1/account {name}: an admin
// renames the account.
func (s *Server) handlePatchAccount(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := s.app.RenameAccount(r.Context(), principalFrom(r.Context()).Caller, req.Name)
	s.answer(w, r, http.StatusOK, b, err)
}

// handlePutLogo serves PUT /api/v1/account/logo: an admin sends the
// account's logo, as the raw body or a multipart part "file".
func (s *Server) handlePutLogo(w http.ResponseWriter, r *http.Request) {
	c := principalFrom(r.Context()).Caller
	if err := s.app.CheckLogoWriter(c); err != nil {
		s.writeError(w, r, err)
		return
	}
	data, err := readBrandImage(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := s.app.PutLogo(r.Context(), c, data)
	s.answer(w, r, http.StatusOK, b, err)
}

// handleDeleteLogo serves DELETE /api/v1/account/logo.
func (s *Server) handleDeleteLogo(w http.ResponseWriter, r *http.Request) {
	b, err := s.app.DeleteLogo(r.Context(), principalFrom(r.Context()).Caller)
	s.answer(w, r, http.StatusOK, b, err)
}

// handlePutPhoto serves PUT /api/v1/me/photo: an agent sends their own
// photo, which the customers of their rooms see.
func (s *Server) handlePutPhoto(w http.ResponseWriter, r *http.Request) {
	data, err := readBrandImage(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := s.app.PutPhoto(r.Context(), principalFrom(r.Context()).Caller, data)
	s.answer(w, r, http.StatusOK, b, err)
}

// handleDeletePhoto serves DELETE /api/v1/me/photo.
func (s *Server) handleDeletePhoto(w http.ResponseWriter, r *http.Request) {
	b, err := s.app.DeletePhoto(r.Context(), principalFrom(r.Context()).Caller)
	s.answer(w, r, http.StatusOK, b, err)
}

// readBrandImage reads a logo or photo of at most app.MaxBrandImageBytes:
// the multipart part "file" of a multipart/form-data body, or the raw
// body otherwise. What it is, the app judges by its bytes.
func readBrandImage(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	tooLarge := tandem.Errorf(tandem.KindTooLarge, "a logo or photo is at most %s", app.SizeWords(app.MaxBrandImageBytes))
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		u, err := readUpload(w, r, app.MaxBrandImageBytes, tooLarge, map[string]int{})
		if err != nil {
			return nil, err
		}
		defer u.close()
		if _, err := u.file.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		return io.ReadAll(u.file)
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, app.MaxBrandImageBytes))
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return nil, tooLarge
	}
	if err != nil {
		return nil, tandem.Errorf(tandem.KindInvalid, "the image could not be read: %v", err)
	}
	return data, nil
}

// handleBrandImage serves GET /brand/images/{sha256}, to anyone: a logo or
// an agent's photo, with the content type its bytes were judged to have.
// Its address is its content, so it never changes: caches keep it a day,
// and revalidate by its ETag.
func (s *Server) handleBrandImage(w http.ResponseWriter, r *http.Request) {
	sha := mux.Vars(r)["sha"]
	etag := `"` + sha + `"`
	img, rc, err := s.app.OpenBrandImage(r.Context(), sha)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", img.ContentType)
	data, err := io.ReadAll(io.LimitReader(rc, app.MaxBrandImageBytes+1))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// answerCustomerRoom writes the room st as its customer sees it
// (room.State.ForCustomer) with one field more, "brand": what the room
// shows around it (app.RoomBrand). A brand that cannot be read leaves the
// field out rather than the room unanswered.
func (s *Server) answerCustomerRoom(w http.ResponseWriter, r *http.Request, st room.State) {
	p := principalFrom(r.Context())
	view, err := json.Marshal(st.ForCustomer())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := s.app.RoomBrand(r.Context(), p.Caller, st)
	if err != nil {
		s.log.Warn().Err(err).Str("room", st.ID).Msg("the room's brand could not be read")
		writeJSON(w, http.StatusOK, json.RawMessage(view))
		return
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(view, &fields); err != nil {
		s.writeError(w, r, err)
		return
	}
	if fields["brand"], err = json.Marshal(b); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, fields)
}
