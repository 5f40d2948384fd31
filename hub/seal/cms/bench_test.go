package cms_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tandemhq/tandem/hub/app/pdftest"
	"github.com/tandemhq/tandem/hub/seal/cms"
)

// BenchmarkSeal seals documents of a few sizes; BenchmarkVerify checks
// them.
func BenchmarkSeal(b *testing.B) {
	for _, pages := range []int{2, 50} {
		b.Run(fmt.Sprintf("pages=%d", pages), func(b *testing.B) {
			s, _ := benchSealer(b)
			pdf := pdftest.PDF(pages, false)
			b.SetBytes(int64(len(pdf)))
			for b.Loop() {
				if _, err := s.Seal(context.Background(), pdf, time.Now()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	s, keys := benchSealer(b)
	sealed, err := s.Seal(context.Background(), pdftest.PDF(50, false), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	v := cms.NewVerifier(keys.Root())
	b.SetBytes(int64(len(sealed)))
	for b.Loop() {
		if r := v.Verify(sealed); !r.OK() {
			b.Fatal(r.Problems)
		}
	}
}

func benchSealer(b *testing.B) (*cms.Sealer, cms.Keys) {
	keys, err := cms.Generate("Bench", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	s, err := cms.NewSealer(keys)
	if err != nil {
		b.Fatal(err)
	}
	return s, keys
}
