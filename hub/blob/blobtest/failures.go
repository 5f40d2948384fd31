package blobtest

// The suite's cases of Puts that fail half way: a cancelled context, a
// reader that fails or trickles. None may leave content behind.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/tandemhq/tandem/hub/blob"
)

func testCancelledContext(t *testing.T, s blob.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	content := Content(t.Name(), 1000)
	_, err := s.Put(ctx, acctA, bytes.NewReader(content), limit)
	if err == nil {
		t.Fatal("Put with a cancelled context succeeded")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Put with a cancelled context: %v, want one that wraps context.Canceled", err)
	}
	MustNotFind(t, s, acctA, Sum(content))
}

func testCancelledWhileReading(t *testing.T, s blob.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	content := Content(t.Name(), 256<<10)
	// The context ends once half the content is read.
	r := &trickle{r: bytes.NewReader(content), after: len(content) / 2, do: cancel}
	_, err := s.Put(ctx, acctA, r, limit)
	if err == nil {
		t.Fatal("Put whose context was cancelled while it read succeeded")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Put cancelled while reading: %v, want one that wraps context.Canceled", err)
	}
	MustNotFind(t, s, acctA, Sum(content))
	MustNotFind(t, s, acctA, Sum(content[:len(content)/2]))
}

func testReaderError(t *testing.T, s blob.Store) {
	content := Content(t.Name(), 10<<10)
	boom := errors.New("connection reset by the uploader")
	r := io.MultiReader(bytes.NewReader(content), &failing{err: boom})
	_, err := s.Put(context.Background(), acctA, r, limit)
	if !errors.Is(err, boom) {
		t.Fatalf("Put from a reader that fails: %v, want one that wraps the reader's error", err)
	}
	MustNotFind(t, s, acctA, Sum(content))
}

// trickle reads at most 1000 bytes at a time and calls do once after
// after bytes, if do is set.
type trickle struct {
	r     io.Reader
	n     int
	after int
	do    func()
}

func (t *trickle) Read(p []byte) (int, error) {
	if len(p) > 1000 {
		p = p[:1000]
	}
	n, err := t.r.Read(p)
	t.n += n
	if t.do != nil && t.n >= t.after {
		t.do()
		t.do = nil
	}
	return n, err
}

type counting struct {
	r io.Reader
	n int64
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

type failing struct{ err error }

func (f *failing) Read([]byte) (int, error) { return 0, f.err }
