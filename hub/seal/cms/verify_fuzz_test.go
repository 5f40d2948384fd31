package cms_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tandemhq/tandem/hub/app/pdftest"
	"github.com/tandemhq/tandem/hub/seal/cms"
)

// FuzzVerify feeds the verifier what anyone may send the public check:
// it must never panic, and a file it finds valid may differ from the
// sealed one only inside the signature's own bytes (its hex padding),
// which no PDF signature covers.
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
	var br [4]int
	at := bytes.Index(sealed, []byte("/ByteRange"))
	if _, err := fmt.Sscanf(string(sealed[at:]), "/ByteRange[%d %d %d %d", &br[0], &br[1], &br[2], &br[3]); err != nil {
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
		if len(data) != len(sealed) || !bytes.Equal(data[:br[1]], sealed[:br[1]]) || !bytes.Equal(data[br[2]:], sealed[br[2]:]) {
			t.Fatalf("a file that is not the sealed one verifies: %+v", r)
		}
	})
}
