package app

import (
	"context"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/store"
)

// dummyHash makes a sign-in for an unknown email cost as much as one with
// a wrong password, so timing does not tell which emails have accounts.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("tandem-no-such-user"), bcrypt.DefaultCost)

// errBadCredentials is the one answer to a wrong email or password.
var errBadCredentials = tandem.Coded(tandem.KindUnauthorized, "invalid_credentials", "Email or password is incorrect.")

// SignIn checks an agent's email and password and signs them in: it
// returns the new sign-in's token (shown once, never stored) and the
// sign-in.
func (a *App) SignIn(ctx context.Context, email, password string) (token string, s store.SignIn, u tandem.User, err error) {
	email = NormalizeLogin(email)
	if email == "" || password == "" || len(password) > tandem.MaxPassword || !storable(email) {
		return "", s, u, errBadCredentials
	}
	u, err = a.store.UserByEmail(ctx, email)
	if tandem.IsKind(err, tandem.KindNotFound) {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return "", s, u, errBadCredentials
	} else if err != nil {
		return "", s, u, err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		return "", s, u, errBadCredentials
	}
	// Told only to who knows the password.
	if !u.Active() {
		return "", s, u, errDeactivated
	}
	token, s, err = a.newSignIn(ctx, u)
	return token, s, u, err
}

// errDeactivated is the answer to a deactivated user's password.
var errDeactivated = tandem.Coded(tandem.KindUnauthorized, "user_deactivated", "This account was deactivated: ask an admin of your company.")

// newSignIn signs u in.
func (a *App) newSignIn(ctx context.Context, u tandem.User) (string, store.SignIn, error) {
	token, hash := newToken()
	now := a.now()
	s := store.SignIn{TokenHash: hash, Account: u.Account, User: u.ID, CreatedAt: now, ExpiresAt: now.Add(a.cfg.SignInTTL)}
	if err := a.store.CreateSignIn(ctx, s); err != nil {
		return "", s, err
	}
	a.log.Info().Str("user", u.ID).Str("account", u.Account).Msg("agent signed in")
	return token, s, nil
}

// NormalizeLogin is an email as logins are kept: trimmed, in lower case.
func NormalizeLogin(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// SignOut ends the caller's sign-in, and its sockets, on every instance.
func (a *App) SignOut(ctx context.Context, c Caller) error {
	if err := a.store.DeleteSignIn(ctx, c.SignIn.TokenHash); err != nil {
		return err
	}
	a.endCredentials(c.SignIn.TokenHash)
	return nil
}

// errSignInEnded is the answer to a token that is no (longer a) sign-in.
var errSignInEnded = tandem.Errorf(tandem.KindUnauthorized, "your session has expired or was signed out; sign in again")

// Agent finds the agent whose sign-in token is token. A sign-in resolved
// within CredentialTTL is not read again, unless it expired since.
func (a *App) Agent(ctx context.Context, token string) (Caller, error) {
	if !plausibleToken(token) {
		return Caller{}, errSignInEnded
	}
	hash := hashToken(token)
	if c, ok := a.creds.get(hash); ok && c.signIn != nil && a.now().Before(c.signIn.ExpiresAt) {
		return c.caller(), nil
	}
	epoch := a.creds.begin()
	s, err := a.store.SignIn(ctx, hash, a.now())
	if tandem.IsKind(err, tandem.KindNotFound) {
		return Caller{}, errSignInEnded
	} else if err != nil {
		return Caller{}, err
	}
	u, err := a.store.User(ctx, s.Account, s.User)
	if tandem.IsKind(err, tandem.KindNotFound) || (err == nil && !u.Active()) {
		return Caller{}, errSignInEnded
	} else if err != nil {
		return Caller{}, err
	}
	c := cachedCredential{signIn: &s, user: &u, groups: []string{UserKey(s.Account, s.User)}}
	a.creds.put(hash, epoch, c)
	return c.caller(), nil
}

// SignedIn reports whether the caller's sign-in still holds: an error of
// kind not found once it was signed out or expired.
func (a *App) SignedIn(ctx context.Context, c Caller) error {
	if c.SignIn == nil {
		return nil
	}
	if _, err := a.store.SignIn(ctx, c.SignIn.TokenHash, a.now()); err != nil {
		return err
	}
	// A deactivation deletes the user's sign-ins; this catches one made
	// in the instant before it.
	u, err := a.store.User(ctx, c.SignIn.Account, c.SignIn.User)
	if err != nil {
		return err
	}
	if !u.Active() {
		return errSignInEnded
	}
	return nil
}

// Account is the caller's account.
func (a *App) Account(ctx context.Context, c Caller) (tandem.Account, error) {
	return a.store.Account(ctx, c.Account())
}
