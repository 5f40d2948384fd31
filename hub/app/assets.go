package app

import (
	"context"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Limits of the asset library.
const (
	// DefaultMaxPDFBytes is the largest PDF one may upload, unless
	// Config.MaxPDFBytes says otherwise.
	DefaultMaxPDFBytes = 25 << 20
	// MaxFolderDepth is how many levels a folder path has at most, and
	// MaxFolderSegment how many characters each level's name.
	MaxFolderDepth   = 4
	MaxFolderSegment = 100
	// MaxAssetSearchLen bounds a search of the library.
	MaxAssetSearchLen = 100
)

// MaxPDFBytes is the largest PDF this instance takes.
func (a *App) MaxPDFBytes() int64 { return a.cfg.MaxPDFBytes }

// MaxImageBytes is the largest image this instance takes.
func (a *App) MaxImageBytes() int64 { return a.cfg.MaxImageBytes }

// CheckAssetWriter refuses a caller who may not change the library: only
// admins may. The edge asks before it reads an upload.
func (a *App) CheckAssetWriter(c Caller) error {
	if !c.Admin() {
		return tandem.Errorf(tandem.KindForbidden, "only an admin of the account may change its asset library")
	}
	return nil
}

// CheckFolder trims a folder path and checks it: "" (the top of the
// library), or up to MaxFolderDepth names separated by "/", each a name by
// tandem.CheckName's rules of up to MaxFolderSegment characters;
// invalid_folder otherwise.
func CheckFolder(folder string) (string, error) {
	folder = strings.TrimSpace(folder)
	if folder == "" {
		return "", nil
	}
	segs := strings.Split(folder, "/")
	if len(segs) > MaxFolderDepth {
		return folder, tandem.Coded(tandem.KindInvalid, "invalid_folder", "a folder is at most %d levels deep", MaxFolderDepth)
	}
	for i, s := range segs {
		s = strings.TrimSpace(s)
		switch {
		case s == "":
			return folder, tandem.Coded(tandem.KindInvalid, "invalid_folder", "a folder's levels are names separated by single slashes, with none empty")
		case !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxFolderSegment:
			return folder, tandem.Coded(tandem.KindInvalid, "invalid_folder", "each level of a folder is at most %d characters", MaxFolderSegment)
		case strings.IndexFunc(s, tandem.HiddenRune) >= 0:
			return folder, tandem.Coded(tandem.KindInvalid, "invalid_folder", "a folder's name may not contain control or invisible formatting characters")
		}
		segs[i] = s
	}
	return strings.Join(segs, "/"), nil
}

// NewAsset is what comes with an uploaded PDF.
type NewAsset struct {
	Name   string
	Folder string
}

// UploadAsset adds a PDF to the caller's library: admins only. The file
// must be a PDF by its content, at most MaxPDFBytes, and one pdfcpu reads;
// its page count is read and its form's fields, if it has a form, are
// offered as the asset's fields. Nothing is kept of an upload that is
// refused: the content goes to the blob store only once it passed, and
// leaves it again if the asset cannot be recorded.
func (a *App) UploadAsset(ctx context.Context, c Caller, n NewAsset, file io.ReadSeeker) (store.Asset, error) {
	if err := a.CheckAssetWriter(c); err != nil {
		return store.Asset{}, err
	}
	name, err := tandem.CheckName(n.Name, "the asset's name")
	if err != nil {
		return store.Asset{}, err
	}
	folder, err := CheckFolder(n.Folder)
	if err != nil {
		return store.Asset{}, err
	}
	size, err := file.Seek(0, io.SeekEnd)
	if err != nil {
		return store.Asset{}, err
	}
	if size > a.cfg.MaxPDFBytes {
		return store.Asset{}, tandem.Errorf(tandem.KindTooLarge, "a PDF is at most %d bytes", a.cfg.MaxPDFBytes)
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return store.Asset{}, err
	}
	if err := sniffPDF(file); err != nil {
		return store.Asset{}, err
	}
	info, err := readPDF(file)
	if err != nil {
		return store.Asset{}, err
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return store.Asset{}, err
	}
	if a.cfg.Blobs == nil {
		return store.Asset{}, tandem.Errorf(tandem.KindInternal, "this hub has no file store")
	}
	ref, err := a.cfg.Blobs.Put(ctx, c.Account(), file, a.cfg.MaxPDFBytes)
	if err != nil {
		return store.Asset{}, err
	}
	now := a.now()
	as := store.Asset{ID: room.NewID("as"), Account: c.Account(), Name: name, Folder: folder, Pages: info.pages,
		SHA256: ref.SHA256, Size: ref.Size, Fields: importedFields(info.fields, info.pages),
		CreatedBy: c.User.ID, CreatedAt: now, UpdatedAt: now}
	if err := a.store.CreateAsset(ctx, as); err != nil {
		a.dropFile(c.Account(), ref.SHA256)
		return store.Asset{}, err
	}
	return as, nil
}

// dropFile removes content from the blob store unless an asset of the
// account keeps it (two assets may share one PDF). It runs on the app's
// context: the request's may be what just ended.
func (a *App) dropFile(account, sha string) {
	ctx := a.ctx
	used, err := a.store.FileInUse(ctx, account, sha)
	if err == nil && !used {
		err = a.cfg.Blobs.Delete(ctx, account, sha)
	}
	if err != nil {
		a.log.Warn().Err(err).Str("account", account).Str("sha256", sha).Msg("a file no asset keeps stays in the blob store")
	}
}

// Assets lists the caller's library by name, searched in the name and
// filtered by folder, and the library's folders.
func (a *App) Assets(ctx context.Context, c Caller, search, folder string) ([]store.Asset, []string, error) {
	if len(search) > MaxAssetSearchLen || len(folder) > MaxFolderDepth*(MaxFolderSegment*4+1) {
		return nil, nil, tandem.Errorf(tandem.KindInvalid, "q and folder must be at most %d bytes", MaxAssetSearchLen)
	}
	if !storable(search) || !storable(folder) {
		return nil, nil, tandem.Errorf(tandem.KindInvalid, "q and folder must be UTF-8 text without NUL characters")
	}
	as, err := a.store.Assets(ctx, c.Account(), store.AssetQuery{Search: search, Folder: strings.TrimSpace(folder), Limit: tandem.MaxAssetsPage})
	if err != nil {
		return nil, nil, err
	}
	folders, err := a.store.AssetFolders(ctx, c.Account())
	return as, folders, err
}

// Asset is one asset of the caller's library, with its fields.
func (a *App) Asset(ctx context.Context, c Caller, id string) (store.Asset, error) {
	return a.store.Asset(ctx, c.Account(), id)
}

// AssetFile opens an asset's PDF, to be closed by the caller.
func (a *App) AssetFile(ctx context.Context, c Caller, id string) (store.Asset, io.ReadCloser, error) {
	as, err := a.store.Asset(ctx, c.Account(), id)
	if err != nil {
		return as, nil, err
	}
	if a.cfg.Blobs == nil {
		return as, nil, tandem.Errorf(tandem.KindInternal, "this hub has no file store")
	}
	f, err := a.cfg.Blobs.Open(ctx, c.Account(), as.SHA256)
	return as, f, err
}

// AssetPatch renames an asset or moves it to another folder.
type AssetPatch struct {
	Name   *string `json:"name"`
	Folder *string `json:"folder"`
}

// UpdateAsset applies patch: admins only.
func (a *App) UpdateAsset(ctx context.Context, c Caller, id string, patch AssetPatch) (store.Asset, error) {
	as, err := a.writableAsset(ctx, c, id)
	if err != nil {
		return as, err
	}
	if patch.Name != nil {
		if as.Name, err = tandem.CheckName(*patch.Name, "the asset's name"); err != nil {
			return store.Asset{}, err
		}
	}
	if patch.Folder != nil {
		if as.Folder, err = CheckFolder(*patch.Folder); err != nil {
			return store.Asset{}, err
		}
	}
	return a.store.UpdateAsset(ctx, c.Account(), id, as.Name, as.Folder, a.now())
}

// SetAssetFields replaces an asset's fields after room.ValidateFields:
// admins only.
func (a *App) SetAssetFields(ctx context.Context, c Caller, id string, fields []room.Field) (store.Asset, error) {
	as, err := a.writableAsset(ctx, c, id)
	if err != nil {
		return as, err
	}
	if fields, err = room.ValidateFields(fields, as.Pages); err != nil {
		return store.Asset{}, err
	}
	return a.store.SetAssetFields(ctx, c.Account(), id, fields, a.now())
}

// DeleteAsset removes an asset, and its PDF unless another asset keeps
// it: admins only.
func (a *App) DeleteAsset(ctx context.Context, c Caller, id string) error {
	if _, err := a.writableAsset(ctx, c, id); err != nil {
		return err
	}
	as, err := a.store.DeleteAsset(ctx, c.Account(), id)
	if err != nil {
		return err
	}
	if a.cfg.Blobs != nil {
		a.dropFile(c.Account(), as.SHA256)
	}
	return nil
}

// writableAsset is the asset id of the caller's account, if the caller may
// change it. Agents are refused before any look-up, so the refusal is the
// same whether the asset exists or not; an admin gets not_found for an
// asset of another account, as for one that does not exist.
func (a *App) writableAsset(ctx context.Context, c Caller, id string) (store.Asset, error) {
	if err := a.CheckAssetWriter(c); err != nil {
		return store.Asset{}, err
	}
	return a.store.Asset(ctx, c.Account(), id)
}
