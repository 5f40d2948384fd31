package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/api"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/hub/app/pdftest"
	"github.com/tandemhq/tandem/hub/seal/cms"
	"github.com/tandemhq/tandem/hub/seal/cms/tsatest"
	"github.com/tandemhq/tandem/room"
)

// sealing is a hub's seal: keys of its own, and a timestamp authority
// when tsa is set.
type sealing struct {
	keys cms.Keys
	tsa  *tsatest.Server
}

func newSealing(t testing.TB, withTSA bool) *sealing {
	t.Helper()
	keys, err := cms.Generate("Acme Test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s := &sealing{keys: keys}
	if withTSA {
		s.tsa = tsatest.New(t)
	}
	return s
}

// option makes the env's hubs seal with s.
func (s *sealing) option(t testing.TB) envOption {
	return func(cfg *api.Config) {
		var opts []cms.Option
		if s.tsa != nil {
			opts = append(opts, cms.WithTSA(s.tsa.URL, nil))
		}
		sealer, err := cms.NewSealer(s.keys, opts...)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Sealer, cfg.Verifier = sealer, cms.NewVerifier(s.keys.Root())
	}
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// completeLoan sends the loan template to a live room, has its customer
// fill, sign and finish it, and returns the room, the document and the
// customer's client.
func (e *env) completeLoan(t *testing.T) (string, string, *client.Client) {
	t.Helper()
	ctx := context.Background()
	tpl := e.loanTemplate(t)
	s := e.liveRoom()
	doc, err := e.agent.AddDocument(ctx, s.ID, tpl.ID, map[string]string{"ref": "LN-7"})
	if err != nil {
		t.Fatal(err)
	}
	cust := e.customer(s.ID)
	if _, err := e.agent.SignedFile(ctx, s.ID, doc.ID); apiCode(t, err) != "not_sealed" {
		t.Errorf("the signed PDF before completion: %v", err)
	}
	if _, err := cust.ViewPage(ctx, s.ID, doc.ID, 1); err != nil {
		t.Fatal(err)
	}
	for _, f := range [][2]string{{"name", "Ria Novak"}, {"born", "1990-04-02"}, {"sign", drawing()}} {
		if _, err := cust.FillField(ctx, s.ID, doc.ID, f[0], f[1]); err != nil {
			t.Fatalf("fill %s: %v", f[0], err)
		}
	}
	if _, err := cust.CompleteDocument(ctx, s.ID, doc.ID); err != nil {
		t.Fatal(err)
	}
	return s.ID, doc.ID, cust
}

// signed waits for the signed PDF of a document.
func signed(t *testing.T, c *client.Client, roomID, docID string) []byte {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		f, err := c.SignedFile(context.Background(), roomID, docID)
		if err == nil {
			b, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		if apiCode(t, err) != "not_sealed" || time.Now().After(deadline) {
			t.Fatalf("the signed PDF: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestCompletedDocumentIsSealedWithItsAuditTrail(t *testing.T) {
	t.Parallel()
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			sl := newSealing(t, true)
			e := newEnv(t, open, sl.option(t))
			if _, err := e.agent.UpdateSettings(ctx, tandem.AccountSettings{TimeZone: "Europe/Paris"}); err != nil {
				t.Fatal(err)
			}
			roomID, docID, cust := e.completeLoan(t)
			pdf := signed(t, e.agent, roomID, docID)
			if fromCustomer := signed(t, cust, roomID, docID); !bytes.Equal(fromCustomer, pdf) {
				t.Error("the customer downloads another signed PDF than the agent")
			}

			// A third party's verifier: poppler.
			out := pdftest.Poppler(t, pdf, "pdfsig", "{}")
			for _, want := range []string{"Signature is Valid", "Total document signed", "Acme Test Document Seal"} {
				if !strings.Contains(out, want) {
					t.Errorf("pdfsig does not say %q:\n%s", want, out)
				}
			}
			if dump := pdftest.SignatureDump(t, pdf); !strings.Contains(dump, "id-smime-aa-timeStampToken") {
				t.Error("the seal carries no timestamp token")
			}

			// The timeline names the signed file.
			evs, err := e.agent.Events(ctx, roomID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			var sealed *room.DocumentSealed
			var completed room.DocumentCompletion
			for _, ev := range evs {
				switch ev.Type {
				case room.TypeDocumentSealed:
					sealed = &room.DocumentSealed{}
					_ = json.Unmarshal(ev.Data, sealed)
				case room.TypeDocumentCompleted:
					_ = json.Unmarshal(ev.Data, &completed)
				}
			}
			if sealed == nil || sealed.SHA256 != sum(pdf) || sealed.Size != int64(len(pdf)) || !strings.Contains(sealed.Certificate, "Acme Test Document Seal") || sealed.Timestamp != sl.tsa.URL {
				t.Fatalf("document.sealed: %+v; the file's SHA-256 is %s", sealed, sum(pdf))
			}

			// The audit trail names the people, each step with its zone,
			// and the two hashes, which are right.
			original := sum(pdftest.PDF(2, false))
			text := pdftest.Poppler(t, pdf, "pdftotext", "-layout", "{}", "-")
			for _, want := range []string{"Audit trail", "Loan agreement", "Sam Lee", "Ana <ana@acme.test>", "+14155550134, by SMS",
				"Europe/Paris (UTC+01:00)", "CET (UTC+01:00)", "Opened the document", "Viewed page 1", `Filled "Full name": Ria Novak`,
				`Signed "Signature"`, "Finished the document", original, completed.SHA256, "Acme Test Document Seal", sl.tsa.URL,
				"IP 127.0.0.1 · Go-http-client/1.1"} {
				if !strings.Contains(text, want) {
					t.Errorf("the audit trail lacks %q", want)
				}
			}
			for _, st := range auditSteps(t, pdf) {
				if st.Who != "Tandem" && (st.IP != "127.0.0.1" || st.UserAgent == "") {
					t.Errorf("step %d %q has no origin: %+v", st.Seq, st.What, st)
				}
			}
			var head room.Event // the log's last event as the document was completed
			for _, ev := range evs {
				if ev.Type == room.TypeDocumentCompleted {
					head = ev
				}
			}
			if !strings.Contains(text, head.Hash) || head.Hash == "" {
				t.Errorf("the audit trail does not print the log's head %d %q", head.Seq, head.Hash)
			}
			verdict := app.CheckSealed(pdf, cms.NewVerifier(sl.keys.Root()))
			if !verdict.OK || verdict.Trail == nil || verdict.Trail.Document.Original != original || verdict.Trail.Document.Completed != completed.SHA256 || len(verdict.Evidence) != 2 ||
				verdict.Trail.LogHead != (app.AuditLogHead{Seq: head.Seq, Hash: head.Hash}) {
				t.Fatalf("the hub's own check: %+v", verdict)
			}

			// The public check: this file, then one changed byte; and the
			// root to import, for anyone.
			anon := e.client()
			resp := e.do(t, "GET", "/api/v1/verify/root.pem", "", nil)
			root, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.Equal(root, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sl.keys.Root().Raw})) {
				t.Errorf("the root certificate: %d %s", resp.StatusCode, root)
			}
			v, err := anon.Verify(ctx, bytes.NewReader(pdf))
			if err != nil || !v.OK || !strings.Contains(string(v.Trail), `"Sam Lee"`) || v.Seal.Timestamp == nil || !v.Seal.Timestamp.Valid {
				t.Fatalf("verify the signed PDF: %+v, %v", v, err)
			}
			changed := bytes.Clone(pdf)
			i := bytes.Index(changed, []byte("/Producer"))
			if i < 0 {
				i = len(changed) / 3
			}
			changed[i+1] ^= 0x20
			if v, err := anon.Verify(ctx, bytes.NewReader(changed)); err != nil || v.OK || v.Seal.Intact {
				t.Fatalf("verify a changed file: %+v, %v", v, err)
			}
			if out, err := pdftest.PopplerRun(t, changed, "pdfsig", "{}"); err == nil && strings.Contains(out, "Signature is Valid") {
				t.Errorf("pdfsig finds a changed file valid:\n%s", out)
			}
		})
	}
}

// An unreachable timestamp authority leaves the document "sealing
// pending", never sealed without its timestamp; a later round seals it.
func TestSealingWaitsForTheTimestampAuthority(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sl := newSealing(t, true)
	sl.tsa.SetDown(true)
	e := newEnv(t, nil, sl.option(t))
	roomID, docID, cust := e.completeLoan(t)
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := e.agent.SignedFile(ctx, roomID, docID)
		msg := apiMessage(t, err)
		if apiCode(t, err) != "not_sealed" || !strings.Contains(msg, "sealing pending") {
			t.Fatalf("with the authority down: %v", err)
		}
		if strings.Contains(msg, "timestamp authority") {
			break // the failed attempt is recorded
		}
		if time.Now().After(deadline) {
			t.Fatalf("no failed attempt recorded: %s", msg)
		}
		e.hub.SealDueForTest(ctx)
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := cust.SignedFile(ctx, roomID, docID); apiCode(t, err) != "not_sealed" || strings.Contains(apiMessage(t, err), "authority") {
		t.Errorf("the customer reads: %v", err)
	}
	sl.tsa.SetDown(false)
	if n := e.hub.SealDueForTest(ctx); n != 0 {
		t.Fatalf("a seal was retried before its backoff: %d", n)
	}
	e.clock.Advance(time.Minute)
	if n := e.hub.SealDueForTest(ctx); n != 1 {
		t.Fatalf("the retry made %d seals, want 1", n)
	}
	pdf := signed(t, cust, roomID, docID)
	if v := app.CheckSealed(pdf, cms.NewVerifier(sl.keys.Root())); !v.OK || v.Seal.Timestamp == nil || !v.Seal.Timestamp.Valid {
		t.Fatalf("the seal made after the outage: %+v", v)
	}
}

// An account that asks for it emails the customer the signed copy, once,
// when the customer was invited by email; an SMS customer gets none.
func TestSignedCopyByEmail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sl := newSealing(t, false)
	e := newEnv(t, nil, sl.option(t), withDevOutbox)
	if _, err := e.agent.UpdateSettings(ctx, tandem.AccountSettings{EmailSignedCopy: true}); err != nil {
		t.Fatal(err)
	}
	tpl := e.loanTemplate(t)
	s, err := e.agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelEmail, Customer: room.Customer{Name: "Sam Lee", Email: "sam@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := e.agent.AddDocument(ctx, s.ID, tpl.ID, map[string]string{"ref": "LN-8"})
	if err != nil {
		t.Fatal(err)
	}
	cust := e.customer(s.ID)
	for _, f := range [][2]string{{"name", "Sam Lee"}, {"born", "1990-04-02"}, {"sign", drawing()}} {
		if _, err := cust.FillField(ctx, s.ID, doc.ID, f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cust.CompleteDocument(ctx, s.ID, doc.ID); err != nil {
		t.Fatal(err)
	}
	signed(t, e.agent, s.ID, doc.ID)
	var copies []client.OutboxMessage
	deadline := time.Now().Add(10 * time.Second)
	for len(copies) == 0 || copies[0].Status != "sent" {
		if time.Now().After(deadline) {
			t.Fatalf("no signed copy sent: %+v", copies)
		}
		time.Sleep(50 * time.Millisecond)
		msgs, err := e.agent.DevOutbox(ctx)
		if err != nil {
			t.Fatal(err)
		}
		copies = copies[:0]
		for _, m := range msgs {
			if m.Attachment != "" {
				copies = append(copies, m)
			}
		}
	}
	m := copies[0]
	if len(copies) != 1 || m.To != "sam@example.com" || m.Attachment != "Loan agreement (signed).pdf" || m.Room != s.ID ||
		!strings.Contains(m.Subject, "your signed copy of Loan agreement") || !strings.Contains(m.Body, e.url+"/verify") {
		t.Fatalf("the signed copy: %+v", copies)
	}

	// An SMS customer has no address to send it to.
	roomID, docID, _ := e.completeLoan(t)
	signed(t, e.agent, roomID, docID)
	msgs, err := e.agent.DevOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Room == roomID && m.Attachment != "" {
			t.Fatalf("an SMS customer got an email: %+v", m)
		}
	}
}

// The public check reads only PDFs, of a bounded size, at a bounded
// rate per address; a hub that seals nothing says it cannot check.
func TestVerifyRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, nil, newSealing(t, false).option(t), func(cfg *api.Config) { cfg.MaxPDFBytes = 1 << 20 })
	anon := e.client()
	for _, tc := range []struct {
		name, ct, body, code string
	}{
		{"not a PDF", "application/pdf", "<html>hello</html>", "unsupported_type"},
		{"no file", "text/plain", "hello", "file_required"},
		{"a form without the file", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nv\r\n--x--\r\n", "file_required"},
	} {
		resp := e.do(t, "POST", "/api/v1/verify", tc.body, map[string]string{"Content-Type": tc.ct})
		var body struct {
			Error struct{ Code, Message string }
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		if resp.StatusCode != 400 || body.Error.Code != tc.code || body.Error.Message == "" {
			t.Errorf("%s: %d %+v, want 400 %s", tc.name, resp.StatusCode, body, tc.code)
		}
	}
	if _, err := anon.Verify(ctx, io.LimitReader(zeros{}, 3<<20+1<<20+1)); apiCode(t, err) != "too_large" { // three times MaxPDFBytes, and 1 MiB
		t.Errorf("a file over the limit: %v", err)
	}
	limited := false
	for range 25 {
		if _, err := anon.Verify(ctx, strings.NewReader("%PDF-1.7 not really")); client.ErrorCode(err) == "rate_limited" {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("25 checks in a row from one address were all answered")
	}

	plain := newEnv(t, nil)
	if _, err := plain.client().Verify(ctx, bytes.NewReader(pdftest.PDF(1, false))); apiCode(t, err) != "verify_unavailable" {
		t.Errorf("a hub without a seal: %v", err)
	}
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// auditSteps are the steps of the audit trail a signed PDF carries.
func auditSteps(t *testing.T, pdf []byte) []app.AuditStep {
	t.Helper()
	v := app.CheckSealed(pdf, cms.NewVerifier())
	if v.Trail == nil || len(v.Trail.Steps) == 0 {
		t.Fatalf("no audit trail: %+v", v)
	}
	return v.Trail.Steps
}
