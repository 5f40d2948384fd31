package app

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/jpeg"
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/app/pdftest"
)

// A 1 × 1 lossless WebP.
const webp1x1 = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=="

func TestJudgeBrandImage(t *testing.T) {
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, image.NewRGBA(image.Rect(0, 0, 40, 20)), nil); err != nil {
		t.Fatal(err)
	}
	webp, _ := base64.StdEncoding.DecodeString(webp1x1)
	for _, tc := range []struct {
		name string
		data []byte
		kind string
		w, h int
	}{
		{"png", pdftest.PNG(120, 40), "image/png", 120, 40},
		{"jpeg", jpg.Bytes(), "image/jpeg", 40, 20},
		{"webp", webp, "image/webp", 1, 1},
	} {
		kind, cfg, err := JudgeBrandImage(tc.data)
		if err != nil || kind != tc.kind || cfg.Width != tc.w || cfg.Height != tc.h {
			t.Errorf("%s: %s %dx%d %v", tc.name, kind, cfg.Width, cfg.Height, err)
		}
	}
	png := pdftest.PNG(120, 40)
	for _, tc := range []struct {
		name string
		data []byte
		code string
	}{
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "unsupported_type"},
		{"html named anything", []byte("<html><body onload=alert(1)>"), "unsupported_type"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "unsupported_type"},
		{"png header only", png[:33], "invalid_image"},
		{"png cut short", png[:len(png)-20], "invalid_image"},
		{"too wide", pdftest.PNG(MaxBrandImageSide+1, 1), "invalid_image"},
		{"empty", nil, "empty_file"},
	} {
		_, _, err := JudgeBrandImage(tc.data)
		if tandem.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	big := append(append([]byte{}, png...), make([]byte, MaxBrandImageBytes)...)
	if _, _, err := JudgeBrandImage(big); !tandem.IsKind(err, tandem.KindTooLarge) {
		t.Errorf("over 512 KiB: %v", err)
	}
}
