package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/app/pdftest"
	"github.com/tandemhq/tandem/hub/seal/cms"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store/postgres"
	"github.com/tandemhq/tandem/store/postgres/pgtest"
)

// Instances that start together on one database all seal with the
// certificate the first of them made, and keep it across restarts.
func TestInstancesSealWithOneCertificate(t *testing.T) {
	dbURL, _ := pgtest.EmptySchema(t)
	ctx := context.Background()
	// The race itself: four instances' first starts, each with its own
	// connection to the store.
	roots := make([]string, 4)
	var wg sync.WaitGroup
	for i := range roots {
		st, err := postgres.Open(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		wg.Go(func() {
			k, err := hubSealKeys(ctx, st, "Acme")
			if err != nil {
				t.Error(err)
				return
			}
			roots[i] = cms.Fingerprint(k.Root())
		})
	}
	wg.Wait()
	for _, r := range roots[1:] {
		if r != roots[0] {
			t.Fatalf("instances starting together seal with different roots: %v", roots)
		}
	}
	// Whole instances, on that store, and after a restart.
	env := map[string]string{"PORT": "0", "DATABASE_URL": dbURL, "TANDEM_DATA_DIR": t.TempDir(), "TANDEM_ADMIN_PASSWORD": "a long enough secret"}
	for range 2 {
		srv := startServer(t, env)
		line := srv.logged(t, "seal: the hub's own certificate")
		if line == nil || line["root"] != roots[0] {
			t.Fatalf("an instance seals with another root: %v\n%s", line, srv.logs)
		}
		if err := srv.stop(); err != nil {
			t.Fatal(err)
		}
	}
}

// Instances whose first starts race on a fresh store end up with one
// admin, and every one of them serves.
func TestFirstStartsRace(t *testing.T) {
	dbURL, _ := pgtest.EmptySchema(t)
	env := map[string]string{"PORT": "0", "DATABASE_URL": dbURL, "TANDEM_DATA_DIR": t.TempDir(), "TANDEM_ADMIN_PASSWORD": "a long enough secret"}
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			ctx, cancel := context.WithCancel(context.Background())
			ready := make(chan string, 1)
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, io.Discard, io.Discard, ready)
			}()
			select {
			case <-ready:
				cancel()
				errs <- <-done
			case err := <-done:
				cancel()
				errs <- fmt.Errorf("did not start: %w", err)
			case <-time.After(30 * time.Second):
				cancel()
				errs <- fmt.Errorf("did not start in time")
			}
		}()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// signedDocument has the embedded hub's customer finish a document, and
// returns the signed PDF.
func signedDocument(t *testing.T, url, password string) []byte {
	t.Helper()
	ctx := context.Background()
	agent := mustClient(t, url)
	if _, err := agent.Login(ctx, "admin@example.com", password); err != nil {
		t.Fatal(err)
	}
	a, err := agent.UploadAsset(ctx, "Lease", "", "lease.pdf", bytes.NewReader(pdftest.PDF(1, false)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := agent.SetAssetFields(ctx, a.ID, []client.Field{
		{ID: "name", Type: room.FieldText, Role: room.FieldByCustomer, Required: true, Label: "Full name", Page: 1, X: .1, Y: .5, W: .5, H: .05},
		{ID: "sign", Type: room.FieldSignature, Role: room.FieldByCustomer, Required: true, Label: "Signature", Page: 1, X: .1, Y: .7, W: .4, H: .1},
	}); err != nil {
		t.Fatal(err)
	}
	s, err := agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Sam Lee", Phone: "+14155550134"}})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := agent.AddDocument(ctx, s.ID, a.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := agent.DevOutbox(ctx)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("the invitation: %v %v", msgs, err)
	}
	cust := mustClient(t, url)
	if _, err := cust.OpenLink(ctx, msgs[0].Link); err != nil {
		t.Fatal(err)
	}
	if _, err := cust.ViewPage(ctx, s.ID, doc.ID, 1); err != nil {
		t.Fatal(err)
	}
	for _, f := range [][2]string{{"name", "Sam Lee"}, {"sign", pdftest.DataURL(pdftest.PNG(300, 90))}} {
		if _, err := cust.FillField(ctx, s.ID, doc.ID, f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cust.CompleteDocument(ctx, s.ID, doc.ID); err != nil {
		t.Fatal(err)
	}
	return signedPDF(t, agent, s.ID, doc.ID)
}

// tandem verify FILE.pdf checks a seal offline, against the root of the
// hub's own store, or the one given with -root.
func TestVerifyCommandChecksASignedPDF(t *testing.T) {
	dir := t.TempDir()
	const password = "a long enough secret"
	env := map[string]string{"PORT": "0", "TANDEM_DATA_DIR": dir, "TANDEM_ADMIN_PASSWORD": password}
	srv := startServer(t, env)
	pdf := signedDocument(t, srv.url, password)
	rootFP := srv.logged(t, "seal: the hub's own certificate")["root"].(string)
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(t.TempDir(), "signed.pdf")
	if err := os.WriteFile(good, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	verify := func(env map[string]string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"verify"}, args...), func(k string) string { return env[k] }, &out, &out, nil)
		return out.String(), err
	}

	out, err := verify(env, good)
	for _, want := range []string{"Seal: valid", "covers the whole file", "leads to the trusted root", "SHA-256 " + rootFP, `"Lease"`, "Sam Lee",
		"the original (original.pdf) has the SHA-256 the audit trail prints", "the completed content (completed.pdf)", "Verdict: everything checks."} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if err != nil {
		t.Fatalf("verify of a good file failed: %v\n%s", err, out)
	}

	changed := bytes.Clone(pdf)
	i := bytes.Index(changed, []byte("/Producer"))
	changed[i+1] ^= 0x20
	bad := filepath.Join(t.TempDir(), "changed.pdf")
	if err := os.WriteFile(bad, changed, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := verify(env, bad); err == nil || !strings.Contains(out, "changed after it was sealed") || !strings.Contains(out, "Verdict: NOT VALID.") {
		t.Errorf("verify of a changed file: %v\n%s", err, out)
	}

	// Elsewhere, with no store: nothing to check the chain against, so
	// no verdict of valid; with another root, the chain fails.
	nowhere := map[string]string{"TANDEM_DATA_DIR": t.TempDir()}
	if out, err := verify(nowhere, good); err == nil || !strings.Contains(out, "there is no root to check it against") {
		t.Errorf("verify without a root: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(nowhere["TANDEM_DATA_DIR"], "tandem.db")); err == nil {
		t.Error("verify made a database where there was none")
	}
	other := filepath.Join(t.TempDir(), "other.pem")
	if err := os.WriteFile(other, otherRootPEM(t), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := verify(nowhere, "-root", other, good); err == nil || !strings.Contains(out, "which is not the trusted root") {
		t.Errorf("verify against another root: %v\n%s", err, out)
	}
}

// otherRootPEM is the root certificate of keys that sealed nothing here.
func otherRootPEM(t *testing.T) []byte {
	t.Helper()
	k, err := cms.Generate("Someone Else", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	chain, _, err := k.PEM()
	if err != nil {
		t.Fatal(err)
	}
	// The chain is signing certificate first, root last.
	blocks := strings.SplitAfter(string(chain), "-----END CERTIFICATE-----\n")
	return []byte(blocks[len(blocks)-2])
}

// TestAuditTrailScreenshot writes docs/screenshots/audit-trail.png: the
// audit-trail page of a sealed document, drawn by poppler's pdftoppm.
// make screenshots runs it (TANDEM_SCREENSHOTS=folder).
func TestAuditTrailScreenshot(t *testing.T) {
	dir := os.Getenv("TANDEM_SCREENSHOTS")
	if dir == "" {
		t.Skip("screenshots are written by make screenshots (TANDEM_SCREENSHOTS=folder)")
	}
	const password = "a long enough secret"
	srv := startServer(t, map[string]string{"PORT": "0", "TANDEM_DATA_DIR": t.TempDir(), "TANDEM_ADMIN_PASSWORD": password, "TANDEM_ACCOUNT_NAME": "Acme Insurance"})
	admin := mustClient(t, srv.url)
	if _, err := admin.Login(context.Background(), "admin@example.com", password); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.UpdateSettings(context.Background(), client.AccountSettings{TimeZone: "Europe/Paris"}); err != nil {
		t.Fatal(err)
	}
	pdf := signedDocument(t, srv.url, password)
	in := filepath.Join(t.TempDir(), "signed.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	// Page 1 is the document; the trail starts on page 2.
	out := filepath.Join(dir, "audit-trail")
	if b, err := exec.Command("pdftoppm", "-png", "-r", "90", "-f", "2", "-l", "2", "-singlefile", in, out).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, b)
	}
}

// TANDEM_SIGNING_P12 seals with the operator's certificate; a wrong
// password stops the hub with a clear error.
func TestOperatorCertificateIsWired(t *testing.T) {
	made, err := cms.Generate("Operator Corp", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p12, err := pkcs12.Modern.Encode(made.Key, made.Chain[0], made.Chain[1:], "s3cret pass")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "seal.p12")
	if err := os.WriteFile(path, p12, 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PORT": "0", "TANDEM_DATA_DIR": t.TempDir(), "TANDEM_SIGNING_P12": path, "TANDEM_SIGNING_P12_PASSWORD": "s3cret pass"}
	line := startServer(t, env).logged(t, "seal: the operator's certificate")
	if line == nil || line["root"] != cms.Fingerprint(made.Root()) || !strings.Contains(line["certificate"].(string), "Operator Corp Document Seal") {
		t.Fatalf("the seal line: %v", line)
	}
	env["TANDEM_SIGNING_P12_PASSWORD"] = "wrong"
	err = run(context.Background(), []string{"serve"}, func(k string) string { return env[k] }, io.Discard, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "TANDEM_SIGNING_P12") {
		t.Fatalf("a wrong password: %v", err)
	}
}
