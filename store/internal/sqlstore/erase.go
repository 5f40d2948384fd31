package sqlstore

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// rewriteEvents replaces the actor, origin, data and hash of the events
// of room roomID already in the log with those of evs (checked by
// checkRewrite), keeping their seq, type and time. An event whose type is
// not the log's is refused: a rewrite masks what an event says, it never
// makes it another event. Only the events that change are written.
func rewriteEvents(ctx context.Context, tx *sqlx.Tx, roomID string, evs []room.Event) error {
	if len(evs) == 0 {
		return nil
	}
	lo, hi := evs[0].Seq, evs[0].Seq
	for _, e := range evs {
		lo, hi = min(lo, e.Seq), max(hi, e.Seq)
	}
	var rows []struct {
		Seq    int64  `db:"seq"`
		Type   string `db:"type"`
		Actor  string `db:"actor"`
		Origin string `db:"origin"`
		Data   string `db:"data"`
		Hash   string `db:"hash"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT seq, type, actor, origin, data, hash FROM events WHERE room_id = $1 AND seq BETWEEN $2 AND $3`, roomID, lo, hi); err != nil {
		return fmt.Errorf("read the events to rewrite: %w", err)
	}
	type stored struct{ typ, actor, origin, data, hash string }
	kept := make(map[int64]stored, len(rows))
	for _, r := range rows {
		kept[r.Seq] = stored{r.Type, r.Actor, r.Origin, r.Data, r.Hash}
	}
	for _, e := range evs {
		was, ok := kept[e.Seq]
		if !ok {
			return tandem.Errorf(tandem.KindInvalid, "room %s: event %d to rewrite is not in the log", roomID, e.Seq)
		}
		if e.Type != was.typ {
			return tandem.Errorf(tandem.KindInvalid, "room %s: event %d is %s in the log; a rewrite cannot make it %s", roomID, e.Seq, was.typ, e.Type)
		}
		actor, origin, err := encodeActorOrigin(e)
		if err != nil {
			return err
		}
		now := stored{was.typ, actor, origin, string(e.Data), e.Hash}
		if now == was {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET actor = $1, origin = $2, data = $3, hash = $4 WHERE room_id = $5 AND seq = $6`,
			now.actor, now.origin, now.data, now.hash, roomID, e.Seq); err != nil {
			return fmt.Errorf("rewrite event %d: %w", e.Seq, err)
		}
	}
	return nil
}

// erase clears the personal data of the links and messages of room roomID
// as e says: the links' addresses; the messages' addresses, subjects,
// links and provider errors, their text replaced by e.Body; and the messages still
// pending take the status e.CancelPending, so that they are never sent.
func erase(ctx context.Context, tx *sqlx.Tx, account, roomID string, e store.Erasure) error {
	if _, err := tx.ExecContext(ctx, `UPDATE room_links SET to_addr = '' WHERE room_id = $1 AND account_id = $2`, roomID, account); err != nil {
		return fmt.Errorf("erase link addresses: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE messages SET status = $1, claimed_until = NULL WHERE room_id = $2 AND account_id = $3 AND status = $4`,
		string(e.CancelPending), roomID, account, string(store.MessagePending)); err != nil {
		return fmt.Errorf("cancel pending messages: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE messages SET to_addr = '', subject = '', body = $1, link = '', error = '' WHERE room_id = $2 AND account_id = $3`,
		e.Body, roomID, account); err != nil {
		return fmt.Errorf("erase messages: %w", err)
	}
	return nil
}
