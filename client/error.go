package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tandemhq/tandem"
)

// APIError is a non-2xx answer of the hub. Programs switch on Code, which
// is stable; Message is for people. When the body is not the protocol's
// error JSON (a proxy's page, say), Code is derived from the status so that
// callers can still tell "retry later" from "fix the request".
type APIError struct {
	StatusCode int
	Code       string
	Message    string
	// Fields names the fields at fault, when the error says which
	// (required_fields: the required fields still empty).
	Fields []string
	// RetryAfter is the wait the hub asked for with Retry-After (on 429
	// and 503), or zero.
	RetryAfter time.Duration
}

// Error implements error.
func (e *APIError) Error() string {
	return fmt.Sprintf("tandem: %d %s: %s", e.StatusCode, e.Code, e.Message)
}

// ErrorCode returns the stable code of the *APIError in err's chain, such
// as "room_not_found", or "" if err is nil or did not come from the hub
// (a network error, a cancelled context). It spares callers an errors.As.
func ErrorCode(err error) string {
	var e *APIError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// CloseError ends a Subscription or a Feed when the hub closed its
// WebSocket with a code after which reconnecting cannot help: 4401 (access
// ended: sign in or open the link again), 4400 (the hub has fewer events
// than the subscription already saw: subscribe again without since) or
// 1009 (a frame over the size limit).
type CloseError struct {
	Code   int
	Reason string
}

// Error implements error.
func (e *CloseError) Error() string {
	return fmt.Sprintf("tandem: websocket closed with %d: %s", e.Code, e.Reason)
}

// Close codes of the protocol that end a Subscription or a Feed.
const (
	// CloseSinceAhead says that since is after the room's last event:
	// subscribe again without since.
	CloseSinceAhead = 4400
	// CloseAccessEnded says that the credential the socket was opened with
	// ended: sign-out, password reset, revoked link. Sign in, or open the
	// newest link, again.
	CloseAccessEnded = 4401
	// CloseMessageTooBig says that a frame was over a size limit.
	CloseMessageTooBig = 1009
)

// CloseTooManySockets says that the credential holds as many sockets on
// that hub instance as it may (16 for a customer's room pass, 10 000
// for a sign-in): the connection was refused. A
// Subscription or Feed retries it with backoff, so it comes up once
// another socket of the credential closes.
const CloseTooManySockets = 4429

// Bounds on what an error answer may make the client keep.
const (
	maxErrorMessageSize = 200          // bytes of a non-JSON body kept as the message
	maxRetryAfter       = 24 * 60 * 60 // seconds; a longer Retry-After is nonsense
)

// ErrProtocol is wrapped by the errors returned when the hub sends
// something the protocol does not allow, such as an event that is not JSON.
var ErrProtocol = errors.New("client: protocol violation")

// newAPIError builds the error of a non-2xx response from its (already
// bounded) body.
func newAPIError(resp *http.Response, body []byte) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
	var b struct {
		Error struct {
			Code    string   `json:"code"`
			Message string   `json:"message"`
			Fields  []string `json:"fields"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &b) == nil && b.Error.Code != "" {
		e.Code, e.Message, e.Fields = b.Error.Code, b.Error.Message, b.Error.Fields
	} else {
		e.Code = fallbackCode(resp.StatusCode)
		e.Message = firstLine(body)
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

// fallbackCode maps a status to the generic code of its kind.
func fallbackCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return string(tandem.KindInvalid)
	case http.StatusUnprocessableEntity:
		return string(tandem.KindIncomplete)
	case http.StatusUnauthorized:
		return string(tandem.KindUnauthorized)
	case http.StatusForbidden:
		return string(tandem.KindForbidden)
	case http.StatusNotFound:
		return string(tandem.KindNotFound)
	case http.StatusConflict:
		return string(tandem.KindConflict)
	case http.StatusGone:
		return string(tandem.KindGone)
	case http.StatusRequestEntityTooLarge:
		return string(tandem.KindTooLarge)
	case http.StatusTooManyRequests:
		return string(tandem.KindRateLimited)
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return string(tandem.KindUnavailable)
	}
	switch {
	case status >= 500:
		return string(tandem.KindInternal)
	case status >= 400:
		return string(tandem.KindInvalid)
	}
	return "unexpected_status"
}

// firstLine returns a short, printable excerpt of a non-JSON error body.
func firstLine(body []byte) string {
	s := strings.ToValidUTF8(string(body), "")
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if len(s) > maxErrorMessageSize {
		s = s[:maxErrorMessageSize]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	if strings.HasPrefix(s, "<") { // an HTML page says nothing useful
		return ""
	}
	return s
}

// retryAfter parses a Retry-After header received at now: seconds or an
// HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(min(max(n, 0), maxRetryAfter)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
