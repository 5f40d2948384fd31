package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/hub/app"
)

// handleRoomSocket serves GET /api/v1/rooms/{id}/ws?since=N.
func (s *Server) handleRoomSocket(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	a := hub.RoomAccess{Account: p.Account(), Room: roomIDFrom(r), Since: -1, Origins: []string{s.cfg.PublicURL.Host}}
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := queryInt(v, 0, "since")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		a.Since = n
	}
	a.Credential = s.credential(p)
	if p.Pass != nil {
		a.CustomerLink, a.Client = p.Pass.Link, describeClient(r.UserAgent())
	}
	// The room must exist in the caller's account before anything else.
	if _, err := s.app.Room(r.Context(), p.Caller, a.Room); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.checkSocketOrigin(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.core.ServeRoom(w, r, a); err != nil {
		s.writeError(w, r, err)
	}
}

// handleFeed serves GET /api/v1/feed?agent=me&since=RFC3339: the account's
// changed rooms, live (docs/protocol.md).
func (s *Server) handleFeed(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	q := r.URL.Query()
	a := hub.FeedAccess{Account: p.Account(), Origins: []string{s.cfg.PublicURL.Host}}
	var err error
	if a.Agent, err = agentFilter(p, q.Get("agent")); err != nil {
		s.writeError(w, r, err)
		return
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			s.writeError(w, r, tandem.Errorf(tandem.KindInvalid, "since must be a time such as 2026-11-25T10:00:00Z, the updated_at of the last room received"))
			return
		}
		now := s.now()
		switch {
		case t.Before(now.Add(-hub.FeedMaxAge)):
			s.writeError(w, r, tandem.Errorf(tandem.KindInvalid, "since is more than 7 days ago: read the list (GET /api/v1/rooms) instead"))
			return
		case t.After(now):
			t = now // a client's clock ahead of ours must not skip changes
		}
		a.Since = t
	}
	a.Credential = s.credential(p)
	if err := s.checkSocketOrigin(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.core.ServeFeed(w, r, a); err != nil {
		s.writeError(w, r, err)
	}
}

// How many sockets one credential may hold open on one instance. A
// customer's room pass needs a few tabs; a sign-in may be an integration
// that watches every room of the account, one socket each.
const (
	MaxCustomerSockets = 16
	MaxAgentSockets    = 10000
)

// credential is what p's sockets were opened with: they end with it.
func (s *Server) credential(p principal) hub.Credential {
	switch {
	case p.SignIn != nil:
		// A sign-in ends at its expiry, signed out, or with all the
		// user's (deactivated, a new password).
		return hub.Credential{Key: p.SignIn.TokenHash, Groups: []string{app.SignInsKey(p.SignIn.Account, p.SignIn.User)},
			ExpiresAt: p.SignIn.ExpiresAt, MaxSockets: MaxAgentSockets,
			Alive: func(ctx context.Context) error { return s.app.SignedIn(ctx, p.Caller) }}
	case p.Pass != nil:
		// A room pass ends at its expiry, or with its link (revoked: the
		// signal, and the room's event, close the socket).
		return hub.Credential{Key: p.Pass.TokenHash, Groups: []string{app.LinkKey(p.Pass.Link)}, ExpiresAt: p.Pass.ExpiresAt, MaxSockets: MaxCustomerSockets}
	}
	return hub.Credential{}
}

// checkSocketOrigin refuses a WebSocket handshake from another site's page.
func (s *Server) checkSocketOrigin(r *http.Request) error {
	if o := r.Header.Get("Origin"); o != "" && !strings.EqualFold(o, s.origin) {
		return tandem.Coded(tandem.KindForbidden, "forbidden_origin", "WebSockets are only accepted from %s", s.origin)
	}
	return nil
}
