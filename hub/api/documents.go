package api

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/room"
)

// Documents in a room: the agent puts them in; the customer opens, fills,
// signs, finishes or declines them; both read them back.

// maxValueBody bounds a PUT of one field's value: a signature of
// room.MaxSignatureBytes, as a JSON string.
const maxValueBody = room.MaxSignatureBytes + 4<<10

// handleAddDocument serves POST /api/v1/rooms/{id}/documents: JSON names
// an asset of the library and the agent's values; multipart attaches a
// file (with optional name, fields and values as JSON).
func (s *Server) handleAddDocument(w http.ResponseWriter, r *http.Request) {
	caller := principalFrom(r.Context()).Caller
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		s.attachDocument(w, r, caller)
		return
	}
	var req struct {
		AssetID string            `json:"asset_id"`
		Values  map[string]string `json:"values"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.app.AddDocument(r.Context(), caller, roomIDFrom(r), req.AssetID, req.Values)
	s.answer(w, r, http.StatusCreated, map[string]any{"document": d}, err)
}

// attachDocument is POST /api/v1/rooms/{id}/documents with a file.
func (s *Server) attachDocument(w http.ResponseWriter, r *http.Request, caller app.Caller) {
	max := max(s.app.MaxPDFBytes(), s.app.MaxImageBytes())
	tooLarge := tandem.Errorf(tandem.KindTooLarge, "a PDF is at most %s and an image %s", app.SizeWords(s.app.MaxPDFBytes()), app.SizeWords(s.app.MaxImageBytes()))
	up, err := readUpload(w, r, max, tooLarge, map[string]int{"name": maxUploadText, "fields": maxFieldsBody, "values": maxFieldsBody})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer up.close()
	att := app.Attachment{Name: up.text["name"], Filename: up.filename}
	for part, into := range map[string]any{"fields": &att.Fields, "values": &att.Values} {
		if v := strings.TrimSpace(up.text[part]); v != "" {
			if err := strictJSON(v, into); err != nil {
				s.writeError(w, r, tandem.Errorf(tandem.KindInvalid, "%s must be JSON: %v", part, err))
				return
			}
		}
	}
	d, err := s.app.AttachDocument(r.Context(), caller, roomIDFrom(r), att, up.file)
	s.answer(w, r, http.StatusCreated, map[string]any{"document": d}, err)
}

// strictJSON decodes v into into, refusing unknown fields and trailing
// data, like a JSON body.
func strictJSON(v string, into any) error {
	dec := json.NewDecoder(strings.NewReader(v))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return err
	}
	if dec.More() {
		return io.ErrUnexpectedEOF
	}
	return nil
}

func documentIDFrom(r *http.Request) string { return mux.Vars(r)["doc"] }

// handleDocument serves GET /api/v1/rooms/{id}/documents/{doc}: the
// document with its current values.
func (s *Server) handleDocument(w http.ResponseWriter, r *http.Request) {
	d, err := s.app.Document(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), documentIDFrom(r))
	if d.Values == nil {
		d.Values = map[string]string{}
	}
	s.answer(w, r, http.StatusOK, map[string]any{"document": d}, err)
}

// handleDocumentFile serves GET …/documents/{doc}/file: the original.
func (s *Server) handleDocumentFile(w http.ResponseWriter, r *http.Request) {
	d, f, err := s.app.DocumentFile(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), documentIDFrom(r))
	s.sendPDF(w, r, d.Name, f, err)
}

// handleCompletedFile serves GET …/documents/{doc}/completed: the
// completed PDF, 409 not_completed before.
func (s *Server) handleCompletedFile(w http.ResponseWriter, r *http.Request) {
	d, f, err := s.app.CompletedFile(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), documentIDFrom(r))
	s.sendPDF(w, r, d.Name+" (completed)", f, err)
}

// handlePreview serves GET …/documents/{doc}/preview: the PDF with the
// values filled so far, for agents (drawing a PDF costs CPU: the customer,
// who sees their values on the page, does not need it).
func (s *Server) handlePreview(w http.ResponseWriter, r *http.Request) {
	d, pdf, err := s.app.Preview(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), documentIDFrom(r))
	s.sendPDF(w, r, d.Name+" (preview)", io.NopCloser(bytes.NewReader(pdf)), err)
}

// sendPDF answers with the PDF f, shown inline and named name.pdf if
// saved; or with err.
func (s *Server) sendPDF(w http.ResponseWriter, r *http.Request, name string, f io.ReadCloser, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name + ".pdf"}))
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, f); err != nil {
		s.log.Warn().Err(err).Str("room", roomIDFrom(r)).Msg("sending a document's PDF failed")
	}
}

// customerWrite reports whether the request may write to the room: a
// customer has Config.CustomerWritesPerMinute a room. It answers 429 if
// not.
func (s *Server) customerWrite(w http.ResponseWriter, r *http.Request) bool {
	p := principalFrom(r.Context())
	if p.Pass != nil && !s.limiter.allow(limit{key: "customer-writes:" + p.Pass.Room, n: s.cfg.CustomerWritesPerMinute}) {
		s.writeError(w, r, errRateLimited("changes from this room"))
		return false
	}
	return true
}

// handleFillField serves PUT …/documents/{doc}/fields/{field}: the
// customer's value, a JSON string, number or boolean.
func (s *Server) handleFillField(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Value json.RawMessage `json:"value"`
	}
	if err := decodeUpTo(w, r, &req, maxValueBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	value, err := fieldValue(req.Value)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.customerWrite(w, r) {
		return
	}
	d, err := s.app.FillField(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), documentIDFrom(r), mux.Vars(r)["field"], value)
	s.answer(w, r, http.StatusOK, map[string]any{"document": d}, err)
}

// fieldValue reads a field's value as sent: a string as it is, a number
// as written, true or false; null or nothing clears the field.
func fieldValue(raw json.RawMessage) (string, error) {
	var v any
	if len(raw) == 0 {
		return "", nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", tandem.Errorf(tandem.KindInvalid, "value must be a string, a number or true/false")
	}
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case bool:
		return strconv.FormatBool(v), nil
	}
	return "", tandem.Errorf(tandem.KindInvalid, "value must be a string, a number or true/false")
}

// handleViewed serves POST …/documents/{doc}/viewed {"page":N}.
func (s *Server) handleViewed(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Page int `json:"page"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.customerWrite(w, r) {
		return
	}
	d, err := s.app.ViewDocument(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), documentIDFrom(r), req.Page)
	s.answer(w, r, http.StatusOK, map[string]any{"document": d}, err)
}

// handleComplete serves POST …/documents/{doc}/complete.
func (s *Server) handleComplete(w http.ResponseWriter, r *http.Request) {
	if !s.customerWrite(w, r) {
		return
	}
	d, err := s.app.CompleteDocument(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), documentIDFrom(r))
	s.answer(w, r, http.StatusOK, map[string]any{"document": d}, err)
}

// handleDecline serves POST …/documents/{doc}/decline {"reason"}.
func (s *Server) handleDecline(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeOptional(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.customerWrite(w, r) {
		return
	}
	d, err := s.app.DeclineDocument(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), documentIDFrom(r), req.Reason)
	s.answer(w, r, http.StatusOK, map[string]any{"document": d}, err)
}
