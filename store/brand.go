package store

import (
	"context"
	"time"
)

// BrandImage is an image of an account's brand in the blob store: the
// account's logo, or the photo of one of its users. The hub judged it by
// its content before keeping it.
type BrandImage struct {
	SHA256      string
	ContentType string // image/png, image/jpeg or image/webp
	Width       int
	Height      int
	UpdatedAt   time.Time
}

// LogoOwner is the owner of the account's logo among its brand images; a
// user's photo is owned by the user's id.
const LogoOwner = ""

// Brands keeps what an account shows of itself: its name, and the images
// of its brand.
type Brands interface {
	// RenameAccount changes the account's name.
	RenameAccount(ctx context.Context, id, name string) error
	// SetBrandImage records img as the account's image of owner (LogoOwner
	// or a user's id), replacing the one before, whose SHA-256 it returns
	// ("" if there was none).
	SetBrandImage(ctx context.Context, account, owner string, img BrandImage) (prev string, err error)
	// DeleteBrandImage forgets the account's image of owner and returns
	// its SHA-256 ("" if there was none).
	DeleteBrandImage(ctx context.Context, account, owner string) (prev string, err error)
	// BrandImage is the account's image of owner; KindNotFound if none.
	BrandImage(ctx context.Context, account, owner string) (BrandImage, error)
	// BrandImageByHash finds an image of any account's brand by its
	// content, and the account that keeps it: brand images are public (the
	// sign-in page and the customers' rooms show them), and their address
	// is their SHA-256. KindNotFound if no brand shows that content.
	BrandImageByHash(ctx context.Context, sha256 string) (account string, img BrandImage, err error)
	// SoleAccount is the id of the hub's one account, if it has exactly
	// one (a self-hosted hub), and ok false otherwise.
	SoleAccount(ctx context.Context) (id string, ok bool, err error)
}
