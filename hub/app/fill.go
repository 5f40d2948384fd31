package app

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/png"
	"io"
	"math"
	"strings"

	pdfapi "github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/font"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

// Drawing a document's values into its pages: the completed PDF, and the
// agent's preview of it. Text is set in fillFont (fillfont.go) and
// signatures are placed as images, each inside its field's box; the form
// the PDF may have had is flattened away, so the file reads the same in
// every viewer and its values cannot be edited.

// Limits of the text drawn into a field.
const (
	fillMaxPoints   = 11.0 // the largest type size a value is set in
	fillMinPoints   = 5.0  // the smallest, when a long value must fit
	fillLineSpacing = 1.2
)

// fillPDF returns the PDF original with values drawn into fields and its
// form flattened. Fields without a value are left blank.
func fillPDF(original io.ReadSeeker, fields []room.Field, values map[string]string) (out []byte, err error) {
	defer func() {
		if v := recover(); v != nil { // pdfcpu on a file it chokes on
			out, err = nil, fmt.Errorf("fill the PDF: %v", v)
		}
	}()
	if err := loadFillFont(); err != nil {
		return nil, err
	}
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := pdfapi.ReadAndValidate(original, conf)
	if err != nil {
		return nil, fmt.Errorf("fill the PDF: read it: %w", err)
	}
	flatten(ctx)
	for _, f := range fields {
		v := values[f.ID]
		if v == "" || f.Page < 1 || f.Page > ctx.PageCount {
			continue
		}
		box, err := pageBox(ctx, f.Page)
		if err != nil {
			return nil, err
		}
		wm, err := stamp(f, v, box)
		if err != nil {
			return nil, fmt.Errorf("fill the PDF: field %s: %w", f.ID, err)
		}
		if wm == nil {
			continue
		}
		if err := pdfapi.WatermarkContext(ctx, types.IntSet{f.Page: true}, wm); err != nil {
			return nil, fmt.Errorf("fill the PDF: field %s: %w", f.ID, err)
		}
	}
	var b bytes.Buffer
	if err := pdfapi.WriteContext(ctx, &b); err != nil {
		return nil, fmt.Errorf("fill the PDF: write it: %w", err)
	}
	return b.Bytes(), nil
}

// flatten removes the PDF's interactive form: the AcroForm and the widgets
// on its pages. The values are drawn instead.
func flatten(ctx *model.Context) {
	if ctx.RootDict != nil {
		ctx.RootDict.Delete("AcroForm")
	}
	for p := 1; p <= ctx.PageCount; p++ {
		d, _, _, err := ctx.PageDict(p, false)
		if err != nil || d == nil {
			continue
		}
		annots, err := ctx.DereferenceArray(d["Annots"])
		if err != nil || annots == nil {
			continue
		}
		keep := types.Array{}
		for _, o := range annots {
			a, err := ctx.DereferenceDict(o)
			if err == nil && a != nil {
				if st := a.NameEntry("Subtype"); st != nil && *st == "Widget" {
					continue
				}
			}
			keep = append(keep, o)
		}
		if len(keep) == 0 {
			d.Delete("Annots")
		} else {
			d["Annots"] = keep
		}
	}
	ctx.XRefTable.Form = nil
}

// pageBox is the visible box of page p (its crop box, else its media box),
// in which fields' fractions are measured.
func pageBox(ctx *model.Context, p int) (*types.Rectangle, error) {
	_, _, inh, err := ctx.PageDict(p, false)
	if err != nil || inh == nil || inh.MediaBox == nil {
		return nil, fmt.Errorf("fill the PDF: page %d has no size", p)
	}
	if inh.CropBox != nil {
		return inh.CropBox, nil
	}
	return inh.MediaBox, nil
}

// rect is a field's box in points from the page box's lower-left corner.
type rect struct{ x, y, w, h float64 }

func fieldRect(f room.Field, box *types.Rectangle) rect {
	bw, bh := box.Width(), box.Height()
	return rect{x: f.X * bw, y: (1 - f.Y - f.H) * bh, w: f.W * bw, h: f.H * bh}
}

// stamp is the watermark that draws value v of field f on a page of box:
// nil when there is nothing to draw (an unticked checkbox).
func stamp(f room.Field, v string, box *types.Rectangle) (*model.Watermark, error) {
	r := fieldRect(f, box)
	switch f.Type {
	case room.FieldSignature, room.FieldInitials:
		return imageStamp(v, r)
	case room.FieldCheckbox:
		if v != "true" {
			return nil, nil
		}
		return textStamp([]string{"X"}, math.Min(r.h, r.w)*0.8, r, true)
	}
	lines, points := fitText(v, r)
	return textStamp(lines, points, r, false)
}

// fitText breaks v into lines that fit r's width, at the largest size up
// to fillMaxPoints (and no taller than the box allows) whose lines all fit
// r's height, down to fillMinPoints; what still does not fit is cut, with
// an ellipsis.
func fitText(v string, r rect) ([]string, float64) {
	v = strings.Join(strings.Fields(v), " ")
	points := math.Min(fillMaxPoints, r.h*0.75)
	for ; points > fillMinPoints; points -= 0.5 {
		lines := wrap(v, r.w, points)
		if float64(len(lines))*points*fillLineSpacing <= r.h {
			return lines, points
		}
	}
	points = math.Max(points, fillMinPoints)
	lines := wrap(v, r.w, points)
	fit := max(1, int(r.h/(points*fillLineSpacing)))
	if len(lines) > fit {
		lines = lines[:fit]
		lines[fit-1] = strings.TrimRight(lines[fit-1], " ") + "…"
	}
	return lines, points
}

// wrap breaks s into lines no wider than w at points in fillFont.
func wrap(s string, w, points float64) []string {
	return wrapIn(s, fillFont, w, int(math.Ceil(points)))
}

// textWidth is how wide s is set in fillFont at points; a standard font's
// metrics are built in, so this only fails for a character it lacks,
// which is then counted a full em wide.
func textWidth(s string, points int) float64 {
	w, err := font.TextWidth(s, fillFont, points)
	if err != nil {
		return float64(len([]rune(s)) * points)
	}
	return w
}

// textStamp sets lines at points in r: from its top-left, or centred.
func textStamp(lines []string, points float64, r rect, centre bool) (*model.Watermark, error) {
	text := strings.Join(lines, "\n")
	// pdfcpu sizes text by whole points.
	size := int(math.Max(1, math.Floor(points)))
	h := float64(len(lines)) * float64(size) * fillLineSpacing
	x, y := r.x+1, r.y+r.h-h
	align := "l"
	if centre {
		x, y, align = r.x+r.w/2-textWidth(lines[0], size)/2, r.y+(r.h-float64(size))/2, "l"
	}
	desc := fmt.Sprintf("font:%s, points:%d, pos:bl, off:%.2f %.2f, scale:1 abs, rot:0, fillc:#0b1d3a, op:1, margins:0, aligntext:%s",
		fillFont, size, x, y, align)
	return pdfapi.TextWatermark(text, desc, true, false, types.POINTS)
}

// drawingPrefix starts a drawing's value: a PNG data URL.
const drawingPrefix = "data:image/png;base64,"

// maxDrawingSide bounds a drawing's width and height in pixels: a small
// PNG may unpack into a huge image, and drawing it decodes it whole.
const maxDrawingSide = 2500

// decodeDrawing is the PNG of a drawing's data URL, checked to be one.
func decodeDrawing(dataURL string) ([]byte, error) {
	if !strings.HasPrefix(dataURL, drawingPrefix) {
		return nil, fmt.Errorf("not a PNG data URL")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(dataURL, drawingPrefix))
	if err != nil {
		return nil, err
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > maxDrawingSide || cfg.Height > maxDrawingSide {
		return nil, fmt.Errorf("a drawing of %d×%d pixels", cfg.Width, cfg.Height)
	}
	return raw, nil
}

// imageStamp places a PNG data URL in r, as large as fits, keeping its
// proportions, centred.
func imageStamp(dataURL string, r rect) (*model.Watermark, error) {
	raw, err := decodeDrawing(dataURL)
	if err != nil {
		return nil, tandem.Coded(tandem.KindInvalid, "invalid_value", "the signature is not a PNG image")
	}
	cfg, _ := png.DecodeConfig(bytes.NewReader(raw))
	scale := math.Min(r.w/float64(cfg.Width), r.h/float64(cfg.Height))
	w, h := float64(cfg.Width)*scale, float64(cfg.Height)*scale
	desc := fmt.Sprintf("pos:bl, off:%.2f %.2f, scale:%.6f abs, rot:0, op:1", r.x+(r.w-w)/2, r.y+(r.h-h)/2, scale)
	return pdfapi.ImageWatermarkForReader(bytes.NewReader(raw), desc, true, false, types.POINTS)
}
