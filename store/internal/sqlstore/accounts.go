package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// CreateAccount implements store.Accounts.
func (s *DB) CreateAccount(ctx context.Context, a store.Account) error {
	region := a.PhoneRegion
	if region == "" {
		region = store.DefaultPhoneRegion
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO accounts (id, name, phone_region, created_at) VALUES ($1, $2, $3, $4)`, a.ID, a.Name, region, ts(a.CreatedAt))
	if s.isUnique(err) {
		return room.Errorf(room.KindConflict, "account %s already exists", a.ID)
	}
	if err != nil {
		return fmt.Errorf("create account %s: %w", a.ID, err)
	}
	return nil
}

// Account implements store.Accounts.
func (s *DB) Account(ctx context.Context, id string) (store.Account, error) {
	var r struct {
		ID        string    `db:"id"`
		Name      string    `db:"name"`
		Region    string    `db:"phone_region"`
		CreatedAt timestamp `db:"created_at"`
	}
	err := s.db.GetContext(ctx, &r, `SELECT id, name, phone_region, created_at FROM accounts WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Account{}, room.Errorf(room.KindNotFound, "account %s not found", id)
	}
	if err != nil {
		return store.Account{}, fmt.Errorf("get account %s: %w", id, err)
	}
	return store.Account{ID: r.ID, Name: r.Name, PhoneRegion: r.Region, CreatedAt: r.CreatedAt.Time()}, nil
}
