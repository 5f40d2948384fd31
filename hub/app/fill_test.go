package app

import (
	"bytes"
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/hub/app/pdftest"
	"github.com/tandemhq/tandem/room"
)

func TestFillDrawsValuesInTheirBoxes(t *testing.T) {
	fields := []room.Field{
		{ID: "name", Type: room.FieldText, Page: 1, X: 0.1, Y: 0.1, W: 0.5, H: 0.04},
		{ID: "long", Type: room.FieldText, Page: 2, X: 0.1, Y: 0.5, W: 0.2, H: 0.08},
		{ID: "agree", Type: room.FieldCheckbox, Page: 1, X: 0.7, Y: 0.7, W: 0.03, H: 0.03},
		{ID: "no", Type: room.FieldCheckbox, Page: 1, X: 0.7, Y: 0.8, W: 0.03, H: 0.03},
		{ID: "sig", Type: room.FieldSignature, Page: 2, X: 0.5, Y: 0.8, W: 0.3, H: 0.1},
		{ID: "blank", Type: room.FieldText, Page: 1, X: 0.1, Y: 0.3, W: 0.5, H: 0.04},
	}
	values := map[string]string{
		"name":  `Łukasz Żółć, Jr. \\ (1/2) Ωμέγα Дмитрий`,
		"long":  strings.Repeat("word ", 40),
		"agree": "true",
		"no":    "false",
		"sig":   "data:image/png;base64," + base64.StdEncoding.EncodeToString(pdftest.PNG(300, 100)),
	}
	out, err := fillPDF(bytes.NewReader(pdftest.PDF(2, true)), fields, values)
	if err != nil {
		t.Fatal(err)
	}
	bbox := pdftest.Poppler(t, out, "pdftotext", "-bbox", "{}", "-")
	// Letter pages are 612×792 points; pdftotext measures from the top.
	word := func(w string) (x, y float64, ok bool) {
		m := regexp.MustCompile(`xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">` + regexp.QuoteMeta(w) + `</word>`).FindStringSubmatch(bbox)
		if m == nil {
			return 0, 0, false
		}
		x, _ = strconv.ParseFloat(m[1], 64)
		y, _ = strconv.ParseFloat(m[2], 64)
		return x, y, true
	}
	x, y, ok := word("Łukasz")
	if !ok || x < 61 || x > 70 || y < 79 || y > 112 {
		t.Errorf("Łukasz at (%v, %v), found %v; want within the name's box (61–367, 79–111)\n%s", x, y, ok, bbox)
	}
	// Beyond Windows-1252 too: no letter may turn into a space.
	for _, w := range []string{"Żółć,", `\\`, "(1/2)", "Ωμέγα", "Дмитрий"} {
		if _, _, ok := word(w); !ok {
			t.Errorf("%q of the value is not drawn as written:\n%s", w, bbox)
		}
	}
	if n := strings.Count(bbox, ">word</word>"); n < 10 {
		t.Errorf("the long value shows %d words; it should wrap into its box", n)
	}
	if x, y, ok := word("X"); !ok || x < 428 || x > 447 || y < 554 || y > 578 {
		t.Errorf("the ticked box's X at (%v, %v), found %v", x, y, ok)
	}
	if strings.Count(bbox, ">X</word>") != 1 {
		t.Errorf("want one X (the unticked box stays blank):\n%s", bbox)
	}
	imgs := pdftest.Poppler(t, out, "pdfimages", "-list", "{}")
	if !strings.Contains(imgs, "300   100") && !regexp.MustCompile(`\s2\s+\d+\s+image\s+300\s+100`).MatchString(imgs) {
		t.Errorf("want the 300×100 signature on page 2:\n%s", imgs)
	}
	// The form is gone: the filled file cannot be edited further.
	if bytes.Contains(out, []byte("/AcroForm")) || bytes.Contains(out, []byte("/Widget")) {
		t.Error("the completed PDF still has its form")
	}
}

// A script the fill font lacks (CJK) shows as missing glyphs; it never
// stops a customer from finishing.
func TestFillTakesScriptsTheFontLacks(t *testing.T) {
	fields := []room.Field{{ID: "name", Type: room.FieldText, Page: 1, X: .1, Y: .1, W: .5, H: .04}}
	out, err := fillPDF(bytes.NewReader(pdftest.PDF(1, false)), fields, map[string]string{"name": "王小明 Wang"})
	if err != nil {
		t.Fatal(err)
	}
	if text := pdftest.Poppler(t, out, "pdftotext", "{}", "-"); !strings.Contains(text, "Wang") {
		t.Errorf("the Latin part is lost too:\n%s", text)
	}
}
