package cms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// Keys are a signing key and its certificate chain: Chain[0] is the
// signing certificate, the last one the root.
type Keys struct {
	Key   crypto.Signer
	Chain []*x509.Certificate
}

// Root is the chain's last certificate.
func (k Keys) Root() *x509.Certificate { return k.Chain[len(k.Chain)-1] }

// Lifetimes of the certificates Generate makes: a seal is checked years
// after it was made, and a chain that expires early makes old seals read
// as doubtful in some viewers.
const (
	rootLifetime    = 30 * 365 * 24 * time.Hour
	signingLifetime = 20 * 365 * 24 * time.Hour
)

// Generate makes a root and a signing certificate, both P-256, for a hub
// that seals with its own keys. name is written in both subjects.
func Generate(name string, now time.Time) (Keys, error) {
	rootKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Keys{}, fmt.Errorf("generate the root key: %w", err)
	}
	signKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Keys{}, fmt.Errorf("generate the signing key: %w", err)
	}
	now = now.UTC().Add(-time.Hour) // a little slack for clocks behind ours
	rootTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name + " Root", Organization: []string{name}},
		NotBefore:             now,
		NotAfter:              now.Add(rootLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	root, err := issue(rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	if err != nil {
		return Keys{}, fmt.Errorf("make the root certificate: %w", err)
	}
	signTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name + " Document Seal", Organization: []string{name}},
		NotBefore:             now,
		NotAfter:              now.Add(signingLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		BasicConstraintsValid: true,
	}
	leaf, err := issue(signTmpl, root, &signKey.PublicKey, rootKey)
	if err != nil {
		return Keys{}, fmt.Errorf("make the signing certificate: %w", err)
	}
	return Keys{Key: signKey, Chain: []*x509.Certificate{leaf, root}}, nil
}

// issue makes the certificate tmpl describes for pub, signed by parent's
// key.
func issue(tmpl, parent *x509.Certificate, pub, parentKey any) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// serial is a random 128-bit certificate serial number.
func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return n.Add(n, big.NewInt(1))
}

// PEM encodes the chain (signing certificate first) and the private key
// (PKCS#8), for the store.
func (k Keys) PEM() (chain, key []byte, err error) {
	var b strings.Builder
	for _, c := range k.Chain {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("encode the signing key: %w", err)
	}
	return []byte(b.String()), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParsePEM reads what PEM wrote.
func ParsePEM(chain, key []byte) (Keys, error) {
	var k Keys
	for rest := chain; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return Keys{}, fmt.Errorf("read the seal's certificate chain: %w", err)
		}
		k.Chain = append(k.Chain, c)
	}
	b, _ := pem.Decode(key)
	if b == nil {
		return Keys{}, errors.New("read the seal's key: no PEM block")
	}
	pk, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return Keys{}, fmt.Errorf("read the seal's key: %w", err)
	}
	signer, ok := pk.(crypto.Signer)
	if !ok {
		return Keys{}, errors.New("read the seal's key: not a signing key")
	}
	k.Key = signer
	return k, k.check()
}

// LoadP12 reads an operator's certificate from a PKCS#12 file: its key,
// its certificate and the chain it carries.
func LoadP12(data []byte, password string) (Keys, error) {
	key, leaf, cas, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return Keys{}, fmt.Errorf("read the PKCS#12 file: %w", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return Keys{}, errors.New("read the PKCS#12 file: its key cannot sign")
	}
	k := Keys{Key: signer, Chain: append([]*x509.Certificate{leaf}, orderChain(leaf, cas)...)}
	return k, k.check()
}

// orderChain puts cas in issuing order from leaf's issuer upwards, as far
// as they link, then the rest.
func orderChain(leaf *x509.Certificate, cas []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	used := make([]bool, len(cas))
	for cur := leaf; ; {
		next := -1
		for i, c := range cas {
			if !used[i] && cur.CheckSignatureFrom(c) == nil {
				next = i
				break
			}
		}
		if next < 0 {
			break
		}
		used[next] = true
		out = append(out, cas[next])
		cur = cas[next]
	}
	for i, c := range cas {
		if !used[i] {
			out = append(out, c)
		}
	}
	return out
}

// check refuses keys that cannot make a seal: no chain, or a key that is
// not the signing certificate's.
func (k Keys) check() error {
	if len(k.Chain) == 0 {
		return errors.New("the seal has no certificate")
	}
	pub, ok := k.Key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(k.Chain[0].PublicKey) {
		return errors.New("the seal's key is not the key of its certificate")
	}
	return nil
}

// Fingerprint is a certificate's SHA-256 fingerprint as certificate
// viewers print it: upper-case hex pairs separated by colons.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	var b strings.Builder
	for i, x := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", x)
	}
	return b.String()
}

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}
