package app

import (
	"context"
	"net/url"

	"golang.org/x/crypto/bcrypt"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// ForgotPassword sends a password reset link to email if it is a user's
// login, and nothing otherwise. It returns at once and does the work in the
// background: the answer, and the time it takes, must not tell whether the
// email has an account.
func (a *App) ForgotPassword(email string) {
	email = NormalizeLogin(email)
	a.later(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, sendTimeout)
		defer cancel()
		if err := a.sendReset(ctx, email); err != nil {
			a.log.Error().Err(err).Msg("password reset not sent")
		}
	})
}

// sendReset makes a reset token for the user whose login is email, if any,
// and puts the email carrying its link in the outbox.
func (a *App) sendReset(ctx context.Context, email string) error {
	if email == "" || !storable(email) {
		return nil
	}
	u, err := a.store.UserByEmail(ctx, email)
	if tandem.IsKind(err, tandem.KindNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if !u.Active() {
		return nil
	}
	token, hash := newToken()
	now := a.now()
	if err := a.store.CreatePasswordReset(ctx, store.PasswordReset{
		TokenHash: hash, Account: u.Account, User: u.ID, CreatedAt: now, ExpiresAt: now.Add(a.cfg.ResetTTL),
	}); err != nil {
		return err
	}
	link := a.publicURL("/password/reset", url.Values{"token": {token}})
	m := store.Message{
		ID: room.NewID("msg"), Account: u.Account, Channel: room.ChannelEmail, To: u.Email,
		Subject: "Reset your Tandem password",
		Body: "Hello " + u.Name + ",\n\nSomeone asked to reset the password of your Tandem account. " +
			"If it was you, open this link within " + tandem.HumanDuration(a.cfg.ResetTTL) + " to choose a new password:\n\n" + link +
			"\n\nIf it was not you, ignore this email: your password stays as it is.\n",
		Link: link, CreatedAt: now, Status: store.MessagePending,
	}
	if err := a.store.EnqueueMessage(ctx, m); err != nil {
		return err
	}
	a.kickDispatcher()
	return nil
}

// ResetPassword sets a new password with a reset token, once, and signs
// the user out everywhere. Using the token spends every other reset token
// of the user (the store does it in the same step): one left in an old
// email cannot set the password again.
func (a *App) ResetPassword(ctx context.Context, token, password string) error {
	_, err := a.resetPassword(ctx, token, password,
		tandem.Coded(tandem.KindNotFound, "reset_not_found", "this password reset link is not valid; ask for a new one"),
		tandem.Coded(tandem.KindGone, "reset_expired", "this password reset link has expired or was already used; ask for a new one"))
	return err
}

// resetPassword spends the reset token, sets the new password of its user
// and signs them out everywhere; notFound and gone are the answers to an
// unknown token and to a spent or expired one. A deactivated user's token
// is spent, and sets nothing.
func (a *App) resetPassword(ctx context.Context, token, password string, notFound, gone error) (store.PasswordReset, error) {
	hash, err := a.hashPassword(password)
	if err != nil {
		return store.PasswordReset{}, err
	}
	if !plausibleToken(token) {
		return store.PasswordReset{}, notFound
	}
	reset, err := a.store.UsePasswordReset(ctx, hashToken(token), a.now())
	switch {
	case tandem.IsKind(err, tandem.KindNotFound):
		return reset, notFound
	case tandem.IsKind(err, tandem.KindGone):
		return reset, gone
	case err != nil:
		return reset, err
	}
	u, err := a.store.User(ctx, reset.Account, reset.User)
	if err != nil {
		return reset, err
	}
	if !u.Active() {
		return reset, errDeactivated
	}
	if err := a.store.SetPasswordHash(ctx, reset.Account, reset.User, hash); err != nil {
		return reset, err
	}
	if err := a.store.DeleteUserSignIns(ctx, reset.Account, reset.User); err != nil {
		return reset, err
	}
	a.endSignIns(reset.Account, reset.User)
	a.log.Info().Str("user", reset.User).Msg("password reset")
	return reset, nil
}

// hashPassword checks the password rules and hashes it.
func (a *App) hashPassword(pw string) (string, error) {
	if err := tandem.CheckPassword(pw); err != nil {
		return "", err
	}
	b, err := bcrypt.GenerateFromPassword([]byte(pw), a.cfg.BcryptCost)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
