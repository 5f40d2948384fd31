package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem/store"
)

// PostgreSQL's set-based append: the simple changes of a round of a batch
// (isSimple: events and a state, nothing else) are written by one
// statement whatever their number, their values passed as arrays and
// spread into rows by unnest. Only a dialect with arrays (Dialect.Array)
// prepares and runs it: SQLite writes each change by itself.
const (
	// appendQuery moves each room from its head to its new state (moved),
	// appends the events of the rooms it moved, and returns those rooms.
	// Guarded by the head, the UPDATE locks each row and checks it at
	// once, so that no SELECT … FOR UPDATE is needed: a room another
	// writer moved first (PostgreSQL checks the row again once that
	// writer's lock is released) or that is not in the change's account
	// matches no row, is not returned, and gets none of its events.
	// The rows are locked first in order of id (locked), as every batch
	// does, since the order the UPDATE's join meets them in is the
	// planner's: two batches locking shared rooms in different orders
	// would deadlock.
	appendQuery = `WITH locked AS MATERIALIZED (` + lockRoomsQuery + `),
		moved AS (UPDATE rooms SET seq = v.seq, status = v.status, agent_id = v.agent_id, updated_at = v.updated_at,
				state = v.state, invite_status = v.invite_status, search = v.search
			FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::text[], $10::text[])
				AS v (id, account_id, head, seq, status, agent_id, updated_at, state, invite_status, search)
			WHERE rooms.id = v.id AND rooms.account_id = v.account_id AND rooms.seq = v.head AND rooms.id IN (SELECT id FROM locked)
			RETURNING rooms.id),
		appended AS (INSERT INTO events (room_id, seq, type, at, actor, origin, data, hash)
			SELECT e.* FROM unnest($11::text[], $12::bigint[], $13::text[], $14::timestamptz[], $15::text[], $16::text[], $17::text[], $18::text[])
				AS e (room_id, seq, type, at, actor, origin, data, hash)
			WHERE e.room_id IN (SELECT id FROM moved))
		SELECT id FROM moved`
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
func (s *DB) appendSimple(ctx context.Context, tx *writeTx, cs []store.Change, ks []int, results []error) error {
	if len(ks) == 0 {
		return nil
	}
	n := len(ks)
	ids, accounts, statuses, agents, updated := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	states, invites, searches := make([]string, n), make([]string, n), make([]string, n)
	heads, seqs := make([]int64, n), make([]int64, n)
	for j, k := range ks {
		c := cs[k]
		state, err := stateJSON(c)
		if err != nil {
			return err
		}
		st := c.State
		ids[j], accounts[j], heads[j], seqs[j] = c.Room, c.Account, c.Head, st.Seq
		statuses[j], agents[j], states[j] = string(st.Status), st.Agent.ID, state
		updated[j] = timeText(st.UpdatedAt)
		invites[j], searches[j] = string(st.InviteStatus), searchKey(st.Customer)
	}
	evs, err := eventArrays(cs, ks)
	if err != nil {
		return err
	}
	a := s.d.Array
	var moved []string
	err = tx.stmt(ctx, s.stmts.appendSet).SelectContext(ctx, &moved,
		a(ids), a(accounts), a(heads), a(seqs), a(statuses), a(agents), a(updated), a(states), a(invites), a(searches),
		a(evs.rooms), a(evs.seqs), a(evs.types), a(evs.ats), a(evs.actors), a(evs.origins), a(evs.data), a(evs.hashes))
	if err != nil {
		return fmt.Errorf("append to %d rooms: %w", n, err)
	}
	if len(moved) == n {
		return nil
	}
	written := make(map[string]bool, len(moved))
	for _, id := range moved {
		written[id] = true
	}
	return s.refuseSimple(ctx, tx.Tx, cs, ks, written, results)
}

// eventColumns are the columns of events, as arrays.
type eventColumns struct {
	rooms, types, ats, actors, origins, data, hashes []string
	seqs                                             []int64
}

// eventArrays returns the events of the changes cs[k], k in ks, as
// arrays.
func eventArrays(cs []store.Change, ks []int) (eventColumns, error) {
	var evs eventColumns
	for _, k := range ks {
		for _, e := range cs[k].Events {
			actor, origin, err := encodeActorOrigin(e)
			if err != nil {
				return evs, err
			}
			evs.rooms, evs.seqs, evs.types, evs.ats = append(evs.rooms, e.Room), append(evs.seqs, e.Seq), append(evs.types, e.Type), append(evs.ats, timeText(e.At))
			evs.actors, evs.origins = append(evs.actors, actor), append(evs.origins, origin)
			evs.data, evs.hashes = append(evs.data, string(e.Data)), append(evs.hashes, e.Hash)
		}
	}
	return evs, nil
}

// lockRooms locks the rooms of the changes cs[k], k in ks, in order of id,
// whatever account they are in.
func (s *DB) lockRooms(ctx context.Context, tx *sqlx.Tx, cs []store.Change, ks []int) error {
	ids := make([]string, len(ks))
	for j, k := range ks {
		ids[j] = cs[k].Room
	}
	if _, err := tx.ExecContext(ctx, lockRoomsQuery, s.d.Array(ids)); err != nil {
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
