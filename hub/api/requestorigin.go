package api

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/room"
)

// requestOrigin is where r came from, for the audit trail of the events
// it causes: the client's address as rate limits count it (clientIP,
// behind trusted proxies) and its User-Agent header, cut to
// room.MaxUserAgent bytes of valid UTF-8.
func (s *Server) requestOrigin(r *http.Request) room.Origin {
	return room.Origin{IP: s.clientIP(r), UserAgent: cutUserAgent(r.UserAgent())}
}

// cutUserAgent returns ua as valid UTF-8 (invalid bytes become U+FFFD) of
// at most room.MaxUserAgent bytes, cut between two characters.
func cutUserAgent(ua string) string {
	ua = strings.ToValidUTF8(ua, "\uFFFD")
	if len(ua) <= room.MaxUserAgent {
		return ua
	}
	cut := room.MaxUserAgent
	for cut > 0 && !utf8.RuneStart(ua[cut]) {
		cut--
	}
	return ua[:cut]
}

// withRequestOrigin returns r with its origin in its context
// (app.WithOrigin), where the commit path finds it.
func (s *Server) withRequestOrigin(r *http.Request) *http.Request {
	return r.WithContext(app.WithOrigin(r.Context(), s.requestOrigin(r)))
}
