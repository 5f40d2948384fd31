package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// linkRow is a row of room_links.
type linkRow struct {
	ID        string     `db:"id"`
	Account   string     `db:"account_id"`
	Room      string     `db:"room_id"`
	TokenHash string     `db:"token_hash"`
	Channel   string     `db:"channel"`
	To        string     `db:"to_addr"`
	CreatedAt timestamp  `db:"created_at"`
	ExpiresAt timestamp  `db:"expires_at"`
	RevokedAt *timestamp `db:"revoked_at"`
}

const linkColumns = `id, account_id, room_id, token_hash, channel, to_addr, created_at, expires_at, revoked_at`

func (r linkRow) link() store.Link {
	return store.Link{ID: r.ID, Account: r.Account, Room: r.Room, TokenHash: r.TokenHash, Channel: room.Channel(r.Channel), To: r.To,
		CreatedAt: r.CreatedAt.Time(), ExpiresAt: r.ExpiresAt.Time(), RevokedAt: r.RevokedAt.ptr()}
}

func (s *DB) insertLink(ctx context.Context, tx *sqlx.Tx, l store.Link) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO room_links (`+linkColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		l.ID, l.Account, l.Room, l.TokenHash, string(l.Channel), l.To, ts(l.CreatedAt), ts(l.ExpiresAt), tsp(l.RevokedAt))
	if s.isUnique(err) {
		return tandem.Errorf(tandem.KindConflict, "link %s already exists", l.ID)
	}
	if err != nil {
		return fmt.Errorf("insert link %s: %w", l.ID, err)
	}
	return nil
}

// revokeLinks revokes, at at, the links with the given ids that belong to
// the room and are not revoked yet. Other ids are left alone.
func revokeLinks(ctx context.Context, tx *sqlx.Tx, account, roomID string, ids []string, at time.Time) error {
	for _, id := range ids {
		_, err := tx.ExecContext(ctx, `UPDATE room_links SET revoked_at = $1
			WHERE id = $2 AND room_id = $3 AND account_id = $4 AND revoked_at IS NULL`, ts(at), id, roomID, account)
		if err != nil {
			return fmt.Errorf("revoke link %s: %w", id, err)
		}
	}
	return nil
}

// LinkByToken implements store.Links.
func (s *DB) LinkByToken(ctx context.Context, tokenHash string) (store.Link, error) {
	var r linkRow
	err := s.stmts.linkByToken.GetContext(ctx, &r, tokenHash)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Link{}, tandem.Errorf(tandem.KindNotFound, "no link with this token")
	}
	if err != nil {
		return store.Link{}, fmt.Errorf("get link by token: %w", err)
	}
	return r.link(), nil
}

// Link implements store.Links.
func (s *DB) Link(ctx context.Context, account, id string) (store.Link, error) {
	var r linkRow
	err := s.stmts.link.GetContext(ctx, &r, id, account)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Link{}, tandem.Errorf(tandem.KindNotFound, "link %s not found", id)
	}
	if err != nil {
		return store.Link{}, fmt.Errorf("get link %s: %w", id, err)
	}
	return r.link(), nil
}
