package api

import (
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/room"
)

// Document requests in a room: the agent asks for documents of the
// catalog's types and reviews what comes back; the customer uploads files
// and sends them.

// Path patterns of a request's and a file's ids.
const (
	requestIDPattern = "{req:rq_[a-z2-7]{24}}"
	fileIDPattern    = "{file:fl_[a-z2-7]{24}}"
)

// handleAddRequests serves POST /api/v1/rooms/{id}/requests.
func (s *Server) handleAddRequests(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Items []app.RequestItem `json:"items"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	rs, err := s.app.AddRequests(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), req.Items)
	s.answer(w, r, http.StatusCreated, map[string]any{"requests": rs}, err)
}

// handleUploadRequestFile serves POST …/requests/{req}/files: the
// customer's file, multipart part "file".
func (s *Server) handleUploadRequestFile(w http.ResponseWriter, r *http.Request) {
	if !s.customerWrite(w, r) {
		return
	}
	max := max(s.app.MaxPDFBytes(), s.app.MaxImageBytes())
	tooLarge := tandem.Errorf(tandem.KindTooLarge, "a photo is at most %s and a PDF %s", app.SizeWords(s.app.MaxImageBytes()), app.SizeWords(s.app.MaxPDFBytes()))
	up, err := readUpload(w, r, max, tooLarge, nil)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer up.close()
	rq, f, err := s.app.UploadRequestFile(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), mux.Vars(r)["req"], up.filename, up.file)
	s.answer(w, r, http.StatusCreated, map[string]any{"request": rq, "file": f}, err)
}

// handleRemoveRequestFile serves DELETE …/requests/{req}/files/{file}: the
// customer takes a file back before sending.
func (s *Server) handleRemoveRequestFile(w http.ResponseWriter, r *http.Request) {
	if !s.customerWrite(w, r) {
		return
	}
	rq, err := s.app.RemoveRequestFile(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), mux.Vars(r)["req"], mux.Vars(r)["file"])
	s.answer(w, r, http.StatusOK, map[string]any{"request": rq}, err)
}

// handleSubmitRequest serves POST …/requests/{req}/submit.
func (s *Server) handleSubmitRequest(w http.ResponseWriter, r *http.Request) {
	if !s.customerWrite(w, r) {
		return
	}
	rq, err := s.app.SubmitRequest(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), mux.Vars(r)["req"])
	s.answer(w, r, http.StatusOK, map[string]any{"request": rq}, err)
}

// handleReviewRequest serves POST …/requests/{req}/review.
func (s *Server) handleReviewRequest(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Decision string `json:"decision"`
		Reason   string `json:"reason"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	rq, err := s.app.ReviewRequest(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), mux.Vars(r)["req"], req.Decision, req.Reason)
	s.answer(w, r, http.StatusOK, map[string]any{"request": rq}, err)
}

// handleRequestFile serves GET …/requests/{req}/files/{file}: the file as
// uploaded, with the type its bytes were judged to be, shown inline
// (?download=1 saves it). It is the customer's content: the browser may
// not run anything in it nor guess another type.
func (s *Server) handleRequestFile(w http.ResponseWriter, r *http.Request) {
	f, rc, err := s.app.RequestFile(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), mux.Vars(r)["req"], mux.Vars(r)["file"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer rc.Close()
	disposition := "inline"
	if r.URL.Query().Get("download") == "1" {
		disposition = "attachment"
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'")
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": downloadName(f)}))
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, rc); err != nil {
		s.log.Warn().Err(err).Str("room", roomIDFrom(r)).Msg("sending a request's file failed")
	}
}

// downloadName is the name a file is saved as: its own, which the room
// cleaned when it was uploaded.
func downloadName(f room.RequestFile) string {
	if f.Name == "" {
		return "upload"
	}
	return f.Name
}
