package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/store"
)

type documentTypeRow struct {
	ID          string    `db:"id"`
	Account     string    `db:"account_id"`
	Code        string    `db:"code"`
	Name        string    `db:"name"`
	Category    string    `db:"category"`
	Description string    `db:"description"`
	Retired     int       `db:"retired"`
	CreatedAt   timestamp `db:"created_at"`
	UpdatedAt   timestamp `db:"updated_at"`
}

const documentTypeColumns = `id, account_id, code, name, category, description, retired, created_at, updated_at`

func (r documentTypeRow) documentType() store.DocumentType {
	return store.DocumentType{ID: r.ID, Account: r.Account, Code: r.Code, Name: r.Name, Category: r.Category,
		Description: r.Description, Retired: r.Retired != 0, CreatedAt: r.CreatedAt.Time(), UpdatedAt: r.UpdatedAt.Time()}
}

// flag is b as the retired column keeps it.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

func documentTypeNotFound(id string) error {
	return tandem.Coded(tandem.KindNotFound, "document_type_not_found", "no document type %s in your account", id)
}

// DocumentTypes implements store.DocumentTypes.
func (s *DB) DocumentTypes(ctx context.Context, account string, q store.DocumentTypeQuery) ([]store.DocumentType, error) {
	args := []any{account}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where := "account_id = $1"
	if !q.IncludeRetired {
		where += " AND retired = 0"
	}
	if term := strings.TrimSpace(q.Q); term != "" {
		like := arg("%" + likeEscape(strings.ToLower(term)) + "%")
		where += ` AND (name_key LIKE ` + like + ` ESCAPE '\' OR code LIKE ` + like + ` ESCAPE '\' OR category_key LIKE ` + like + ` ESCAPE '\')`
	}
	var rows []documentTypeRow
	query := `SELECT ` + documentTypeColumns + ` FROM document_types WHERE ` + where + ` ORDER BY category_key, name_key, id`
	if err := s.db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("document types of account %s: %w", account, err)
	}
	out := make([]store.DocumentType, len(rows))
	for i, r := range rows {
		out[i] = r.documentType()
	}
	return out, nil
}

// DocumentType implements store.DocumentTypes.
func (s *DB) DocumentType(ctx context.Context, account, id string) (store.DocumentType, error) {
	var r documentTypeRow
	err := s.db.GetContext(ctx, &r, `SELECT `+documentTypeColumns+` FROM document_types WHERE account_id = $1 AND id = $2`, account, id)
	if errors.Is(err, sql.ErrNoRows) {
		return store.DocumentType{}, documentTypeNotFound(id)
	}
	if err != nil {
		return store.DocumentType{}, fmt.Errorf("get document type %s: %w", id, err)
	}
	return r.documentType(), nil
}

// CreateDocumentTypes implements store.DocumentTypes. Seeding leans on the
// unique (account, code) index: ON CONFLICT DO NOTHING passes over a code
// there already, including one a concurrent seed has just written.
func (s *DB) CreateDocumentTypes(ctx context.Context, account string, types []store.DocumentType, seed bool) error {
	query := `INSERT INTO document_types (` + documentTypeColumns + `, name_key, category_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`
	if seed {
		query += ` ON CONFLICT (account_id, code) DO NOTHING`
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, t := range types {
			_, err := tx.ExecContext(ctx, query, t.ID, account, t.Code, t.Name, t.Category, t.Description, flag(t.Retired),
				ts(t.CreatedAt), ts(t.UpdatedAt), strings.ToLower(t.Name), strings.ToLower(t.Category))
			if s.isUnique(err) {
				return tandem.Coded(tandem.KindConflict, "code_taken", "your account has a document type with the code %q already", t.Code)
			}
			if err != nil {
				return fmt.Errorf("create document type %s: %w", t.Code, err)
			}
		}
		return nil
	})
}

// UpdateDocumentType implements store.DocumentTypes.
func (s *DB) UpdateDocumentType(ctx context.Context, t store.DocumentType) (store.DocumentType, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE document_types SET name = $3, name_key = $4, category = $5, category_key = $6, description = $7,
		retired = $8, updated_at = $9 WHERE account_id = $1 AND id = $2`,
		t.Account, t.ID, t.Name, strings.ToLower(t.Name), t.Category, strings.ToLower(t.Category), t.Description, flag(t.Retired), ts(t.UpdatedAt))
	if err != nil {
		return store.DocumentType{}, fmt.Errorf("update document type %s: %w", t.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return store.DocumentType{}, fmt.Errorf("update document type %s: %w", t.ID, err)
	} else if n == 0 {
		return store.DocumentType{}, documentTypeNotFound(t.ID)
	}
	return s.DocumentType(ctx, t.Account, t.ID)
}
