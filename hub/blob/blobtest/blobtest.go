// Package blobtest is the conformance suite of blob.Store: every
// implementation (a directory, an S3-compatible bucket) runs it from its
// own tests, so the hub can count on the same behaviour from each.
//
//	func TestBlobStore(t *testing.T) {
//		blobtest.Run(t, func(t *testing.T) blob.Store {
//			s, err := fs.New(t.TempDir())
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// The suite checks what blob.Store promises: content comes back as it was
// put, under the SHA-256 and size Put returned; an account reaches only its
// own files; a Put over the limit, or cancelled, is refused and leaves
// nothing that Open can find; the same content put twice, or by several
// goroutines at once, is fine; Delete is idempotent; names that are not an
// account or a SHA-256 never reach a path or a key. What a failed Put may
// leave in the implementation's own medium (a temporary file, an object)
// is for each implementation's tests to check, with Fail.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/blob"
)

// Open returns an empty store for one test.
type Open func(t *testing.T) blob.Store

// Run runs the suite against the stores open makes; each check gets a
// store of its own.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s blob.Store)
	}{
		{"PutThenOpen", testPutThenOpen},
		{"EmptyAndExactlyMax", testEmptyAndExactlyMax},
		{"LargerThanABuffer", testLargerThanABuffer},
		{"OtherAccountCannotOpen", testOtherAccountCannotOpen},
		{"OverLimitRefusedAndLeavesNothing", testOverLimit},
		{"SameContentTwice", testSameContentTwice},
		{"DeleteThenOpen", testDeleteThenOpen},
		{"DeleteMissing", testDeleteMissing},
		{"InvalidNamesRefused", testInvalidNames},
		{"ConcurrentPutsOfSameContent", testConcurrentPuts},
		{"CancelledContext", testCancelledContext},
		{"CancelledWhileReading", testCancelledWhileReading},
		{"ReaderError", testReaderError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

const (
	acctA = "acct_a"
	acctB = "acct_b"
	limit = 1 << 20
)

// Sum returns the SHA-256 of b as a Ref holds it.
func Sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Content returns n bytes that differ from test to test (seeded by name).
func Content(name string, n int) []byte {
	b := make([]byte, n)
	seed := sha256.Sum256([]byte(name))
	for i := 0; i < n; i += len(seed) {
		copy(b[i:], seed[:])
		seed = sha256.Sum256(seed[:])
	}
	return b
}

// MustPut puts content under account and checks the Ref it returns.
func MustPut(t *testing.T, s blob.Store, account string, content []byte) blob.Ref {
	t.Helper()
	ref, err := s.Put(context.Background(), account, bytes.NewReader(content), limit)
	if err != nil {
		t.Fatalf("Put(%s, %d bytes): %v", account, len(content), err)
	}
	want := blob.Ref{SHA256: Sum(content), Size: int64(len(content))}
	if ref != want {
		t.Fatalf("Put(%s) = %+v, want %+v", account, ref, want)
	}
	return ref
}

// MustRead opens sha under account and checks that it holds content.
func MustRead(t *testing.T, s blob.Store, account, sha string, content []byte) {
	t.Helper()
	rc, err := s.Open(context.Background(), account, sha)
	if err != nil {
		t.Fatalf("Open(%s, %s): %v", account, sha, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s/%s: %v", account, sha, err)
	}
	if !bytes.Equal(got, content) {
		t.Fatalf("Open(%s, %s) read %d bytes (sha %s), want the %d put", account, sha, len(got), Sum(got), len(content))
	}
}

// MustNotFind checks that Open of sha under account fails with not_found.
func MustNotFind(t *testing.T, s blob.Store, account, sha string) {
	t.Helper()
	rc, err := s.Open(context.Background(), account, sha)
	if err == nil {
		rc.Close()
		t.Fatalf("Open(%q, %q) found content, want not_found", account, sha)
	}
	if k := tandem.ErrorKind(err); k != tandem.KindNotFound {
		t.Fatalf("Open(%q, %q): %v (kind %s), want not_found", account, sha, err, k)
	}
}

func testPutThenOpen(t *testing.T, s blob.Store) {
	content := []byte("%PDF-1.7 a small document\n")
	ref := MustPut(t, s, acctA, content)
	MustRead(t, s, acctA, ref.SHA256, content)
	// Twice: Open gives a fresh reader each time.
	MustRead(t, s, acctA, ref.SHA256, content)
	MustNotFind(t, s, acctA, Sum([]byte("never put")))
}

func testEmptyAndExactlyMax(t *testing.T, s blob.Store) {
	ref, err := s.Put(context.Background(), acctA, bytes.NewReader(nil), 0)
	if err != nil {
		t.Fatalf("Put of nothing with max 0: %v", err)
	}
	if want := (blob.Ref{SHA256: Sum(nil), Size: 0}); ref != want {
		t.Fatalf("Put of nothing = %+v, want %+v", ref, want)
	}
	MustRead(t, s, acctA, ref.SHA256, nil)

	content := Content(t.Name(), 100)
	ref, err = s.Put(context.Background(), acctA, bytes.NewReader(content), 100)
	if err != nil {
		t.Fatalf("Put of exactly max bytes: %v", err)
	}
	if ref.Size != 100 || ref.SHA256 != Sum(content) {
		t.Fatalf("Put of exactly max bytes = %+v", ref)
	}
	MustRead(t, s, acctA, ref.SHA256, content)
}

func testLargerThanABuffer(t *testing.T, s blob.Store) {
	// Read in small pieces, so no implementation gets it in one Read.
	content := Content(t.Name(), 3<<18+17)
	ref, err := s.Put(context.Background(), acctA, io.LimitReader(&trickle{r: bytes.NewReader(content)}, int64(len(content))), limit)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	if ref.SHA256 != Sum(content) || ref.Size != int64(len(content)) {
		t.Fatalf("Put = %+v, want %s and %d bytes", ref, Sum(content), len(content))
	}
	MustRead(t, s, acctA, ref.SHA256, content)
}

func testOtherAccountCannotOpen(t *testing.T, s blob.Store) {
	content := []byte("account A's contract")
	ref := MustPut(t, s, acctA, content)
	MustNotFind(t, s, acctB, ref.SHA256)

	// B holding the same content does not share A's copy: A's Delete
	// leaves B's, and B's Delete leaves nothing of A's.
	MustPut(t, s, acctB, content)
	if err := s.Delete(context.Background(), acctA, ref.SHA256); err != nil {
		t.Fatalf("Delete(A): %v", err)
	}
	MustNotFind(t, s, acctA, ref.SHA256)
	MustRead(t, s, acctB, ref.SHA256, content)
}

func testOverLimit(t *testing.T, s blob.Store) {
	content := Content(t.Name(), 1000)
	_, err := s.Put(context.Background(), acctA, bytes.NewReader(content), 999)
	if k := tandem.ErrorKind(err); k != tandem.KindTooLarge {
		t.Fatalf("Put of 1000 bytes with max 999: %v (kind %q), want too_large", err, k)
	}
	MustNotFind(t, s, acctA, Sum(content))
	MustNotFind(t, s, acctA, Sum(content[:999]))

	// A reader far longer than max is not read to its end.
	r := &counting{r: io.LimitReader(zeros{}, 1<<30)}
	_, err = s.Put(context.Background(), acctA, r, 4096)
	if k := tandem.ErrorKind(err); k != tandem.KindTooLarge {
		t.Fatalf("Put of 1 GiB with max 4096: %v (kind %q), want too_large", err, k)
	}
	if r.n > 1<<20 {
		t.Fatalf("Put with max 4096 read %d bytes before refusing", r.n)
	}
	// The store still works after a refusal.
	ref := MustPut(t, s, acctA, content[:999])
	MustRead(t, s, acctA, ref.SHA256, content[:999])
}

func testSameContentTwice(t *testing.T, s blob.Store) {
	content := []byte("the same scan, uploaded twice")
	a := MustPut(t, s, acctA, content)
	b := MustPut(t, s, acctA, content)
	if a != b {
		t.Fatalf("Put twice: %+v then %+v", a, b)
	}
	MustRead(t, s, acctA, a.SHA256, content)
	// One Delete removes it: the content is kept once, not counted.
	if err := s.Delete(context.Background(), acctA, a.SHA256); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	MustNotFind(t, s, acctA, a.SHA256)
}

func testDeleteThenOpen(t *testing.T, s blob.Store) {
	keep := MustPut(t, s, acctA, []byte("kept"))
	gone := MustPut(t, s, acctA, []byte("deleted"))
	if err := s.Delete(context.Background(), acctA, gone.SHA256); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	MustNotFind(t, s, acctA, gone.SHA256)
	MustRead(t, s, acctA, keep.SHA256, []byte("kept"))
	// Put again after a Delete brings it back.
	MustPut(t, s, acctA, []byte("deleted"))
	MustRead(t, s, acctA, gone.SHA256, []byte("deleted"))
}

func testDeleteMissing(t *testing.T, s blob.Store) {
	if err := s.Delete(context.Background(), acctA, Sum([]byte("never put"))); err != nil {
		t.Fatalf("Delete of a blob never put: %v", err)
	}
	ref := MustPut(t, s, acctA, []byte("once"))
	for i := 0; i < 2; i++ {
		if err := s.Delete(context.Background(), acctA, ref.SHA256); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
	}
	// An account that never put anything.
	if err := s.Delete(context.Background(), "acct_never", ref.SHA256); err != nil {
		t.Fatalf("Delete under an empty account: %v", err)
	}
}

// Names that are not an account or a SHA-256: each could reach another
// account's files if it reached a path or a key.
var (
	badAccounts = []string{"", "..", "../acct_b", "acct_a/x", `acct_a\x`, "ACCT_A", "acct a", "acct_a\x00", "a.b", strings.Repeat("a", 65)}
	badSHAs     = func(sha string) []string {
		return []string{"", "..", "../" + sha[3:], sha[:63], sha + "0", strings.ToUpper(sha), sha[:62] + "/x", sha[:63] + "g", " " + sha[1:]}
	}
)

func testInvalidNames(t *testing.T, s blob.Store) {
	ctx := context.Background()
	content := []byte("the only blob")
	ref := MustPut(t, s, acctA, content)
	for _, acct := range badAccounts {
		_, err := s.Put(ctx, acct, bytes.NewReader([]byte("x")), limit)
		if k := tandem.ErrorKind(err); k != tandem.KindInvalid {
			t.Errorf("Put under account %q: %v (kind %q), want invalid", acct, err, k)
		}
		MustNotFind(t, s, acct, ref.SHA256)
		if err := s.Delete(ctx, acct, ref.SHA256); err != nil && tandem.ErrorKind(err) == tandem.KindInternal {
			t.Errorf("Delete under account %q: %v, want nothing done or a refusal", acct, err)
		}
	}
	for _, sha := range badSHAs(ref.SHA256) {
		MustNotFind(t, s, acctA, sha)
		if err := s.Delete(ctx, acctA, sha); err != nil && tandem.ErrorKind(err) == tandem.KindInternal {
			t.Errorf("Delete of sha %q: %v, want nothing done or a refusal", sha, err)
		}
	}
	// Nothing reached the blob that is there.
	MustRead(t, s, acctA, ref.SHA256, content)
}

func testConcurrentPuts(t *testing.T, s blob.Store) {
	content := Content(t.Name(), 64<<10)
	const n = 8
	var wg sync.WaitGroup
	refs := make([]blob.Ref, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			refs[i], errs[i] = s.Put(context.Background(), acctA, &trickle{r: bytes.NewReader(content)}, limit)
		}()
	}
	wg.Wait()
	want := blob.Ref{SHA256: Sum(content), Size: int64(len(content))}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Put #%d: %v", i, errs[i])
		}
		if refs[i] != want {
			t.Fatalf("Put #%d = %+v, want %+v", i, refs[i], want)
		}
	}
	MustRead(t, s, acctA, want.SHA256, content)
}
