package api

import (
	"io/fs"
	"net/http"
)

// servePage serves one page of the embedded UI.
func (s *Server) servePage(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := fs.ReadFile(s.cfg.Web, name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(b)
	}
}

// serveFavicon serves the hub's icon, which browsers ask for on every
// page; a brand's logo, where there is one, is the page's own icon.
func (s *Server) serveFavicon(w http.ResponseWriter, r *http.Request) {
	b, err := fs.ReadFile(s.cfg.Web, "favicon.ico")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/x-icon")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(b)
}
