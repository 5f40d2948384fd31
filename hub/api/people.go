package api

import (
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/app"
)

// userIDPattern is the path pattern of a user's id.
const userIDPattern = "{id:us_[a-z2-7]{24}}"

// personView is a user of the account as the people page reads it.
type personView struct {
	ID            string      `json:"id"`
	Email         string      `json:"email"`
	Name          string      `json:"name"`
	Role          tandem.Role `json:"role"`
	Team          string      `json:"team"`
	Status        string      `json:"status"` // active, invited or deactivated
	CreatedAt     time.Time   `json:"created_at"`
	DeactivatedAt *time.Time  `json:"deactivated_at,omitempty"`
}

func viewPerson(u tandem.User) personView {
	status := "active"
	switch {
	case !u.Active():
		status = "deactivated"
	case u.Invited():
		status = "invited"
	}
	return personView{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Team: u.Team, Status: status, CreatedAt: u.CreatedAt, DeactivatedAt: u.DeactivatedAt}
}

// handleUsers serves GET /api/v1/users: the account's people, by name.
func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request) {
	us, err := s.app.Users(r.Context(), principalFrom(r.Context()).Caller)
	views := make([]personView, len(us))
	for i, u := range us {
		views[i] = viewPerson(u)
	}
	s.answer(w, r, http.StatusOK, map[string]any{"users": views}, err)
}

// InvitationsPerMinute bounds the invitation emails one admin may have
// the hub send (invitations and their resends), per instance: each is an
// email to an address the admin typed, and a live link.
const InvitationsPerMinute = 10

// invitationAllowed reports whether the caller may send another invitation
// now; it answers 429 if not.
func (s *Server) invitationAllowed(w http.ResponseWriter, r *http.Request) bool {
	c := principalFrom(r.Context()).Caller
	if !s.limiter.allow(limit{key: "invitations:" + c.Account() + "|" + c.User.ID, n: InvitationsPerMinute}) {
		s.writeError(w, r, errRateLimited("invitations"))
		return false
	}
	return true
}

// handleInviteUser serves POST /api/v1/users: invite a person by email.
func (s *Server) handleInviteUser(w http.ResponseWriter, r *http.Request) {
	if !s.invitationAllowed(w, r) {
		return
	}
	var req app.NewUser
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.app.InviteUser(r.Context(), principalFrom(r.Context()).Caller, req)
	s.answer(w, r, http.StatusCreated, map[string]any{"user": viewPerson(u)}, err)
}

// handleUpdateUser serves PATCH /api/v1/users/{id}: name, role, team,
// active. A deactivation closes the user's sockets on every instance at
// once (the use case signals it).
func (s *Server) handleUpdateUser(w http.ResponseWriter, r *http.Request) {
	var req app.UserPatch
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.app.UpdateUser(r.Context(), principalFrom(r.Context()).Caller, mux.Vars(r)["id"], req)
	s.answer(w, r, http.StatusOK, map[string]any{"user": viewPerson(u)}, err)
}

// handleResendInvitation serves POST /api/v1/users/{id}/invitation: a new
// invitation email to a person who has not accepted theirs.
func (s *Server) handleResendInvitation(w http.ResponseWriter, r *http.Request) {
	if !s.invitationAllowed(w, r) {
		return
	}
	u, err := s.app.ResendInvitation(r.Context(), principalFrom(r.Context()).Caller, mux.Vars(r)["id"])
	s.answer(w, r, http.StatusAccepted, map[string]any{"user": viewPerson(u)}, err)
}

// handleAcceptInvitation serves POST /api/v1/invitation/accept: the
// invitation's token and a new password, which sign the person in as
// /login does.
func (s *Server) handleAcceptInvitation(w http.ResponseWriter, r *http.Request) {
	if !s.sameOrigin(r) {
		s.writeError(w, r, tandem.Coded(tandem.KindForbidden, codeCSRF, "this request did not come from Tandem's own pages"))
		return
	}
	var req struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.attempt(r, "reset", "") {
		s.writeError(w, r, errRateLimited("attempts"))
		return
	}
	token, in, u, err := s.app.AcceptInvitation(r.Context(), req.Token, req.Password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.signedIn(w, token, in, u)
}
