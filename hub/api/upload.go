package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/tandemhq/tandem"
)

// Multipart uploads: a file and a few text parts, read as they arrive.

const (
	// uploadReadTimeout is how long an upload may take to arrive.
	uploadReadTimeout = 10 * time.Minute
	// uploadMargin is what an upload may carry besides its file and the
	// text parts' own limits: the parts' headers and boundaries.
	uploadMargin = 64 << 10
)

// upload is a multipart upload as read: its file, in a temporary file
// (never wholly in memory), the file's name as sent, and its text parts.
type upload struct {
	file     *os.File
	filename string
	text     map[string]string
}

// close removes the upload's temporary file.
func (u *upload) close() {
	if u != nil && u.file != nil {
		u.file.Close()
		os.Remove(u.file.Name())
	}
}

// base is the file's name without folders or extension.
func (u *upload) base() string {
	if u.filename == "" {
		return ""
	}
	b := path.Base(strings.ReplaceAll(u.filename, `\`, "/"))
	return strings.TrimSuffix(b, path.Ext(b))
}

// readUpload reads a multipart upload of one file part ("file") of at most
// maxFile bytes (tooLarge otherwise), and the text parts named in texts,
// each at most its number of bytes. Any other part is refused. The body is
// cut at what those limits allow; the caller closes the upload.
func readUpload(w http.ResponseWriter, r *http.Request, maxFile int64, tooLarge error, texts map[string]int) (*upload, error) {
	// The server's read timeout suits JSON bodies, not a file of many
	// megabytes on a slow line.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadReadTimeout))
	limit := maxFile + uploadMargin
	for _, n := range texts {
		limit += int64(n)
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	u := &upload{text: map[string]string{}}
	err := u.read(r, maxFile, tooLarge, texts)
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		err = tooLarge
	}
	if err != nil {
		u.close()
		return nil, err
	}
	return u, nil
}

func (u *upload) read(r *http.Request, maxFile int64, tooLarge error, texts map[string]int) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return tandem.Errorf(tandem.KindInvalid, "an upload is multipart/form-data with a file part")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return tandem.Errorf(tandem.KindInvalid, "the multipart body cannot be read: %v", err)
		}
		name := part.FormName()
		if name == "file" {
			if u.file != nil {
				return tandem.Errorf(tandem.KindInvalid, "an upload carries one file")
			}
			if u.file, err = os.CreateTemp("", "tandem-upload-*"); err != nil {
				return fmt.Errorf("upload: %w", err)
			}
			u.filename = part.FileName()
			got, err := io.Copy(u.file, io.LimitReader(part, maxFile+1))
			if err != nil {
				return err
			}
			if got > maxFile {
				return tooLarge
			}
			continue
		}
		max, ok := texts[name]
		if !ok {
			return tandem.Errorf(tandem.KindInvalid, "an upload has the parts file and %s, not %q", partNames(texts), name)
		}
		b, err := io.ReadAll(io.LimitReader(part, int64(max)+1))
		if err != nil {
			return err
		}
		if len(b) > max {
			return tandem.Errorf(tandem.KindInvalid, "%s is at most %d bytes", name, max)
		}
		u.text[name] = string(b)
	}
	if u.file == nil {
		return tandem.Errorf(tandem.KindInvalid, "the upload has no file part")
	}
	return nil
}

// partNames lists texts' names, for a refusal.
func partNames(texts map[string]int) string {
	var names []string
	for _, n := range []string{"name", "folder", "fields", "values"} {
		if _, ok := texts[n]; ok {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}
