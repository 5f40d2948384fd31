// Package blob is how Tandem keeps files (uploaded PDFs and images,
// generated documents): by content, each under the account it belongs to.
// The implementations live in subpackages — blob/fs (a directory, the
// embedded default) and blob/s3 (an S3-compatible bucket, for several
// instances) — and all pass the suite in blob/blobtest; cmd/tandem picks
// one.
package blob

import (
	"context"
	"io"
	"regexp"
)

// Store keeps files by their SHA-256, per account: an account reaches only
// the files put under it, even when another account holds the same
// content. Implementations are safe for concurrent use.
type Store interface {
	// Put reads r to its end and keeps its content under account. It
	// returns the content's reference. At most max bytes are read: a longer
	// r is refused with a *tandem.Error of kind too_large, and a Put that
	// fails for any reason leaves nothing behind. Putting content that is
	// there already keeps one copy.
	Put(ctx context.Context, account string, r io.Reader, max int64) (Ref, error)
	// Open returns the content of ref under account, to be closed by the
	// caller; a *tandem.Error of kind not_found if account has no such
	// content.
	Open(ctx context.Context, account, sha256 string) (io.ReadCloser, error)
	// Delete removes the content under account; deleting what is not
	// there is no error.
	Delete(ctx context.Context, account, sha256 string) error
}

// Ref is kept content: its SHA-256 in lower-case hex, and its size.
type Ref struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

var hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidSHA256 reports whether s is a SHA-256 as a Ref holds it. Stores
// refuse anything else before it reaches a path or a key.
func ValidSHA256(s string) bool { return hexSHA256.MatchString(s) }

// ValidAccount reports whether s can name an account in a path or a key:
// the shape of the ids Tandem makes (letters, digits and underscores).
func ValidAccount(s string) bool { return accountID.MatchString(s) }

var accountID = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)
