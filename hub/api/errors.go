package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/tandemhq/tandem"
)

// maxBody is the largest request body the API reads.
const maxBody = 64 << 10

// statusOf maps an application error kind to its HTTP status: the only
// place that knows about statuses (WebSocket close codes are the core's,
// package hub).
func statusOf(k tandem.Kind) int {
	switch k {
	case tandem.KindInvalid:
		return http.StatusBadRequest
	case tandem.KindIncomplete:
		return http.StatusUnprocessableEntity
	case tandem.KindUnauthorized:
		return http.StatusUnauthorized
	case tandem.KindForbidden:
		return http.StatusForbidden
	case tandem.KindNotFound:
		return http.StatusNotFound
	case tandem.KindConflict:
		return http.StatusConflict
	case tandem.KindGone:
		return http.StatusGone
	case tandem.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case tandem.KindRateLimited:
		return http.StatusTooManyRequests
	case tandem.KindUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Fields names the document fields at fault (required_fields).
	Fields []string `json:"fields,omitempty"`
}

// writeError answers with err as the protocol's error body. Internal errors
// are logged with their detail and shown without it.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	cause := err
	err = classify(err)
	kind := tandem.ErrorKind(err)
	if kind == tandem.KindInternal || kind == tandem.KindUnavailable {
		s.log.Error().Err(cause).Str("method", r.Method).Str("path", redactPath(r.URL.Path)).Msg("request failed")
	}
	if kind == tandem.KindRateLimited {
		w.Header().Set("Retry-After", "60")
	}
	detail := errorDetail{Code: tandem.ErrorCode(err), Message: tandem.ErrorMessage(err)}
	var te *tandem.Error
	if errors.As(err, &te) {
		detail.Fields = te.Fields
	}
	writeJSON(w, statusOf(kind), errorBody{Error: detail})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads a JSON body of at most maxBody bytes into v, refusing
// unknown fields so that a typo is an error, not a silent default.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeUpTo(w, r, v, maxBody)
}

// decodeOptional is decode for a body that may be left out: an empty one
// leaves v as it is.
func decodeOptional(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return decode(w, r, v)
}

// decodeUpTo is decode for a body of at most limit bytes.
func decodeUpTo(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return tandem.Errorf(tandem.KindTooLarge, "the request body is larger than %d bytes", limit)
		case errors.Is(err, io.EOF):
			return tandem.Coded(tandem.KindInvalid, "invalid_json", "the request body is empty; a JSON object is expected")
		default:
			return tandem.Coded(tandem.KindInvalid, "invalid_json", "the request body is not valid JSON: %v", err)
		}
	}
	if dec.More() {
		return tandem.Coded(tandem.KindInvalid, "invalid_json", "the request body has data after the JSON object")
	}
	return nil
}
