package s3_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/blob"
	"github.com/tandemhq/tandem/hub/blob/blobtest"
	"github.com/tandemhq/tandem/hub/blob/s3"
)

const bucket = "tandem-files"

// fake is an S3 server in the test's process, on loopback.
type fake struct {
	backend *s3mem.Backend
	url     string // s3:// URL of the bucket
}

func newFake(t *testing.T) *fake {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return &fake{backend: backend, url: "s3://AKIATEST:s3cr%2Ft@" + u.Host + "/" + bucket + "?region=us-east-1&secure=false"}
}

func (f *fake) open(t *testing.T, rawURL string) *s3.Store {
	t.Helper()
	cfg, err := s3.ParseURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.TempDir = t.TempDir()
	s, err := s3.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// keys lists every object in the bucket.
func (f *fake) keys(t *testing.T) []string {
	t.Helper()
	list, err := f.backend.ListBucket(bucket, nil, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range list.Contents {
		out = append(out, o.Key)
	}
	return out
}

func TestBlobS3Store(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		f := newFake(t)
		return f.open(t, f.url)
	})
}

func TestBlobS3StoreWithPrefix(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		f := newFake(t)
		return f.open(t, strings.Replace(f.url, "/"+bucket+"?", "/"+bucket+"/deploy/eu?", 1))
	})
}

// Keys are <prefix/><account>/<sha>, and a failed Put leaves no object
// and no temporary file.
func TestBlobS3KeysAndFailedPuts(t *testing.T) {
	f := newFake(t)
	cfg, err := s3.ParseURL(strings.Replace(f.url, "/"+bucket+"?", "/"+bucket+"/deploy?", 1))
	if err != nil {
		t.Fatal(err)
	}
	cfg.TempDir = t.TempDir()
	s, err := s3.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
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
	if keys := f.keys(t); len(keys) != 0 {
		t.Fatalf("failed Puts left objects: %v", keys)
	}
	ref := blobtest.MustPut(t, s, "acct_a", content)
	if keys, want := f.keys(t), "deploy/acct_a/"+ref.SHA256; len(keys) != 1 || keys[0] != want {
		t.Fatalf("after one Put the bucket holds %v, want only %s", keys, want)
	}
	if left, _ := filepathGlob(cfg.TempDir); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestBlobS3MissingBucket(t *testing.T) {
	f := newFake(t)
	cfg, err := s3.ParseURL(strings.Replace(f.url, "/"+bucket+"?", "/no-such-bucket?", 1))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s3.New(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("New on a missing bucket: %v", err)
	}
	if strings.Contains(err.Error(), "s3cr") {
		t.Fatalf("the error shows the secret: %v", err)
	}
}

func TestBlobS3ParseURL(t *testing.T) {
	good := []struct {
		raw  string
		want s3.Config
	}{
		{"s3://AK:SK@minio:9000/files?region=us-east-1&secure=false",
			s3.Config{Endpoint: "minio:9000", Bucket: "files", Region: "us-east-1", AccessKey: "AK", SecretKey: "SK"}},
		{"s3://s3.eu-west-1.amazonaws.com/my-bucket/tandem/prod/",
			s3.Config{Endpoint: "s3.eu-west-1.amazonaws.com", Secure: true, Bucket: "my-bucket", Prefix: "tandem/prod"}},
		{"s3://AK:a%2Fb%2Bc@host/bkt?secure=true",
			s3.Config{Endpoint: "host", Secure: true, Bucket: "bkt", AccessKey: "AK", SecretKey: "a/b+c"}},
	}
	for _, tc := range good {
		got, err := s3.ParseURL(tc.raw)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", tc.raw, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseURL(%q) = %+v, want %+v", tc.raw, got, tc.want)
		}
		if strings.Contains(got.String(), "SK") || strings.Contains(got.String(), "a/b") {
			t.Errorf("String() shows the secret: %s", got)
		}
	}
	bad := []string{
		"http://AK:SK@host/bucket",
		"s3://AK:SK@host",
		"s3://AK:SK@host/",
		"s3://AK@host/bucket",
		"s3://AK:SK@/bucket",
		"s3://AK:SK@host/Bucket_Name",
		"s3://AK:SK@host/bucket?secure=maybe",
		"s3://AK:SK@host/bucket?pathstyle=true",
		"s3://AK:SK@host/bucket/a/../b",
		"s3://AK:SK@host/bucket/a//b",
		"s3://AK:S%zzK@host/bucket",
	}
	for _, raw := range bad {
		_, err := s3.ParseURL(raw)
		if err == nil {
			t.Errorf("ParseURL(%q) accepted it", raw)
			continue
		}
		if strings.Contains(err.Error(), "SK") || strings.Contains(err.Error(), "S%zzK") {
			t.Errorf("ParseURL(%q) error shows the secret: %v", raw, err)
		}
	}
}

func filepathGlob(dir string) ([]string, error) { return filepath.Glob(filepath.Join(dir, "*")) }

// recorder keeps the PUT requests' payload hashes.
type recorder struct {
	mu     sync.Mutex
	hashes []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPut {
		r.mu.Lock()
		r.hashes = append(r.hashes, req.Header.Get("X-Amz-Content-Sha256"))
		r.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

// The upload is signed with the content's SHA-256 as its payload hash, so
// a real S3 server refuses it if the bytes it receives are not those the
// key names (gofakes3 does not check; this checks what is sent).
func TestBlobS3SignsTheContentHash(t *testing.T) {
	f := newFake(t)
	cfg, err := s3.ParseURL(f.url)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	cfg.Transport, cfg.TempDir = rec, t.TempDir()
	s, err := s3.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ref := blobtest.MustPut(t, s, "acct_a", []byte("signed content"))
	if len(rec.hashes) != 1 || rec.hashes[0] != ref.SHA256 {
		t.Fatalf("PUT payload hashes %v, want [%s]", rec.hashes, ref.SHA256)
	}
}
