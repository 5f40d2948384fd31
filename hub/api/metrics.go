package api

import (
	"crypto/subtle"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/tandemhq/tandem"
)

// handleMetrics serves GET /metrics in the Prometheus text format. With a
// MetricsToken configured it asks for it as a bearer token.
func (s *Server) handleMetrics() http.Handler {
	serve := promhttp.HandlerFor(s.core.Registry(), promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := s.cfg.MetricsToken; tok != "" {
			got := r.Header.Get("Authorization")
			if subtle.ConstantTimeCompare([]byte(got), []byte("Bearer "+tok)) != 1 {
				s.writeError(w, r, tandem.Errorf(tandem.KindUnauthorized, "the metrics need the bearer token TANDEM_METRICS_TOKEN"))
				return
			}
		}
		serve.ServeHTTP(w, r)
	})
}
