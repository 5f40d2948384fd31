package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg" // DecodeConfig of uploaded photos
	_ "image/png"
	"io"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Document requests: the agent asks for documents of types from the
// account's catalog (documenttypes.go); the customer uploads files for
// each item — photos or PDFs, kept in the account's blob store like every
// file — and sends them; the agent accepts them or rejects them with a
// reason.

// RequestItem is one item of an agent's request: a type of the account's
// catalog, with a note to the customer.
type RequestItem struct {
	TypeID string `json:"type_id"`
	Note   string `json:"note"`
}

// maxImagePixels bounds an uploaded photo's width × height: a phone's
// largest camera is about 50 megapixels; a file that claims far more is a
// decompression bomb aimed at the agent's browser.
const maxImagePixels = 100_000_000

// AddRequests asks the room's customer for the documents of items, one
// requested item each: agents only. A type retired from the catalog is
// refused (document_type_retired). In a pre-planned room they wait, like
// everything staged, for Invite client.
func (a *App) AddRequests(ctx context.Context, c Caller, roomID string, items []RequestItem) ([]room.Request, error) {
	if err := agentOnly(c, "request documents"); err != nil {
		return nil, err
	}
	if _, err := a.store.Room(ctx, c.Account(), roomID); err != nil {
		return nil, err
	}
	if len(items) == 0 || len(items) > room.MaxRequestItems {
		return nil, tandem.Coded(tandem.KindInvalid, "invalid_items", "items lists 1 to %d document types to ask for", room.MaxRequestItems)
	}
	news := make([]room.NewRequest, len(items))
	for i, it := range items {
		if !room.ValidID("dt", it.TypeID) {
			return nil, tandem.Coded(tandem.KindInvalid, "invalid_items", "items[%d].type_id must be the id of a document type (dt_…)", i)
		}
		t, err := a.DocumentType(ctx, c.Account(), it.TypeID)
		if err != nil {
			return nil, err
		}
		if t.Retired {
			return nil, tandem.Coded(tandem.KindInvalid, "document_type_retired", "%s was retired from the catalog: pick another type", t.Name)
		}
		news[i] = room.NewRequest{ID: room.NewID("rq"), Type: room.RequestType{ID: t.ID, Code: t.Code, Name: t.Name, Category: t.Category}, Note: it.Note}
	}
	st, err := a.Commit(ctx, c.Account(), roomID, func(s room.State) (Plan, error) {
		ds, err := room.AddRequests(s, c.Actor(), news)
		return Plan{Drafts: ds}, err
	})
	if err != nil {
		return nil, err
	}
	out := make([]room.Request, len(news))
	for i, n := range news {
		out[i], _ = st.Request(n.ID)
	}
	return out, nil
}

// UploadRequestFile keeps a file the customer uploaded for request reqID
// and records it: customers only. Its type is judged by its bytes: a
// JPEG, PNG or HEIC/HEIF photo of at most MaxImageBytes, or a PDF of at
// most MaxPDFBytes; anything else is unsupported_type. Nothing is kept of
// a refused one.
func (a *App) UploadRequestFile(ctx context.Context, c Caller, roomID, reqID, filename string, file io.ReadSeeker) (room.Request, room.RequestFile, error) {
	if err := customerOnly(c); err != nil {
		return room.Request{}, room.RequestFile{}, err
	}
	s, err := a.store.Room(ctx, c.Account(), roomID)
	if err != nil {
		return room.Request{}, room.RequestFile{}, err
	}
	if err := room.CheckUpload(s, reqID); err != nil {
		return room.Request{}, room.RequestFile{}, err // refused before the file is kept
	}
	kind, max, err := a.uploadKind(file)
	if err != nil {
		return room.Request{}, room.RequestFile{}, err
	}
	if a.cfg.Blobs == nil {
		return room.Request{}, room.RequestFile{}, tandem.Errorf(tandem.KindInternal, "this hub has no file store")
	}
	ref, err := a.cfg.Blobs.Put(ctx, c.Account(), file, max)
	if err != nil {
		return room.Request{}, room.RequestFile{}, err
	}
	f := room.RequestFile{ID: room.NewID("fl"), Name: filename, ContentType: kind, Size: ref.Size, SHA256: ref.SHA256}
	st, err := a.Commit(ctx, c.Account(), roomID, func(s room.State) (Plan, error) {
		d, err := room.UploadRequestFile(s, reqID, f)
		return Plan{Drafts: []room.Draft{d}, RequestFiles: []store.RequestFile{{Request: reqID, File: f.ID, SHA256: f.SHA256}}}, err
	})
	if err != nil {
		a.dropFile(c.Account(), ref.SHA256)
		return room.Request{}, room.RequestFile{}, err
	}
	r, _ := st.Request(reqID)
	kept, _ := r.File(f.ID)
	return r, kept, nil
}

// uploadKind judges an upload by its first bytes: its content type and the
// most bytes a file of that type may have. It checks a photo's dimensions
// (JPEG, PNG) and a PDF's structure; a HEIC photo, which no library here
// decodes, is taken by its header. file is left at its start.
func (a *App) uploadKind(file io.ReadSeeker) (string, int64, error) {
	head, size, err := uploadHead(file)
	if err != nil {
		return "", 0, err
	}
	tooLarge := func(what string, max int64) (string, int64, error) {
		return "", 0, tandem.Errorf(tandem.KindTooLarge, "%s is at most %s", what, SizeWords(max))
	}
	if size == 0 {
		return "", 0, tandem.Coded(tandem.KindInvalid, "empty_file", "the file is empty")
	}
	// A photo is judged by its own signature first: "%PDF-" in its
	// metadata does not make it a PDF.
	switch kind := sniffedType(head); {
	case kind == "image/jpeg" || kind == "image/png":
		if size > a.cfg.MaxImageBytes {
			return tooLarge("a photo", a.cfg.MaxImageBytes)
		}
		cfg, _, err := image.DecodeConfig(file)
		if err != nil {
			return "", 0, tandem.Coded(tandem.KindInvalid, "invalid_image", "the image cannot be read")
		}
		if int64(cfg.Width)*int64(cfg.Height) > maxImagePixels {
			return "", 0, tandem.Coded(tandem.KindInvalid, "invalid_image", "the image is %d × %d pixels: at most %d megapixels", cfg.Width, cfg.Height, maxImagePixels/1_000_000)
		}
		if _, err := file.Seek(0, io.SeekStart); err != nil {
			return "", 0, fmt.Errorf("read the upload: %w", err)
		}
		return kind, a.cfg.MaxImageBytes, nil
	case heifKind(head) != "":
		if size > a.cfg.MaxImageBytes {
			return tooLarge("a photo", a.cfg.MaxImageBytes)
		}
		return heifKind(head), a.cfg.MaxImageBytes, nil
	case bytes.Contains(head, pdfMagic):
		if size > a.cfg.MaxPDFBytes {
			return tooLarge("a PDF", a.cfg.MaxPDFBytes)
		}
		if _, err := readPDF(file); err != nil {
			return "", 0, err
		}
		if _, err := file.Seek(0, io.SeekStart); err != nil {
			return "", 0, fmt.Errorf("read the upload: %w", err)
		}
		return "application/pdf", a.cfg.MaxPDFBytes, nil
	default:
		return "", 0, tandem.Coded(tandem.KindInvalid, "unsupported_type", "send a photo (JPEG, PNG or HEIC) or a PDF; this file is %s", kind)
	}
}

// heifKind is the content type of a HEIF file (an iPhone's HEIC photo)
// by its ftyp box's major brand, or "" if head is not one.
func heifKind(head []byte) string {
	if len(head) < 12 || string(head[4:8]) != "ftyp" {
		return ""
	}
	switch string(head[8:12]) {
	case "heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs":
		return "image/heic"
	case "mif1", "msf1":
		return "image/heif"
	}
	return ""
}

// RemoveRequestFile takes back a file of request reqID before it is sent:
// customers only.
func (a *App) RemoveRequestFile(ctx context.Context, c Caller, roomID, reqID, fileID string) (room.Request, error) {
	if err := customerOnly(c); err != nil {
		return room.Request{}, err
	}
	return a.requestStep(ctx, c, roomID, reqID, func(s room.State) (room.Draft, error) { return room.RemoveRequestFile(s, reqID, fileID) })
}

// SubmitRequest sends request reqID's files to the agent: customers only.
func (a *App) SubmitRequest(ctx context.Context, c Caller, roomID, reqID string) (room.Request, error) {
	if err := customerOnly(c); err != nil {
		return room.Request{}, err
	}
	return a.requestStep(ctx, c, roomID, reqID, func(s room.State) (room.Draft, error) { return room.SubmitRequest(s, reqID) })
}

// ReviewRequest accepts or rejects (with a reason) the files the customer
// sent for request reqID: agents only.
func (a *App) ReviewRequest(ctx context.Context, c Caller, roomID, reqID, decision, reason string) (room.Request, error) {
	if err := agentOnly(c, "review a document request"); err != nil {
		return room.Request{}, err
	}
	return a.requestStep(ctx, c, roomID, reqID, func(s room.State) (room.Draft, error) {
		return room.ReviewRequest(s, c.Actor(), reqID, decision, reason)
	})
}

// RequestFile opens a file uploaded for request reqID, to be closed by
// the caller: an agent of the account or the room's customer. A file of an
// earlier round (rejected, or taken back) is found in the log.
func (a *App) RequestFile(ctx context.Context, c Caller, roomID, reqID, fileID string) (room.RequestFile, io.ReadCloser, error) {
	s, err := a.store.Room(ctx, c.Account(), roomID)
	if err != nil {
		return room.RequestFile{}, nil, err
	}
	r, ok := s.Request(reqID)
	if !ok {
		return room.RequestFile{}, nil, tandem.Coded(tandem.KindNotFound, "request_not_found", "no request %s in this room", reqID)
	}
	f, ok := r.File(fileID)
	if !ok {
		if f, ok, err = a.earlierRequestFile(ctx, c.Account(), s, reqID, fileID); err != nil {
			return f, nil, err
		}
	}
	if !ok {
		return f, nil, tandem.Coded(tandem.KindNotFound, "file_not_found", "the request has no file %s", fileID)
	}
	rc, err := a.openFile(ctx, c.Account(), f.SHA256)
	return f, rc, err
}

// earlierRequestFile finds file fileID of request reqID in the room's log.
func (a *App) earlierRequestFile(ctx context.Context, account string, s room.State, reqID, fileID string) (room.RequestFile, bool, error) {
	evs, err := a.roomLog(ctx, account, s.ID, s.Seq)
	if err != nil {
		return room.RequestFile{}, false, err
	}
	for _, e := range evs {
		if e.Type != room.TypeRequestFileUploaded {
			continue
		}
		var d room.RequestFileUploaded
		if err := json.Unmarshal(e.Data, &d); err != nil {
			continue
		}
		if d.Request == reqID && d.File.ID == fileID {
			d.File.UploadedAt = e.At
			return d.File, true, nil
		}
	}
	return room.RequestFile{}, false, nil
}

// requestStep commits the event decide makes of the room for request
// reqID, and returns that request as it then is.
func (a *App) requestStep(ctx context.Context, c Caller, roomID, reqID string, decide func(room.State) (room.Draft, error)) (room.Request, error) {
	st, err := a.Commit(ctx, c.Account(), roomID, func(s room.State) (Plan, error) {
		d, err := decide(s)
		return Plan{Drafts: []room.Draft{d}}, err
	})
	if err != nil {
		return room.Request{}, err
	}
	r, _ := st.Request(reqID)
	return r, nil
}
