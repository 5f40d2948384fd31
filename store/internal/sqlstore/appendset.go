package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem/store"
)

// PostgreSQL's set-based append: the simple changes of a round of a batch
// (isSimple: events and a state, nothing else) are written by two
// statements whatever their number, their values passed as arrays and
// spread into rows by unnest. Only a dialect with arrays (Dialect.Array)
// prepares and runs them: SQLite writes each change by commitOne.
const (
	// appendRoomsQuery moves each room from its head to its new state
	// and returns the rooms it moved. Guarded by the head, the UPDATE
	// locks each row and checks it at once, so that no SELECT … FOR
	// UPDATE is needed: a room another writer moved first (PostgreSQL
	// checks the row again once that writer's lock is released) or that
	// is not in the change's account matches no row, and is not returned.
	// The rows are locked first in order of id (locked), as every batch
	// does, since the order the UPDATE's join meets them in is the
	// planner's: two batches locking shared rooms in different orders
	// would deadlock.
	appendRoomsQuery = `WITH locked AS MATERIALIZED (SELECT id FROM rooms WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE)
		UPDATE rooms SET seq = v.seq, status = v.status, agent_id = v.agent_id, updated_at = v.updated_at,
			state = v.state, invite_status = v.invite_status, search = v.search
		FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::text[], $10::text[])
			AS v (id, account_id, head, seq, status, agent_id, updated_at, state, invite_status, search)
		WHERE rooms.id = v.id AND rooms.account_id = v.account_id AND rooms.seq = v.head AND rooms.id IN (SELECT id FROM locked)
		RETURNING rooms.id`
	// appendEventsQuery appends the events of the rooms moved.
	appendEventsQuery = `INSERT INTO events (room_id, seq, type, at, actor, origin, data, hash)
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[])`
	// lockRoomsQuery locks rooms in order of id.
	lockRoomsQuery = `SELECT id FROM rooms WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`
	// refusedQuery reads the heads of the rooms not moved that are in
	// the changes' accounts: the others are not found.
	refusedQuery = `SELECT r.id, r.seq FROM unnest($1::text[], $2::text[]) AS v (id, account_id)
		JOIN rooms r ON r.id = v.id AND r.account_id = v.account_id`
)

// appendSimple writes the simple changes cs[k], k in ks (of distinct
// rooms), in tx, setting results[k] to why cs[k] was refused: a seq
// conflict, or a room not found. It returns an error when tx must be
// given up.
func (s *DB) appendSimple(ctx context.Context, tx *sqlx.Tx, cs []store.Change, ks []int, results []error) error {
	if len(ks) == 0 {
		return nil
	}
	n := len(ks)
	ids, accounts, statuses, agents, updated := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	states, invites, searches := make([]string, n), make([]string, n), make([]string, n)
	heads, seqs := make([]int64, n), make([]int64, n)
	for j, k := range ks {
		c := cs[k]
		state, err := json.Marshal(c.State)
		if err != nil {
			return fmt.Errorf("room %s: encode state: %w", c.Room, err)
		}
		st := c.State
		ids[j], accounts[j], heads[j], seqs[j] = c.Room, c.Account, c.Head, st.Seq
		statuses[j], agents[j], states[j] = string(st.Status), st.Agent.ID, string(state)
		updated[j] = timeText(st.UpdatedAt)
		invites[j], searches[j] = string(st.InviteStatus), searchKey(st.Customer)
	}
	a := s.d.Array
	var moved []string
	err := tx.StmtxContext(ctx, s.stmts.appendRooms).SelectContext(ctx, &moved,
		a(ids), a(accounts), a(heads), a(seqs), a(statuses), a(agents), a(updated), a(states), a(invites), a(searches))
	if err != nil {
		return fmt.Errorf("append to %d rooms: %w", n, err)
	}
	written := make(map[string]bool, len(moved))
	for _, id := range moved {
		written[id] = true
	}
	if err := s.appendEvents(ctx, tx, cs, ks, written); err != nil {
		return err
	}
	if len(written) < n {
		return s.refuseSimple(ctx, tx, cs, ks, written, results)
	}
	return nil
}

// appendEvents inserts the events of the changes cs[k], k in ks, whose
// rooms were written.
func (s *DB) appendEvents(ctx context.Context, tx *sqlx.Tx, cs []store.Change, ks []int, written map[string]bool) error {
	var rooms, types, ats, actors, origins, data, hashes []string
	var seqs []int64
	for _, k := range ks {
		if !written[cs[k].Room] {
			continue
		}
		for _, e := range cs[k].Events {
			actor, err := json.Marshal(e.Actor)
			if err != nil {
				return fmt.Errorf("room %s: encode actor of event %d: %w", e.Room, e.Seq, err)
			}
			origin, err := encodeOrigin(e.Origin)
			if err != nil {
				return fmt.Errorf("room %s: encode origin of event %d: %w", e.Room, e.Seq, err)
			}
			rooms, seqs, types, ats = append(rooms, e.Room), append(seqs, e.Seq), append(types, e.Type), append(ats, timeText(e.At))
			actors, origins, data, hashes = append(actors, string(actor)), append(origins, origin), append(data, string(e.Data)), append(hashes, e.Hash)
		}
	}
	if len(rooms) == 0 {
		return nil
	}
	a := s.d.Array
	if _, err := tx.StmtxContext(ctx, s.stmts.appendEvents).ExecContext(ctx,
		a(rooms), a(seqs), a(types), a(ats), a(actors), a(origins), a(data), a(hashes)); err != nil {
		return fmt.Errorf("append %d events: %w", len(rooms), err)
	}
	return nil
}

// lockRooms locks the rooms of the changes cs[k], k in ks, in order of id,
// whatever account they are in.
func (s *DB) lockRooms(ctx context.Context, tx *sqlx.Tx, cs []store.Change, ks []int) error {
	ids := make([]string, len(ks))
	for j, k := range ks {
		ids[j] = cs[k].Room
	}
	var locked []string
	if err := tx.SelectContext(ctx, &locked, lockRoomsQuery, s.d.Array(ids)); err != nil {
		return fmt.Errorf("lock %d rooms: %w", len(ids), err)
	}
	return nil
}

// refuseSimple sets the results of the changes cs[k], k in ks, whose rooms
// were not written: a seq conflict if the room is in the change's
// account, else not found. Only this rarer path reads the heads.
func (s *DB) refuseSimple(ctx context.Context, tx *sqlx.Tx, cs []store.Change, ks []int, written map[string]bool, results []error) error {
	var ids, accounts []string
	for _, k := range ks {
		if !written[cs[k].Room] {
			ids, accounts = append(ids, cs[k].Room), append(accounts, cs[k].Account)
		}
	}
	var rows []struct {
		ID  string `db:"id"`
		Seq int64  `db:"seq"`
	}
	if err := tx.SelectContext(ctx, &rows, refusedQuery, s.d.Array(ids), s.d.Array(accounts)); err != nil {
		return fmt.Errorf("read the heads of %d rooms: %w", len(ids), err)
	}
	heads := make(map[string]int64, len(rows))
	for _, r := range rows {
		heads[r.ID] = r.Seq
	}
	for _, k := range ks {
		c := cs[k]
		if written[c.Room] {
			continue
		}
		if seq, ok := heads[c.Room]; ok {
			results[k] = seqConflict(c.Room, c.Head, seq)
		} else {
			results[k] = roomNotFound(c.Room)
		}
	}
	return nil
}

// timeText is t as the store writes it, as text: what an array of times
// is passed as.
func timeText(t time.Time) string {
	return time.Time(ts(t)).Format(timeLayout)
}
