package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/store"
)

// Commit implements store.Rooms. The changes are checked (prepare), then
// written together in one transaction, so that a batch costs the database
// one sync of its log however many rooms it changes (writeBatch). errs[i]
// is the result of batch[i].
//
// Should that transaction fail as a whole before it commits (a deadlock
// with another instance's batch, a lost connection), the changes are
// written again one by one, each in a transaction of its own, so that
// each still gets a result of its own and one's failure never fails
// another, unless the database cannot be reached at all
// (store.IsUnavailable). Should its COMMIT fail, every change that was not refused
// gets that error: nothing of the batch may be reported written.
//
// Even a batch of one simple append has its transaction: outside one,
// database/sql runs a statement again on another connection when the
// driver reports the first one bad (driver.ErrBadConn), which lib/pq may
// do after the statement reached the server. The second run would find
// the room moved by the first and report the change refused, to be
// decided and written again (TestLoneAppendCutAfterItWasSent).
func (s *DB) Commit(ctx context.Context, batch []store.Change) []error {
	errs := make([]error, len(batch))
	ready := make([]store.Change, 0, len(batch))
	at := make([]int, 0, len(batch)) // batch[at[k]] is ready[k]
	for i, c := range batch {
		c, err := prepare(c)
		if err != nil {
			errs[i] = err
			continue
		}
		ready = append(ready, c)
		at = append(at, i)
	}
	if len(ready) == 0 {
		return errs
	}
	results := make([]error, len(ready))
	err := s.commitBatch(ctx, ready, results)
	var failed *commitFailed
	switch {
	case err == nil, errors.As(err, &failed):
		// Written, or refused, or, when the COMMIT failed, not written.
		for k, i := range at {
			if errs[i] = results[k]; errs[i] == nil && err != nil {
				errs[i] = fmt.Errorf("commit room %s: %w", ready[k].Room, err)
			}
		}
	case ctx.Err() != nil || (len(ready) == 1 && !s.isTransient(err)):
		// One by one would fail the same way.
		for k, i := range at {
			errs[i] = fmt.Errorf("commit room %s: %w", ready[k].Room, err)
		}
	default:
		// Once the database cannot be reached by a change alone either,
		// the others are not tried: an outage would otherwise cost each
		// change of the batch a wait for the connection to fail.
		var away error
		for k, i := range at {
			if away != nil {
				errs[i] = fmt.Errorf("commit room %s: %w", ready[k].Room, away)
				continue
			}
			if errs[i] = s.commitChange(ctx, ready[k]); store.IsUnavailable(errs[i]) {
				away = errs[i]
			}
		}
	}
	return errs
}

// commitFailed is the error of a batch's COMMIT: the batch may not be
// written again, as some of it may have been written.
type commitFailed struct{ err error }

func (e *commitFailed) Error() string { return "commit transaction: " + e.err.Error() }
func (e *commitFailed) Unwrap() error { return e.err }

// commitBatch writes the changes cs, made ready by prepare, in one
// transaction, setting results[k] to why cs[k] was refused. It returns an
// error only when the transaction failed as a whole (*commitFailed if its
// COMMIT did), and then nothing is written. A transaction whose every
// change was refused is rolled back: that is also how a change alone,
// written with no savepoint, is undone.
func (s *DB) commitBatch(ctx context.Context, cs []store.Change, results []error) error {
	tx, wctx, done, err := s.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer done()
	if err := s.writeBatch(wctx, newWriteTx(tx), cs, results); err != nil {
		_ = tx.Rollback()
		return err
	}
	refused := 0
	for _, err := range results {
		if err != nil {
			refused++
		}
	}
	if refused == len(cs) {
		_ = tx.Rollback()
		return nil
	}
	if err := tx.Commit(); err != nil {
		return &commitFailed{err}
	}
	return nil
}

// beginWrite begins the transaction of a batch, waiting for a connection
// of the pool no longer than ctx allows, and returns the context of the
// batch's statements: ctx, or on an embedded database ctx without its
// deadline (Dialect.Embedded). done gives the connection back once the
// transaction has ended.
func (s *DB) beginWrite(ctx context.Context) (tx *sqlx.Tx, wctx context.Context, done func(), err error) {
	if !s.d.Embedded {
		tx, err := s.db.BeginTxx(ctx, nil)
		return tx, ctx, func() {}, err
	}
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	wctx = context.WithoutCancel(ctx)
	if tx, err = conn.BeginTxx(wctx, nil); err != nil {
		_ = conn.Close()
		return nil, nil, nil, err
	}
	return tx, wctx, func() { _ = conn.Close() }, nil
}

// writeBatch writes the changes cs in tx, setting results[k] to why cs[k]
// was refused; it returns an error when tx must be given up. The changes
// are written in rounds in which each room has at most one change, the
// first of its changes in the first round, the next in the second and so
// on, so that a room's changes are written in the order of the batch. In
// a round the rooms take their turns by id, so that two batches sharing
// rooms lock them in the same order and do not deadlock.
//
// Where the dialect has arrays, the round's simple appends are written
// together (appendSimple), after the round's rooms are locked in order of
// id if some of its changes are not simple (lockRooms: else the set-based
// append would lock its rooms before the others'). Elsewhere a simple
// append is written by appendUnsaved. Every other change is written by
// commitOne, under a savepoint when it shares tx, so that its refusal
// undoes it alone (on PostgreSQL a failed statement aborts the whole
// transaction otherwise).
func (s *DB) writeBatch(ctx context.Context, tx *writeTx, cs []store.Change, results []error) error {
	shared := len(cs) > 1
	for _, round := range rounds(cs) {
		var simple []int
		if s.d.Array != nil {
			for _, k := range round {
				if isSimple(cs[k]) {
					simple = append(simple, k)
				}
			}
			if len(simple) > 0 && len(simple) < len(round) {
				if err := s.lockRooms(ctx, tx.Tx, cs, round); err != nil {
					return err
				}
			}
			if err := s.appendSimple(ctx, tx, cs, simple, results); err != nil {
				return err
			}
		}
		for _, k := range round {
			c := cs[k]
			var refused, err error
			switch {
			case s.d.Array != nil && isSimple(c):
				continue
			case isSimple(c):
				// Refused before it writes anything: needs no savepoint,
				// alone or not.
				refused, err = s.appendUnsaved(ctx, tx, c)
			case !shared:
				refused, err = s.commitAlone(ctx, tx, c)
			default:
				refused, err = s.commitSaved(ctx, tx, c)
			}
			if err != nil {
				return err
			}
			results[k] = refused
		}
	}
	return nil
}

// commitAlone writes c, the one change of tx, with no savepoint: it
// returns the refusal, after which tx is rolled back (commitBatch), or an
// error that is not one when tx must be given up.
func (s *DB) commitAlone(ctx context.Context, tx *writeTx, c store.Change) (refused, err error) {
	err = s.commitOne(ctx, tx, c)
	var re *tandem.Error
	if errors.As(err, &re) {
		return err, nil
	}
	return nil, err
}

// commitSaved writes c in tx under a savepoint, rolled back to if c is
// refused: it returns the refusal, or an error that is not one (a
// database's failure, not the change's) when tx must be given up.
func (s *DB) commitSaved(ctx context.Context, tx *writeTx, c store.Change) (refused, err error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT change`); err != nil {
		return nil, fmt.Errorf("savepoint: %w", err)
	}
	refused = s.commitOne(ctx, tx, c)
	var re *tandem.Error
	if refused != nil && !errors.As(refused, &re) {
		return nil, refused
	}
	if refused != nil {
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT change`); err != nil {
			return nil, fmt.Errorf("roll back to savepoint: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT change`); err != nil {
		return nil, fmt.Errorf("release savepoint: %w", err)
	}
	return refused, nil
}

// appendUnsaved writes the simple change c in tx with no savepoint: it is
// refused (a seq conflict, a room not found) on its head, before it writes
// anything, and a failure after that is tx's, to be given up. The room's
// row is updated where its head is still c.Head, with no read before: the
// head is read only to say why, when the update found no such row.
func (s *DB) appendUnsaved(ctx context.Context, tx *writeTx, c store.Change) (refused, err error) {
	err = s.updateRoom(ctx, tx, c)
	if tandem.ErrorCode(err) == tandem.CodeSeqConflict {
		seq, err := s.lockHead(ctx, tx, c.Account, c.Room)
		var re *tandem.Error
		switch {
		case errors.As(err, &re):
			return err, nil
		case err != nil:
			return nil, err
		case seq != c.Head:
			return seqConflict(c.Room, c.Head, seq), nil
		}
		return nil, fmt.Errorf("room %s: its head is %d, yet it could not be updated from it", c.Room, seq)
	}
	if err != nil {
		return nil, err
	}
	return nil, s.insertEvents(ctx, tx, c.Events)
}

// rounds splits the changes cs into the rounds writeBatch writes them in:
// lists of indexes in cs, each naming a room at most once and sorted by
// room id; a room's k-th change is in the k-th round.
func rounds(cs []store.Change) [][]int {
	var out [][]int
	seen := make(map[string]int, len(cs))
	for k, c := range cs {
		n := seen[c.Room]
		seen[c.Room] = n + 1
		if n == len(out) {
			out = append(out, make([]int, 0, len(cs)-k))
		}
		out[n] = append(out[n], k)
	}
	for _, round := range out {
		slices.SortFunc(round, func(a, b int) int { return strings.Compare(cs[a].Room, cs[b].Room) })
	}
	return out
}

// isSimple reports whether c only appends events to an existing room and
// writes its state: the change of nearly every message, which the
// set-based append writes.
func isSimple(c store.Change) bool {
	return !c.Create && len(c.Events) > 0 && len(c.Rewrite) == 0 && c.Erase == nil &&
		len(c.Links) == 0 && len(c.RevokeLinks) == 0 && len(c.Messages) == 0 && c.Contact == nil &&
		c.Presence == nil && len(c.Documents) == 0 && len(c.RequestFiles) == 0
}

// changeTries bounds how many times commitChange writes a change whose
// transaction failed for a transient reason.
const changeTries = 5

// commitChange writes c, made ready by prepare, in a transaction of its
// own, again if that fails for a transient reason: a change written by
// itself waits for the rooms' locks behind the batches of other instances,
// and PostgreSQL may pick it to break a deadlock among them.
func (s *DB) commitChange(ctx context.Context, c store.Change) error {
	var err error
	for range changeTries {
		err = s.inTx(ctx, func(tx *sqlx.Tx) error { return s.commitOne(ctx, newWriteTx(tx), c) })
		if err == nil || !s.isTransient(err) || ctx.Err() != nil {
			break
		}
	}
	return wrapInternal(err, "commit room %s", c.Room)
}
