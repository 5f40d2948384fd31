package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// MaxExpiredPresence is the most rows ExpiredPresence lists at once.
const MaxExpiredPresence = 1000

// ChangePresence implements store.Presence. The room's head is read (and
// locked, where the dialect needs it) before the presence row is touched,
// so changes of a room's presence take turns and each counts the holders
// the one before left. Events decide returns go through the same append as
// Commit's.
func (s *DB) ChangePresence(ctx context.Context, account, roomID string, ch store.PresenceChange,
	decide func(st room.State, holders int) ([]room.Event, error),
) (room.State, []room.Event, error) {
	if ch.Instance == "" || ch.Participant == "" {
		return room.State{}, nil, room.Errorf(room.KindInvalid, "room %s: a presence change needs an instance and a participant", roomID)
	}
	if ch.Hold && ch.ExpiresAt.IsZero() {
		return room.State{}, nil, room.Errorf(room.KindInvalid, "room %s: holding a presence needs a time it expires", roomID)
	}
	var (
		next     room.State
		appended []room.Event
	)
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		h, err := s.lockHead(ctx, tx, account, roomID)
		if err != nil {
			return err
		}
		if err := changePresence(ctx, tx, account, roomID, ch); err != nil {
			return err
		}
		var holders int
		err = tx.GetContext(ctx, &holders, `SELECT COUNT(*) FROM presence WHERE room_id = $1 AND participant = $2`, roomID, ch.Participant)
		if err != nil {
			return fmt.Errorf("count holders: %w", err)
		}
		next = h.State
		if decide == nil {
			return nil
		}
		evs, err := decide(h.State, holders)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			return nil
		}
		if evs, err = appendable(roomID, evs); err != nil {
			return err
		}
		if next, err = s.appendEvents(ctx, tx, account, h, evs); err != nil {
			return err
		}
		appended = evs
		return nil
	})
	if err != nil {
		return room.State{}, nil, wrapInternal(err, "change presence of %s in room %s", ch.Participant, roomID)
	}
	return next, appended, nil
}

// changePresence writes or deletes the row of ch.
func changePresence(ctx context.Context, tx *sqlx.Tx, account, roomID string, ch store.PresenceChange) error {
	var err error
	switch {
	case ch.Hold:
		_, err = tx.ExecContext(ctx, `INSERT INTO presence (account_id, room_id, participant, instance, connected_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (room_id, participant, instance) DO UPDATE SET expires_at = excluded.expires_at`,
			account, roomID, ch.Participant, ch.Instance, ts(ch.At), ts(ch.ExpiresAt))
	case ch.OnlyIfExpired:
		_, err = tx.ExecContext(ctx, `DELETE FROM presence WHERE room_id = $1 AND participant = $2 AND instance = $3 AND expires_at <= $4`,
			roomID, ch.Participant, ch.Instance, ts(ch.At))
	default:
		_, err = tx.ExecContext(ctx, `DELETE FROM presence WHERE room_id = $1 AND participant = $2 AND instance = $3`,
			roomID, ch.Participant, ch.Instance)
	}
	if err != nil {
		return fmt.Errorf("write presence of instance %s: %w", ch.Instance, err)
	}
	return nil
}

// TouchPresence implements store.Presence.
func (s *DB) TouchPresence(ctx context.Context, instance string, expiresAt time.Time) (int, error) {
	if instance == "" {
		return 0, room.Errorf(room.KindInvalid, "touching presence needs an instance")
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
// capped at MaxExpiredPresence.
func (s *DB) ExpiredPresence(ctx context.Context, now time.Time, limit int) ([]store.PresenceRow, error) {
	if limit <= 0 {
		return nil, nil
	}
	limit = min(limit, MaxExpiredPresence)
	var rows []struct {
		Account     string    `db:"account_id"`
		Room        string    `db:"room_id"`
		Participant string    `db:"participant"`
		Instance    string    `db:"instance"`
		ConnectedAt timestamp `db:"connected_at"`
		ExpiresAt   timestamp `db:"expires_at"`
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT account_id, room_id, participant, instance, connected_at, expires_at FROM presence
		WHERE expires_at <= $1 ORDER BY expires_at, room_id, participant, instance LIMIT $2`, ts(now), limit)
	if err != nil {
		return nil, fmt.Errorf("expired presence: %w", err)
	}
	out := make([]store.PresenceRow, len(rows))
	for i, r := range rows {
		out[i] = store.PresenceRow{Account: r.Account, Room: r.Room, Participant: r.Participant, Instance: r.Instance,
			ConnectedAt: r.ConnectedAt.Time(), ExpiresAt: r.ExpiresAt.Time()}
	}
	return out, nil
}
