package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/store"
)

// RenameAccount implements store.Brands.
func (s *DB) RenameAccount(ctx context.Context, id, name string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE accounts SET name = $1 WHERE id = $2`, name, id)
	if err != nil {
		return fmt.Errorf("rename account %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("rename account %s: %w", id, err)
	} else if n == 0 {
		return tandem.Errorf(tandem.KindNotFound, "account %s not found", id)
	}
	return nil
}

// brandImageRow is a row of brand_images.
type brandImageRow struct {
	Account     string    `db:"account_id"`
	SHA256      string    `db:"sha256"`
	ContentType string    `db:"content_type"`
	Width       int       `db:"width"`
	Height      int       `db:"height"`
	UpdatedAt   timestamp `db:"updated_at"`
}

func (r brandImageRow) image() store.BrandImage {
	return store.BrandImage{SHA256: r.SHA256, ContentType: r.ContentType, Width: r.Width, Height: r.Height, UpdatedAt: r.UpdatedAt.Time()}
}

// prevBrandImage is the SHA-256 of the account's image of owner, in tx, or "".
func prevBrandImage(ctx context.Context, tx *sqlx.Tx, account, owner string) (string, error) {
	var prev string
	err := tx.GetContext(ctx, &prev, `SELECT sha256 FROM brand_images WHERE account_id = $1 AND owner = $2`, account, owner)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return prev, err
}

// SetBrandImage implements store.Brands.
func (s *DB) SetBrandImage(ctx context.Context, account, owner string, img store.BrandImage) (string, error) {
	var prev string
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if prev, err = prevBrandImage(ctx, tx, account, owner); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO brand_images (account_id, owner, sha256, content_type, width, height, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (account_id, owner) DO UPDATE SET sha256 = excluded.sha256, content_type = excluded.content_type,
				width = excluded.width, height = excluded.height, updated_at = excluded.updated_at`,
			account, owner, img.SHA256, img.ContentType, img.Width, img.Height, ts(img.UpdatedAt))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("set brand image of account %s: %w", account, err)
	}
	return prev, nil
}

// DeleteBrandImage implements store.Brands.
func (s *DB) DeleteBrandImage(ctx context.Context, account, owner string) (string, error) {
	var prev string
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if prev, err = prevBrandImage(ctx, tx, account, owner); err != nil || prev == "" {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM brand_images WHERE account_id = $1 AND owner = $2`, account, owner)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("delete brand image of account %s: %w", account, err)
	}
	return prev, nil
}

// BrandImage implements store.Brands.
func (s *DB) BrandImage(ctx context.Context, account, owner string) (store.BrandImage, error) {
	var r brandImageRow
	err := s.db.GetContext(ctx, &r, `SELECT account_id, sha256, content_type, width, height, updated_at FROM brand_images WHERE account_id = $1 AND owner = $2`, account, owner)
	if errors.Is(err, sql.ErrNoRows) {
		return store.BrandImage{}, tandem.Errorf(tandem.KindNotFound, "no such image")
	}
	if err != nil {
		return store.BrandImage{}, fmt.Errorf("get brand image of account %s: %w", account, err)
	}
	return r.image(), nil
}

// BrandImageByHash implements store.Brands.
func (s *DB) BrandImageByHash(ctx context.Context, sha256 string) (string, store.BrandImage, error) {
	var r brandImageRow
	err := s.db.GetContext(ctx, &r, `SELECT account_id, sha256, content_type, width, height, updated_at FROM brand_images WHERE sha256 = $1 ORDER BY account_id, owner LIMIT 1`, sha256)
	if errors.Is(err, sql.ErrNoRows) {
		return "", store.BrandImage{}, tandem.Errorf(tandem.KindNotFound, "no such image")
	}
	if err != nil {
		return "", store.BrandImage{}, fmt.Errorf("find brand image: %w", err)
	}
	return r.Account, r.image(), nil
}

// SoleAccount implements store.Brands.
func (s *DB) SoleAccount(ctx context.Context) (string, bool, error) {
	var ids []string
	if err := s.db.SelectContext(ctx, &ids, `SELECT id FROM accounts ORDER BY id LIMIT 2`); err != nil {
		return "", false, fmt.Errorf("count accounts: %w", err)
	}
	if len(ids) != 1 {
		return "", false, nil
	}
	return ids[0], true, nil
}
