// Package pdftest makes small documents for tests: PDFs written object by
// object (with or without an AcroForm) and PNG images, so that tests of
// every layer upload the same real files without fixtures on disk.
package pdftest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// PDF is a small valid PDF of pages Letter pages, written object by
// object with its cross-reference table. With form, its first page holds
// an AcroForm text field and checkbox, and its last a choice.
func PDF(pages int, form bool) []byte {
	var objs []string
	kids := make([]string, pages)
	for i := range kids {
		kids[i] = fmt.Sprintf("%d 0 R", 3+i)
	}
	first, last := 3+pages, 4+pages // the first page's widgets; the last page's
	choice := 5 + pages
	catalog := "<< /Type /Catalog /Pages 2 0 R >>"
	if form {
		catalog = fmt.Sprintf("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [%d 0 R %d 0 R %d 0 R] /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >> >>", first, last, choice)
	}
	objs = append(objs, catalog, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), pages))
	for i := range pages {
		annots := ""
		if form && i == 0 {
			annots = fmt.Sprintf(" /Annots [%d 0 R %d 0 R]", first, last)
		}
		if form && i == pages-1 {
			annots = strings.TrimSuffix(annots, "]")
			if annots == "" {
				annots = " /Annots ["
			} else {
				annots += " "
			}
			annots += fmt.Sprintf("%d 0 R]", choice)
		}
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << >>%s >>", annots))
	}
	if form {
		objs = append(objs,
			"<< /Type /Annot /Subtype /Widget /FT /Tx /T (Full name) /Rect [61.2 712.8 367.2 732.6] /F 4 >>",
			"<< /Type /Annot /Subtype /Widget /FT /Btn /T (Agree) /Rect [61.2 79.2 79.2 97.2] /F 4 >>",
			"<< /Type /Annot /Subtype /Widget /FT /Ch /Ff 131072 /T (Term) /Opt [(12 months) (24 months)] /Rect [306 396 612 435.6] /F 4 >>")
	}
	return assemble(objs)
}

// Text is a PDF of one Letter page (612×792 points) per content stream,
// in which /F1 is Helvetica: a form with its labels printed, for tests
// that look at it.
func Text(contents ...string) []byte {
	kids := make([]string, len(contents))
	for i := range kids {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(contents)),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
	for i, c := range contents {
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 5+2*i),
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(c), c))
	}
	return assemble(objs)
}

// assemble writes a PDF of objs (object 1 is the catalog), numbered from
// 1, with its cross-reference table.
func assemble(objs []string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// DataURL is png as the pages send a drawing: a PNG data URL.
func DataURL(png []byte) string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
}

// PNG is a w×h PNG image: a dark diagonal stroke on white, like a signature.
func PNG(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.White)
		}
	}
	for x := range w {
		y := x * h / max(w, 1)
		for d := -2; d <= 2; d++ {
			if y+d >= 0 && y+d < h {
				img.Set(x, y+d, color.NRGBA{A: 255})
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// Poppler runs a command of poppler-utils (pdftotext, pdfimages…) with
// args, in which "{}" stands for pdf's file, and returns what it printed.
// Without poppler-utils the test is skipped loudly, or fails under
// REQUIRE_SERVICES=1 (.ci/run installs them).
func Poppler(t testing.TB, pdf []byte, cmd string, args ...string) string {
	t.Helper()
	out, err := PopplerRun(t, pdf, cmd, args...)
	if err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, out)
	}
	return out
}

// PopplerRun is Poppler for a command that may fail, as pdfsig does on a
// signature that does not check: it returns what the command printed and
// how it exited.
func PopplerRun(t testing.TB, pdf []byte, cmd string, args ...string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath(cmd)
	if err != nil {
		if os.Getenv("REQUIRE_SERVICES") == "1" {
			t.Fatalf("%s not found (REQUIRE_SERVICES=1): install poppler-utils", cmd)
		}
		t.Skipf("SKIPPING: %s not found; install poppler-utils, or set REQUIRE_SERVICES=1 to fail instead", cmd)
	}
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	args = slices.Clone(args)
	for i, a := range args {
		if a == "{}" {
			args[i] = in
		}
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	return string(out), err
}

// SignatureDump has pdfsig write out the first signature of pdf (-dump)
// and returns openssl's reading of it (cms -cmsout -print): what a
// third party finds inside the seal, timestamp token included.
func SignatureDump(t testing.TB, pdf []byte) string {
	t.Helper()
	for _, cmd := range []string{"pdfsig", "openssl"} {
		if _, err := exec.LookPath(cmd); err != nil {
			if os.Getenv("REQUIRE_SERVICES") == "1" {
				t.Fatalf("%s not found (REQUIRE_SERVICES=1): install poppler-utils and openssl", cmd)
			}
			t.Skipf("SKIPPING: %s not found; install poppler-utils and openssl, or set REQUIRE_SERVICES=1 to fail instead", cmd)
		}
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdfsig", "-dump", in)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdfsig -dump: %v\n%s", err, out)
	}
	out, err := exec.Command("openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", in+".sig0").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl cms: %v\n%s", err, out)
	}
	return string(out)
}
