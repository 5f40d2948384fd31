package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

type assetRow struct {
	ID        string    `db:"id"`
	Account   string    `db:"account_id"`
	Name      string    `db:"name"`
	Folder    string    `db:"folder"`
	Pages     int       `db:"pages"`
	SHA256    string    `db:"sha256"`
	Size      int64     `db:"size"`
	Fields    string    `db:"fields"`
	CreatedBy string    `db:"created_by"`
	CreatedAt timestamp `db:"created_at"`
	UpdatedAt timestamp `db:"updated_at"`
}

const assetColumns = `id, account_id, name, folder, pages, sha256, size, fields, created_by, created_at, updated_at`

// assetListColumns are assetColumns with the fields left out: listings
// do not carry them.
const assetListColumns = `id, account_id, name, folder, pages, sha256, size, '' AS fields, created_by, created_at, updated_at`

func (r assetRow) asset() (store.Asset, error) {
	a := store.Asset{ID: r.ID, Account: r.Account, Name: r.Name, Folder: r.Folder, Pages: r.Pages, SHA256: r.SHA256, Size: r.Size,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.Time(), UpdatedAt: r.UpdatedAt.Time()}
	if r.Fields != "" {
		if err := json.Unmarshal([]byte(r.Fields), &a.Fields); err != nil {
			return a, fmt.Errorf("fields of asset %s: %w", r.ID, err)
		}
	}
	return a, nil
}

func fieldsJSON(fs []room.Field) (string, error) {
	if fs == nil {
		fs = []room.Field{}
	}
	b, err := json.Marshal(fs)
	return string(b), err
}

func assetNotFound(id string) error {
	return tandem.Coded(tandem.KindNotFound, "asset_not_found", "no asset %s in your account", id)
}

// CreateAsset implements store.Assets.
func (s *DB) CreateAsset(ctx context.Context, a store.Asset) error {
	fields, err := fieldsJSON(a.Fields)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO assets (`+assetColumns+`, name_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		a.ID, a.Account, a.Name, a.Folder, a.Pages, a.SHA256, a.Size, fields, a.CreatedBy, ts(a.CreatedAt), ts(a.UpdatedAt), strings.ToLower(a.Name))
	if s.isUnique(err) {
		return tandem.Errorf(tandem.KindConflict, "asset %s exists already", a.ID)
	}
	if err != nil {
		return fmt.Errorf("create asset %s: %w", a.ID, err)
	}
	return nil
}

// Asset implements store.Assets.
func (s *DB) Asset(ctx context.Context, account, id string) (store.Asset, error) {
	var r assetRow
	err := s.db.GetContext(ctx, &r, `SELECT `+assetColumns+` FROM assets WHERE account_id = $1 AND id = $2`, account, id)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Asset{}, assetNotFound(id)
	}
	if err != nil {
		return store.Asset{}, fmt.Errorf("get asset %s: %w", id, err)
	}
	return r.asset()
}

// Assets implements store.Assets.
func (s *DB) Assets(ctx context.Context, account string, q store.AssetQuery) ([]store.Asset, error) {
	limit := tandem.PageSize(q.Limit, tandem.DefaultAssetsPage, tandem.MaxAssetsPage)
	args := []any{account}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where := "account_id = $1"
	if q.Folder != "" {
		where += " AND folder = " + arg(q.Folder)
	}
	if term := strings.TrimSpace(q.Search); term != "" {
		where += ` AND name_key LIKE ` + arg("%"+likeEscape(strings.ToLower(term))+"%") + ` ESCAPE '\'`
	}
	var rows []assetRow
	query := `SELECT ` + assetListColumns + ` FROM assets WHERE ` + where + ` ORDER BY name_key, id LIMIT ` + arg(limit)
	if err := s.db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("assets of account %s: %w", account, err)
	}
	out := make([]store.Asset, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.asset(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AssetFolders implements store.Assets.
func (s *DB) AssetFolders(ctx context.Context, account string) ([]string, error) {
	folders := []string{}
	if err := s.db.SelectContext(ctx, &folders, `SELECT DISTINCT folder FROM assets WHERE account_id = $1 AND folder <> '' ORDER BY folder LIMIT $2`,
		account, tandem.MaxAssetFolders); err != nil {
		return nil, fmt.Errorf("asset folders of account %s: %w", account, err)
	}
	return folders, nil
}

// UpdateAsset implements store.Assets.
func (s *DB) UpdateAsset(ctx context.Context, account, id, name, folder string, at time.Time) (store.Asset, error) {
	return s.changeAsset(ctx, account, id, `UPDATE assets SET name = $3, name_key = $4, folder = $5, updated_at = $6 WHERE account_id = $1 AND id = $2`,
		name, strings.ToLower(name), folder, ts(at))
}

// SetAssetFields implements store.Assets.
func (s *DB) SetAssetFields(ctx context.Context, account, id string, fields []room.Field, at time.Time) (store.Asset, error) {
	js, err := fieldsJSON(fields)
	if err != nil {
		return store.Asset{}, err
	}
	return s.changeAsset(ctx, account, id, `UPDATE assets SET fields = $3, updated_at = $4 WHERE account_id = $1 AND id = $2`, js, ts(at))
}

// changeAsset runs an update of one asset and reads it back.
func (s *DB) changeAsset(ctx context.Context, account, id, query string, args ...any) (store.Asset, error) {
	res, err := s.db.ExecContext(ctx, query, append([]any{account, id}, args...)...)
	if err != nil {
		return store.Asset{}, fmt.Errorf("update asset %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return store.Asset{}, fmt.Errorf("update asset %s: %w", id, err)
	} else if n == 0 {
		return store.Asset{}, assetNotFound(id)
	}
	return s.Asset(ctx, account, id)
}

// DeleteAsset implements store.Assets.
func (s *DB) DeleteAsset(ctx context.Context, account, id string) (store.Asset, error) {
	a, err := s.Asset(ctx, account, id)
	if err != nil {
		return a, err
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM assets WHERE account_id = $1 AND id = $2`, account, id)
	if err != nil {
		return a, fmt.Errorf("delete asset %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return a, fmt.Errorf("delete asset %s: %w", id, err)
	} else if n == 0 {
		return a, assetNotFound(id)
	}
	return a, nil
}
