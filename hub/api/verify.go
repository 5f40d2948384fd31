package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/tandemhq/tandem"
)

// The public check of signed PDFs: anyone may send one, without signing
// in, and read whether this hub sealed it, when, for whom, and whether it
// changed since. The file is read into memory, checked and dropped.

// verifiesPerMinute is how many files one address may have checked a
// minute: each check parses a PDF and its signature.
const verifiesPerMinute = 20

// handleVerify serves POST /api/v1/verify: a PDF, as the part "file" of a
// multipart form or as the body itself (Content-Type application/pdf).
func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) {
	if !s.limiter.allow(limit{key: "verify:" + s.clientIP(r), n: verifiesPerMinute}) {
		s.writeError(w, r, errRateLimited("checks from this address"))
		return
	}
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadReadTimeout))
	limit := s.app.MaxVerifyBytes()
	r.Body = http.MaxBytesReader(w, r.Body, limit+uploadMargin)
	body, err := verifyBody(r)
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		err = tandem.Coded(tandem.KindTooLarge, "too_large", "the file is larger than %d MB", limit>>20)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.app.VerifyUpload(body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = tandem.Coded(tandem.KindTooLarge, "too_large", "the file is larger than %d MB", limit>>20)
		}
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// verifyBody is the PDF of a verify request, still to be read.
func verifyBody(r *http.Request) (io.Reader, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/pdf":
		return r.Body, nil
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, tandem.Errorf(tandem.KindInvalid, "the form cannot be read: %v", err)
		}
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil, tandem.Coded(tandem.KindInvalid, "file_required", "send the PDF in the part \"file\"")
			}
			if err != nil {
				return nil, tandem.Errorf(tandem.KindInvalid, "the form cannot be read: %v", err)
			}
			if p.FormName() == "file" {
				return p, nil
			}
		}
	}
	return nil, tandem.Coded(tandem.KindInvalid, "file_required", "send the PDF as multipart/form-data (part \"file\") or as application/pdf")
}

// handleSignedFile serves GET …/documents/{doc}/signed: the sealed PDF
// with its audit trail, 409 not_sealed until it exists.
func (s *Server) handleSignedFile(w http.ResponseWriter, r *http.Request) {
	d, f, err := s.app.SignedFile(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), documentIDFrom(r))
	s.sendPDF(w, r, d.Name+" (signed)", f, err)
}

// handleSealRoot serves GET /api/v1/verify/root.pem: the root certificate
// of the hub's seals, which a PDF reader imports to show them as trusted.
func (s *Server) handleSealRoot(w http.ResponseWriter, r *http.Request) {
	root, err := s.app.SealRoot()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/x-pem-file")
	h.Set("Content-Disposition", `attachment; filename="tandem-seal-root.pem"`)
	_, _ = w.Write(root)
}
