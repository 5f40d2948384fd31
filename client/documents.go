package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/tandemhq/tandem/room"
)

// Document is a document of a room: the hub's own type.
type Document = room.Document

// FilledDocument is a document with the current values of its fields.
type FilledDocument = room.FilledDocument

// Attachment is a file an agent attaches to one room, with the fields to
// place on it and the agent's values.
type Attachment struct {
	Name     string // default: Filename without its extension
	Filename string
	Fields   []Field
	Values   map[string]string
}

type documentAnswer struct {
	Document Document `json:"document"`
}

func (c *Client) documentPath(roomID, docID string, rest ...string) []string {
	return append([]string{"api", "v1", "rooms", roomID, "documents", docID}, rest...)
}

// AddDocument sends the asset assetID of the library to the room, with the
// agent's fields filled from values. In a pre-planned room it waits for
// Invite. Agents only.
func (c *Client) AddDocument(ctx context.Context, roomID, assetID string, values map[string]string) (Document, error) {
	var out documentAnswer
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, "api", "v1", "rooms", roomID, "documents"),
		map[string]any{"asset_id": assetID, "values": values}, &out)
	return out.Document, err
}

// AttachDocument sends a PDF, JPEG or PNG read from file to the room.
// Agents only.
func (c *Client) AttachDocument(ctx context.Context, roomID string, a Attachment, file io.Reader) (Document, error) {
	fields := []string{"name", a.Name}
	for k, v := range map[string]any{"fields": a.Fields, "values": a.Values} {
		b, err := json.Marshal(v)
		if err != nil {
			return Document{}, fmt.Errorf("client: attach document: %w", err)
		}
		fields = append(fields, k, string(b))
	}
	var out documentAnswer
	err := c.upload(ctx, "attach document", fields, a.Filename, file, &out, "api", "v1", "rooms", roomID, "documents")
	return out.Document, err
}

// Document returns a document of the room with its current values.
func (c *Client) Document(ctx context.Context, roomID, docID string) (FilledDocument, error) {
	var out struct {
		Document FilledDocument `json:"document"`
	}
	err := c.do(ctx, http.MethodGet, c.endpoint(nil, c.documentPath(roomID, docID)...), nil, &out)
	return out.Document, err
}

// DocumentFile returns the document's original PDF, to be closed by the
// caller.
func (c *Client) DocumentFile(ctx context.Context, roomID, docID string) (io.ReadCloser, error) {
	return c.file(ctx, "document file", c.documentPath(roomID, docID, "file")...)
}

// CompletedFile returns the completed PDF (not_completed before), to be
// closed by the caller.
func (c *Client) CompletedFile(ctx context.Context, roomID, docID string) (io.ReadCloser, error) {
	return c.file(ctx, "completed document", c.documentPath(roomID, docID, "completed")...)
}

// SignedFile returns the signed PDF — the completed pages, the audit
// trail, the original and completed PDFs attached, under the hub's seal —
// to be closed by the caller: not_sealed until the hub has made it.
func (c *Client) SignedFile(ctx context.Context, roomID, docID string) (io.ReadCloser, error) {
	return c.file(ctx, "signed document", c.documentPath(roomID, docID, "signed")...)
}

// Preview returns the PDF with the values filled so far, to be closed by
// the caller.
func (c *Client) Preview(ctx context.Context, roomID, docID string) (io.ReadCloser, error) {
	return c.file(ctx, "document preview", c.documentPath(roomID, docID, "preview")...)
}

// FillField writes the customer's value of a field ("" clears it). The
// room's customer only (a client that opened the link).
func (c *Client) FillField(ctx context.Context, roomID, docID, fieldID, value string) (Document, error) {
	var out documentAnswer
	err := c.do(ctx, http.MethodPut, c.endpoint(nil, c.documentPath(roomID, docID, "fields", fieldID)...), map[string]string{"value": value}, &out)
	return out.Document, err
}

// ViewPage records the customer looking at page (from 1); the first view
// records the document opened. The room's customer only.
func (c *Client) ViewPage(ctx context.Context, roomID, docID string, page int) (Document, error) {
	var out documentAnswer
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, c.documentPath(roomID, docID, "viewed")...), map[string]int{"page": page}, &out)
	return out.Document, err
}

// CompleteDocument finishes a document (required_fields if some are
// empty). The room's customer only.
func (c *Client) CompleteDocument(ctx context.Context, roomID, docID string) (Document, error) {
	var out documentAnswer
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, c.documentPath(roomID, docID, "complete")...), nil, &out)
	return out.Document, err
}

// DeclineDocument declines a document, with an optional reason. The room's
// customer only.
func (c *Client) DeclineDocument(ctx context.Context, roomID, docID, reason string) (Document, error) {
	var out documentAnswer
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, c.documentPath(roomID, docID, "decline")...), map[string]string{"reason": reason}, &out)
	return out.Document, err
}
