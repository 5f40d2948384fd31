package client

import (
	"context"
	"net/http"
	"net/url"
)

// DocumentType is a type of document of the account's catalog, the
// kinds agents request from customers: a photo ID, a pay stub… Code
// never changes; a retired type is hidden from new requests.
type DocumentType struct {
	ID          string `json:"id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Category    string `json:"category"`
	Description string `json:"description"`
	Retired     bool   `json:"retired"`
}

// NewDocumentType is a type to add to the catalog.
type NewDocumentType struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Category    string `json:"category"`
	Description string `json:"description,omitempty"`
}

// DocumentTypePatch changes a type; nil leaves a part as it is. A type's
// code never changes.
type DocumentTypePatch struct {
	Name        *string `json:"name,omitempty"`
	Category    *string `json:"category,omitempty"`
	Description *string `json:"description,omitempty"`
	Retired     *bool   `json:"retired,omitempty"`
}

type documentTypeAnswer struct {
	DocumentType DocumentType `json:"document_type"`
}

// DocumentTypes lists the account's catalog by category then name,
// searched by q (empty: all) in the name, code and category; retired
// types only if includeRetired. The hub fills a new account's catalog
// with its preset types the first time it is read.
func (c *Client) DocumentTypes(ctx context.Context, q string, includeRetired bool) ([]DocumentType, error) {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if includeRetired {
		v.Set("include_retired", "1")
	}
	var out struct {
		DocumentTypes []DocumentType `json:"document_types"`
	}
	err := c.do(ctx, http.MethodGet, c.endpoint(v, "api", "v1", "document-types"), nil, &out)
	return out.DocumentTypes, err
}

// CreateDocumentType adds a type to the catalog. Admins only; a code the
// account has already is code_taken.
func (c *Client) CreateDocumentType(ctx context.Context, in NewDocumentType) (DocumentType, error) {
	var out documentTypeAnswer
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, "api", "v1", "document-types"), in, &out)
	return out.DocumentType, err
}

// UpdateDocumentType renames, recategorises, describes, retires or
// restores a type. Admins only.
func (c *Client) UpdateDocumentType(ctx context.Context, id string, patch DocumentTypePatch) (DocumentType, error) {
	var out documentTypeAnswer
	err := c.do(ctx, http.MethodPatch, c.endpoint(nil, "api", "v1", "document-types", id), patch, &out)
	return out.DocumentType, err
}
