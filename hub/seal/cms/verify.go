package cms

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"time"

	pdfapi "github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/smallstep/pkcs7"

	"github.com/tandemhq/tandem/hub/seal"
)

// Verifier checks seals against a set of roots.
type Verifier struct {
	roots *x509.CertPool
	list  []*x509.Certificate
}

var _ seal.Verifier = (*Verifier)(nil)

// NewVerifier trusts seals whose chain ends at one of roots.
func NewVerifier(roots ...*x509.Certificate) *Verifier {
	pool := x509.NewCertPool()
	for _, r := range roots {
		pool.AddCert(r)
	}
	return &Verifier{roots: pool, list: roots}
}

// signature is a PDF signature as the file holds it.
type signature struct {
	byteRange [4]int64
	contents  []byte
}

// Verify checks the signature of pdf that covers the most of it (the
// last one a reader would show).
func (v *Verifier) Verify(pdf []byte) (r seal.Report) {
	sig, err := lastSignature(pdf)
	if err != nil {
		r.Problems = append(r.Problems, err.Error())
		return r
	}
	if sig == nil {
		r.Problems = append(r.Problems, "the file carries no digital signature")
		return r
	}
	r.Signed = true
	br := sig.byteRange
	n := int64(len(pdf))
	if br[0] != 0 || br[1] <= 0 || br[2] < br[1] || br[3] < 0 || br[2]+br[3] > n {
		r.Problems = append(r.Problems, "the signature's byte range does not fit the file")
		return r
	}
	r.WholeFile = br[2]+br[3] == n && onlySignature(pdf[br[1]:br[2]])
	if !r.WholeFile {
		r.Problems = append(r.Problems, fmt.Sprintf("the signature covers %d of the file's %d bytes: something was added or changed after sealing", br[1]+br[3], n))
	}
	der, err := trimDER(sig.contents)
	if err != nil {
		r.Problems = append(r.Problems, "the signature cannot be read: "+err.Error())
		return r
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		r.Problems = append(r.Problems, "the signature cannot be read: "+err.Error())
		return r
	}
	p7.Content = append(append([]byte{}, pdf[:br[1]]...), pdf[br[2]:br[2]+br[3]]...)
	signer := p7.GetOnlySigner()
	if signer != nil {
		r.Subject = signer.Subject.String()
	}
	r.Root, r.Issuer = v.rootOf(p7)
	if err := p7.Verify(); err != nil {
		r.Problems = append(r.Problems, "the signature does not match the file's content: the file was changed after it was sealed")
		return r
	}
	if err := checkShape(der, signer); err != nil {
		r.Problems = append(r.Problems, "the signature was changed after sealing: "+err.Error())
		return r
	}
	r.Intact = true
	var at time.Time
	if p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &at) == nil {
		r.SignedAt = at.UTC()
	}
	if err := p7.VerifyWithChain(v.roots); err != nil {
		r.Problems = append(r.Problems, "the seal's certificate does not lead to the trusted root ("+err.Error()+")")
	} else {
		r.Trusted = true
	}
	r.Timestamp = timestampOf(p7, &r)
	return r
}

// onlySignature reports whether gap, the bytes a signature leaves out, is
// exactly one hex string, the signature itself, in lower case as the hub
// writes it: the only bytes of the file no signature covers, so an upper-
// case digit (the same value, another byte) was changed after sealing.
func onlySignature(gap []byte) bool {
	if len(gap) < 2 || gap[0] != '<' || gap[len(gap)-1] != '>' {
		return false
	}
	for _, c := range gap[1 : len(gap)-1] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// trimDER drops the padding after the DER signature in /Contents, which
// must be zeros: no PDF signature covers its own bytes, so padding that is
// anything else was changed after sealing.
func trimDER(b []byte) ([]byte, error) {
	var raw asn1.RawValue
	rest, err := asn1.Unmarshal(b, &raw)
	if err != nil {
		return nil, err
	}
	for _, c := range rest {
		if c != 0 {
			return nil, fmt.Errorf("bytes after it were changed")
		}
	}
	return raw.FullBytes, nil
}

// rootOf names the root the signer's chain leads to: the fingerprint of
// the verifier's root that issued the last certificate the signature
// carries, or, when none of the verifier's did, that certificate's
// issuer by name.
func (v *Verifier) rootOf(p7 *pkcs7.PKCS7) (fingerprint, issuer string) {
	cur := p7.GetOnlySigner()
	if cur == nil {
		return "", ""
	}
	for range len(p7.Certificates) {
		var up *x509.Certificate
		for _, c := range p7.Certificates {
			if c != cur && !bytes.Equal(cur.RawIssuer, cur.RawSubject) && cur.CheckSignatureFrom(c) == nil {
				up = c
				break
			}
		}
		if up == nil {
			break
		}
		cur = up
	}
	for _, r := range v.list {
		if bytes.Equal(cur.Raw, r.Raw) || cur.CheckSignatureFrom(r) == nil {
			return Fingerprint(r), r.Subject.String()
		}
	}
	return "", cur.Issuer.String()
}

// timestampOf reads and checks the timestamp token of the signature, if
// it has one.
func timestampOf(p7 *pkcs7.PKCS7, r *seal.Report) *seal.Timestamp {
	if len(p7.Signers) != 1 {
		return nil
	}
	si := p7.Signers[0]
	for _, a := range si.UnauthenticatedAttributes {
		if !a.Type.Equal(oidTimeStampToken) {
			continue
		}
		ts := &seal.Timestamp{}
		info, tp7, err := readToken(a.Value.Bytes)
		if err != nil {
			r.Problems = append(r.Problems, err.Error())
			return ts
		}
		if s := tp7.GetOnlySigner(); s != nil {
			ts.Authority = s.Subject.String()
		}
		ts.At = info.GenTime.UTC()
		sum := sha256.Sum256(si.EncryptedDigest)
		if !bytes.Equal(info.MessageImprint.HashedMessage, sum[:]) {
			r.Problems = append(r.Problems, "the timestamp is not over this signature")
			return ts
		}
		ts.Valid = true
		return ts
	}
	return nil
}

// lastSignature finds the signature fields of pdf and returns the one
// whose byte range reaches furthest; nil if there is none.
func lastSignature(pdf []byte) (sig *signature, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("the file is not a readable PDF")
		}
	}()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := pdfapi.ReadContext(bytes.NewReader(pdf), conf)
	if err != nil {
		return nil, fmt.Errorf("the file is not a readable PDF")
	}
	xt := ctx.XRefTable
	root, err := xt.Catalog()
	if err != nil {
		return nil, fmt.Errorf("the file is not a readable PDF")
	}
	form, _ := xt.DereferenceDict(root["AcroForm"])
	if form == nil {
		return nil, nil
	}
	fields, _ := xt.DereferenceArray(form["Fields"])
	for _, f := range fields {
		fd, _ := xt.DereferenceDict(f)
		if fd == nil {
			continue
		}
		if ft, _ := xt.DereferenceName(fd["FT"], model.V10, nil); ft != "Sig" {
			continue
		}
		v, _ := xt.DereferenceDict(fd["V"])
		if v == nil {
			continue
		}
		s, ok := readSignature(xt, v)
		if ok && (sig == nil || s.byteRange[2]+s.byteRange[3] > sig.byteRange[2]+sig.byteRange[3]) {
			sig = &s
		}
	}
	return sig, nil
}

// readSignature reads a signature dictionary's byte range and contents.
func readSignature(xt *model.XRefTable, v types.Dict) (signature, bool) {
	var s signature
	arr, _ := xt.DereferenceArray(v["ByteRange"])
	if len(arr) != 4 {
		return s, false
	}
	for i, o := range arr {
		n, ok := o.(types.Integer)
		if !ok {
			return s, false
		}
		s.byteRange[i] = int64(n)
	}
	switch c := v["Contents"].(type) {
	case types.HexLiteral:
		b, err := c.Bytes()
		if err != nil {
			return s, false
		}
		s.contents = b
	case types.StringLiteral:
		b, err := types.Unescape(c.Value())
		if err != nil {
			return s, false
		}
		s.contents = b
	default:
		return s, false
	}
	return s, true
}
