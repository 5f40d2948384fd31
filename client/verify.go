package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Verdict is what the hub's public check of a signed PDF found
// (POST /api/v1/verify).
type Verdict struct {
	OK   bool `json:"ok"`
	Seal struct {
		Signed    bool      `json:"signed"`
		Intact    bool      `json:"intact"`
		WholeFile bool      `json:"whole_file"`
		Trusted   bool      `json:"trusted"`
		Subject   string    `json:"subject"`
		Root      string    `json:"root"`
		SignedAt  time.Time `json:"signed_at"`
		Timestamp *struct {
			Authority string    `json:"authority"`
			At        time.Time `json:"at"`
			Valid     bool      `json:"valid"`
		} `json:"timestamp"`
	} `json:"seal"`
	// Trail is the audit trail the file carries (audit-trail.json), when
	// its seal is intact.
	Trail    json.RawMessage `json:"trail,omitempty"`
	Evidence []string        `json:"evidence"`
	Problems []string        `json:"problems"`
}

// Verify has the hub check a signed PDF. No sign-in is needed; the hub
// keeps nothing of the file.
func (c *Client) Verify(ctx context.Context, pdf io.Reader) (Verdict, error) {
	u := c.endpoint(nil, "api", "v1", "verify")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), pdf)
	if err != nil {
		return Verdict{}, fmt.Errorf("client: verify: %w", err)
	}
	req.Header.Set("Content-Type", "application/pdf")
	var out Verdict
	err = c.send(req, "POST "+u.Path, &out)
	return out, err
}
