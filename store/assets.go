package store

import (
	"context"
	"time"

	"github.com/tandemhq/tandem/room"
)

// Asset is a document of an account's library: a PDF kept in the blob
// store by its SHA-256, with the fields to fill in on its pages.
type Asset struct {
	ID        string       `json:"id"`
	Account   string       `json:"account"`
	Name      string       `json:"name"`
	Folder    string       `json:"folder"` // "" or a path such as "Auto loans/Credit application"
	Pages     int          `json:"pages"`
	SHA256    string       `json:"sha256"` // the PDF's content in the blob store
	Size      int64        `json:"size"`
	Fields    []room.Field `json:"fields,omitempty"` // not filled in by listings
	CreatedBy string       `json:"created_by"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

// AssetQuery filters a library, by name.
type AssetQuery struct {
	Search string // in the name, any case
	Folder string // exactly this folder, if set
	Limit  int    // at most this many (default tandem.DefaultAssetsPage, capped at tandem.MaxAssetsPage)
}

// Assets keeps accounts' asset libraries.
type Assets interface {
	// CreateAsset adds a; KindConflict if its id is taken.
	CreateAsset(ctx context.Context, a Asset) error
	// Asset returns one asset with its fields; KindNotFound (code
	// asset_not_found) if it is not the account's.
	Asset(ctx context.Context, account, id string) (Asset, error)
	// Assets lists the account's assets by name, without their fields.
	Assets(ctx context.Context, account string, q AssetQuery) ([]Asset, error)
	// AssetFolders lists the distinct folders of the account's assets,
	// sorted, at most tandem.MaxAssetFolders.
	AssetFolders(ctx context.Context, account string) ([]string, error)
	// UpdateAsset sets an asset's name and folder.
	UpdateAsset(ctx context.Context, account, id, name, folder string, at time.Time) (Asset, error)
	// SetAssetFields replaces an asset's fields.
	SetAssetFields(ctx context.Context, account, id string, fields []room.Field, at time.Time) (Asset, error)
	// DeleteAsset removes an asset and returns it; KindNotFound if there
	// is none.
	DeleteAsset(ctx context.Context, account, id string) (Asset, error)
}
