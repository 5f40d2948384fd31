package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"

	pdfapi "github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/seal"
)

// Checking a signed PDF, offline: the seal (seal.Verifier), then what the
// seal covers — the audit trail attached as JSON, and the original and
// completed PDFs whose SHA-256 it prints. tandem verify and the public
// verify page both answer with a Verdict.

// Verdict is what a check of a signed PDF found.
type Verdict struct {
	// OK: the seal checks, the file is whole, and the attached files are
	// the ones the audit trail names.
	OK   bool        `json:"ok"`
	Seal seal.Report `json:"seal"`
	// Trail is the audit trail the file carries, when it has one and the
	// seal is intact (a changed file's trail is not repeated).
	Trail *AuditTrail `json:"trail,omitempty"`
	// Evidence lists the checks of the attachments, in words.
	Evidence []string `json:"evidence,omitempty"`
	// Problems says what does not check, in words; empty when OK.
	Problems []string `json:"problems,omitempty"`
}

// CheckSealed checks pdf with v, and the evidence it carries.
func CheckSealed(pdf []byte, v seal.Verifier) Verdict {
	out := Verdict{Seal: v.Verify(pdf)}
	out.Problems = append(out.Problems, out.Seal.Problems...)
	if !out.Seal.Signed || !out.Seal.Intact {
		return out
	}
	files, err := attachments(pdf, AttachedOriginal, AttachedCompleted, AttachedAudit)
	if err != nil {
		out.Problems = append(out.Problems, err.Error())
		return out
	}
	var trail AuditTrail
	if err := json.Unmarshal(files[AttachedAudit], &trail); err != nil || trail.Format != AuditFormat {
		out.Problems = append(out.Problems, "the attached audit trail cannot be read")
		return out
	}
	out.Trail = &trail
	for _, f := range []struct {
		name, want, what string
	}{
		{AttachedOriginal, trail.Document.Original, "original"},
		{AttachedCompleted, trail.Document.Completed, "completed content"},
	} {
		sum := sha256.Sum256(files[f.name])
		if got := hex.EncodeToString(sum[:]); got != f.want {
			out.Problems = append(out.Problems, fmt.Sprintf("the attached %s has SHA-256 %s, not the %s the audit trail prints", f.name, got, f.want))
			continue
		}
		out.Evidence = append(out.Evidence, fmt.Sprintf("the %s (%s) has the SHA-256 the audit trail prints: %s", f.what, f.name, f.want))
	}
	out.OK = out.Seal.OK() && len(out.Problems) == 0
	return out
}

// MaxVerifyBytes bounds a file sent to the public verify page, and an
// email's attachment: a signed PDF holds the completed pages and carries
// the original and the completed PDF, each at most MaxPDFBytes, and the
// audit trail. 76 MiB with the default limits.
func (a *App) MaxVerifyBytes() int64 { return 3*a.cfg.MaxPDFBytes + 1<<20 }

// VerifyUpload checks a PDF sent to the public verify page. The file is
// read into memory, checked and dropped: never stored.
func (a *App) VerifyUpload(r io.Reader) (Verdict, error) {
	if a.cfg.Verifier == nil {
		return Verdict{}, tandem.Coded(tandem.KindUnavailable, "verify_unavailable", "this hub does not seal documents, so it cannot check seals")
	}
	limit := a.MaxVerifyBytes()
	pdf, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return Verdict{}, fmt.Errorf("read the file: %w", err)
	}
	if int64(len(pdf)) > limit {
		return Verdict{}, tandem.Coded(tandem.KindTooLarge, "too_large", "the file is larger than %d MB", limit>>20)
	}
	if err := sniffPDF(bytes.NewReader(pdf)); err != nil {
		return Verdict{}, err
	}
	return CheckSealed(pdf, a.cfg.Verifier), nil
}

// SealRoot is the root certificate of the hub's seals, PEM-encoded, for
// anyone to import into their PDF reader; not_found when the hub seals
// nothing.
func (a *App) SealRoot() ([]byte, error) {
	if a.cfg.Sealer == nil {
		return nil, tandem.Errorf(tandem.KindNotFound, "this hub does not seal documents")
	}
	return a.cfg.Sealer.Identity().RootPEM, nil
}

// attachments reads the named files attached to pdf.
func attachments(pdf []byte, names ...string) (out map[string][]byte, err error) {
	limit := int64(len(pdf)) // an attachment is no larger than the file that carries it
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, fmt.Errorf("the file's attachments cannot be read")
		}
	}()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := pdfapi.ReadAndValidate(bytes.NewReader(pdf), conf)
	if err != nil {
		return nil, fmt.Errorf("the file cannot be read as a PDF")
	}
	got, err := ctx.ExtractAttachments(names)
	if err != nil {
		return nil, fmt.Errorf("the file carries no audit trail attachments: it was not sealed by Tandem")
	}
	out = map[string][]byte{}
	for _, a := range got {
		b, err := io.ReadAll(io.LimitReader(a.Reader, limit))
		if err != nil {
			return nil, fmt.Errorf("attachment %s cannot be read", a.FileName)
		}
		out[a.FileName] = b
	}
	for _, n := range names {
		if _, ok := out[n]; !ok {
			return nil, fmt.Errorf("the file does not carry %s", n)
		}
	}
	return out, nil
}
