package sqlstore

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem/store"
)

// writeDocuments records the files of a room's documents, in tx: a new
// document's original, and the completed PDF of one already recorded
// (which keeps its original).
func writeDocuments(ctx context.Context, tx *sqlx.Tx, account, roomID string, docs []store.DocumentFiles) error {
	for _, d := range docs {
		_, err := tx.ExecContext(ctx, `INSERT INTO documents (room_id, id, account_id, sha256, completed_sha256) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (room_id, id) DO UPDATE SET completed_sha256 = excluded.completed_sha256
			WHERE documents.account_id = excluded.account_id`,
			roomID, d.Document, account, d.File, d.Completed)
		if err != nil {
			return fmt.Errorf("record the files of document %s: %w", d.Document, err)
		}
	}
	return nil
}

// FileInUse implements store.Files.
func (s *DB) FileInUse(ctx context.Context, account, sha256 string) (bool, error) {
	var used bool
	err := s.db.GetContext(ctx, &used, `SELECT EXISTS (SELECT 1 FROM assets WHERE account_id = $1 AND sha256 = $2)
		OR EXISTS (SELECT 1 FROM documents WHERE account_id = $1 AND sha256 = $2)
		OR EXISTS (SELECT 1 FROM documents WHERE account_id = $1 AND completed_sha256 = $2)`, account, sha256)
	if err != nil {
		return false, fmt.Errorf("uses of file %s: %w", sha256, err)
	}
	return used, nil
}
