package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/store"
)

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

// strictTransportSecurity is the HSTS policy of a hub served over https:
// two years, subdomains included.
const strictTransportSecurity = "max-age=63072000; includeSubDomains"

// middleware logs each request, sets the security headers every answer
// carries (HSTS too when the public URL is https), puts where the request
// came from in its context for the events it causes (withRequestOrigin)
// and turns a panic into a 500.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r = s.withRequestOrigin(r)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		hdr := w.Header()
		hdr.Set("X-Content-Type-Options", "nosniff")
		// Links carry secrets in their path: never leak them to another site.
		hdr.Set("Referrer-Policy", "no-referrer")
		if len(s.cfg.FrameAncestors) == 0 {
			hdr.Set("X-Frame-Options", "DENY") // CSP below says the same to newer browsers
		}
		hdr.Set("Content-Security-Policy", s.csp)
		if s.cfg.PublicURL.Scheme == "https" {
			// Browsers that reached the hub over https never try plain
			// http again, where a network could read the cookies and links
			// or change the pages.
			hdr.Set("Strict-Transport-Security", strictTransportSecurity)
		}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error().Interface("panic", v).Str("path", redactPath(r.URL.Path)).Msg("handler panicked")
				s.writeError(rec, r, tandem.Errorf(tandem.KindInternal, "panic"))
			}
			lvl := zerolog.DebugLevel
			if rec.status >= 500 {
				lvl = zerolog.WarnLevel
			} else if r.URL.Path != "/healthz" && r.URL.Path != "/readyz" {
				lvl = zerolog.InfoLevel
			}
			s.log.WithLevel(lvl).Str("method", r.Method).Str("path", redactPath(r.URL.Path)).
				Int("status", rec.status).Dur("took", time.Since(start)).Msg("request")
		}()
		next.ServeHTTP(rec, r)
	})
}

// classify turns a store that could not be reached into the application's
// unavailable error; other errors pass as they are.
func classify(err error) error {
	var re *tandem.Error
	if errors.As(err, &re) || !store.IsUnavailable(err) {
		return err
	}
	return tandem.Coded(tandem.KindUnavailable, "store_unavailable", "the database cannot be reached right now; nothing was changed, try again shortly")
}
