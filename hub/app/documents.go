package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Documents in a room, the agent's side: putting one in (from the asset
// library, or attached from the agent's computer) and reading it back.
// The customer's side is in documentfill.go.

// DefaultMaxImageBytes is the largest image one may attach, unless
// Config.MaxImageBytes says otherwise.
const DefaultMaxImageBytes = 10 << 20

// AddDocument puts the asset assetID of the caller's library in the room,
// with the agent's fields filled from values: agents only. It is sent at
// once, unless the room is pre-planned and waits for Invite client.
func (a *App) AddDocument(ctx context.Context, c Caller, roomID, assetID string, values map[string]string) (room.Document, error) {
	if err := agentOnly(c, "add a document"); err != nil {
		return room.Document{}, err
	}
	if strings.TrimSpace(assetID) == "" {
		return room.Document{}, tandem.Errorf(tandem.KindInvalid, "asset_id names the asset to send")
	}
	as, err := a.store.Asset(ctx, c.Account(), assetID)
	if err != nil {
		return room.Document{}, err
	}
	values, files, err := a.keepAgentDrawings(ctx, c, as.Fields, values)
	if err != nil {
		return room.Document{}, err
	}
	return a.addDocument(ctx, c, roomID, room.NewDocument{
		Agent: c.Actor(), ID: room.NewID("dc"), Name: as.Name, Asset: as.ID, File: as.SHA256,
		ContentType: "application/pdf", Pages: as.Pages, Fields: as.Fields, Values: values, Files: files,
	})
}

// keepAgentDrawings moves the agent's drawings (a signature or initials
// field of the agent's with a PNG data URL) out of values into the
// account's files, and returns the other values and the drawings' files.
// Other values are left for room.AddDocument to check.
func (a *App) keepAgentDrawings(ctx context.Context, c Caller, fields []room.Field, values map[string]string) (map[string]string, map[string]string, error) {
	rest, files := map[string]string{}, map[string]string{}
	for id, v := range values {
		rest[id] = v
	}
	for _, f := range fields {
		v := values[f.ID]
		if f.ID == "" || f.Role != room.FieldByAgent || f.Type != room.FieldSignature && f.Type != room.FieldInitials || v == "" {
			continue
		}
		sha, err := a.keepPNG(ctx, c.Account(), f, v)
		if err != nil {
			return nil, nil, err
		}
		delete(rest, f.ID)
		files[f.ID] = sha
	}
	return rest, files, nil
}

// keepPNG checks the drawing v of field f (a PNG data URL) and keeps it in
// the account's files; it returns its SHA-256. A drawing stays there if
// the step it was for is then refused: the same drawing may fill another
// field, and it is small.
func (a *App) keepPNG(ctx context.Context, account string, f room.Field, v string) (string, error) {
	if _, err := room.CheckValue(f, v); err != nil {
		return "", err
	}
	png, err := decodeDrawing(v)
	if err != nil {
		return "", tandem.Coded(tandem.KindInvalid, "invalid_value", "%s: the drawing is not a PNG image", fieldLabel(f))
	}
	if a.cfg.Blobs == nil {
		return "", tandem.Errorf(tandem.KindInternal, "this hub has no file store")
	}
	ref, err := a.cfg.Blobs.Put(ctx, account, bytes.NewReader(png), room.MaxSignatureBytes)
	if err != nil {
		return "", err
	}
	return ref.SHA256, nil
}

// fieldLabel names a field for a message: its label, else its id.
func fieldLabel(f room.Field) string {
	if f.Label != "" {
		return f.Label
	}
	return f.ID
}

// Attachment is what comes with a file an agent attaches to one room.
type Attachment struct {
	Name     string // default: the file's name without its extension
	Filename string
	Fields   []room.Field
	Values   map[string]string
}

// AttachDocument puts a file from the agent's computer in the room: a PDF
// (at most MaxPDFBytes), or a JPEG or PNG image (at most MaxImageBytes),
// which becomes a one-page PDF, so that every document reads the same way.
// Its type is judged by its content. Nothing is kept of a refused one:
// its content leaves the blob store again if the room refuses it.
func (a *App) AttachDocument(ctx context.Context, c Caller, roomID string, att Attachment, file io.ReadSeeker) (room.Document, error) {
	if err := agentOnly(c, "attach a document"); err != nil {
		return room.Document{}, err
	}
	if _, err := a.store.Room(ctx, c.Account(), roomID); err != nil {
		return room.Document{}, err
	}
	name := att.Name
	if strings.TrimSpace(name) == "" && att.Filename != "" {
		base := path.Base(strings.ReplaceAll(att.Filename, `\`, "/"))
		name = strings.TrimSuffix(base, path.Ext(base))
	}
	name, err := tandem.CheckName(name, "the document's name")
	if err != nil {
		return room.Document{}, err
	}
	pdf, err := a.attachedPDF(file)
	if err != nil {
		return room.Document{}, err
	}
	info, err := readPDF(pdf)
	if err != nil {
		return room.Document{}, err
	}
	if _, err := pdf.Seek(0, io.SeekStart); err != nil {
		return room.Document{}, err
	}
	if a.cfg.Blobs == nil {
		return room.Document{}, tandem.Errorf(tandem.KindInternal, "this hub has no file store")
	}
	ref, err := a.cfg.Blobs.Put(ctx, c.Account(), pdf, a.cfg.MaxPDFBytes)
	if err != nil {
		return room.Document{}, err
	}
	values, files, err := a.keepAgentDrawings(ctx, c, att.Fields, att.Values)
	if err != nil {
		a.dropFile(c.Account(), ref.SHA256)
		return room.Document{}, err
	}
	d, err := a.addDocument(ctx, c, roomID, room.NewDocument{
		Agent: c.Actor(), ID: room.NewID("dc"), Name: name, File: ref.SHA256,
		ContentType: "application/pdf", Pages: info.pages, Fields: att.Fields, Values: values, Files: files,
	})
	if err != nil {
		a.dropFile(c.Account(), ref.SHA256)
	}
	return d, err
}

// attachedPDF is an attached file as a PDF: a PDF as it is, an image
// drawn on a page of its own size; anything else is unsupported_type.
func (a *App) attachedPDF(file io.ReadSeeker) (io.ReadSeeker, error) {
	head, size, err := uploadHead(file)
	if err != nil {
		return nil, err
	}
	switch kind := sniffedType(head); {
	case bytes.Contains(head, pdfMagic):
		if size > a.cfg.MaxPDFBytes {
			return nil, tandem.Errorf(tandem.KindTooLarge, "a PDF is at most %s", SizeWords(a.cfg.MaxPDFBytes))
		}
		return file, nil
	case kind == "image/jpeg" || kind == "image/png":
		if size > a.cfg.MaxImageBytes {
			return nil, tandem.Errorf(tandem.KindTooLarge, "an image is at most %s", SizeWords(a.cfg.MaxImageBytes))
		}
		b, err := imageToPDF(file)
		if err != nil {
			return nil, err
		}
		return bytes.NewReader(b), nil
	default:
		return nil, tandem.Coded(tandem.KindInvalid, "unsupported_type", "attach a PDF, JPEG or PNG file (this one is %s)", kind)
	}
}

// addDocument commits the document nd to the room, recording its file.
func (a *App) addDocument(ctx context.Context, c Caller, roomID string, nd room.NewDocument) (room.Document, error) {
	st, err := a.Commit(ctx, c.Account(), roomID, func(s room.State) (Plan, error) {
		ds, err := room.AddDocument(s, nd)
		return Plan{Drafts: ds, Documents: []store.DocumentFiles{{Document: nd.ID, File: nd.File}}}, err
	})
	if err != nil {
		return room.Document{}, err
	}
	d, _ := st.Document(nd.ID)
	return d, nil
}

// Document is a document of the room with its current values. The
// customer sees only documents sent to them.
func (a *App) Document(ctx context.Context, c Caller, roomID, docID string) (room.FilledDocument, error) {
	s, d, err := a.visibleDocument(ctx, c, roomID, docID)
	if err != nil {
		return room.FilledDocument{}, err
	}
	values, err := a.documentValues(ctx, c.Account(), roomID, docID, s.Seq)
	return room.FilledDocument{Document: d, Values: values}, err
}

// DocumentFile opens a document's original PDF, to be closed by the
// caller.
func (a *App) DocumentFile(ctx context.Context, c Caller, roomID, docID string) (room.Document, io.ReadCloser, error) {
	_, d, err := a.visibleDocument(ctx, c, roomID, docID)
	if err != nil {
		return d, nil, err
	}
	f, err := a.openFile(ctx, c.Account(), d.File)
	return d, f, err
}

// CompletedFile opens a document's completed PDF; not_completed until the
// customer finished it.
func (a *App) CompletedFile(ctx context.Context, c Caller, roomID, docID string) (room.Document, io.ReadCloser, error) {
	_, d, err := a.visibleDocument(ctx, c, roomID, docID)
	if err != nil {
		return d, nil, err
	}
	if d.Status != room.DocumentCompleted || d.Completed == "" {
		return d, nil, tandem.Coded(tandem.KindConflict, "not_completed", "the document is %s, not completed yet", strings.ReplaceAll(string(d.Status), "_", " "))
	}
	f, err := a.openFile(ctx, c.Account(), d.Completed)
	return d, f, err
}

// Preview is the document as it would be completed now: its PDF with the
// values filled so far drawn in.
func (a *App) Preview(ctx context.Context, c Caller, roomID, docID string) (room.Document, []byte, error) {
	s, d, err := a.visibleDocument(ctx, c, roomID, docID)
	if err != nil {
		return d, nil, err
	}
	pdf, err := a.render(ctx, c.Account(), roomID, d, s.Seq)
	return d, pdf, err
}

// visibleDocument is the room's document docID as the caller may see it:
// an agent of the account sees every one, the customer those sent.
func (a *App) visibleDocument(ctx context.Context, c Caller, roomID, docID string) (room.State, room.Document, error) {
	s, err := a.store.Room(ctx, c.Account(), roomID)
	if err != nil {
		return s, room.Document{}, err
	}
	d, ok := s.Document(docID)
	if !ok || c.Pass != nil && d.Status == room.DocumentPending {
		return s, d, tandem.Coded(tandem.KindNotFound, "document_not_found", "no document %s in this room", docID)
	}
	return s, d, nil
}

// documentValues folds the room's log up to seq upTo into the values of
// document docID, with each drawing read back from the account's files
// as a PNG data URL.
func (a *App) documentValues(ctx context.Context, account, roomID, docID string, upTo int64) (map[string]string, error) {
	evs, err := a.roomLog(ctx, account, roomID, upTo)
	if err != nil {
		return nil, err
	}
	values, files, err := room.DocumentValues(evs, docID)
	if err != nil {
		return nil, err
	}
	for field, sha := range files {
		png, err := a.readFile(ctx, account, sha, room.MaxSignatureBytes+1)
		if err != nil {
			return nil, fmt.Errorf("the drawing of field %s: %w", field, err)
		}
		values[field] = drawingPrefix + base64.StdEncoding.EncodeToString(png)
	}
	return values, nil
}

// roomLog reads a room's log up to seq upTo, page by page.
func (a *App) roomLog(ctx context.Context, account, roomID string, upTo int64) ([]room.Event, error) {
	var out []room.Event
	for after := int64(0); after < upTo; {
		evs, err := a.store.Events(ctx, account, roomID, after, tandem.MaxEventsPage)
		if err != nil {
			return nil, err
		}
		if len(evs) == 0 {
			break
		}
		for _, e := range evs {
			if e.Seq > upTo {
				return out, nil
			}
			out = append(out, e)
		}
		after = evs[len(evs)-1].Seq
	}
	return out, nil
}

// render draws the values of document d, as of seq upTo, into its PDF.
func (a *App) render(ctx context.Context, account, roomID string, d room.Document, upTo int64) ([]byte, error) {
	values, err := a.documentValues(ctx, account, roomID, d.ID, upTo)
	if err != nil {
		return nil, err
	}
	original, err := a.readFile(ctx, account, d.File, a.cfg.MaxPDFBytes+1)
	if err != nil {
		return nil, fmt.Errorf("read document %s: %w", d.ID, err)
	}
	fields := make([]room.Field, len(d.Fields))
	for i, f := range d.Fields {
		fields[i] = f.Field
	}
	return fillPDF(bytes.NewReader(original), fields, values)
}

// readFile reads content of the account's blob store whole, at most max
// bytes of it.
func (a *App) readFile(ctx context.Context, account, sha string, max int64) ([]byte, error) {
	f, err := a.openFile(ctx, account, sha)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max))
	if err != nil {
		return nil, fmt.Errorf("read file %s: %w", sha, err)
	}
	return b, nil
}

// openFile opens content of the account's blob store.
func (a *App) openFile(ctx context.Context, account, sha string) (io.ReadCloser, error) {
	if a.cfg.Blobs == nil {
		return nil, tandem.Errorf(tandem.KindInternal, "this hub has no file store")
	}
	return a.cfg.Blobs.Open(ctx, account, sha)
}

// SizeWords writes a size limit for people: "25 MiB", "16 KiB".
func SizeWords(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// agentOnly refuses a caller who is not an agent.
func agentOnly(c Caller, what string) error {
	if c.User == nil {
		return tandem.Coded(tandem.KindForbidden, "agent_only", "only an agent may %s", what)
	}
	return nil
}
