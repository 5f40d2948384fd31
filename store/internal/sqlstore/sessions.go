package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/store"
)

// CreateSignIn implements store.Sessions.
func (s *DB) CreateSignIn(ctx context.Context, a store.SignIn) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO auth_sessions (token_hash, account_id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		a.TokenHash, a.Account, a.User, ts(a.CreatedAt), ts(a.ExpiresAt))
	if s.isUnique(err) {
		return tandem.Errorf(tandem.KindConflict, "the session already exists")
	}
	if err != nil {
		return fmt.Errorf("create session of user %s: %w", a.User, err)
	}
	return nil
}

// SignIn implements store.Sessions.
func (s *DB) SignIn(ctx context.Context, tokenHash string, now time.Time) (store.SignIn, error) {
	var r struct {
		TokenHash string    `db:"token_hash"`
		Account   string    `db:"account_id"`
		User      string    `db:"user_id"`
		CreatedAt timestamp `db:"created_at"`
		ExpiresAt timestamp `db:"expires_at"`
	}
	err := s.stmts.signIn.GetContext(ctx, &r, tokenHash, ts(now))
	if errors.Is(err, sql.ErrNoRows) {
		return store.SignIn{}, tandem.Errorf(tandem.KindNotFound, "no live session with this token")
	}
	if err != nil {
		return store.SignIn{}, fmt.Errorf("get session: %w", err)
	}
	return store.SignIn{TokenHash: r.TokenHash, Account: r.Account, User: r.User, CreatedAt: r.CreatedAt.Time(), ExpiresAt: r.ExpiresAt.Time()}, nil
}

// DeleteSignIn implements store.Sessions. Deleting a session that does
// not exist is not an error: signing out twice signs out.
func (s *DB) DeleteSignIn(ctx context.Context, tokenHash string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM auth_sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSignIns implements store.Sessions. KindNotFound if the user is
// not in the account.
func (s *DB) DeleteUserSignIns(ctx context.Context, account, userID string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM users WHERE id = $1 AND account_id = $2`, userID, account); err != nil {
			return fmt.Errorf("delete sessions of user %s: %w", userID, err)
		}
		if n == 0 {
			return userNotFound(userID)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM auth_sessions WHERE user_id = $1 AND account_id = $2`, userID, account); err != nil {
			return fmt.Errorf("delete sessions of user %s: %w", userID, err)
		}
		return nil
	})
}

// resetRow is a row of password_resets.
type resetRow struct {
	TokenHash string     `db:"token_hash"`
	Account   string     `db:"account_id"`
	User      string     `db:"user_id"`
	CreatedAt timestamp  `db:"created_at"`
	ExpiresAt timestamp  `db:"expires_at"`
	UsedAt    *timestamp `db:"used_at"`
}

const resetColumns = `token_hash, account_id, user_id, created_at, expires_at, used_at`

// CreatePasswordReset implements store.Sessions.
func (s *DB) CreatePasswordReset(ctx context.Context, r store.PasswordReset) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO password_resets (`+resetColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		r.TokenHash, r.Account, r.User, ts(r.CreatedAt), ts(r.ExpiresAt), tsp(r.UsedAt))
	if s.isUnique(err) {
		return tandem.Errorf(tandem.KindConflict, "the password reset already exists")
	}
	if err != nil {
		return fmt.Errorf("create password reset for user %s: %w", r.User, err)
	}
	return nil
}

// UsePasswordReset implements store.Sessions. One guarded UPDATE decides
// and spends: it marks used every live reset of the user whose reset has
// the token, provided that one is live, so of concurrent uses of any of a
// user's resets only one changes rows. Should the token's own row not be
// among them (a concurrent use spent it after this statement's snapshot
// found it live), the transaction is rolled back and nothing is spent.
func (s *DB) UsePasswordReset(ctx context.Context, tokenHash string, now time.Time) (store.PasswordReset, error) {
	var used *resetRow
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var rows []resetRow
		err := tx.SelectContext(ctx, &rows, `UPDATE password_resets SET used_at = $2
			WHERE used_at IS NULL AND expires_at > $2 AND (account_id, user_id) IN (
				SELECT account_id, user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2)
			RETURNING `+resetColumns, tokenHash, ts(now))
		if err != nil {
			return fmt.Errorf("use password reset: %w", err)
		}
		for i := range rows {
			if rows[i].TokenHash == tokenHash {
				used = &rows[i]
				return nil
			}
		}
		return sql.ErrNoRows // roll back whatever was marked
	})
	if err == nil {
		r := *used
		return store.PasswordReset{TokenHash: r.TokenHash, Account: r.Account, User: r.User, CreatedAt: r.CreatedAt.Time(), ExpiresAt: r.ExpiresAt.Time(), UsedAt: r.UsedAt.ptr()}, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return store.PasswordReset{}, err
	}
	var r resetRow
	err = s.db.GetContext(ctx, &r, `SELECT `+resetColumns+` FROM password_resets WHERE token_hash = $1`, tokenHash)
	if errors.Is(err, sql.ErrNoRows) {
		return store.PasswordReset{}, tandem.Errorf(tandem.KindNotFound, "no password reset with this token")
	}
	if err != nil {
		return store.PasswordReset{}, fmt.Errorf("use password reset: %w", err)
	}
	if r.UsedAt != nil {
		return store.PasswordReset{}, tandem.Errorf(tandem.KindGone, "the password reset was already used, or another of the user's was")
	}
	if r.ExpiresAt.Time().After(now) {
		// Live, yet not spent: a concurrent use of another of the user's
		// resets is spending it now.
		return store.PasswordReset{}, tandem.Errorf(tandem.KindGone, "another of the user's password resets was used")
	}
	return store.PasswordReset{}, tandem.Errorf(tandem.KindGone, "the password reset has expired")
}

// CreateRoomPass implements store.Sessions.
func (s *DB) CreateRoomPass(ctx context.Context, r store.RoomPass) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO room_sessions (token_hash, account_id, room_id, link_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		r.TokenHash, r.Account, r.Room, r.Link, ts(r.CreatedAt), ts(r.ExpiresAt))
	if s.isUnique(err) {
		return tandem.Errorf(tandem.KindConflict, "the room session already exists")
	}
	if err != nil {
		return fmt.Errorf("create session in room %s: %w", r.Room, err)
	}
	return nil
}

// RoomPass implements store.Sessions.
func (s *DB) RoomPass(ctx context.Context, tokenHash string, now time.Time) (store.RoomPass, error) {
	var r struct {
		TokenHash string    `db:"token_hash"`
		Account   string    `db:"account_id"`
		Room      string    `db:"room_id"`
		Link      string    `db:"link_id"`
		CreatedAt timestamp `db:"created_at"`
		ExpiresAt timestamp `db:"expires_at"`
	}
	err := s.stmts.roomPass.GetContext(ctx, &r, tokenHash, ts(now))
	if errors.Is(err, sql.ErrNoRows) {
		return store.RoomPass{}, tandem.Errorf(tandem.KindNotFound, "no live room session with this token")
	}
	if err != nil {
		return store.RoomPass{}, fmt.Errorf("get room session: %w", err)
	}
	return store.RoomPass{TokenHash: r.TokenHash, Account: r.Account, Room: r.Room, Link: r.Link, CreatedAt: r.CreatedAt.Time(), ExpiresAt: r.ExpiresAt.Time()}, nil
}
