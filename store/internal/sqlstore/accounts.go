package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tandemhq/tandem"
)

// CreateAccount implements store.Accounts.
func (s *DB) CreateAccount(ctx context.Context, a tandem.Account) error {
	region := a.PhoneRegion
	if region == "" {
		region = tandem.DefaultPhoneRegion
	}
	settings, err := json.Marshal(a.Settings)
	if err != nil {
		return fmt.Errorf("create account %s: encode settings: %w", a.ID, err)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO accounts (id, name, phone_region, settings, created_at) VALUES ($1, $2, $3, $4, $5)`, a.ID, a.Name, region, string(settings), ts(a.CreatedAt))
	if s.isUnique(err) {
		return tandem.Errorf(tandem.KindConflict, "account %s already exists", a.ID)
	}
	if err != nil {
		return fmt.Errorf("create account %s: %w", a.ID, err)
	}
	return nil
}

// Account implements store.Accounts.
func (s *DB) Account(ctx context.Context, id string) (tandem.Account, error) {
	var r struct {
		ID        string    `db:"id"`
		Name      string    `db:"name"`
		Region    string    `db:"phone_region"`
		Settings  string    `db:"settings"`
		CreatedAt timestamp `db:"created_at"`
	}
	err := s.db.GetContext(ctx, &r, `SELECT id, name, phone_region, settings, created_at FROM accounts WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return tandem.Account{}, tandem.Errorf(tandem.KindNotFound, "account %s not found", id)
	}
	if err != nil {
		return tandem.Account{}, fmt.Errorf("get account %s: %w", id, err)
	}
	a := tandem.Account{ID: r.ID, Name: r.Name, PhoneRegion: r.Region, CreatedAt: r.CreatedAt.Time()}
	if err := json.Unmarshal([]byte(r.Settings), &a.Settings); err != nil {
		return tandem.Account{}, fmt.Errorf("get account %s: decode settings: %w", id, err)
	}
	return a, nil
}

// UpdateAccountSettings implements store.Accounts.
func (s *DB) UpdateAccountSettings(ctx context.Context, id string, set tandem.AccountSettings) error {
	b, err := json.Marshal(set)
	if err != nil {
		return fmt.Errorf("update account %s: encode settings: %w", id, err)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE accounts SET settings = $1 WHERE id = $2`, string(b), id)
	if err != nil {
		return fmt.Errorf("update account %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update account %s: %w", id, err)
	} else if n == 0 {
		return tandem.Errorf(tandem.KindNotFound, "account %s not found", id)
	}
	return nil
}
