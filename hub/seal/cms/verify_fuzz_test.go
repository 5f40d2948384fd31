package cms_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/tandemhq/tandem/hub/app/pdftest"
	"github.com/tandemhq/tandem/hub/seal/cms"
)

// FuzzVerify feeds the verifier what anyone may send the public check:
// it must never panic, and the only file it finds valid is the sealed one,
// byte for byte.
func FuzzVerify(f *testing.F) {
	keys, err := cms.Generate("Fuzz", time.Now())
	if err != nil {
		f.Fatal(err)
	}
	s, err := cms.NewSealer(keys)
	if err != nil {
		f.Fatal(err)
	}
	sealed, err := s.Seal(context.Background(), pdftest.PDF(1, false), time.Now())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealed)
	f.Add(sealed[:len(sealed)/2])
	f.Add(pdftest.PDF(1, true))
	f.Add([]byte("%PDF-1.7\n"))
	v := cms.NewVerifier(keys.Root())
	f.Fuzz(func(t *testing.T, data []byte) {
		r := v.Verify(data)
		if !r.OK() {
			return
		}
		if !bytes.Equal(data, sealed) {
			t.Fatalf("a file that is not the sealed one verifies: %+v", r)
		}
	})
}
