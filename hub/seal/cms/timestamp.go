package cms

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"time"

	"github.com/smallstep/pkcs7"
)

// RFC 3161 timestamps: the request the hub sends an authority, the
// response it reads back, and the token it embeds in a seal, as an
// unsigned attribute of the signer (id-aa-timeStampToken), over the
// signature's value.

var (
	oidSHA256         = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	// OIDTSTInfo is the content type of a timestamp token's content.
	OIDTSTInfo = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
)

// MessageImprint is the hash a timestamp is over.
type MessageImprint struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	HashedMessage []byte
}

// TimeStampReq is an RFC 3161 request.
type TimeStampReq struct {
	Version        int
	MessageImprint MessageImprint
	Nonce          *big.Int `asn1:"optional"`
	CertReq        bool     `asn1:"optional"`
}

// PKIStatusInfo is the status of an authority's answer.
type PKIStatusInfo struct {
	Status       int
	StatusString []asn1.RawValue `asn1:"optional"`
	FailInfo     asn1.BitString  `asn1:"optional"`
}

// TimeStampResp is an RFC 3161 response.
type TimeStampResp struct {
	Status PKIStatusInfo
	Token  asn1.RawValue `asn1:"optional"`
}

// Accuracy is how precise an authority claims its time is.
type Accuracy struct {
	Seconds int `asn1:"optional"`
	Millis  int `asn1:"optional,tag:0"`
	Micros  int `asn1:"optional,tag:1"`
}

// TSTInfo is what a timestamp token signs.
type TSTInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint MessageImprint
	SerialNumber   *big.Int
	GenTime        time.Time     `asn1:"generalized"`
	Accuracy       Accuracy      `asn1:"optional"`
	Ordering       bool          `asn1:"optional"`
	Nonce          *big.Int      `asn1:"optional"`
	TSA            asn1.RawValue `asn1:"optional,tag:0"`
	Extensions     asn1.RawValue `asn1:"optional,tag:1"`
}

// maxTimestampResponse bounds what is read of an authority's answer.
const maxTimestampResponse = 64 << 10

// timestamp asks the authority at url for a token over data, and checks
// that the token it returns is over data and carries the nonce sent.
func timestamp(ctx context.Context, client *http.Client, url string, data []byte) ([]byte, error) {
	sum := sha256.Sum256(data)
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, err
	}
	req, err := asn1.Marshal(TimeStampReq{
		Version:        1,
		MessageImprint: MessageImprint{HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1.NullRawValue}, HashedMessage: sum[:]},
		Nonce:          nonce,
		CertReq:        true,
	})
	if err != nil {
		return nil, fmt.Errorf("encode the timestamp request: %w", err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(req))
	if err != nil {
		return nil, fmt.Errorf("timestamp authority %s: %w", url, err)
	}
	hr.Header.Set("Content-Type", "application/timestamp-query")
	resp, err := client.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("timestamp authority %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTimestampResponse))
	if err != nil {
		return nil, fmt.Errorf("timestamp authority %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("timestamp authority %s answered %s", url, resp.Status)
	}
	var tr TimeStampResp
	if _, err := asn1.Unmarshal(body, &tr); err != nil {
		return nil, fmt.Errorf("timestamp authority %s: unreadable answer: %w", url, err)
	}
	if tr.Status.Status > 1 || len(tr.Token.FullBytes) == 0 { // 0 granted, 1 granted with mods
		return nil, fmt.Errorf("timestamp authority %s refused the request (status %d)", url, tr.Status.Status)
	}
	info, _, err := readToken(tr.Token.FullBytes)
	if err != nil {
		return nil, fmt.Errorf("timestamp authority %s: %w", url, err)
	}
	if !bytes.Equal(info.MessageImprint.HashedMessage, sum[:]) || info.Nonce == nil || info.Nonce.Cmp(nonce) != 0 {
		return nil, fmt.Errorf("timestamp authority %s answered a different request", url)
	}
	return tr.Token.FullBytes, nil
}

// readToken checks a token's signature and returns what it says.
func readToken(token []byte) (TSTInfo, *pkcs7.PKCS7, error) {
	p7, err := pkcs7.Parse(token)
	if err != nil {
		return TSTInfo{}, nil, fmt.Errorf("unreadable timestamp token: %w", err)
	}
	if err := p7.Verify(); err != nil {
		return TSTInfo{}, nil, fmt.Errorf("the timestamp token's signature does not check: %w", err)
	}
	var info TSTInfo
	if _, err := asn1.Unmarshal(p7.Content, &info); err != nil {
		return TSTInfo{}, nil, fmt.Errorf("unreadable timestamp: %w", err)
	}
	if !info.MessageImprint.HashAlgorithm.Algorithm.Equal(oidSHA256) {
		return TSTInfo{}, nil, errors.New("the timestamp is over a hash other than SHA-256")
	}
	return info, p7, nil
}
