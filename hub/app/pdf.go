package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"

	pdfapi "github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

func init() {
	// A server reads no configuration from the user's home directory, and
	// writes none there.
	pdfapi.DisableConfigDir()
}

// pdfMagic starts every PDF file.
var pdfMagic = []byte("%PDF-")

// uploadHead reads what an upload is judged by: its size and its first
// kilobyte, leaving file at its start.
func uploadHead(file io.ReadSeeker) (head []byte, size int64, err error) {
	if size, err = file.Seek(0, io.SeekEnd); err != nil {
		return nil, 0, fmt.Errorf("read the upload: %w", err)
	}
	if _, err = file.Seek(0, io.SeekStart); err != nil {
		return nil, 0, fmt.Errorf("read the upload: %w", err)
	}
	head = make([]byte, 1024)
	n, err := io.ReadFull(file, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, 0, fmt.Errorf("read the upload: %w", err)
	}
	if _, err = file.Seek(0, io.SeekStart); err != nil {
		return nil, 0, fmt.Errorf("read the upload: %w", err)
	}
	return head[:n], size, nil
}

// sniffPDF refuses content that is not a PDF, judged by its first bytes
// only: never by a file's name or the type its sender claims.
func sniffPDF(r io.ReadSeeker) error {
	head, _, err := uploadHead(r)
	if err != nil {
		return err
	}
	// Some writers put a few bytes before the header; readers accept
	// it within the first kilobyte.
	if !bytes.Contains(head, pdfMagic) {
		return tandem.Coded(tandem.KindInvalid, "unsupported_type", "the file is not a PDF (it is %s)", sniffedType(head))
	}
	return nil
}

// pdfInfo is what the hub reads of a PDF: its pages and the fields of its
// form.
type pdfInfo struct {
	pages  int
	fields []room.Field
}

// readPDF parses a PDF with pdfcpu: invalid_pdf if it cannot. Its
// AcroForm's widgets, if it has one, are offered as fields for the
// customer, none required.
func readPDF(r io.ReadSeeker) (info pdfInfo, err error) {
	defer func() {
		if v := recover(); v != nil { // pdfcpu on a hostile file
			err = tandem.Coded(tandem.KindInvalid, "invalid_pdf", "the PDF cannot be read")
		}
	}()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := pdfapi.ReadAndValidate(r, conf)
	if err != nil {
		msg := err.Error()
		if strings.Contains(strings.ToLower(msg), "password") || strings.Contains(strings.ToLower(msg), "encrypt") {
			return info, tandem.Coded(tandem.KindInvalid, "invalid_pdf", "the PDF is protected by a password; upload it without")
		}
		return info, tandem.Coded(tandem.KindInvalid, "invalid_pdf", "the PDF cannot be read")
	}
	if ctx.PageCount < 1 {
		return info, tandem.Coded(tandem.KindInvalid, "invalid_pdf", "the PDF has no pages")
	}
	info.pages = ctx.PageCount
	info.fields = formFields(ctx)
	return info, nil
}

// formFields returns the widgets of ctx's AcroForm as fields, in page
// order, as far as they can be read: a widget that cannot is left out.
func formFields(ctx *model.Context) []room.Field {
	if ctx.XRefTable.Form == nil {
		return nil
	}
	var out []room.Field
	for p := 1; p <= ctx.PageCount && len(out) < room.MaxFields; p++ {
		d, _, inh, err := ctx.PageDict(p, false)
		if err != nil || d == nil || inh == nil || inh.MediaBox == nil {
			continue
		}
		box := inh.MediaBox
		if inh.CropBox != nil {
			box = inh.CropBox
		}
		annots, err := ctx.DereferenceArray(d["Annots"])
		if err != nil {
			continue
		}
		for _, o := range annots {
			w, err := ctx.DereferenceDict(o)
			if err != nil || w == nil {
				continue
			}
			if st := w.NameEntry("Subtype"); st == nil || *st != "Widget" {
				continue
			}
			f, ok := widgetField(ctx, w, box)
			if ok {
				f.Page = p
				out = append(out, f)
			}
			if len(out) == room.MaxFields {
				break
			}
		}
	}
	return out
}

// widgetField is one widget as a field: its type from the field's /FT
// (and /Ff for buttons and choices), its label from the field's name, its
// rectangle in fractions of box from the top-left corner.
func widgetField(ctx *model.Context, w types.Dict, box *types.Rectangle) (room.Field, bool) {
	var f room.Field
	rect, err := ctx.DereferenceArray(w["Rect"])
	if err != nil || len(rect) != 4 {
		return f, false
	}
	var v [4]float64
	for i, o := range rect {
		n, err := ctx.DereferenceNumber(o)
		if err != nil {
			return f, false
		}
		v[i] = n
	}
	llx, lly, urx, ury := math.Min(v[0], v[2]), math.Min(v[1], v[3]), math.Max(v[0], v[2]), math.Max(v[1], v[3])
	bw, bh := box.Width(), box.Height()
	if bw <= 0 || bh <= 0 {
		return f, false
	}
	clamp := func(x float64) float64 { return math.Max(0, math.Min(1, x)) }
	x0, x1 := clamp((llx-box.LL.X)/bw), clamp((urx-box.LL.X)/bw)
	y0, y1 := clamp((box.UR.Y-ury)/bh), clamp((box.UR.Y-lly)/bh)
	f.X, f.Y, f.W, f.H = x0, y0, x1-x0, y1-y0
	if f.W <= 0 || f.H <= 0 {
		return f, false
	}

	var ft string
	var flags int
	var names []string
	var opts types.Array
	for d, depth := w, 0; d != nil && depth < 32; depth++ {
		if ft == "" {
			if n := d.NameEntry("FT"); n != nil {
				ft = *n
				if i := d.IntEntry("Ff"); i != nil {
					flags = *i
				}
			}
		}
		if t, err := ctx.DereferenceStringOrHexLiteral(d["T"], model.V10, nil); err == nil && t != "" {
			names = append([]string{t}, names...)
		}
		if opts == nil {
			opts, _ = ctx.DereferenceArray(d["Opt"])
		}
		parent, err := ctx.DereferenceDict(d["Parent"])
		if err != nil {
			break
		}
		d = parent
	}
	f.Label = strings.Join(names, ".")
	f.Role = room.FieldByCustomer
	switch ft {
	case "Tx":
		f.Type = room.FieldText
	case "Sig":
		f.Type = room.FieldSignature
	case "Btn":
		if flags&(1<<16) != 0 { // a push button: nothing to fill in
			return f, false
		}
		f.Type = room.FieldCheckbox // radio buttons too: each one ticks
	case "Ch":
		f.Type = room.FieldSelect
		for _, o := range opts {
			if a, err := ctx.DereferenceArray(o); err == nil && len(a) == 2 {
				o = a[1] // [export value, shown text]
			}
			if s, err := ctx.DereferenceStringOrHexLiteral(o, model.V10, nil); err == nil {
				f.Options = append(f.Options, s)
			}
		}
	default:
		return f, false
	}
	return f, true
}

// importedFields keeps the fields a PDF's form offers that pass the rules:
// a form is the sender's, so what breaks a rule (a label too long, a
// choice without options) is dropped rather than refusing the upload.
func importedFields(fields []room.Field, pages int) []room.Field {
	out := []room.Field{}
	for _, f := range fields {
		if len(f.Options) > room.MaxFieldOptions {
			f.Options = f.Options[:room.MaxFieldOptions]
		}
		if len([]rune(f.Label)) > room.MaxFieldLabelLen {
			f.Label = string([]rune(f.Label)[:room.MaxFieldLabelLen])
		}
		if ok, err := room.ValidateFields(append(out, f), pages); err == nil {
			out = ok
		}
	}
	return out
}

// sniffedType names what content looks like, for the refusal's message.
func sniffedType(head []byte) string {
	t, _, _ := strings.Cut(http.DetectContentType(head), ";")
	return t
}

// imageToPDF draws a JPEG or PNG image, as large as fits, centred on an A4
// page: an attached photo reads, prints and completes like any document.
func imageToPDF(r io.Reader) (out []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, tandem.Coded(tandem.KindInvalid, "invalid_image", "the image cannot be read")
		}
	}()
	imp, err := pdfapi.Import("formsize:A4, position:c, scalefactor:0.95 rel", types.POINTS)
	if err != nil {
		return nil, fmt.Errorf("image to PDF: %w", err)
	}
	var b bytes.Buffer
	if err := pdfapi.ImportImages(nil, &b, []io.Reader{r}, imp, nil); err != nil {
		return nil, tandem.Coded(tandem.KindInvalid, "invalid_image", "the image cannot be read")
	}
	return b.Bytes(), nil
}
