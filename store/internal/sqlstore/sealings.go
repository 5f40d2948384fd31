package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/store"
)

var _ store.Sealings = (*DB)(nil)

type sealingRow struct {
	Account   string    `db:"account_id"`
	Room      string    `db:"room_id"`
	Document  string    `db:"id"`
	Completed string    `db:"completed_sha256"`
	Attempts  int       `db:"sealing_attempts"`
	LastError string    `db:"sealing_error"`
	DueAt     timestamp `db:"sealing_due_at"`
}

func (r sealingRow) sealing() store.Sealing {
	return store.Sealing{Account: r.Account, Room: r.Room, Document: r.Document, Completed: r.Completed,
		Attempts: r.Attempts, LastError: r.LastError, DueAt: r.DueAt.Time()}
}

const sealingColumns = `account_id, room_id, id, completed_sha256, sealing_attempts, sealing_error, sealing_due_at`

// DueSealings implements store.Sealings.
func (s *DB) DueSealings(ctx context.Context, now time.Time, limit int) ([]store.Sealing, error) {
	if limit <= 0 {
		return nil, nil
	}
	var rows []sealingRow
	err := s.db.SelectContext(ctx, &rows, `SELECT `+sealingColumns+` FROM documents
		WHERE sealing_due_at IS NOT NULL AND sealing_due_at <= $1 ORDER BY sealing_due_at, room_id, id LIMIT $2`, ts(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due sealings: %w", err)
	}
	out := make([]store.Sealing, len(rows))
	for i, r := range rows {
		out[i] = r.sealing()
	}
	return out, nil
}

// ClaimSealing implements store.Sealings.
func (s *DB) ClaimSealing(ctx context.Context, roomID, document string, now, until time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE documents SET sealing_due_at = $1, sealing_attempts = sealing_attempts + 1
		WHERE room_id = $2 AND id = $3 AND sealing_due_at IS NOT NULL AND sealing_due_at <= $4`, ts(until), roomID, document, ts(now))
	if err != nil {
		return false, fmt.Errorf("claim the sealing of %s/%s: %w", roomID, document, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim the sealing of %s/%s: %w", roomID, document, err)
	}
	return n == 1, nil
}

// SealingFailed implements store.Sealings.
func (s *DB) SealingFailed(ctx context.Context, roomID, document string, next time.Time, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE documents SET sealing_due_at = $1, sealing_error = $2
		WHERE room_id = $3 AND id = $4 AND sealing_due_at IS NOT NULL`, ts(next), reason, roomID, document)
	if err != nil {
		return fmt.Errorf("record the failed sealing of %s/%s: %w", roomID, document, err)
	}
	return nil
}

// Sealing implements store.Sealings.
func (s *DB) Sealing(ctx context.Context, account, roomID, document string) (store.Sealing, error) {
	var r sealingRow
	err := s.db.GetContext(ctx, &r, `SELECT `+sealingColumns+` FROM documents
		WHERE account_id = $1 AND room_id = $2 AND id = $3 AND sealing_due_at IS NOT NULL`, account, roomID, document)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Sealing{}, tandem.Errorf(tandem.KindNotFound, "document %s does not wait for a seal", document)
	}
	if err != nil {
		return store.Sealing{}, fmt.Errorf("the sealing of %s/%s: %w", roomID, document, err)
	}
	return r.sealing(), nil
}

// sealKeyID is the one row of seal_keys.
const sealKeyID = "hub"

type sealKeyRow struct {
	Chain     string    `db:"chain"`
	Key       string    `db:"key"`
	CreatedAt timestamp `db:"created_at"`
}

// SealKey implements store.Sealings.
func (s *DB) SealKey(ctx context.Context) (store.SealKey, error) {
	var r sealKeyRow
	err := s.db.GetContext(ctx, &r, `SELECT chain, key, created_at FROM seal_keys WHERE id = $1`, sealKeyID)
	if errors.Is(err, sql.ErrNoRows) {
		return store.SealKey{}, tandem.Errorf(tandem.KindNotFound, "the hub has no sealing key yet")
	}
	if err != nil {
		return store.SealKey{}, fmt.Errorf("read the sealing key: %w", err)
	}
	return store.SealKey{Chain: []byte(r.Chain), Key: []byte(r.Key), CreatedAt: r.CreatedAt.Time()}, nil
}

// CreateSealKey implements store.Sealings.
func (s *DB) CreateSealKey(ctx context.Context, k store.SealKey) (store.SealKey, error) {
	if len(k.Chain) == 0 || len(k.Key) == 0 {
		return store.SealKey{}, tandem.Errorf(tandem.KindInvalid, "a sealing key needs its certificate chain and its key")
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO seal_keys (id, chain, key, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO NOTHING`, sealKeyID, string(k.Chain), string(k.Key), ts(k.CreatedAt))
	if err != nil {
		return store.SealKey{}, fmt.Errorf("keep the sealing key: %w", err)
	}
	return s.SealKey(ctx)
}
