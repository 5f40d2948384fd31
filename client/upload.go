package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
)

// upload POSTs a multipart form to the path segs: the text parts of
// fields, in the order given (name, value, name, value…), and file as the
// part "file" named filename; the 2xx JSON answer is decoded into out.
// what names the call in errors ("upload asset").
func (c *Client) upload(ctx context.Context, what string, fields []string, filename string, file io.Reader, out any, segs ...string) error {
	fail := func(err error) error { return fmt.Errorf("client: %s: %w", what, err) }
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for i := 0; i+1 < len(fields); i += 2 {
		if err := mw.WriteField(fields[i], fields[i+1]); err != nil {
			return fail(err)
		}
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		return fail(err)
	}
	if _, err := io.Copy(fw, file); err != nil {
		return fail(err)
	}
	if err := mw.Close(); err != nil {
		return fail(err)
	}
	u := c.endpoint(nil, segs...)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), &body)
	if err != nil {
		return fail(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.send(req, "POST "+u.Path, out)
}
