package cms_test

import (
	"bytes"
	"context"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/app/pdftest"
	"github.com/tandemhq/tandem/hub/seal/cms"
	"github.com/tandemhq/tandem/hub/seal/cms/tsatest"
)

func newSealer(t *testing.T, opts ...cms.Option) (*cms.Sealer, cms.Keys) {
	t.Helper()
	keys, err := cms.Generate("Acme Test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s, err := cms.NewSealer(keys, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s, keys
}

func TestSealIsValidForPdfsigAndVerify(t *testing.T) {
	s, keys := newSealer(t)
	sealed, err := s.Seal(context.Background(), pdftest.PDF(2, true), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	out := pdftest.Poppler(t, sealed, "pdfsig", "{}")
	for _, want := range []string{"Signature Validation: Signature is Valid.", "Total document signed", "Acme Test Document Seal", "adbe.pkcs7.detached"} {
		if !strings.Contains(out, want) {
			t.Errorf("pdfsig does not say %q:\n%s", want, out)
		}
	}
	r := cms.NewVerifier(keys.Root()).Verify(sealed)
	if !r.OK() || r.Root != cms.Fingerprint(keys.Root()) || !strings.Contains(r.Subject, "Acme Test Document Seal") || r.Timestamp != nil {
		t.Fatalf("verify: %+v", r)
	}
	other, _ := cms.Generate("Someone Else", time.Now())
	if r := cms.NewVerifier(other.Root()).Verify(sealed); r.OK() || r.Trusted || !r.Intact {
		t.Fatalf("verify against another root: %+v", r)
	}
}

func TestOneChangedByteFailsBothVerifiers(t *testing.T) {
	s, keys := newSealer(t)
	sealed, err := s.Seal(context.Background(), pdftest.Text("Pay 100 EUR"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(sealed), "100 EUR")
	if i < 0 {
		t.Fatal("the text is not in the file")
	}
	changed := []byte(string(sealed))
	changed[i] = '9'
	out, err := pdftest.PopplerRun(t, changed, "pdfsig", "{}")
	if err == nil && strings.Contains(out, "Signature is Valid") {
		t.Errorf("pdfsig still finds a changed file valid:\n%s", out)
	}
	if r := cms.NewVerifier(keys.Root()).Verify(changed); r.OK() || r.Intact {
		t.Fatalf("verify of a changed file: %+v", r)
	}
	appended := append([]byte(string(sealed)), "\n% more\n"...)
	if r := cms.NewVerifier(keys.Root()).Verify(appended); r.OK() || r.WholeFile {
		t.Fatalf("verify of a file with bytes appended: %+v", r)
	}
}

func TestTimestampFromTheAuthority(t *testing.T) {
	tsa := tsatest.New(t)
	s, keys := newSealer(t, cms.WithTSA(tsa.URL, nil))
	sealed, err := s.Seal(context.Background(), pdftest.PDF(1, false), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	out := pdftest.Poppler(t, sealed, "pdfsig", "{}")
	if !strings.Contains(out, "Signature is Valid") || !strings.Contains(out, "Total document signed") {
		t.Errorf("pdfsig:\n%s", out)
	}
	// poppler 22.12's pdfsig does not print timestamps: it hands the
	// signature over (-dump), and openssl reads the token in it.
	for _, want := range []string{"id-smime-aa-timeStampToken", tsatest.Name} {
		if cms := pdftest.SignatureDump(t, sealed); !strings.Contains(cms, want) {
			t.Errorf("the signature pdfsig dumps has no %q:\n%s", want, cms)
		}
	}
	r := cms.NewVerifier(keys.Root()).Verify(sealed)
	if !r.OK() || r.Timestamp == nil || !r.Timestamp.Valid || !strings.Contains(r.Timestamp.Authority, tsatest.Name) || time.Since(r.Timestamp.At) > time.Minute {
		t.Fatalf("verify: %+v %+v", r, r.Timestamp)
	}
	tsa.SetDown(true)
	_, err = s.Seal(context.Background(), pdftest.PDF(1, false), time.Now())
	if tandem.ErrorCode(err) != "timestamp_unavailable" {
		t.Fatalf("seal with the authority down: %v", err)
	}
}

// A seal has no padding, and any byte changed anywhere in the file —
// in what the signature covers or in the signature itself — fails the
// verifier; poppler's pdfsig too, at a sample of places in what the
// signature covers.
func TestEveryChangedByteBreaksTheSeal(t *testing.T) {
	s, keys := newSealer(t)
	sealed, err := s.Seal(context.Background(), pdftest.Text("Pay 100 EUR"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var br [4]int
	at := strings.Index(string(sealed), "/ByteRange")
	if _, err := fmt.Sscanf(string(sealed[at:]), "/ByteRange[%d %d %d %d", &br[0], &br[1], &br[2], &br[3]); err != nil {
		t.Fatal(err)
	}
	der, err := hex.DecodeString(string(sealed[br[1]+1 : br[2]-1]))
	if err != nil {
		t.Fatal(err)
	}
	var raw asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &raw); err != nil || len(rest) != 0 {
		t.Fatalf("the signature is padded with %d bytes (%v) %d %v %q", len(rest), err, len(der), br, sealed[br[1]-5:br[1]+10])
	}
	v := cms.NewVerifier(keys.Root())
	var places []int
	for i := 0; i < len(sealed); i += len(sealed)/97 + 1 {
		places = append(places, i)
	}
	places = append(places, br[1]+1, (br[1]+br[2])/2, br[2]-2, len(sealed)-1)
	for n, i := range places {
		changed := bytes.Clone(sealed)
		changed[i] ^= 0x01
		if r := v.Verify(changed); r.OK() {
			t.Fatalf("byte %d (%q) changed, and the seal still checks; ranges %v; around: %q", i, sealed[i], br, sealed[max(0, i-40):i+20])
		}
		// pdfsig checks what the signature covers; inside the signature
		// it overlooks fields no PDF signature covers (certificates,
		// version numbers), which the verifier requires as written.
		if n%25 == 0 && (i < br[1] || i >= br[2]) {
			if out, err := pdftest.PopplerRun(t, changed, "pdfsig", "{}"); err == nil && strings.Contains(out, "Signature is Valid") {
				t.Errorf("byte %d changed, and pdfsig still finds the seal valid:\n%s", i, out)
			}
		}
	}
	upper := bytes.Clone(sealed)
	for i := br[1] + 1; i < br[2]-1; i++ {
		if c := upper[i]; c >= 'a' && c <= 'f' {
			upper[i] = c - 'a' + 'A' // the same value, another byte
			break
		}
	}
	if r := v.Verify(upper); r.OK() {
		t.Fatal("a hex digit of the signature written in upper case, and the seal still checks")
	}
}

// An operator's PKCS#12 file: its key and chain seal, and its root
// verifies them.
func TestOperatorCertificateFromPKCS12(t *testing.T) {
	made, err := cms.Generate("Operator Corp", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p12, err := pkcs12.Modern.Encode(made.Key, made.Chain[0], made.Chain[1:], "s3cret pass")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cms.LoadP12(p12, "wrong"); err == nil {
		t.Fatal("a wrong password opened the file")
	}
	keys, err := cms.LoadP12(p12, "s3cret pass")
	if err != nil {
		t.Fatal(err)
	}
	if cms.Fingerprint(keys.Root()) != cms.Fingerprint(made.Root()) || len(keys.Chain) != 2 {
		t.Fatalf("the chain read back: %d certificates, root %s", len(keys.Chain), cms.Fingerprint(keys.Root()))
	}
	s, err := cms.NewSealer(keys)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.Seal(context.Background(), pdftest.PDF(1, false), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if r := cms.NewVerifier(made.Root()).Verify(sealed); !r.OK() || !strings.Contains(r.Subject, "Operator Corp Document Seal") {
		t.Fatalf("verify: %+v", r)
	}
}
