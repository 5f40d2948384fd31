package cms

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"reflect"
)

// The shape of a seal's signature container. A CMS signature covers the
// document's digest and its signed attributes; a few fields around them
// (version numbers, the list of digest algorithms, the certificates, the
// unsigned attributes) are covered by nothing, in any PDF signature. So
// the verifier also requires the container exactly as the hub writes it:
// canonical DER, version 1, SHA-256 only, one signer, the signer's
// certificate bound by the signing-certificate-v2 attribute, and no
// unsigned attribute but a timestamp token. A byte changed in those
// fields then fails the check too.

type cmsContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type cmsSignedData struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
	Encapsulated     cmsEncapsulated
	Certificates     asn1.RawValue   // [0] IMPLICIT SET OF Certificate
	SignerInfos      []cmsSignerInfo `asn1:"set"`
}

// cmsEncapsulated is the content of a detached signature: its type only.
type cmsEncapsulated struct {
	ContentType asn1.ObjectIdentifier
}

type cmsSignerInfo struct {
	Version            int
	SignerID           asn1.RawValue
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttributes   asn1.RawValue // [0] IMPLICIT SET OF Attribute
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	Unsigned           asn1.RawValue `asn1:"optional"` // [1] IMPLICIT SET OF Attribute
}

type cmsAttribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

var oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}

// checkShape checks that der, a seal's signature, has the shape the hub
// writes, and that its signed attributes name signer as its certificate.
func checkShape(der []byte, signer *x509.Certificate) error {
	var ci cmsContentInfo
	if err := strictUnmarshal(der, &ci); err != nil {
		return err
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return errors.New("it is not a CMS signature")
	}
	var sd cmsSignedData
	if err := strictUnmarshal(ci.Content.Bytes, &sd); err != nil {
		return err
	}
	if sd.Version != 1 || len(sd.DigestAlgorithms) != 1 || !sd.DigestAlgorithms[0].Algorithm.Equal(oidSHA256) || len(sd.SignerInfos) != 1 {
		return errors.New("its container is not the one Tandem writes")
	}
	if sd.Certificates.Class != asn1.ClassContextSpecific || sd.Certificates.Tag != 0 {
		return errors.New("its certificates are not where Tandem writes them")
	}
	si := sd.SignerInfos[0]
	if si.Version != 1 || !si.DigestAlgorithm.Algorithm.Equal(oidSHA256) ||
		si.SignedAttributes.Class != asn1.ClassContextSpecific || si.SignedAttributes.Tag != 0 {
		return errors.New("its signer is not written as Tandem writes it")
	}
	attrs, err := attributes(si.SignedAttributes.Bytes)
	if err != nil {
		return err
	}
	if !bindsCertificate(attrs, signer) {
		return errors.New("its signed attributes do not name the certificate that signed")
	}
	if len(si.Unsigned.FullBytes) > 0 {
		if si.Unsigned.Class != asn1.ClassContextSpecific || si.Unsigned.Tag != 1 {
			return errors.New("its signer is not written as Tandem writes it")
		}
		unsigned, err := attributes(si.Unsigned.Bytes)
		if err != nil {
			return err
		}
		if len(unsigned) != 1 || !unsigned[0].Type.Equal(oidTimeStampToken) {
			return errors.New("it carries unsigned data besides a timestamp")
		}
	}
	return nil
}

// attributes reads a SET OF Attribute's content.
func attributes(b []byte) ([]cmsAttribute, error) {
	var out []cmsAttribute
	for rest := b; len(rest) > 0; {
		var a cmsAttribute
		var err error
		if rest, err = asn1.Unmarshal(rest, &a); err != nil {
			return nil, fmt.Errorf("its attributes cannot be read: %w", err)
		}
		out = append(out, a)
	}
	return out, nil
}

// bindsCertificate reports whether attrs hold a signing-certificate-v2
// with the SHA-256 of c.
func bindsCertificate(attrs []cmsAttribute, c *x509.Certificate) bool {
	if c == nil {
		return false
	}
	sum := sha256.Sum256(c.Raw)
	for _, a := range attrs {
		if !a.Type.Equal(oidSigningCertificateV2) {
			continue
		}
		var v signingCertificateV2Value
		if err := strictUnmarshal(a.Values.Bytes, &v); err != nil || len(v.Certs) == 0 {
			return false
		}
		return bytes.Equal(v.Certs[0].CertHash, sum[:])
	}
	return false
}

// strictUnmarshal reads b whole into v, and refuses an encoding that is
// not the one DER gives v back: any byte of b that is not needed, or is
// not as DER writes it.
func strictUnmarshal(b []byte, v any) error {
	rest, err := asn1.Unmarshal(b, v)
	if err != nil {
		return fmt.Errorf("it cannot be read: %w", err)
	}
	if len(rest) > 0 {
		return errors.New("it has bytes after its end")
	}
	again, err := asn1.Marshal(reflect.ValueOf(v).Elem().Interface())
	if err != nil || !bytes.Equal(again, b) {
		return errors.New("it is not encoded as Tandem encodes it")
	}
	return nil
}
