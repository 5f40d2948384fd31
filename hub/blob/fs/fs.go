// Package fs keeps blobs in a directory: the embedded default
// (TANDEM_DATA_DIR/files). One instance only, or a directory every
// instance shares.
package fs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/blob"
)

// Store keeps each blob at dir/<account>/<sha[:2]>/<sha>.
type Store struct {
	dir string
}

var _ blob.Store = (*Store)(nil)

// New returns a Store in dir, which it makes if need be.
func New(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("blob store %s: %w", dir, err)
	}
	return &Store{dir: dir}, nil
}

func (s *Store) path(account, sha string) (string, error) {
	if !blob.ValidAccount(account) || !blob.ValidSHA256(sha) {
		return "", tandem.Coded(tandem.KindNotFound, "file_not_found", "no such file")
	}
	return filepath.Join(s.dir, account, sha[:2], sha), nil
}

// Put implements blob.Store: the content goes to a temporary file in the
// account's directory, is synced, then renamed into place, so a reader
// never sees half a file and a failure leaves none.
func (s *Store) Put(ctx context.Context, account string, r io.Reader, max int64) (blob.Ref, error) {
	if !blob.ValidAccount(account) {
		return blob.Ref{}, tandem.Errorf(tandem.KindInvalid, "account %q cannot own files", account)
	}
	dir := filepath.Join(s.dir, account)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return blob.Ref{}, fmt.Errorf("put blob: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".put-*")
	if err != nil {
		return blob.Ref{}, fmt.Errorf("put blob: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, max+1))
	if err != nil {
		return blob.Ref{}, fmt.Errorf("put blob: %w", err)
	}
	if n > max {
		return blob.Ref{}, tandem.Errorf(tandem.KindTooLarge, "the file is larger than %d bytes", max)
	}
	if err := ctx.Err(); err != nil {
		return blob.Ref{}, err
	}
	if err := tmp.Sync(); err != nil {
		return blob.Ref{}, fmt.Errorf("put blob: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return blob.Ref{}, fmt.Errorf("put blob: %w", err)
	}
	ref := blob.Ref{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	final, _ := s.path(account, ref.SHA256)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return blob.Ref{}, fmt.Errorf("put blob: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return blob.Ref{}, fmt.Errorf("put blob: %w", err)
	}
	done = true
	return ref, nil
}

// Open implements blob.Store.
func (s *Store) Open(_ context.Context, account, sha string) (io.ReadCloser, error) {
	p, err := s.path(account, sha)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, tandem.Coded(tandem.KindNotFound, "file_not_found", "no such file")
	}
	if err != nil {
		return nil, fmt.Errorf("open blob: %w", err)
	}
	return f, nil
}

// Delete implements blob.Store.
func (s *Store) Delete(_ context.Context, account, sha string) error {
	p, err := s.path(account, sha)
	if err != nil {
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("delete blob: %w", err)
	}
	return nil
}
