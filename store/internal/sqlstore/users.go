package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/store"
)

// userRow is a row of users.
type userRow struct {
	ID           string     `db:"id"`
	Account      string     `db:"account_id"`
	Email        string     `db:"email"`
	Name         string     `db:"name"`
	Role         string     `db:"role"`
	PasswordHash string     `db:"password_hash"`
	CreatedAt    timestamp  `db:"created_at"`
	Team         string     `db:"team"`
	Deactivated  *timestamp `db:"deactivated_at"`
}

const userColumns = `id, account_id, email, name, role, password_hash, created_at, team, deactivated_at`

func (r userRow) user() tandem.User {
	return tandem.User{ID: r.ID, Account: r.Account, Email: r.Email, Name: r.Name, Role: tandem.Role(r.Role), PasswordHash: r.PasswordHash,
		CreatedAt: r.CreatedAt.Time(), Team: r.Team, DeactivatedAt: r.Deactivated.ptr()}
}

// normalEmail is an email as users are found by: logins are case-blind.
func normalEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// CreateUser implements store.Users. The email is stored in lower case.
func (s *DB) CreateUser(ctx context.Context, u tandem.User) error {
	email := normalEmail(u.Email)
	_, err := s.db.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		u.ID, u.Account, email, u.Name, string(u.Role), u.PasswordHash, ts(u.CreatedAt), u.Team, tsp(u.DeactivatedAt))
	if s.isUnique(err) {
		var n int
		if qerr := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM users WHERE email = $1`, email); qerr == nil && n > 0 {
			return tandem.Coded(tandem.KindConflict, "email_taken", "the email %s is already in use", email)
		}
		return tandem.Errorf(tandem.KindConflict, "user %s already exists", u.ID)
	}
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.ID, err)
	}
	return nil
}

// UserByEmail implements store.Users.
func (s *DB) UserByEmail(ctx context.Context, email string) (tandem.User, error) {
	var r userRow
	err := s.db.GetContext(ctx, &r, `SELECT `+userColumns+` FROM users WHERE email = $1`, normalEmail(email))
	if errors.Is(err, sql.ErrNoRows) {
		return tandem.User{}, tandem.Errorf(tandem.KindNotFound, "no user with this email")
	}
	if err != nil {
		return tandem.User{}, fmt.Errorf("get user by email: %w", err)
	}
	return r.user(), nil
}

// User implements store.Users.
func (s *DB) User(ctx context.Context, account, id string) (tandem.User, error) {
	var r userRow
	err := s.db.GetContext(ctx, &r, `SELECT `+userColumns+` FROM users WHERE id = $1 AND account_id = $2`, id, account)
	if errors.Is(err, sql.ErrNoRows) {
		return tandem.User{}, userNotFound(id)
	}
	if err != nil {
		return tandem.User{}, fmt.Errorf("get user %s: %w", id, err)
	}
	return r.user(), nil
}

func userNotFound(id string) error {
	return tandem.Errorf(tandem.KindNotFound, "user %s not found", id)
}

// CountUsers implements store.Users.
func (s *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM users`); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// SetPasswordHash implements store.Users.
func (s *DB) SetPasswordHash(ctx context.Context, account, userID, hash string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2 AND account_id = $3`, hash, userID, account)
	if err != nil {
		return fmt.Errorf("set password of user %s: %w", userID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("set password of user %s: %w", userID, err)
	} else if n == 0 {
		return userNotFound(userID)
	}
	return nil
}

// ListUsers implements store.Users.
func (s *DB) ListUsers(ctx context.Context, account string, limit int) ([]tandem.User, error) {
	var rows []userRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+userColumns+` FROM users WHERE account_id = $1 ORDER BY LOWER(name), id LIMIT $2`, account, limit); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out := make([]tandem.User, len(rows))
	for i, r := range rows {
		out[i] = r.user()
	}
	return out, nil
}

// UpdateUser implements store.Users. The account's row is locked first
// (PostgreSQL), so that two admins demoting each other at once cannot
// both pass the last-admin check; each column is written only when ch
// sets it, so that one admin's change never writes back another's
// stale values.
func (s *DB) UpdateUser(ctx context.Context, account, id string, ch store.UserChange) (u tandem.User, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var acc string
		err := tx.GetContext(ctx, &acc, `SELECT id FROM accounts WHERE id = $1 `+s.d.RowLock, account)
		if errors.Is(err, sql.ErrNoRows) {
			return userNotFound(id)
		} else if err != nil {
			return fmt.Errorf("update user %s: %w", id, err)
		}
		var role *string
		if ch.Role != nil {
			r := string(*ch.Role)
			role = &r
		}
		// deactivated_at: kept when ch says nothing; set (once) to At to
		// deactivate; cleared to reactivate.
		var active *int
		if ch.Active != nil {
			a := 0
			if *ch.Active {
				a = 1
			}
			active = &a
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET
			name = COALESCE(CAST($1 AS TEXT), name), role = COALESCE(CAST($2 AS TEXT), role), team = COALESCE(CAST($3 AS TEXT), team),
			deactivated_at = CASE CAST($4 AS INTEGER) WHEN 1 THEN NULL WHEN 0 THEN COALESCE(deactivated_at, $5) ELSE deactivated_at END
			WHERE id = $6 AND account_id = $7`,
			ch.Name, role, ch.Team, active, ts(ch.At), id, account)
		if err != nil {
			return fmt.Errorf("update user %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update user %s: %w", id, err)
		} else if n == 0 {
			return userNotFound(id)
		}
		var admins int
		if err := tx.GetContext(ctx, &admins, `SELECT COUNT(*) FROM users WHERE account_id = $1 AND role = $2 AND deactivated_at IS NULL AND password_hash <> ''`,
			account, string(tandem.RoleAdmin)); err != nil {
			return fmt.Errorf("update user %s: %w", id, err)
		}
		if admins == 0 {
			return tandem.Coded(tandem.KindConflict, "last_admin", "the account must keep at least one active admin who has signed in")
		}
		if ch.Active != nil && !*ch.Active {
			if _, err := tx.ExecContext(ctx, `DELETE FROM auth_sessions WHERE user_id = $1 AND account_id = $2`, id, account); err != nil {
				return fmt.Errorf("delete sessions of user %s: %w", id, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND account_id = $3 AND used_at IS NULL`,
				ts(ch.At), id, account); err != nil {
				return fmt.Errorf("spend the links of user %s: %w", id, err)
			}
		}
		var r userRow
		if err := tx.GetContext(ctx, &r, `SELECT `+userColumns+` FROM users WHERE id = $1 AND account_id = $2`, id, account); err != nil {
			return fmt.Errorf("read user %s: %w", id, err)
		}
		u = r.user()
		return nil
	})
	return u, err
}
