// Package seal is how Tandem makes a completed document evidence that a
// third party can check without it: a PDF digital signature over the whole
// file, made with the hub's certificate, optionally with a timestamp from
// an RFC 3161 authority. The implementation lives in seal/cms (a PKCS#7
// detached signature, adbe.pkcs7.detached); cmd/tandem wires it with the
// hub's own keys or the operator's certificate.
package seal

import (
	"context"
	"time"
)

// Sealer signs PDFs. Implementations are safe for concurrent use.
type Sealer interface {
	// Seal returns pdf with a digital signature that covers every byte of
	// the file but the signature itself, made at the given time. When a
	// timestamp authority is configured and does not answer, Seal fails
	// with a *tandem.Error of kind unavailable (code
	// timestamp_unavailable): a seal is never made weaker in silence.
	Seal(ctx context.Context, pdf []byte, at time.Time) ([]byte, error)
	// Identity is who seals: written in each audit trail.
	Identity() Identity
}

// Verifier checks a sealed PDF, offline.
type Verifier interface {
	// Verify checks the last signature of pdf. It never fails: what is
	// wrong is in the report.
	Verify(pdf []byte) Report
}

// Identity is the certificate a Sealer signs with.
type Identity struct {
	// Subject is the signing certificate's subject, as people read it.
	Subject string `json:"subject"`
	// Root is the SHA-256 fingerprint of the chain's root certificate,
	// in upper-case hex pairs separated by colons, as certificate viewers
	// print it.
	Root string `json:"root"`
	// TSA is the timestamp authority's URL, if one is used.
	TSA string `json:"tsa,omitempty"`
	// RootPEM is the root certificate itself, PEM-encoded: what a PDF
	// reader imports to trust the hub's seals.
	RootPEM []byte `json:"-"`
}

// Report is what Verify found.
type Report struct {
	// Signed: the file carries a PDF signature at all.
	Signed bool `json:"signed"`
	// Intact: the signature is mathematically valid over the bytes it
	// names.
	Intact bool `json:"intact"`
	// WholeFile: the bytes it names are the whole file, but the signature
	// itself: nothing was appended after sealing.
	WholeFile bool `json:"whole_file"`
	// Trusted: the signing certificate chains to the root given to the
	// verifier (the hub's own, or one passed with -root).
	Trusted bool `json:"trusted"`
	// Subject is the certificate that signed. Root is the fingerprint of
	// the verifier's root its chain leads to ("" when it leads to none of
	// them), Issuer the name of that root, or of the issuer of the last
	// certificate the signature carries.
	Subject string `json:"subject,omitempty"`
	Root    string `json:"root,omitempty"`
	Issuer  string `json:"issuer,omitempty"`
	// SignedAt is the signing time the signature claims.
	SignedAt time.Time `json:"signed_at,omitzero"`
	// Timestamp is the authority's timestamp, if the seal has one.
	Timestamp *Timestamp `json:"timestamp,omitempty"`
	// Problems says in plain words what does not check.
	Problems []string `json:"problems,omitempty"`
}

// Timestamp is an RFC 3161 timestamp embedded in a seal.
type Timestamp struct {
	// Authority is the subject of the authority's certificate.
	Authority string    `json:"authority"`
	At        time.Time `json:"at"`
	// Valid: the token is signed by its authority and is over this
	// signature.
	Valid bool `json:"valid"`
}

// OK reports whether everything checked.
func (r Report) OK() bool {
	return r.Signed && r.Intact && r.WholeFile && r.Trusted && (r.Timestamp == nil || r.Timestamp.Valid) && len(r.Problems) == 0
}
