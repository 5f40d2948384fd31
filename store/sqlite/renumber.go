package sqlite

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// sharedNumbering is the PRAGMA user_version of a database whose goose
// versions follow the numbering shared with store/postgres, where version
// 2 is state_text (a no-op in SQLite). A database made before that
// numbering has user_version 0.
const sharedNumbering = 1

// renumber brings the goose versions recorded in a database made before
// the shared numbering to it, once, before goose runs. Such a database
// recorded presence as version 2, phone_region as 3 … rooms_agent_updated
// as 9; the same migrations are now versions 3 to 10. Left alone, goose
// would take versions 2 to 9 as applied and run version 10 again, or, on
// a database migrated part of the way, run again the migration it last
// applied under its old number, and fail (an index or a column that
// exists). So versions 2 and up are shifted by one and version 2 is
// recorded as applied, in one transaction with the mark.
//
// A fresh database is marked before goose makes its version table, so
// its versions are never shifted.
func renumber(ctx context.Context, db *sqlx.DB) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("renumber migrations: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var numbering int
	if err := tx.GetContext(ctx, &numbering, `PRAGMA user_version`); err != nil {
		return fmt.Errorf("renumber migrations: read user_version: %w", err)
	}
	if numbering >= sharedNumbering {
		return nil
	}
	var tables int
	if err := tx.GetContext(ctx, &tables, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'goose_db_version'`); err != nil {
		return fmt.Errorf("renumber migrations: %w", err)
	}
	if tables > 0 {
		var later int
		if err := tx.GetContext(ctx, &later, `SELECT COUNT(*) FROM goose_db_version WHERE version_id >= 2`); err != nil {
			return fmt.Errorf("renumber migrations: %w", err)
		}
		if later > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE goose_db_version SET version_id = version_id + 1 WHERE version_id >= 2`); err != nil {
				return fmt.Errorf("renumber migrations: shift versions: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (2, 1)`); err != nil {
				return fmt.Errorf("renumber migrations: record version 2: %w", err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, sharedNumbering)); err != nil {
		return fmt.Errorf("renumber migrations: mark the numbering: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("renumber migrations: %w", err)
	}
	return nil
}
