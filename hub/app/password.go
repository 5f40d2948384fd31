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
// login, and nothing otherwise; the caller answers the same either way.
func (a *App) ForgotPassword(ctx context.Context, email string) error {
	email = NormalizeLogin(email)
	if email == "" {
		return nil
	}
	u, err := a.store.UserByEmail(ctx, email)
	if tandem.IsKind(err, tandem.KindNotFound) {
		return nil
	} else if err != nil {
		return err
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
// the user out everywhere.
func (a *App) ResetPassword(ctx context.Context, token, password string) error {
	hash, err := a.hashPassword(password)
	if err != nil {
		return err
	}
	notFound := tandem.Coded(tandem.KindNotFound, "reset_not_found", "this password reset link is not valid; ask for a new one")
	if !plausibleToken(token) {
		return notFound
	}
	reset, err := a.store.UsePasswordReset(ctx, hashToken(token), a.now())
	switch {
	case tandem.IsKind(err, tandem.KindNotFound):
		return notFound
	case tandem.IsKind(err, tandem.KindGone):
		return tandem.Coded(tandem.KindGone, "reset_expired", "this password reset link has expired or was already used; ask for a new one")
	case err != nil:
		return err
	}
	if err := a.store.SetPasswordHash(ctx, reset.Account, reset.User, hash); err != nil {
		return err
	}
	if err := a.store.DeleteUserSignIns(ctx, reset.Account, reset.User); err != nil {
		return err
	}
	a.log.Info().Str("user", reset.User).Msg("password reset")
	return nil
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
