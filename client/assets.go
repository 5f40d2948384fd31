package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Asset is a PDF of the account's asset library: the hub's own type.
type Asset = store.Asset

// Field is a field of an asset: the hub's own type.
type Field = room.Field

type assetAnswer struct {
	Asset Asset `json:"asset"`
}

// UploadAsset adds the PDF read from pdf to the library, named name in
// folder ("" for the top). Admins only.
func (c *Client) UploadAsset(ctx context.Context, name, folder, filename string, pdf io.Reader) (Asset, error) {
	var out assetAnswer
	err := c.upload(ctx, "upload asset", []string{"name", name, "folder", folder}, filename, pdf, &out, "api", "v1", "assets")
	return out.Asset, err
}

// Assets lists the library by name, searched by q in the name and
// filtered by folder (either may be empty), with the library's folders.
func (c *Client) Assets(ctx context.Context, q, folder string) ([]Asset, []string, error) {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if folder != "" {
		v.Set("folder", folder)
	}
	var out struct {
		Assets  []Asset  `json:"assets"`
		Folders []string `json:"folders"`
	}
	err := c.do(ctx, http.MethodGet, c.endpoint(v, "api", "v1", "assets"), nil, &out)
	return out.Assets, out.Folders, err
}

// Asset returns one asset with its fields.
func (c *Client) Asset(ctx context.Context, id string) (Asset, error) {
	var out assetAnswer
	err := c.do(ctx, http.MethodGet, c.endpoint(nil, "api", "v1", "assets", id), nil, &out)
	return out.Asset, err
}

// SetAssetFields replaces an asset's fields; fields without an id get
// one. Admins only.
func (c *Client) SetAssetFields(ctx context.Context, id string, fields []Field) (Asset, error) {
	if fields == nil {
		fields = []Field{}
	}
	var out assetAnswer
	err := c.do(ctx, http.MethodPut, c.endpoint(nil, "api", "v1", "assets", id, "fields"), map[string]any{"fields": fields}, &out)
	return out.Asset, err
}

// UpdateAsset renames an asset (name not nil) or moves it to another
// folder (folder not nil). Admins only.
func (c *Client) UpdateAsset(ctx context.Context, id string, name, folder *string) (Asset, error) {
	in := map[string]*string{}
	if name != nil {
		in["name"] = name
	}
	if folder != nil {
		in["folder"] = folder
	}
	var out assetAnswer
	err := c.do(ctx, http.MethodPatch, c.endpoint(nil, "api", "v1", "assets", id), in, &out)
	return out.Asset, err
}

// DeleteAsset removes an asset from the library. Admins only.
func (c *Client) DeleteAsset(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, c.endpoint(nil, "api", "v1", "assets", id), nil, nil)
}

// AssetFile returns the asset's PDF, to be closed by the caller.
func (c *Client) AssetFile(ctx context.Context, id string) (io.ReadCloser, error) {
	return c.file(ctx, "asset file", "api", "v1", "assets", id, "file")
}

// file GETs the file at the path segs, to be closed by the caller.
func (c *Client) file(ctx context.Context, label string, segs ...string) (io.ReadCloser, error) {
	u := c.endpoint(nil, segs...)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("client: %s: %w", label, err)
	}
	if tok := c.Token(); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("client: %s: %w", label, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		b, _ := readBody(resp.Body)
		return nil, newAPIError(resp, b)
	}
	return resp.Body, nil
}

// send sends req with the agent's token and decodes a 2xx JSON answer
// into out.
func (c *Client) send(req *http.Request, label string, out any) error {
	req.Header.Set("Accept", "application/json")
	if tok := c.Token(); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("client: %s: %w", label, err)
	}
	defer resp.Body.Close()
	b, err := readBody(resp.Body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newAPIError(resp, b)
	}
	if err != nil {
		return fmt.Errorf("client: %s: read answer: %w", label, err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("client: %s: decode answer: %w: %w", label, ErrProtocol, err)
	}
	return nil
}
