package cms

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	pdfapi "github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/smallstep/pkcs7"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/seal"
)

// Sealer seals PDFs with Keys, and with a timestamp when TSA is set.
type Sealer struct {
	keys Keys
	// tsa is the timestamp authority's URL; "" for none.
	tsa    string
	client *http.Client
	name   string
	// lastSize is the size the last seal's signature took: the next is
	// likely the same, so the file is prepared once instead of twice.
	lastSize atomic.Int64
}

var _ seal.Sealer = (*Sealer)(nil)

// Option configures a Sealer.
type Option func(*Sealer)

// WithTSA embeds a timestamp from the RFC 3161 authority at url in every
// seal, asked with client (nil: a client with a 30 s timeout).
func WithTSA(url string, client *http.Client) Option {
	return func(s *Sealer) {
		s.tsa = url
		if client != nil {
			s.client = client
		}
	}
}

// WithName sets the signer's name written in each signature (the
// signature panel of PDF readers shows it); the certificate's common name
// by default.
func WithName(name string) Option { return func(s *Sealer) { s.name = name } }

// NewSealer seals with keys.
func NewSealer(keys Keys, opts ...Option) (*Sealer, error) {
	if err := keys.check(); err != nil {
		return nil, err
	}
	s := &Sealer{keys: keys, client: &http.Client{Timeout: 30 * time.Second}, name: keys.Chain[0].Subject.CommonName}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Identity is the signing certificate and the timestamp authority.
func (s *Sealer) Identity() seal.Identity {
	root := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.keys.Root().Raw})
	return seal.Identity{Subject: s.keys.Chain[0].Subject.String(), Root: Fingerprint(s.keys.Root()), TSA: s.tsa, RootPEM: root}
}

// contentsSize is the most room kept for the signature in the file, in
// bytes (twice as many hex digits): a chain of a few certificates and a
// timestamp token with its authority's chain fit with room to spare.
const contentsSize = 24 << 10

// byteRangePlaceholder is written where the byte ranges go, then replaced
// by them, padded with spaces to the same length.
const byteRangePlaceholder = "[0 1111111111 2222222222 3333333333]"

// sizeTries bounds how many times Seal signs again to make the room kept
// for the signature exactly its size.
const sizeTries = 8

// Seal signs pdf as a whole: see the package comment.
//
// The room kept for the signature is made exactly its size, so that the
// file has no padding: every byte a PDF signature leaves out is the
// signature itself, and changing any byte of the file breaks the seal for
// every verifier. A signature's size is known only once it is made (an
// ECDSA value, a timestamp token vary by a few bytes), so the file is
// prepared again with the size the last signature had, and signed again,
// until they agree (a seal starts from the size the previous one took, so
// one round usually does); should they not within sizeTries, the last seal,
// valid but padded with zeros, is kept (tandem verify refuses padding
// that is not zeros).
func (s *Sealer) Seal(ctx context.Context, pdf []byte, at time.Time) ([]byte, error) {
	size := contentsSize
	if last := int(s.lastSize.Load()); last > 0 {
		size = last
	}
	var padded []byte
	for range sizeTries {
		out, n, kept, err := s.sealIn(ctx, pdf, at, size)
		if err != nil {
			return nil, err
		}
		if n == kept {
			s.lastSize.Store(int64(n))
			return out, nil
		}
		padded, size = out, n
	}
	return padded, nil
}

// sealIn seals pdf keeping size bytes for the signature (more if the
// signature needs them), and returns the file, the size the signature
// took and the size kept for it (the rest is zeros).
func (s *Sealer) sealIn(ctx context.Context, pdf []byte, at time.Time, size int) (out []byte, n, kept int, err error) {
	prepared, err := s.prepare(pdf, at, size)
	if err != nil {
		return nil, 0, 0, err
	}
	at1 := bytes.Index(prepared, []byte(byteRangePlaceholder))
	if at1 < 0 || bytes.Count(prepared, []byte(byteRangePlaceholder)) != 1 {
		return nil, 0, 0, fmt.Errorf("seal: the signature's byte range is not where it was written")
	}
	zeros := bytes.Repeat([]byte("0"), 2*size)
	start := bytes.Index(prepared, append([]byte("<"), zeros...))
	if start < 0 || prepared[start+1+len(zeros)] != '>' {
		return nil, 0, 0, fmt.Errorf("seal: the signature's contents are not where they were written")
	}
	end := start + len(zeros) + 2 // after '>'
	ranges := fmt.Sprintf("[0 %d %d %d", start, end, len(prepared)-end)
	ranges += string(bytes.Repeat([]byte(" "), len(byteRangePlaceholder)-len(ranges)-1)) + "]"
	copy(prepared[at1:], ranges)

	signed := make([]byte, 0, len(prepared)-(end-start))
	signed = append(append(signed, prepared[:start]...), prepared[end:]...)
	sig, err := s.sign(ctx, signed, at)
	if err != nil {
		return nil, 0, 0, err
	}
	if len(sig) > size {
		if size < contentsSize {
			return s.sealIn(ctx, pdf, at, len(sig)) // grown since the last try
		}
		return nil, 0, 0, fmt.Errorf("seal: the signature takes %d bytes, more than the %d kept for it", len(sig), size)
	}
	hex.Encode(prepared[start+1:], sig)
	return prepared, len(sig), size, nil
}

// prepare writes pdf again with an invisible signature field on its first
// page whose value is a signature dictionary with placeholders. Object
// streams are off: the dictionary must be written as plain text to be
// filled in afterwards.
func (s *Sealer) prepare(pdf []byte, at time.Time, size int) (out []byte, err error) {
	defer func() {
		if v := recover(); v != nil { // pdfcpu on a file it cannot handle
			err = fmt.Errorf("seal: pdfcpu: %v", v)
		}
	}()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.WriteObjectStream = false
	conf.WriteXRefStream = false
	ctx, err := pdfapi.ReadContext(bytes.NewReader(pdf), conf)
	if err != nil {
		return nil, fmt.Errorf("seal: read the PDF: %w", err)
	}
	if err := pdfapi.ValidateContext(ctx); err != nil {
		return nil, fmt.Errorf("seal: read the PDF: %w", err)
	}
	xt := ctx.XRefTable
	br, err := parseArray(byteRangePlaceholder)
	if err != nil {
		return nil, err
	}
	sigRef, err := xt.IndRefForNewObject(types.Dict{
		"Type":      types.Name("Sig"),
		"Filter":    types.Name("Adobe.PPKLite"),
		"SubFilter": types.Name("adbe.pkcs7.detached"),
		"ByteRange": br,
		"Contents":  types.HexLiteral(bytes.Repeat([]byte("0"), 2*size)),
		"M":         types.StringLiteral(pdfDate(at)),
		"Name":      types.StringLiteral(s.name),
		"Reason":    types.StringLiteral("Sealed with its audit trail"),
	})
	if err != nil {
		return nil, fmt.Errorf("seal: add the signature: %w", err)
	}
	page, pageRef, _, err := xt.PageDict(1, false)
	if err != nil || pageRef == nil {
		return nil, fmt.Errorf("seal: the PDF's first page: %v", err)
	}
	widget := types.Dict{
		"Type":    types.Name("Annot"),
		"Subtype": types.Name("Widget"),
		"FT":      types.Name("Sig"),
		"T":       types.StringLiteral("Tandem seal " + strconv.FormatInt(at.Unix(), 10)),
		"V":       *sigRef,
		"Rect":    types.NewNumberArray(0, 0, 0, 0),
		"F":       types.Integer(132), // print, locked
		"P":       *pageRef,
	}
	widgetRef, err := xt.IndRefForNewObject(widget)
	if err != nil {
		return nil, fmt.Errorf("seal: add the signature field: %w", err)
	}
	annots, _ := xt.DereferenceArray(page["Annots"])
	page["Annots"] = append(annots, *widgetRef)
	root, err := xt.Catalog()
	if err != nil {
		return nil, fmt.Errorf("seal: the PDF's catalog: %w", err)
	}
	form, _ := xt.DereferenceDict(root["AcroForm"])
	if form == nil {
		form = types.Dict{}
	}
	fields, _ := xt.DereferenceArray(form["Fields"])
	form["Fields"] = append(fields, *widgetRef)
	form["SigFlags"] = types.Integer(3) // signatures exist; append only
	root["AcroForm"] = form
	var b bytes.Buffer
	if err := pdfapi.WriteContext(ctx, &b); err != nil {
		return nil, fmt.Errorf("seal: write the PDF: %w", err)
	}
	return b.Bytes(), nil
}

// parseArray makes the placeholder array of integers.
func parseArray(s string) (types.Array, error) {
	var a types.Array
	for _, f := range bytes.Fields(bytes.Trim([]byte(s), "[]")) {
		n, err := strconv.Atoi(string(f))
		if err != nil {
			return nil, err
		}
		a = append(a, types.Integer(n))
	}
	return a, nil
}

// pdfDate writes t as a PDF date string.
func pdfDate(t time.Time) string {
	return t.UTC().Format("D:20060102150405Z")
}

// sign makes the detached CMS signature of data: SHA-256, the signing
// time and the certificate chain, and the authority's timestamp over the
// signature's value when there is an authority.
func (s *Sealer) sign(ctx context.Context, data []byte, at time.Time) ([]byte, error) {
	certV2, err := signingCertificateV2(s.keys.Chain[0])
	if err != nil {
		return nil, err
	}
	cfg := pkcs7.SignerInfoConfig{ExtraSignedAttributes: []pkcs7.Attribute{certV2}}
	// An ECDSA signature is two integers whose DER takes a byte less when
	// one is small: sign again (it costs microseconds) until it takes the
	// most, so that every seal of a key has the same size.
	var sd *pkcs7.SignedData
	for try := 0; ; try++ {
		if sd, err = pkcs7.NewSignedData(data); err != nil {
			return nil, fmt.Errorf("seal: %w", err)
		}
		sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
		if err := sd.AddSignerChain(s.keys.Chain[0], s.keys.Key, s.parents(), cfg); err != nil {
			return nil, fmt.Errorf("seal: sign: %w", err)
		}
		if n := fullSignatureLen(s.keys.Key); n == 0 || len(sd.GetSignedData().SignerInfos[0].EncryptedDigest) == n || try == 64 {
			break
		}
	}
	if s.tsa != "" {
		si := &sd.GetSignedData().SignerInfos[0]
		token, err := timestamp(ctx, s.client, s.tsa, si.EncryptedDigest)
		if err != nil {
			return nil, tandem.Coded(tandem.KindUnavailable, "timestamp_unavailable", "the timestamp authority did not answer: %v", err)
		}
		if err := si.SetUnauthenticatedAttributes([]pkcs7.Attribute{{Type: oidTimeStampToken, Value: asn1.RawValue{FullBytes: token}}}); err != nil {
			return nil, fmt.Errorf("seal: embed the timestamp: %w", err)
		}
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return der, nil
}

// parents are the certificates the signature carries besides the signing
// one: the chain without its root. A verifier trusts a root it holds, never
// one a file brings; and a copy of the root in the file would be bytes no
// signature covers.
func (s *Sealer) parents() []*x509.Certificate {
	ps := s.keys.Chain[1:]
	if n := len(ps); n > 0 && bytes.Equal(ps[n-1].RawIssuer, ps[n-1].RawSubject) {
		ps = ps[:n-1]
	}
	return ps
}

// fullSignatureLen is the longest DER an ECDSA signature of key takes (a
// SEQUENCE of two INTEGERs, each with a leading zero byte), or 0 for keys
// whose signatures have one size.
func fullSignatureLen(key crypto.Signer) int {
	k, ok := key.Public().(*ecdsa.PublicKey)
	if !ok {
		return 0
	}
	n := (k.Curve.Params().BitSize + 7) / 8
	if n > 60 { // P-521: long-form lengths; its size is left to vary
		return 0
	}
	return 2 + 2*(2+n+1)
}

// oidSigningCertificateV2 is the ESS signing-certificate-v2 attribute
// (RFC 5035), which binds the signature to the signing certificate:
// PAdES asks for it.
var oidSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}

type essCertIDv2 struct {
	CertHash []byte // SHA-256, the default algorithm, so none is named
}

type signingCertificateV2Value struct {
	Certs []essCertIDv2
}

func signingCertificateV2(c *x509.Certificate) (pkcs7.Attribute, error) {
	sum := sha256Sum(c.Raw)
	return pkcs7.Attribute{Type: oidSigningCertificateV2, Value: signingCertificateV2Value{Certs: []essCertIDv2{{CertHash: sum}}}}, nil
}
