package app

import (
	"fmt"
	"os"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
)

// The font values are set in. PDF's standard Helvetica has only the
// characters of Windows-1252: pdfcpu writes any other (Ł, ő, Greek,
// Cyrillic…) as a space, which would change a name in a signed document
// without a word. Go Regular (golang.org/x/image, BSD licence, embedded in
// the binary) covers Latin, Greek and Cyrillic; pdfcpu embeds the subset
// a document uses. Scripts beyond it (CJK…) show as missing glyphs, never
// as spaces.
const fillFont = "GoRegular"

// The audit trail's other faces: headings, and hashes (a fixed width
// keeps 64 hex digits readable and easy to compare).
const (
	boldFont = "Go-Bold"
	monoFont = "GoMono"
)

var (
	fontOnce sync.Once
	fontErr  error
)

// loadFillFont installs fillFont, boldFont and monoFont for pdfcpu, once per process, in a
// directory of its own (pdfcpu reads user fonts from a directory).
func loadFillFont() error {
	fontOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tandem-fonts-")
		if err != nil {
			fontErr = fmt.Errorf("the fill font: %w", err)
			return
		}
		font.UserFontDir = dir
		for name, ttf := range map[string][]byte{fillFont: goregular.TTF, boldFont: gobold.TTF, monoFont: gomono.TTF} {
			if err := font.InstallFontFromBytesQuiet(dir, name, ttf); err != nil {
				fontErr = fmt.Errorf("the font %s: %w", name, err)
				return
			}
		}
		if err := font.LoadUserFonts(); err != nil {
			fontErr = fmt.Errorf("the fill font: %w", err)
		}
	})
	return fontErr
}
