package app

import (
	"context"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Settings are the caller's account's settings: any agent may read them.
func (a *App) Settings(ctx context.Context, c Caller) (tandem.AccountSettings, error) {
	acct, err := a.store.Account(ctx, c.Account())
	return acct.Settings, err
}

// PutSettings replaces the account's settings: admins only.
func (a *App) PutSettings(ctx context.Context, c Caller, s tandem.AccountSettings) (tandem.AccountSettings, error) {
	if !c.Admin() {
		return s, tandem.Errorf(tandem.KindForbidden, "only an admin of the account may change its settings")
	}
	s, err := tandem.ValidateSettings(s)
	if err != nil {
		return s, err
	}
	if _, err := room.CheckCurrency(s.Currency); s.Currency != "" && err != nil {
		return s, tandem.Coded(tandem.KindInvalid, "invalid_settings", "currency: %s", tandem.ErrorMessage(err))
	}
	return s, a.store.UpdateAccountSettings(ctx, c.Account(), s)
}

// Outbox lists the account's messages, newest first: admins only, since
// it carries every link, password resets included.
func (a *App) Outbox(ctx context.Context, c Caller, limit int) ([]store.Message, error) {
	if !c.Admin() {
		return nil, tandem.Errorf(tandem.KindForbidden, "the dev outbox is for admins")
	}
	return a.store.Messages(ctx, c.Account(), limit)
}
