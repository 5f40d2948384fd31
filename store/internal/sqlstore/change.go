package sqlstore

// The writes of one change in a transaction: its room's row and head, its
// events and state, and what goes with them. A batch (commit.go) calls
// them for each change it does not append set-wise.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// commitOne writes c, made ready by prepare, in tx: the room's row (made,
// or found at c.Head and locked), the presence row and its count of
// holders, the state, the new events, the rewritten ones, the erasure, the
// documents' and requests' files, and then the links, revocations, messages and contact (after the erasure, so
// those the change brings are kept as given). Any error leaves tx
// to be rolled back; nothing of c may stay. It writes to tx only, so that
// several changes may share a transaction (each under a savepoint: on
// PostgreSQL a failed statement aborts the whole transaction).
func (s *DB) commitOne(ctx context.Context, tx *writeTx, c store.Change) error {
	if c.Create {
		if err := s.insertRoom(ctx, tx.Tx, c); err != nil {
			return err
		}
	} else {
		seq, err := s.lockHead(ctx, tx, c.Account, c.Room)
		if err != nil {
			return err
		}
		if seq != c.Head {
			return seqConflict(c.Room, c.Head, seq)
		}
	}
	if c.Presence != nil {
		if err := writePresence(ctx, tx.Tx, c.Account, c.Room, *c.Presence); err != nil {
			return err
		}
	}
	if !c.Create && (len(c.Events) > 0 || len(c.Rewrite) > 0) {
		if err := s.updateRoom(ctx, tx, c); err != nil {
			return err
		}
	}
	if err := s.insertEvents(ctx, tx, c.Events); err != nil {
		return err
	}
	if err := rewriteEvents(ctx, tx.Tx, c.Room, c.Rewrite); err != nil {
		return err
	}
	if c.Erase != nil {
		if err := erase(ctx, tx.Tx, c.Account, c.Room, *c.Erase); err != nil {
			return err
		}
	}
	if err := writeDocuments(ctx, tx.Tx, c.Account, c.Room, c.Documents); err != nil {
		return err
	}
	if err := writeRequestFiles(ctx, tx.Tx, c.Account, c.Room, c.RequestFiles); err != nil {
		return err
	}
	return s.writeLinksAndMessages(ctx, tx.Tx, c)
}

// headQuery reads a room's head; the dialect's RowLock ends it.
const headQuery = `SELECT seq FROM rooms WHERE id = $1 AND account_id = $2`

// lockHead returns the seq of the last event of room roomID of account,
// read in tx and, where the dialect needs it, with the room's row locked
// until tx ends, so that no other writer appends to the room or changes
// its presence meanwhile.
func (s *DB) lockHead(ctx context.Context, tx *writeTx, account, roomID string) (int64, error) {
	var seq int64
	err := tx.stmt(ctx, s.stmts.head).GetContext(ctx, &seq, roomID, account)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, roomNotFound(roomID)
	}
	if err != nil {
		return 0, fmt.Errorf("read head: %w", err)
	}
	return seq, nil
}

// insertRoom writes the row of the room c creates, in c's state;
// KindConflict if a room of any account has its id.
func (s *DB) insertRoom(ctx context.Context, tx *sqlx.Tx, c store.Change) error {
	st := c.State
	state, err := stateJSON(c)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO rooms (id, account_id, agent_id, status, created_at, updated_at, seq, state, invite_status, search)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		st.ID, st.Account, st.Agent.ID, string(st.Status), ts(st.CreatedAt), ts(st.UpdatedAt), st.Seq, state, string(st.InviteStatus), searchKey(st.Customer))
	if s.isUnique(err) {
		return tandem.Errorf(tandem.KindConflict, "room %s already exists", st.ID)
	}
	if err != nil {
		return fmt.Errorf("insert room: %w", err)
	}
	return nil
}

// updateRoom writes the state of the room of c and moves its head from
// c.Head to the state's seq: KindConflict (tandem.CodeSeqConflict) if the
// room is not at c.Head. What changes at each event (seq, time, state) is
// written by one statement; the columns that rarely change (status,
// agent, invitation, search key) by a second one only where they differ,
// so that an event leaves the indexes on them as they are.
func (s *DB) updateRoom(ctx context.Context, tx *writeTx, c store.Change) error {
	st := c.State
	state, err := stateJSON(c)
	if err != nil {
		return err
	}
	res, err := tx.stmt(ctx, s.stmts.updateRoom).ExecContext(ctx, st.Seq, ts(st.UpdatedAt), state, st.ID, st.Account, c.Head)
	if err != nil {
		return fmt.Errorf("update room: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update room: %w", err)
	} else if n != 1 {
		return tandem.Coded(tandem.KindConflict, tandem.CodeSeqConflict, "room %s moved past %d while the change was written; reload and retry", st.ID, c.Head)
	}
	if _, err := tx.stmt(ctx, s.stmts.updateRoomColumns).ExecContext(ctx, string(st.Status), st.Agent.ID, string(st.InviteStatus), searchKey(st.Customer), st.ID, st.Account); err != nil {
		return fmt.Errorf("update room: %w", err)
	}
	return nil
}

// stateJSON is the state of c as the rooms table keeps it.
func stateJSON(c store.Change) (string, error) {
	if c.StateJSON != nil {
		return string(c.StateJSON), nil
	}
	b, err := json.Marshal(c.State)
	if err != nil {
		return "", fmt.Errorf("room %s: encode state: %w", c.Room, err)
	}
	return string(b), nil
}

// insertEvents appends evs to the log. The log's primary key (room_id, seq)
// refuses a seq written twice: that is a seq conflict.
func (s *DB) insertEvents(ctx context.Context, tx *writeTx, evs []room.Event) error {
	if len(evs) == 0 {
		return nil
	}
	insert := tx.stmt(ctx, s.stmts.insertEvent)
	for _, e := range evs {
		actor, origin, err := encodeActorOrigin(e)
		if err != nil {
			return err
		}
		_, err = insert.ExecContext(ctx, e.Room, e.Seq, e.Type, ts(e.At), actor, origin, string(e.Data), e.Hash)
		if s.isUnique(err) {
			return tandem.Coded(tandem.KindConflict, tandem.CodeSeqConflict, "room %s: event %d was already written; reload and retry", e.Room, e.Seq)
		}
		if err != nil {
			return fmt.Errorf("insert event %d: %w", e.Seq, err)
		}
	}
	return nil
}

// writeLinksAndMessages writes what goes with c's events: its links, its
// revocations at the time of its first event, its messages and its
// contact. The events are already written.
func (s *DB) writeLinksAndMessages(ctx context.Context, tx *sqlx.Tx, c store.Change) error {
	for _, l := range c.Links {
		if err := s.insertLink(ctx, tx, l); err != nil {
			return err
		}
	}
	if len(c.RevokeLinks) > 0 {
		if err := revokeLinks(ctx, tx, c.Account, c.Room, c.RevokeLinks, c.Events[0].At); err != nil {
			return err
		}
	}
	for _, m := range c.Messages {
		if err := s.insertMessage(ctx, tx, m); err != nil {
			return err
		}
	}
	if c.Contact != nil {
		return s.useContact(ctx, tx, c.Account, c.Room, *c.Contact)
	}
	return nil
}

// seqConflict is the error of a change decided at head on a room whose
// head is now seq.
func seqConflict(roomID string, head, seq int64) error {
	return tandem.Coded(tandem.KindConflict, tandem.CodeSeqConflict, "room %s: the change was decided at seq %d, the room is at %d; reload and retry",
		roomID, head, seq)
}

// wrapInternal adds context to err unless it is an application error,
// which already says what it is about.
func wrapInternal(err error, format string, args ...any) error {
	var re *tandem.Error
	if err == nil || errors.As(err, &re) {
		return err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
