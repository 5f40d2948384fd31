package client

import (
	"context"
	"io"
	"net/http"

	"github.com/tandemhq/tandem/room"
)

// Request is a requested item of a room (a document asked of the
// customer): the hub's own type.
type Request = room.Request

// RequestFile is a file uploaded for a request: the hub's own type.
type RequestFile = room.RequestFile

// RequestItem is one document type an agent asks for, with a note to the
// customer ("last two months").
type RequestItem struct {
	TypeID string `json:"type_id"`
	Note   string `json:"note,omitempty"`
}

type requestAnswer struct {
	Request Request     `json:"request"`
	File    RequestFile `json:"file"`
}

func (c *Client) requestPath(roomID string, rest ...string) []string {
	return append([]string{"api", "v1", "rooms", roomID, "requests"}, rest...)
}

// AddRequests asks the room's customer for documents of the catalog's
// types, one requested item each. In a pre-planned room they wait for
// Invite. Agents only.
func (c *Client) AddRequests(ctx context.Context, roomID string, items ...RequestItem) ([]Request, error) {
	var out struct {
		Requests []Request `json:"requests"`
	}
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, c.requestPath(roomID)...), map[string]any{"items": items}, &out)
	return out.Requests, err
}

// UploadRequestFile uploads a file (a photo or a PDF) for request reqID:
// the customer only.
func (c *Client) UploadRequestFile(ctx context.Context, roomID, reqID, filename string, file io.Reader) (Request, RequestFile, error) {
	var out requestAnswer
	err := c.upload(ctx, "upload request file", nil, filename, file, &out, c.requestPath(roomID, reqID, "files")...)
	return out.Request, out.File, err
}

// RemoveRequestFile takes a file back before the request is sent: the
// customer only.
func (c *Client) RemoveRequestFile(ctx context.Context, roomID, reqID, fileID string) (Request, error) {
	var out requestAnswer
	err := c.do(ctx, http.MethodDelete, c.endpoint(nil, c.requestPath(roomID, reqID, "files", fileID)...), nil, &out)
	return out.Request, err
}

// SubmitRequest sends the request's files to the agent: the customer
// only.
func (c *Client) SubmitRequest(ctx context.Context, roomID, reqID string) (Request, error) {
	var out requestAnswer
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, c.requestPath(roomID, reqID, "submit")...), struct{}{}, &out)
	return out.Request, err
}

// ReviewRequest accepts ("accept") or rejects ("reject", with a reason the
// customer reads) the files sent for a request. Agents only.
func (c *Client) ReviewRequest(ctx context.Context, roomID, reqID, decision, reason string) (Request, error) {
	var out requestAnswer
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, c.requestPath(roomID, reqID, "review")...),
		map[string]string{"decision": decision, "reason": reason}, &out)
	return out.Request, err
}

// RequestFileContent returns a file uploaded for a request, to be closed
// by the caller.
func (c *Client) RequestFileContent(ctx context.Context, roomID, reqID, fileID string) (io.ReadCloser, error) {
	return c.file(ctx, "request file", c.requestPath(roomID, reqID, "files", fileID)...)
}
