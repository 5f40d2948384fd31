package app

import (
	"context"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// MaxUsers is how many users of an account the people list shows.
const MaxUsers = 500

// NewUser is a person an admin invites to the account.
type NewUser struct {
	Name  string      `json:"name"`
	Email string      `json:"email"`
	Role  tandem.Role `json:"role"`
	Team  string      `json:"team"`
}

// UserPatch changes a user: the fields set, others kept. Active false
// deactivates the user, true reactivates them.
type UserPatch struct {
	Name   *string      `json:"name"`
	Role   *tandem.Role `json:"role"`
	Team   *string      `json:"team"`
	Active *bool        `json:"active"`
}

// checkPeopleAdmin refuses a caller who may not manage the account's
// people: only admins may.
func checkPeopleAdmin(c Caller) error {
	if !c.Admin() {
		return tandem.Errorf(tandem.KindForbidden, "only an admin of the account may manage its people")
	}
	return nil
}

func checkRole(r tandem.Role) error {
	if r != tandem.RoleAdmin && r != tandem.RoleAgent {
		return tandem.Coded(tandem.KindInvalid, "invalid_role", "the role is admin or agent")
	}
	return nil
}

// checkTeam trims a team name: empty (no team) or a short label shown as
// written.
func checkTeam(team string) (string, error) {
	team = strings.TrimSpace(team)
	if !utf8.ValidString(team) || len(team) > tandem.MaxTeam || strings.ContainsFunc(team, tandem.HiddenRune) {
		return team, tandem.Coded(tandem.KindInvalid, "invalid_team", "the team is at most %d characters, with no line breaks or hidden characters", tandem.MaxTeam)
	}
	return team, nil
}

// Users lists the caller's account's users by name: admins only.
func (a *App) Users(ctx context.Context, c Caller) ([]tandem.User, error) {
	if err := checkPeopleAdmin(c); err != nil {
		return nil, err
	}
	return a.store.ListUsers(ctx, c.Account(), MaxUsers)
}

// InviteUser adds a user to the caller's account, with no password, and
// emails them a link to choose one (valid InvitationTTL): admins only.
func (a *App) InviteUser(ctx context.Context, c Caller, in NewUser) (tandem.User, error) {
	if err := checkPeopleAdmin(c); err != nil {
		return tandem.User{}, err
	}
	name, err := tandem.CheckName(in.Name, "the name")
	if err != nil {
		return tandem.User{}, err
	}
	email, err := room.NormalizeEmail(in.Email)
	if err != nil {
		return tandem.User{}, err
	}
	if in.Role == "" {
		in.Role = tandem.RoleAgent
	}
	if err := checkRole(in.Role); err != nil {
		return tandem.User{}, err
	}
	team, err := checkTeam(in.Team)
	if err != nil {
		return tandem.User{}, err
	}
	u := tandem.User{ID: room.NewID("us"), Account: c.Account(), Email: NormalizeLogin(email), Name: name, Role: in.Role, Team: team, CreatedAt: a.now()}
	if err := a.store.CreateUser(ctx, u); err != nil {
		if tandem.ErrorCode(err) == "email_taken" {
			return tandem.User{}, tandem.Coded(tandem.KindConflict, "email_taken", "someone already signs in to Tandem with %s", u.Email)
		}
		return tandem.User{}, err
	}
	a.log.Info().Str("user", u.ID).Str("by", c.User.ID).Msg("user invited")
	if err := a.sendInvitation(ctx, c, u); err != nil {
		return u, err
	}
	return u, nil
}

// ResendInvitation emails an invited user who has not chosen a password
// yet a new link: admins only. The links sent before stay valid until
// one of them is used.
func (a *App) ResendInvitation(ctx context.Context, c Caller, id string) (tandem.User, error) {
	if err := checkPeopleAdmin(c); err != nil {
		return tandem.User{}, err
	}
	u, err := a.store.User(ctx, c.Account(), id)
	if err != nil {
		return u, err
	}
	if !u.Active() {
		return u, tandem.Coded(tandem.KindConflict, "person_deactivated", "%s is deactivated: reactivate them first", u.Name)
	}
	if !u.Invited() {
		return u, tandem.Coded(tandem.KindConflict, "invitation_accepted", "%s has already accepted the invitation", u.Name)
	}
	return u, a.sendInvitation(ctx, c, u)
}

// sendInvitation makes a set-password token for u and puts the email
// carrying its link in the outbox.
func (a *App) sendInvitation(ctx context.Context, c Caller, u tandem.User) error {
	acct, err := a.store.Account(ctx, u.Account)
	if err != nil {
		return err
	}
	token, hash := newToken()
	now := a.now()
	if err := a.store.CreatePasswordReset(ctx, store.PasswordReset{
		TokenHash: hash, Account: u.Account, User: u.ID, CreatedAt: now, ExpiresAt: now.Add(a.cfg.InvitationTTL),
	}); err != nil {
		return err
	}
	link := a.publicURL("/invitation", url.Values{"token": {token}})
	m := store.Message{
		ID: room.NewID("msg"), Account: u.Account, Channel: room.ChannelEmail, To: u.Email,
		Subject: "You are invited to " + acct.Name + " on Tandem",
		Body: "Hello " + u.Name + ",\n\n" + c.User.Name + " invited you to join " + acct.Name + " on Tandem. " +
			"Open this link within " + tandem.HumanDuration(a.cfg.InvitationTTL) + " to choose your password and sign in:\n\n" + link +
			"\n\nIf you did not expect this invitation, ignore this email.\n",
		Link: link, CreatedAt: now, Status: store.MessagePending,
	}
	if err := a.store.EnqueueMessage(ctx, m); err != nil {
		return err
	}
	a.kickDispatcher()
	return nil
}

// AcceptInvitation sets the password of an invited user with the token of
// their invitation, once, and signs them in. The token is a password
// reset token (a reset link works here as well, and an invitation link on
// the reset page).
func (a *App) AcceptInvitation(ctx context.Context, token, password string) (string, store.SignIn, tandem.User, error) {
	reset, err := a.resetPassword(ctx, token, password,
		tandem.Coded(tandem.KindNotFound, "invitation_not_found", "this invitation link is not valid; ask your admin for a new one"),
		tandem.Coded(tandem.KindGone, "invitation_expired", "this invitation link has expired or was already used; ask your admin for a new one, or sign in"))
	if err != nil {
		return "", store.SignIn{}, tandem.User{}, err
	}
	u, err := a.store.User(ctx, reset.Account, reset.User)
	if err != nil {
		return "", store.SignIn{}, u, err
	}
	tok, s, err := a.newSignIn(ctx, u)
	if err != nil {
		return "", s, u, err
	}
	a.log.Info().Str("user", u.ID).Msg("invitation accepted")
	return tok, s, u, nil
}

// UpdateUser changes a user of the caller's account: admins only. An
// admin can neither deactivate nor demote themselves, and the account
// keeps at least one active admin (last_admin). Deactivating signs the
// user out everywhere, and closes their sockets on every instance.
func (a *App) UpdateUser(ctx context.Context, c Caller, id string, p UserPatch) (u tandem.User, err error) {
	if err := checkPeopleAdmin(c); err != nil {
		return u, err
	}
	if _, err = a.store.User(ctx, c.Account(), id); err != nil {
		return u, err
	}
	ch := store.UserChange{At: a.now()}
	if p.Name != nil {
		name, err := tandem.CheckName(*p.Name, "the name")
		if err != nil {
			return u, err
		}
		ch.Name = &name
	}
	if p.Role != nil {
		if err := checkRole(*p.Role); err != nil {
			return u, err
		}
		if id == c.User.ID && *p.Role != tandem.RoleAdmin {
			return u, tandem.Coded(tandem.KindConflict, "self_change", "you cannot take away your own admin role: ask another admin")
		}
		ch.Role = p.Role
	}
	if p.Team != nil {
		team, err := checkTeam(*p.Team)
		if err != nil {
			return u, err
		}
		ch.Team = &team
	}
	deactivating := p.Active != nil && !*p.Active
	if deactivating && id == c.User.ID {
		return u, tandem.Coded(tandem.KindConflict, "self_change", "you cannot deactivate yourself: ask another admin")
	}
	ch.Active = p.Active
	if u, err = a.store.UpdateUser(ctx, c.Account(), id, ch); err != nil {
		return u, err
	}
	if !deactivating {
		// A new role or team: the user's sign-ins are read again everywhere.
		a.endCredentials(UserKey(c.Account(), id))
		return u, nil
	}
	// The store deleted the user's sign-ins with the deactivation.
	a.endSignIns(c.Account(), id)
	a.log.Info().Str("user", u.ID).Str("by", c.User.ID).Msg("user deactivated")
	return u, nil
}
