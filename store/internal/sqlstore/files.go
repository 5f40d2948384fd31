package sqlstore

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem/store"
)

// writeDocuments records the files of a room's documents, in tx: a new
// document's original, and the completed and signed PDFs of one already
// recorded (which keeps what the change leaves empty). Recording the
// signed PDF ends the document's wait for its seal.
func writeDocuments(ctx context.Context, tx *sqlx.Tx, account, roomID string, docs []store.DocumentFiles) error {
	for _, d := range docs {
		var due *timestamp
		if !d.SealDue.IsZero() && d.Signed == "" {
			v := ts(d.SealDue)
			due = &v
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO documents (room_id, id, account_id, sha256, completed_sha256, signed_sha256, sealing_due_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (room_id, id) DO UPDATE SET
				completed_sha256 = CASE WHEN excluded.completed_sha256 <> '' THEN excluded.completed_sha256 ELSE documents.completed_sha256 END,
				signed_sha256 = CASE WHEN excluded.signed_sha256 <> '' THEN excluded.signed_sha256 ELSE documents.signed_sha256 END,
				sealing_due_at = CASE WHEN excluded.signed_sha256 <> '' THEN NULL
					WHEN excluded.sealing_due_at IS NOT NULL THEN excluded.sealing_due_at ELSE documents.sealing_due_at END
			WHERE documents.account_id = excluded.account_id`,
			roomID, d.Document, account, d.File, d.Completed, d.Signed, due)
		if err != nil {
			return fmt.Errorf("record the files of document %s: %w", d.Document, err)
		}
	}
	return nil
}

// writeRequestFiles records the files uploaded for a room's requests, in
// tx.
func writeRequestFiles(ctx context.Context, tx *sqlx.Tx, account, roomID string, files []store.RequestFile) error {
	for _, f := range files {
		_, err := tx.ExecContext(ctx, `INSERT INTO request_files (room_id, id, account_id, request_id, sha256) VALUES ($1, $2, $3, $4, $5)`,
			roomID, f.File, account, f.Request, f.SHA256)
		if err != nil {
			return fmt.Errorf("record file %s of request %s: %w", f.File, f.Request, err)
		}
	}
	return nil
}

// FileInUse implements store.Files.
func (s *DB) FileInUse(ctx context.Context, account, sha256 string) (bool, error) {
	var used bool
	err := s.db.GetContext(ctx, &used, `SELECT EXISTS (SELECT 1 FROM assets WHERE account_id = $1 AND sha256 = $2)
		OR EXISTS (SELECT 1 FROM documents WHERE account_id = $1 AND sha256 = $2)
		OR EXISTS (SELECT 1 FROM documents WHERE account_id = $1 AND completed_sha256 = $2)
		OR EXISTS (SELECT 1 FROM documents WHERE account_id = $1 AND signed_sha256 = $2)
		OR EXISTS (SELECT 1 FROM request_files WHERE account_id = $1 AND sha256 = $2)
		OR EXISTS (SELECT 1 FROM brand_images WHERE account_id = $1 AND sha256 = $2)`, account, sha256)
	if err != nil {
		return false, fmt.Errorf("uses of file %s: %w", sha256, err)
	}
	return used, nil
}
