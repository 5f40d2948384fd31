package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Limits on what the client reads from the network, so that a broken or
// hostile server cannot make it allocate without bound.
const (
	maxBody  = 8 << 20 // one REST response
	maxFrame = 1 << 20 // one WebSocket frame: snapshots can be big

	defaultTimeout = 30 * time.Second
)

// signInCookie is the agent's sign-in cookie, which the Client keeps out of
// its jar: it authenticates agents with the bearer token only, so its
// requests are never cookie-authenticated and never subject to CSRF checks.
const signInCookie = "tandem_session"

// Client is a connection to one Tandem hub. It holds the agent's token
// after Login and, in its cookie jar, the room cookies of the links it
// opened (never the agent session cookie: agents are authenticated by the
// bearer token alone). It is safe for concurrent use.
type Client struct {
	base       *url.URL     // scheme, host and path prefix, no trailing slash
	hc         *http.Client // with a cookie jar
	noRedirect *http.Client // the same, but returns redirects instead of following them
	backoff    backoff      // the reconnection policy that each stream copies

	mu    sync.RWMutex
	token string
}

// Option configures a Client in New.
type Option func(*options)

type options struct {
	hc    *http.Client
	token string
}

// WithHTTPClient makes the Client send its requests with a copy of hc, for
// custom transports, TLS or timeouts. If hc has no cookie jar the copy gets
// one, since customers are authenticated by a cookie. The default is a
// client with a 30 s timeout (the WebSocket handshake is bound by it, not
// the connection).
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) { o.hc = hc }
}

// WithToken makes the Client act as the agent whose session token is tok,
// as if Login had returned it: for tools that keep a token between runs.
func WithToken(tok string) Option {
	return func(o *options) { o.token = tok }
}

// New returns a Client of the hub at baseURL, such as
// "https://tandem.example.com" (a path prefix is kept).
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("client: base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: base URL %q: want http:// or https:// and a host", baseURL)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""

	var o options
	for _, opt := range opts {
		opt(&o)
	}
	hc := &http.Client{Timeout: defaultTimeout}
	if o.hc != nil {
		cp := *o.hc
		hc = &cp
	}
	if hc.Jar == nil {
		jar, err := cookiejar.New(nil)
		if err != nil {
			return nil, fmt.Errorf("client: cookie jar: %w", err)
		}
		hc.Jar = jar
	}
	hc.Jar = bearerJar{hc.Jar}
	nr := *hc
	nr.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{base: u, hc: hc, noRedirect: &nr, backoff: defaultBackoff(), token: o.token}, nil
}

// Token returns the agent's session token, or "" if the Client has not
// signed in. Tools may keep it and pass it to WithToken later.
func (c *Client) Token() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.token
}

func (c *Client) setToken(tok string) {
	c.mu.Lock()
	c.token = tok
	c.mu.Unlock()
}

// endpoint returns the URL of the API path made of segs, each escaped.
func (c *Client) endpoint(q url.Values, segs ...string) *url.URL {
	u := *c.base
	var p, raw strings.Builder
	p.WriteString(u.Path)
	raw.WriteString(u.EscapedPath())
	for _, s := range segs {
		p.WriteString("/" + s)
		raw.WriteString("/" + url.PathEscape(s))
	}
	u.Path, u.RawPath = p.String(), raw.String()
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	return &u
}

// call sends a JSON request and decodes a 2xx answer into out (if not
// nil). label names the request in errors instead of its URL, which may
// carry a secret.
func (c *Client) call(ctx context.Context, hc *http.Client, method string, u *url.URL, label string, in, out any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("client: %s: encode request: %w", label, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("client: %s: %w", label, err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok := c.Token(); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = label
		}
		return nil, fmt.Errorf("client: %w", err)
	}
	defer resp.Body.Close()
	b, err := readBody(resp.Body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, newAPIError(resp, b)
	}
	if err != nil {
		return resp, fmt.Errorf("client: %s: read answer: %w", label, err)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp, fmt.Errorf("client: %s: decode answer: %w: %w", label, ErrProtocol, err)
		}
	}
	return resp, nil
}

// do is call with the ordinary client and the method and path as label.
func (c *Client) do(ctx context.Context, method string, u *url.URL, in, out any) error {
	_, err := c.call(ctx, c.hc, method, u, method+" "+u.Path, in, out)
	return err
}

// readBody reads at most maxBody bytes of r.
func readBody(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxBody+1))
	if err != nil {
		return b, err
	}
	if len(b) > maxBody {
		return b[:maxBody], fmt.Errorf("answer over %d bytes", maxBody)
	}
	return b, nil
}

// bearerJar is a cookie jar that never keeps the agent session cookie (see
// signInCookie) but keeps every other one, such as the room cookie.
type bearerJar struct{ http.CookieJar }

// SetCookies implements http.CookieJar.
func (j bearerJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	j.CookieJar.SetCookies(u, withoutSession(cookies))
}

// Cookies implements http.CookieJar.
func (j bearerJar) Cookies(u *url.URL) []*http.Cookie {
	return withoutSession(j.CookieJar.Cookies(u))
}

func withoutSession(cookies []*http.Cookie) []*http.Cookie {
	kept := make([]*http.Cookie, 0, len(cookies))
	for _, ck := range cookies {
		if ck.Name != signInCookie {
			kept = append(kept, ck)
		}
	}
	return kept
}
