package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/store"
)

// writePresence writes or deletes, in tx, the row of room roomID of
// account that p names, then counts the instances holding p.Participant
// in the room: if that is not p.Holders, the decision that goes with the
// change was made on another count, and the change is a presence
// conflict. The room's row is locked first (lockHead), so changes of a
// room's presence take turns and each counts what the one before left.
func writePresence(ctx context.Context, tx *sqlx.Tx, account, roomID string, p store.PresenceChange) error {
	var err error
	switch {
	case p.Hold:
		_, err = tx.ExecContext(ctx, `INSERT INTO presence (account_id, room_id, participant, instance, connected_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (room_id, participant, instance) DO UPDATE SET expires_at = excluded.expires_at`,
			account, roomID, p.Participant, p.Instance, ts(p.At), ts(p.ExpiresAt))
	case p.OnlyIfExpired:
		_, err = tx.ExecContext(ctx, `DELETE FROM presence WHERE room_id = $1 AND participant = $2 AND instance = $3 AND expires_at <= $4`,
			roomID, p.Participant, p.Instance, ts(p.At))
	default:
		_, err = tx.ExecContext(ctx, `DELETE FROM presence WHERE room_id = $1 AND participant = $2 AND instance = $3`,
			roomID, p.Participant, p.Instance)
	}
	if err != nil {
		return fmt.Errorf("write presence of instance %s: %w", p.Instance, err)
	}
	var holders int
	if err := tx.GetContext(ctx, &holders, `SELECT COUNT(*) FROM presence WHERE room_id = $1 AND participant = $2`, roomID, p.Participant); err != nil {
		return fmt.Errorf("count holders of %s: %w", p.Participant, err)
	}
	if holders != p.Holders {
		return tandem.Coded(tandem.KindConflict, tandem.CodePresenceConflict, "room %s: %d instances hold %s once the change is written, not %d; reload and retry",
			roomID, holders, p.Participant, p.Holders)
	}
	return nil
}

// presenceRow is a row of presence.
type presenceRow struct {
	Account     string    `db:"account_id"`
	Room        string    `db:"room_id"`
	Participant string    `db:"participant"`
	Instance    string    `db:"instance"`
	ConnectedAt timestamp `db:"connected_at"`
	ExpiresAt   timestamp `db:"expires_at"`
}

const presenceColumns = `account_id, room_id, participant, instance, connected_at, expires_at`

func (r presenceRow) row() store.PresenceRow {
	return store.PresenceRow{Account: r.Account, Room: r.Room, Participant: r.Participant, Instance: r.Instance,
		ConnectedAt: r.ConnectedAt.Time(), ExpiresAt: r.ExpiresAt.Time()}
}

// PresenceHolders implements store.Presence.
func (s *DB) PresenceHolders(ctx context.Context, account, roomID, participant string) ([]store.PresenceRow, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM rooms WHERE id = $1 AND account_id = $2`, roomID, account); err != nil {
		return nil, fmt.Errorf("holders of %s in room %s: %w", participant, roomID, err)
	}
	if n == 0 {
		return nil, roomNotFound(roomID)
	}
	var rows []presenceRow
	err := s.db.SelectContext(ctx, &rows, `SELECT `+presenceColumns+` FROM presence
		WHERE room_id = $1 AND account_id = $2 AND participant = $3 ORDER BY instance`, roomID, account, participant)
	if err != nil {
		return nil, fmt.Errorf("holders of %s in room %s: %w", participant, roomID, err)
	}
	out := make([]store.PresenceRow, len(rows))
	for i, r := range rows {
		out[i] = r.row()
	}
	return out, nil
}

// TouchPresence implements store.Presence.
func (s *DB) TouchPresence(ctx context.Context, instance string, expiresAt time.Time) (int, error) {
	if instance == "" {
		return 0, tandem.Errorf(tandem.KindInvalid, "touching presence needs an instance")
	}
	res, err := s.db.ExecContext(ctx, `UPDATE presence SET expires_at = $1 WHERE instance = $2`, ts(expiresAt), instance)
	if err != nil {
		return 0, fmt.Errorf("touch presence of instance %s: %w", instance, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("touch presence of instance %s: %w", instance, err)
	}
	return int(n), nil
}

// ExpiredPresence implements store.Presence: by expiry, then room,
// participant and instance. A limit of 0 or less lists nothing; it is
// capped at tandem.MaxExpiredPresence.
func (s *DB) ExpiredPresence(ctx context.Context, now time.Time, limit int) ([]store.PresenceRow, error) {
	if limit <= 0 {
		return nil, nil
	}
	limit = min(limit, tandem.MaxExpiredPresence)
	var rows []presenceRow
	err := s.db.SelectContext(ctx, &rows, `SELECT `+presenceColumns+` FROM presence
		WHERE expires_at <= $1 ORDER BY expires_at, room_id, participant, instance LIMIT $2`, ts(now), limit)
	if err != nil {
		return nil, fmt.Errorf("expired presence: %w", err)
	}
	out := make([]store.PresenceRow, len(rows))
	for i, r := range rows {
		out[i] = r.row()
	}
	return out, nil
}
