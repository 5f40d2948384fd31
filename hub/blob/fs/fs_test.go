package fs_test

import (
	"bytes"
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/blob"
	"github.com/tandemhq/tandem/hub/blob/blobtest"
	blobfs "github.com/tandemhq/tandem/hub/blob/fs"
)

func open(t *testing.T) (*blobfs.Store, string) {
	dir := t.TempDir()
	s, err := blobfs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func TestBlobStore(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, _ := open(t)
		return s
	})
}

// files lists the regular files under dir, relative to it.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A failed Put leaves no temporary file: over the limit, cancelled, or
// from a reader that fails.
func TestBlobFailedPutLeavesNoFile(t *testing.T) {
	s, dir := open(t)
	ctx := context.Background()
	content := blobtest.Content(t.Name(), 5000)
	if _, err := s.Put(ctx, "acct_a", bytes.NewReader(content), 4999); tandem.ErrorKind(err) != tandem.KindTooLarge {
		t.Fatalf("over-limit Put: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Put(cctx, "acct_a", bytes.NewReader(content), 10000); err == nil {
		t.Fatal("cancelled Put succeeded")
	}
	if left := files(t, dir); len(left) != 0 {
		t.Fatalf("failed Puts left files: %v", left)
	}
	ref := blobtest.MustPut(t, s, "acct_a", content)
	want := filepath.Join("acct_a", ref.SHA256[:2], ref.SHA256)
	if left := files(t, dir); len(left) != 1 || left[0] != want {
		t.Fatalf("after one Put the directory holds %v, want only %s", left, want)
	}
	for _, f := range files(t, dir) {
		if strings.Contains(f, ".put-") {
			t.Fatalf("temporary file left: %s", f)
		}
	}
}
