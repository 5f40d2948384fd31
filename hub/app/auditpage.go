package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	pdfapi "github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/font"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// The evidence file: the completed PDF's pages, the audit trail printed on
// A4 pages after them, and the original, the completed PDF and
// audit-trail.json attached. The seal then goes over all of it.

// A4 in points, and the trail's margins.
const (
	a4Width     = 595.28
	a4Height    = 841.89
	auditMargin = 48.0
	auditBottom = 64.0 // room for the footer
)

// auditLine is a line of the printed trail before it is wrapped.
type auditLine struct {
	text   string
	font   string
	points int
	color  string
	indent float64
	gap    float64 // space above it, in points
}

// auditLines is the trail as lines, in reading order.
func auditLines(t AuditTrail) []auditLine {
	const ink, grey = "#0b1d3a", "#5b6478"
	zone := t.GeneratedAt.Location()
	heading := func(s string) auditLine { return auditLine{text: s, font: boldFont, points: 11, color: ink, gap: 14} }
	row := func(label, value string) auditLine {
		return auditLine{text: label + ": " + value, font: fillFont, points: 9, color: ink, gap: 2}
	}
	mono := func(label, value string) []auditLine {
		return []auditLine{
			{text: label, font: fillFont, points: 9, color: ink, gap: 3},
			{text: value, font: monoFont, points: 8, color: ink, indent: 12},
		}
	}
	ls := []auditLine{
		{text: "Audit trail", font: boldFont, points: 18, color: ink},
		{text: t.Document.Name, font: fillFont, points: 11, color: ink, gap: 4},
		{text: fmt.Sprintf("All times are in %s, written with their zone.", zoneWords(zone, t.GeneratedAt)), font: fillFont, points: 8, color: grey, gap: 4},
		heading("Document"),
		row("Name", t.Document.Name),
		row("Document id", t.Document.ID),
		row("Room", t.Room),
		row("Pages", fmt.Sprint(t.Document.Pages)),
	}
	ls = append(ls, mono("SHA-256 of the original (attached as "+AttachedOriginal+")", t.Document.Original)...)
	ls = append(ls, mono("SHA-256 of the completed content (attached as "+AttachedCompleted+")", t.Document.Completed)...)
	if t.LogHead.Hash != "" {
		ls = append(ls, mono(fmt.Sprintf("Hash of the room's log at completion (event %d)", t.LogHead.Seq), t.LogHead.Hash)...)
	}
	ls = append(ls,
		heading("People"),
		row("Company", t.Company),
		row("Agent", t.Agent.String()),
		row("Customer", orNone(t.Customer.Name)),
		row("Contact used", contactWords(t.Customer)),
		row("Link sent", timeOrNone(t.Customer.SentAt)),
		row("Delivered", deliveredWords(t.Customer)),
		heading("Steps"),
	)
	for _, s := range t.Steps {
		ls = append(ls, auditLine{text: fmt.Sprintf("%s   %s — %s", zoned(s.At), s.Who, s.What), font: fillFont, points: 9, color: ink, gap: 5})
		var origin []string
		if s.IP != "" {
			origin = append(origin, "IP "+s.IP)
		}
		if s.UserAgent != "" {
			origin = append(origin, s.UserAgent)
		}
		if len(origin) > 0 {
			ls = append(ls, auditLine{text: strings.Join(origin, " · "), font: fillFont, points: 7, color: grey, indent: 12, gap: 1})
		}
	}
	ls = append(ls,
		heading("Seal"),
		row("Certificate", t.Seal.Subject),
	)
	ls = append(ls, mono("SHA-256 fingerprint of its root certificate", t.Seal.Root)...)
	tsa := "none: the seal's time is the hub's clock"
	if t.Seal.TSA != "" {
		tsa = t.Seal.TSA
	}
	ls = append(ls,
		row("Timestamp authority", tsa),
		auditLine{text: "These pages and the document before them are covered by this file's digital signature. " +
			"Check it at " + t.Hub + "/verify, with tandem verify, poppler's pdfsig or any PDF reader; " + AttachedAudit + ", attached, holds this trail for programs.",
			font: fillFont, points: 8, color: grey, gap: 10},
	)
	return ls
}

// zoned writes a time with its zone: "2026-12-05 09:14:03 CET (UTC+01:00)".
func zoned(t time.Time) string { return t.Format("2006-01-02 15:04:05 MST (UTC-07:00)") }

func zoneWords(zone *time.Location, at time.Time) string {
	return fmt.Sprintf("%s (%s)", zone.String(), at.Format("UTC-07:00"))
}

func timeOrNone(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return zoned(*t)
}

func orNone(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// String names the agent as the trail prints them: "Ana <ana@acme.example>".
func (a AuditAgent) String() string {
	if a.Email == "" {
		return orNone(a.Name)
	}
	return fmt.Sprintf("%s <%s>", a.Name, a.Email)
}

func contactWords(c AuditCustomer) string {
	if c.Contact == "" {
		return "—"
	}
	return fmt.Sprintf("%s, by %s", c.Contact, strings.ToUpper(c.Channel))
}

func deliveredWords(c AuditCustomer) string {
	if c.DeliveredAt == nil {
		return "no delivery report from the provider"
	}
	return zoned(*c.DeliveredAt)
}

// placed is a wrapped line with its baseline position on its page.
type placed struct {
	auditLine
	page int // from 0
	y    float64
}

// layout wraps the lines to the page's width and places them on as many
// pages as they need.
func layout(ls []auditLine) ([]placed, int) {
	var out []placed
	page, y := 0, a4Height-auditMargin
	for _, l := range ls {
		width := a4Width - 2*auditMargin - l.indent
		gap := l.gap
		for _, text := range wrapIn(l.text, l.font, width, l.points) {
			lead := float64(l.points) * fillLineSpacing
			if y-gap-lead < auditBottom {
				page, y, gap = page+1, a4Height-auditMargin, 0
			}
			y -= gap + lead
			gap = 0
			w := l
			w.text = text
			out = append(out, placed{auditLine: w, page: page, y: y})
		}
	}
	return out, page + 1
}

// wrapIn breaks s into lines no wider than w when set in fontName at
// points, between words (a word wider than a line is broken where it
// must be).
func wrapIn(s, fontName string, w float64, points int) []string {
	width := func(t string) float64 {
		v, err := font.TextWidth(t, fontName, points)
		if err != nil {
			return float64(len([]rune(t)) * points)
		}
		return v
	}
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		try := strings.TrimLeft(line+" "+word, " ")
		if width(try) <= w {
			line = try
			continue
		}
		if line != "" {
			lines = append(lines, line)
		}
		line = ""
		for _, c := range word {
			if width(line+string(c)) > w && line != "" {
				lines = append(lines, line)
				line = ""
			}
			line += string(c)
		}
	}
	return append(lines, line)
}

// evidencePDF appends the printed trail to completed and attaches the
// original, the completed PDF and the trail as JSON.
func evidencePDF(completed, original []byte, t AuditTrail) (out []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, fmt.Errorf("the audit trail: pdfcpu: %v", v)
		}
	}()
	if err := loadFillFont(); err != nil {
		return nil, err
	}
	trail, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("the audit trail: %w", err)
	}
	pages, err := auditPages(t)
	if err != nil {
		return nil, err
	}
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	var merged bytes.Buffer
	if err := pdfapi.MergeRaw([]io.ReadSeeker{bytes.NewReader(completed), bytes.NewReader(pages)}, &merged, false, conf); err != nil {
		return nil, fmt.Errorf("the audit trail: add its pages: %w", err)
	}
	ctx, err := pdfapi.ReadAndValidate(bytes.NewReader(merged.Bytes()), conf)
	if err != nil {
		return nil, fmt.Errorf("the audit trail: read the merged PDF: %w", err)
	}
	mod := t.GeneratedAt
	for _, a := range []model.Attachment{
		{Reader: bytes.NewReader(original), ID: AttachedOriginal, FileName: AttachedOriginal, Desc: "The document as it was sent", ModTime: &mod},
		{Reader: bytes.NewReader(completed), ID: AttachedCompleted, FileName: AttachedCompleted, Desc: "The document as the customer completed it", ModTime: &mod},
		{Reader: bytes.NewReader(trail), ID: AttachedAudit, FileName: AttachedAudit, Desc: "The audit trail, for programs (" + AuditFormat + ")", ModTime: &mod},
	} {
		if err := ctx.AddAttachment(a, false); err != nil {
			return nil, fmt.Errorf("the audit trail: attach %s: %w", a.FileName, err)
		}
	}
	var b bytes.Buffer
	if err := pdfapi.WriteContext(ctx, &b); err != nil {
		return nil, fmt.Errorf("the audit trail: write the PDF: %w", err)
	}
	return b.Bytes(), nil
}

// createText is a line of text in pdfcpu's page description (api.Create).
type createText struct {
	Value string     `json:"value"`
	Pos   [2]float64 `json:"pos"`
	Font  createFont `json:"font"`
}

type createFont struct {
	Name  string `json:"name"`
	Size  int    `json:"size"`
	Color string `json:"col"`
}

type createPage struct {
	Content struct {
		Text []createText `json:"text"`
	} `json:"content"`
}

// auditPages prints the trail on A4 pages, as a PDF of its own: pdfcpu
// describes the pages in JSON (api.Create) and embeds each font once.
func auditPages(t AuditTrail) ([]byte, error) {
	lines, n := layout(auditLines(t))
	pages := map[string]*createPage{}
	page := func(i int) *createPage {
		k := fmt.Sprint(i + 1)
		if pages[k] == nil {
			pages[k] = &createPage{}
		}
		return pages[k]
	}
	for _, l := range lines {
		p := page(l.page)
		p.Content.Text = append(p.Content.Text, createText{Value: l.text, Pos: [2]float64{auditMargin + l.indent, l.y}, Font: createFont{Name: l.font, Size: l.points, Color: l.color}})
	}
	for i := range n {
		p := page(i)
		p.Content.Text = append(p.Content.Text, createText{
			Value: fmt.Sprintf("Audit trail of %s · page %d of %d · %s", t.Document.ID, i+1, n, t.Hub),
			Pos:   [2]float64{auditMargin, auditBottom - 28}, Font: createFont{Name: fillFont, Size: 7, Color: "#5b6478"}})
	}
	desc, err := json.Marshal(map[string]any{"paper": "A4P", "origin": "LowerLeft", "pages": pages})
	if err != nil {
		return nil, fmt.Errorf("the audit trail: %w", err)
	}
	var b bytes.Buffer
	if err := pdfapi.Create(nil, bytes.NewReader(desc), &b, nil); err != nil {
		return nil, fmt.Errorf("the audit trail: print it: %w", err)
	}
	return b.Bytes(), nil
}
