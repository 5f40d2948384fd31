// Package s3 keeps blobs in a bucket of an S3-compatible object store
// (Amazon S3, MinIO, Ceph, R2, …): the store for several instances, which
// all reach the same bucket. It is configured from one URL (TANDEM_S3_URL):
//
//		s3://ACCESS_KEY:SECRET_KEY@host[:port]/bucket[/prefix][?region=…&secure=…]
//
//	  - ACCESS_KEY and SECRET_KEY are the credentials, URL-escaped (a "/" in a
//	    secret is %2F). Without them, credentials come from the environment
//	    (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or MINIO_ACCESS_KEY and
//	    MINIO_SECRET_KEY) or from the instance's IAM role.
//	  - host[:port] is the endpoint, such as s3.eu-west-1.amazonaws.com or
//	    minio.internal:9000. Buckets are always addressed by path
//	    (https://host/bucket/key), which every S3-compatible server accepts.
//	  - bucket must exist; the store checks that it can reach it at start.
//	    An optional prefix after it puts every key under prefix/, so that
//	    several deployments can share a bucket.
//	  - region (optional) is the bucket's region, such as us-east-1; without
//	    it the client asks the server.
//	  - secure is true (HTTPS, the default) or false (plain HTTP, for a
//	    server on a private network or in tests).
//
// Each blob is the object <prefix/><account>/<sha256>.
package s3

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/blob"
)

// Config is where the bucket is and how to reach it; ParseURL reads it
// from a URL.
type Config struct {
	Endpoint  string // host[:port]
	Secure    bool   // HTTPS
	Region    string // empty: asked of the server
	Bucket    string
	Prefix    string // empty, or a path without leading or trailing "/"
	AccessKey string // empty: credentials from the environment or IAM
	SecretKey string

	// TempDir is where Put keeps the content it reads until it is known
	// to be whole and under the limit; default os.TempDir().
	TempDir string
	// Transport carries the requests; default http.DefaultTransport's
	// settings.
	Transport http.RoundTripper
}

// String is the configuration without its secret, for logs.
func (c Config) String() string {
	u := url.URL{Scheme: "s3", Host: c.Endpoint, Path: "/" + c.Bucket}
	if c.Prefix != "" {
		u.Path += "/" + c.Prefix
	}
	if c.AccessKey != "" {
		u.User = url.User(c.AccessKey)
	}
	q := url.Values{}
	if c.Region != "" {
		q.Set("region", c.Region)
	}
	q.Set("secure", strconv.FormatBool(c.Secure))
	u.RawQuery = q.Encode()
	return u.String()
}

const urlForm = "s3://ACCESS_KEY:SECRET_KEY@host:port/bucket?region=us-east-1&secure=true"

// ParseURL reads a Config from an s3:// URL (see the package comment).
// Its errors never repeat the secret.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the URL, secret and all.
		return Config{}, fmt.Errorf("the S3 URL does not parse; its form is %s", urlForm)
	}
	if u.Scheme != "s3" || u.Host == "" || u.Opaque != "" || u.Fragment != "" {
		return Config{}, fmt.Errorf("the S3 URL must be of the form %s", urlForm)
	}
	c := Config{Endpoint: u.Host, Secure: true}
	if u.User != nil {
		c.AccessKey = u.User.Username()
		c.SecretKey, _ = u.User.Password()
		if c.AccessKey == "" || c.SecretKey == "" {
			return Config{}, fmt.Errorf("the S3 URL names an access key without a secret key, or the other way round: give both (ACCESS_KEY:SECRET_KEY@) or neither")
		}
	}
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	c.Bucket, c.Prefix = bucket, strings.Trim(prefix, "/")
	if err := s3utils.CheckValidBucketNameStrict(c.Bucket); err != nil {
		return Config{}, fmt.Errorf("the S3 URL's bucket %q: %v (form: %s)", c.Bucket, err, urlForm)
	}
	if strings.Contains(c.Prefix, "//") || strings.Contains("/"+c.Prefix+"/", "/../") || strings.Contains("/"+c.Prefix+"/", "/./") {
		return Config{}, fmt.Errorf("the S3 URL's key prefix %q has empty, . or .. segments", c.Prefix)
	}
	for k, v := range u.Query() {
		switch k {
		case "region":
			c.Region = v[len(v)-1]
		case "secure":
			if c.Secure, err = strconv.ParseBool(v[len(v)-1]); err != nil {
				return Config{}, fmt.Errorf("the S3 URL's secure must be true or false, not %q", v[len(v)-1])
			}
		default:
			return Config{}, fmt.Errorf("the S3 URL has an unknown parameter %q (known: region, secure)", k)
		}
	}
	return c, nil
}

// Store keeps blobs in one bucket.
type Store struct {
	client  *minio.Client
	bucket  string
	prefix  string // empty or ending in "/"
	tempDir string
}

var _ blob.Store = (*Store)(nil)

// New returns a Store on the bucket cfg names, once it has checked that
// the bucket can be reached with cfg's credentials.
func New(ctx context.Context, cfg Config) (*Store, error) {
	creds := credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")
	if cfg.AccessKey == "" {
		creds = credentials.NewChainCredentials([]credentials.Provider{
			&credentials.EnvAWS{},
			&credentials.EnvMinio{},
			&credentials.IAM{Client: &http.Client{Transport: http.DefaultTransport}},
		})
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:        creds,
		Secure:       cfg.Secure,
		Region:       cfg.Region,
		BucketLookup: minio.BucketLookupPath,
		Transport:    cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("S3 client for %s: %w", cfg, err)
	}
	ok, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("S3 bucket %s: %w", cfg, err)
	}
	if !ok {
		return nil, fmt.Errorf("S3 bucket %s does not exist: create it first", cfg)
	}
	s := &Store{client: client, bucket: cfg.Bucket, tempDir: cfg.TempDir}
	if cfg.Prefix != "" {
		s.prefix = cfg.Prefix + "/"
	}
	return s, nil
}

// maxSinglePut is the largest object S3 takes in one PUT; larger content
// goes up in a multipart upload.
const maxSinglePut = 5 << 30

func (s *Store) key(account, sha string) string { return s.prefix + account + "/" + sha }

// Put implements blob.Store. It reads r into a temporary file on local
// disk, computing the SHA-256 and counting as it goes, and uploads only
// once r has ended within max: so content over the limit, a cancelled
// context or a failing reader never reach the bucket at all, and the final
// key is written once, whole, by one PUT (or, past 5 GiB, one completed
// multipart upload, which minio-go aborts if any part fails) — an object never
// appears half-written, and a failed Put leaves nothing under any key.
// Putting content that is there already writes the same bytes again.
func (s *Store) Put(ctx context.Context, account string, r io.Reader, max int64) (blob.Ref, error) {
	if !blob.ValidAccount(account) {
		return blob.Ref{}, tandem.Errorf(tandem.KindInvalid, "account %q cannot own files", account)
	}
	if max < 0 {
		return blob.Ref{}, tandem.Errorf(tandem.KindInvalid, "a file cannot be limited to %d bytes", max)
	}
	if err := ctx.Err(); err != nil {
		return blob.Ref{}, fmt.Errorf("put blob: %w", err)
	}
	tmp, err := os.CreateTemp(s.tempDir, "tandem-blob-*")
	if err != nil {
		return blob.Ref{}, fmt.Errorf("put blob: %w", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(ctxReader{ctx, r}, max+1))
	if err != nil {
		return blob.Ref{}, fmt.Errorf("put blob: %w", err)
	}
	if n > max {
		return blob.Ref{}, tandem.Errorf(tandem.KindTooLarge, "the file is larger than %d bytes", max)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return blob.Ref{}, fmt.Errorf("put blob: %w", err)
	}
	ref := blob.Ref{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream", DisableContentSha256: true}
	key := s.key(account, ref.SHA256)
	if n <= maxSinglePut {
		// One PUT that carries the SHA-256 just computed as its signed
		// payload hash: the server refuses the object unless the bytes it
		// received are the ones hashed, so what is under <sha> is that
		// content.
		_, err = minio.Core{Client: s.client}.PutObject(ctx, s.bucket, key, tmp, n, "", ref.SHA256, opts)
	} else {
		_, err = s.client.PutObject(ctx, s.bucket, key, tmp, n, minio.PutObjectOptions{ContentType: opts.ContentType})
	}
	if err != nil {
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			return blob.Ref{}, fmt.Errorf("put blob: %w (%v)", cerr, err)
		}
		return blob.Ref{}, fmt.Errorf("put blob: %w", err)
	}
	return ref, nil
}

// ctxReader stops reading once ctx ends, so a cancelled Put stops reading
// a slow uploader.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func notFound() error { return tandem.Coded(tandem.KindNotFound, "file_not_found", "no such file") }

// Open implements blob.Store.
func (s *Store) Open(ctx context.Context, account, sha string) (io.ReadCloser, error) {
	if !blob.ValidAccount(account) || !blob.ValidSHA256(sha) {
		return nil, notFound()
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.key(account, sha), minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("open blob: %w", err)
	}
	// Stat sends the GET: a missing object shows here, not at the first
	// Read.
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return nil, notFound()
		}
		return nil, fmt.Errorf("open blob: %w", err)
	}
	return obj, nil
}

// Delete implements blob.Store. Deleting a missing object succeeds in S3.
func (s *Store) Delete(ctx context.Context, account, sha string) error {
	if !blob.ValidAccount(account) || !blob.ValidSHA256(sha) {
		return nil
	}
	if err := s.client.RemoveObject(ctx, s.bucket, s.key(account, sha), minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("delete blob: %w", err)
	}
	return nil
}
