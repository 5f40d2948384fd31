package hub

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// maxBody is the largest request body the API reads.
const maxBody = 64 << 10

// statusOf maps an application error kind to its HTTP status. This table
// and closeCodeOf are the only places that know about statuses.
func statusOf(k room.Kind) int {
	switch k {
	case room.KindInvalid:
		return http.StatusBadRequest
	case room.KindUnauthorized:
		return http.StatusUnauthorized
	case room.KindForbidden:
		return http.StatusForbidden
	case room.KindNotFound:
		return http.StatusNotFound
	case room.KindConflict:
		return http.StatusConflict
	case room.KindGone:
		return http.StatusGone
	case room.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case room.KindRateLimited:
		return http.StatusTooManyRequests
	case room.KindUnavailable:
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
}

// writeError answers with err as the protocol's error body. Internal errors
// are logged with their detail and shown without it.
func (h *Hub) writeError(w http.ResponseWriter, r *http.Request, err error) {
	cause := err
	err = classify(err)
	kind := room.ErrorKind(err)
	if kind == room.KindInternal || kind == room.KindUnavailable {
		h.log.Error().Err(cause).Str("method", r.Method).Str("path", redactPath(r.URL.Path)).Msg("request failed")
	}
	if kind == room.KindRateLimited {
		w.Header().Set("Retry-After", "60")
	}
	writeJSON(w, statusOf(kind), errorBody{Error: errorDetail{Code: room.ErrorCode(err), Message: room.ErrorMessage(err)}})
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
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return room.Errorf(room.KindTooLarge, "the request body is larger than %d bytes", maxBody)
		case errors.Is(err, io.EOF):
			return room.Coded(room.KindInvalid, "invalid_json", "the request body is empty; a JSON object is expected")
		default:
			return room.Coded(room.KindInvalid, "invalid_json", "the request body is not valid JSON: %v", err)
		}
	}
	if dec.More() {
		return room.Coded(room.KindInvalid, "invalid_json", "the request body has data after the JSON object")
	}
	return nil
}

// redactPath hides the secret in a link path before it is logged.
func redactPath(p string) string {
	if strings.HasPrefix(p, "/r/") {
		return "/r/…"
	}
	return p
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController and the WebSocket upgrade reach the
// underlying writer (Hijack, Flush).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// middleware logs each request, sets the security headers every answer
// carries and turns a panic into a 500.
func (h *Hub) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		hdr := w.Header()
		hdr.Set("X-Content-Type-Options", "nosniff")
		// Links carry secrets in their path: never leak them to another site.
		hdr.Set("Referrer-Policy", "no-referrer")
		if len(h.cfg.FrameAncestors) == 0 {
			hdr.Set("X-Frame-Options", "DENY") // CSP below says the same to newer browsers
		}
		hdr.Set("Content-Security-Policy", h.csp)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				h.log.Error().Interface("panic", v).Str("path", redactPath(r.URL.Path)).Msg("handler panicked")
				h.writeError(rec, r, room.Errorf(room.KindInternal, "panic"))
			}
			lvl := zerolog.DebugLevel
			if rec.status >= 500 {
				lvl = zerolog.WarnLevel
			} else if r.URL.Path != "/healthz" && r.URL.Path != "/readyz" {
				lvl = zerolog.InfoLevel
			}
			h.log.WithLevel(lvl).Str("method", r.Method).Str("path", redactPath(r.URL.Path)).
				Int("status", rec.status).Dur("took", time.Since(start)).Msg("request")
		}()
		next.ServeHTTP(rec, r)
	})
}

// classify turns a store that could not be reached into the application's
// unavailable error; other errors pass as they are.
func classify(err error) error {
	var re *room.Error
	if errors.As(err, &re) || !store.IsUnavailable(err) {
		return err
	}
	return room.Coded(room.KindUnavailable, "store_unavailable", "the database cannot be reached right now; nothing was changed, try again shortly")
}
