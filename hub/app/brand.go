package app

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"time"

	"golang.org/x/image/webp"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Limits of a brand's images (the account's logo, an agent's photo).
const (
	// MaxBrandImageBytes is the largest logo or photo one may upload.
	MaxBrandImageBytes = 512 << 10
	// MaxBrandImageSide is how many pixels wide and high a logo or photo
	// is at most.
	MaxBrandImageSide = 2048
)

// BrandImagePath is where the hub serves the brand image whose content
// has the SHA-256 that follows, to anyone: the sign-in page and the
// customers' rooms show them.
const BrandImagePath = "/brand/images/"

// Brand is what a page shows of an account: its name, accent color
// ("" for Tandem's) and the address of its logo ("" if none).
type Brand struct {
	Name        string `json:"name"`
	AccentColor string `json:"accent_color,omitempty"`
	LogoURL     string `json:"logo_url,omitempty"`
}

// AccountBrand is the brand as the account's own console shows and
// edits it: its help line, and the caller's photo.
type AccountBrand struct {
	Brand
	HelpLine string `json:"help_line,omitempty"`
	PhotoURL string `json:"photo_url,omitempty"`
}

// RoomBrand is what the customer's room shows around what the agent
// shares: the company's brand, the agent (and their photo), the help
// line, and until when the customer's link lets them in.
type RoomBrand struct {
	Brand
	HelpLine  string    `json:"help_line,omitempty"`
	Agent     RoomAgent `json:"agent"`
	ExpiresAt time.Time `json:"expires_at"`
}

// RoomAgent is the agent of a room as the customer sees them.
type RoomAgent struct {
	Name     string `json:"name"`
	PhotoURL string `json:"photo_url,omitempty"`
}

// imageURL is the public address of a brand image.
func imageURL(img store.BrandImage) string {
	if img.SHA256 == "" {
		return ""
	}
	return BrandImagePath + img.SHA256
}

// brandOf is account's brand.
func (a *App) brandOf(ctx context.Context, account string) (tandem.Account, Brand, error) {
	acct, err := a.store.Account(ctx, account)
	if err != nil {
		return acct, Brand{}, err
	}
	logo, err := a.store.BrandImage(ctx, account, store.LogoOwner)
	if err != nil && !tandem.IsKind(err, tandem.KindNotFound) {
		return acct, Brand{}, err
	}
	return acct, Brand{Name: acct.Name, AccentColor: acct.Settings.AccentColor, LogoURL: imageURL(logo)}, nil
}

// AccountBrand is the brand of the caller's account, with the caller's
// photo: any agent may read it.
func (a *App) AccountBrand(ctx context.Context, c Caller) (AccountBrand, error) {
	if c.User == nil {
		return AccountBrand{}, tandem.Errorf(tandem.KindForbidden, "sign in as an agent")
	}
	acct, b, err := a.brandOf(ctx, c.Account())
	if err != nil {
		return AccountBrand{}, err
	}
	photo, err := a.store.BrandImage(ctx, c.Account(), c.User.ID)
	if err != nil && !tandem.IsKind(err, tandem.KindNotFound) {
		return AccountBrand{}, err
	}
	return AccountBrand{Brand: b, HelpLine: acct.Settings.HelpLine, PhotoURL: imageURL(photo)}, nil
}

// PublicBrand is the brand the sign-in page shows before anyone signed
// in: the account's, when the hub has exactly one (a self-hosted hub);
// Tandem's name alone otherwise, since the page cannot tell whose it is.
func (a *App) PublicBrand(ctx context.Context) (Brand, error) {
	id, ok, err := a.store.SoleAccount(ctx)
	if err != nil || !ok {
		return Brand{Name: tandem.DefaultBrandName}, err
	}
	_, b, err := a.brandOf(ctx, id)
	return b, err
}

// RoomBrand is what the room's customer sees of the brand around the room
// st: the customers only, with the pass they came in with.
func (a *App) RoomBrand(ctx context.Context, c Caller, st room.State) (RoomBrand, error) {
	if c.Pass == nil {
		return RoomBrand{}, tandem.Errorf(tandem.KindForbidden, "the room's brand is its customer's view")
	}
	acct, b, err := a.brandOf(ctx, c.Pass.Account)
	if err != nil {
		return RoomBrand{}, err
	}
	rb := RoomBrand{Brand: b, HelpLine: acct.Settings.HelpLine, Agent: RoomAgent{Name: st.Agent.Name}, ExpiresAt: c.Pass.ExpiresAt}
	if st.Agent.ID != "" {
		if u, err := a.store.User(ctx, c.Pass.Account, st.Agent.ID); err == nil {
			rb.Agent.Name = u.Name
		}
		photo, err := a.store.BrandImage(ctx, c.Pass.Account, st.Agent.ID)
		if err != nil && !tandem.IsKind(err, tandem.KindNotFound) {
			return RoomBrand{}, err
		}
		rb.Agent.PhotoURL = imageURL(photo)
	}
	return rb, nil
}

// RenameAccount changes the account's name: admins only. New rooms and
// messages name the company by it; rooms already made keep theirs.
func (a *App) RenameAccount(ctx context.Context, c Caller, name string) (AccountBrand, error) {
	if !c.Admin() {
		return AccountBrand{}, tandem.Errorf(tandem.KindForbidden, "only an admin of the account may rename it")
	}
	name, err := tandem.CheckName(name, "the account's name")
	if err != nil {
		return AccountBrand{}, err
	}
	if err := a.store.RenameAccount(ctx, c.Account(), name); err != nil {
		return AccountBrand{}, err
	}
	return a.AccountBrand(ctx, c)
}

// CheckLogoWriter refuses a caller who may not change the account's logo:
// only admins may. The edge asks before it reads an upload.
func (a *App) CheckLogoWriter(c Caller) error {
	if !c.Admin() {
		return tandem.Errorf(tandem.KindForbidden, "only an admin of the account may change its logo")
	}
	return nil
}

// PutLogo makes the image in data the account's logo: admins only.
func (a *App) PutLogo(ctx context.Context, c Caller, data []byte) (AccountBrand, error) {
	if err := a.CheckLogoWriter(c); err != nil {
		return AccountBrand{}, err
	}
	return a.putBrandImage(ctx, c, store.LogoOwner, data)
}

// DeleteLogo removes the account's logo: admins only.
func (a *App) DeleteLogo(ctx context.Context, c Caller) (AccountBrand, error) {
	if err := a.CheckLogoWriter(c); err != nil {
		return AccountBrand{}, err
	}
	return a.deleteBrandImage(ctx, c, store.LogoOwner)
}

// PutPhoto makes the image in data the photo of the calling agent, which
// the customers of their rooms see.
func (a *App) PutPhoto(ctx context.Context, c Caller, data []byte) (AccountBrand, error) {
	if c.User == nil {
		return AccountBrand{}, tandem.Errorf(tandem.KindForbidden, "sign in as an agent")
	}
	return a.putBrandImage(ctx, c, c.User.ID, data)
}

// DeletePhoto removes the calling agent's photo.
func (a *App) DeletePhoto(ctx context.Context, c Caller) (AccountBrand, error) {
	if c.User == nil {
		return AccountBrand{}, tandem.Errorf(tandem.KindForbidden, "sign in as an agent")
	}
	return a.deleteBrandImage(ctx, c, c.User.ID)
}

func (a *App) putBrandImage(ctx context.Context, c Caller, owner string, data []byte) (AccountBrand, error) {
	kind, cfg, err := JudgeBrandImage(data)
	if err != nil {
		return AccountBrand{}, err
	}
	if a.cfg.Blobs == nil {
		return AccountBrand{}, tandem.Errorf(tandem.KindInternal, "this hub has no file store")
	}
	ref, err := a.cfg.Blobs.Put(ctx, c.Account(), bytes.NewReader(data), MaxBrandImageBytes)
	if err != nil {
		return AccountBrand{}, err
	}
	img := store.BrandImage{SHA256: ref.SHA256, ContentType: kind, Width: cfg.Width, Height: cfg.Height, UpdatedAt: a.now()}
	prev, err := a.store.SetBrandImage(ctx, c.Account(), owner, img)
	if err != nil {
		a.dropFile(c.Account(), ref.SHA256)
		return AccountBrand{}, err
	}
	if prev != "" && prev != ref.SHA256 {
		a.dropFile(c.Account(), prev)
	}
	return a.AccountBrand(ctx, c)
}

func (a *App) deleteBrandImage(ctx context.Context, c Caller, owner string) (AccountBrand, error) {
	prev, err := a.store.DeleteBrandImage(ctx, c.Account(), owner)
	if err != nil {
		return AccountBrand{}, err
	}
	if prev != "" {
		a.dropFile(c.Account(), prev)
	}
	return a.AccountBrand(ctx, c)
}

// JudgeBrandImage judges a logo or photo by its content: a PNG, JPEG or
// WebP image (never SVG, which may carry scripts), of at most
// MaxBrandImageBytes and MaxBrandImageSide pixels a side, that decodes
// whole. It returns its content type and size.
func JudgeBrandImage(data []byte) (string, image.Config, error) {
	if len(data) == 0 {
		return "", image.Config{}, tandem.Coded(tandem.KindInvalid, "empty_file", "the file is empty")
	}
	if len(data) > MaxBrandImageBytes {
		return "", image.Config{}, tandem.Errorf(tandem.KindTooLarge, "a logo or photo is at most %s", SizeWords(MaxBrandImageBytes))
	}
	var kind string
	var decodeConfig func(io.Reader) (image.Config, error)
	var decode func(io.Reader) (image.Image, error)
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		kind, decodeConfig, decode = "image/png", png.DecodeConfig, png.Decode
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		kind, decodeConfig, decode = "image/jpeg", jpeg.DecodeConfig, jpeg.Decode
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		kind, decodeConfig, decode = "image/webp", webp.DecodeConfig, webp.Decode
	default:
		return "", image.Config{}, tandem.Coded(tandem.KindInvalid, "unsupported_type", "send a PNG, JPEG or WebP image; this file is %s", sniffedType(data))
	}
	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", cfg, tandem.Coded(tandem.KindInvalid, "invalid_image", "the image cannot be read")
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxBrandImageSide || cfg.Height > MaxBrandImageSide {
		return "", cfg, tandem.Coded(tandem.KindInvalid, "invalid_image", "the image is %d × %d pixels: at most %d a side", cfg.Width, cfg.Height, MaxBrandImageSide)
	}
	if _, err := decode(bytes.NewReader(data)); err != nil {
		return "", cfg, tandem.Coded(tandem.KindInvalid, "invalid_image", "the image cannot be read")
	}
	return kind, cfg, nil
}

// OpenBrandImage opens the brand image whose content has the SHA-256 sha,
// for anyone: brand images are public. KindNotFound if no brand shows it.
func (a *App) OpenBrandImage(ctx context.Context, sha string) (store.BrandImage, io.ReadCloser, error) {
	account, img, err := a.store.BrandImageByHash(ctx, sha)
	if err != nil {
		return img, nil, err
	}
	if a.cfg.Blobs == nil {
		return img, nil, tandem.Errorf(tandem.KindNotFound, "no such image")
	}
	rc, err := a.cfg.Blobs.Open(ctx, account, sha)
	return img, rc, err
}
