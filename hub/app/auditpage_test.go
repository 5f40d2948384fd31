package app

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	pdfapi "github.com/pdfcpu/pdfcpu/pkg/api"

	"github.com/tandemhq/tandem/hub/app/pdftest"
	"github.com/tandemhq/tandem/hub/seal"
)

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// sampleTrail is a trail with enough steps to take a second page.
func sampleTrail(original, completed []byte) AuditTrail {
	paris, _ := time.LoadLocation("Europe/Paris")
	at := time.Date(2026, 12, 5, 9, 14, 3, 0, paris)
	t := AuditTrail{
		Format: AuditFormat, Hub: "https://hub.example.com", Company: "Acme Leasing", Room: "rm_123",
		Document: AuditDocument{ID: "dc_9", Name: "Lease agreement", Pages: 2, Original: hexSum(original), Completed: hexSum(completed)},
		Agent:    AuditAgent{Name: "Ana Agent", Email: "ana@acme.example"},
		Customer: AuditCustomer{Name: "Łukasz Żółć", Contact: "+14155550134", Channel: "sms", SentAt: &at, DeliveredAt: &at},
		TimeZone: "Europe/Paris", GeneratedAt: at, LogHead: AuditLogHead{Seq: 41, Hash: strings.Repeat("c3", 32)},
		Seal: seal.Identity{Subject: "CN=Acme Document Seal,O=Acme", Root: strings.Repeat("AB:", 31) + "AB"},
	}
	for i := range 40 {
		t.Steps = append(t.Steps, AuditStep{Seq: int64(i + 1), At: at.Add(time.Duration(i) * time.Second), Who: "Customer Łukasz Żółć",
			What: fmt.Sprintf("Viewed page %d", i%2+1), IP: "203.0.113.7",
			UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"})
	}
	return t
}

func TestEvidencePrintsTheTrailAndAttachesItsFiles(t *testing.T) {
	original, completed := pdftest.PDF(2, false), pdftest.Text("Completed lease")
	trail := sampleTrail(original, completed)
	out, err := evidencePDF(completed, original, trail)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("TANDEM_KEEP_AUDIT") != "" {
		_ = os.WriteFile(os.Getenv("TANDEM_KEEP_AUDIT"), out, 0o644)
	}
	_, n := layout(auditLines(trail))
	if n < 2 {
		t.Fatalf("forty steps fit on %d page", n)
	}
	info := pdftest.Poppler(t, out, "pdfinfo", "-f", "1", "-l", fmt.Sprint(n+1), "{}")
	if !strings.Contains(info, fmt.Sprintf("Pages:           %d", n+1)) || !strings.Contains(info, fmt.Sprintf("Page %4d size:  595 x 842 pts (A4)", n+1)) {
		t.Errorf("want the completed page and %d A4 pages of trail:\n%s", n, info)
	}
	text := pdftest.Poppler(t, out, "pdftotext", "-layout", "{}", "-")
	for _, want := range []string{"Audit trail", "Lease agreement", "Łukasz Żółć", "Ana Agent <ana@acme.example>", "+14155550134, by SMS",
		trail.Document.Original, trail.Document.Completed, "2026-12-05 09:14:03 CET (UTC+01:00)", "Europe/Paris (UTC+01:00)",
		"IP 203.0.113.7", "CN=Acme Document Seal,O=Acme", "https://hub.example.com/verify", "Hash of the room's log at completion (event 41)", strings.Repeat("c3", 32), fmt.Sprintf("page %d of %d", n, n)} {
		if !strings.Contains(text, want) {
			t.Errorf("the printed trail lacks %q", want)
		}
	}
	files := evidenceFiles(t, out)
	if hexSum(files[AttachedOriginal]) != trail.Document.Original || hexSum(files[AttachedCompleted]) != trail.Document.Completed {
		t.Errorf("the attached files are not the ones the trail names")
	}
	if !strings.Contains(string(files[AttachedAudit]), `"format": "`+AuditFormat+`"`) {
		t.Errorf("audit-trail.json: %.200s", files[AttachedAudit])
	}
}

// evidenceFiles reads the attachments of a PDF with pdfcpu.
func evidenceFiles(t *testing.T, pdf []byte) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	in := dir + "/e.pdf"
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := pdfapi.ExtractAttachmentsFile(in, dir, nil, nil); err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, n := range []string{AttachedOriginal, AttachedCompleted, AttachedAudit} {
		b, err := os.ReadFile(dir + "/" + n)
		if err != nil {
			t.Fatalf("attachment %s: %v", n, err)
		}
		out[n] = b
	}
	return out
}

// BenchmarkEvidence makes the unsigned evidence file of a two-page
// document with a trail of forty steps (two pages of it).
func BenchmarkEvidence(b *testing.B) {
	original, completed := pdftest.PDF(2, false), pdftest.PDF(2, false)
	trail := sampleTrail(original, completed)
	for b.Loop() {
		if _, err := evidencePDF(completed, original, trail); err != nil {
			b.Fatal(err)
		}
	}
}
