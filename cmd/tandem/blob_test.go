package main

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/hub/blob"
)

const s3Secret = "s3cr3t-never-logged"

// fakeS3 runs an S3 server with one bucket, tandem-files, in the test's
// process, and returns its TANDEM_S3_URL and the bucket's backend.
func fakeS3(t *testing.T) (string, *s3mem.Backend) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("tandem-files"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return "s3://AKIATEST:" + s3Secret + "@" + u.Host + "/tandem-files?region=us-east-1&secure=false", backend
}

func putAndRead(t *testing.T, bs blob.Store) blob.Ref {
	t.Helper()
	ctx := context.Background()
	ref, err := bs.Put(ctx, "acct_1", bytes.NewReader([]byte("a signed PDF")), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := bs.Open(ctx, "acct_1", ref.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if b, _ := io.ReadAll(rc); string(b) != "a signed PDF" {
		t.Fatalf("read back %q", b)
	}
	return ref
}

// Without TANDEM_S3_URL, files are kept under TANDEM_DATA_DIR/files.
func TestBlobsDefaultToTheDataDirectory(t *testing.T) {
	dir := t.TempDir()
	cfg, err := loadConfig(func(k string) string { return map[string]string{"TANDEM_DATA_DIR": dir}[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.S3 != nil {
		t.Fatalf("S3 configured without TANDEM_S3_URL: %v", cfg.S3)
	}
	bs, err := openBlobs(context.Background(), cfg, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	ref := putAndRead(t, bs)
	if _, err := os.Stat(filepath.Join(dir, "files", "acct_1", ref.SHA256[:2], ref.SHA256)); err != nil {
		t.Fatalf("the file is not under TANDEM_DATA_DIR/files: %v", err)
	}

	srv := startServer(t, map[string]string{"PORT": "0", "TANDEM_DATA_DIR": dir})
	if line := srv.logged(t, "files: directory"); line == nil || line["path"] != filepath.Join(dir, "files") {
		t.Fatalf("no files line naming %s/files in the log:\n%s", dir, srv.logs)
	}
}

// With TANDEM_S3_URL, files are kept in the bucket, and the secret is
// never logged.
func TestBlobsInS3FromConfig(t *testing.T) {
	raw, backend := fakeS3(t)
	cfg, err := loadConfig(func(k string) string {
		return map[string]string{"TANDEM_DATA_DIR": t.TempDir(), "TANDEM_S3_URL": raw}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.S3 == nil || cfg.S3.Bucket != "tandem-files" || cfg.S3.Secure || cfg.S3.SecretKey != s3Secret {
		t.Fatalf("S3 config %+v", cfg.S3)
	}
	bs, err := openBlobs(context.Background(), cfg, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	ref := putAndRead(t, bs)
	if _, err := backend.HeadObject("tandem-files", "acct_1/"+ref.SHA256); err != nil {
		t.Fatalf("the file is not in the bucket: %v", err)
	}

	dir := t.TempDir()
	srv := startServer(t, map[string]string{"PORT": "0", "TANDEM_DATA_DIR": dir, "TANDEM_S3_URL": raw})
	line := srv.logged(t, "files: S3 bucket")
	if line == nil || !strings.Contains(line["bucket"].(string), "/tandem-files") {
		t.Fatalf("no S3 files line in the log:\n%s", srv.logs)
	}
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(srv.logs.String(), s3Secret) {
		t.Fatalf("the S3 secret is in the log:\n%s", srv.logs)
	}
	if _, err := os.Stat(filepath.Join(dir, "files")); err == nil {
		t.Fatal("with S3, a files directory was made in TANDEM_DATA_DIR")
	}
}

// A bad TANDEM_S3_URL, or a bucket that cannot be reached, stops the start
// with an error that names the setting and not the secret.
func TestBadS3ConfigIsRefused(t *testing.T) {
	raw, _ := fakeS3(t)
	for _, s3url := range []string{
		"https://AKIATEST:" + s3Secret + "@s3.example.com/bucket",
		"s3://AKIATEST:" + s3Secret + "@s3.example.com",
		"s3://AKIATEST:" + s3Secret + "@s3.example.com/bucket?secure=sometimes",
		strings.Replace(raw, "/tandem-files?", "/no-such-bucket?", 1),
	} {
		env := map[string]string{"PORT": "0", "TANDEM_DATA_DIR": t.TempDir(), "TANDEM_S3_URL": s3url}
		err := run(context.Background(), nil, func(k string) string { return env[k] }, &bytes.Buffer{}, &bytes.Buffer{}, nil)
		if err == nil || !strings.Contains(err.Error(), "TANDEM_S3_URL") {
			t.Errorf("%s: %v, want an error naming TANDEM_S3_URL", s3url, err)
			continue
		}
		if strings.Contains(err.Error(), s3Secret) {
			t.Errorf("%s: the error shows the secret: %v", s3url, err)
		}
	}
}
