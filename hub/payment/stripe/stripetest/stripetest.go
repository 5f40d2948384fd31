// Package stripetest is a fake of the few parts of Stripe the hub uses, on
// loopback, for tests: the Checkout Sessions API (as stripe-go calls it),
// a checkout page where a browser pays, and the signed webhook call that
// follows.
//
// Point the provider's APIURL at Server.URL. A session's URL is the fake's
// page /pay/{id}: its Pay button marks the session paid, sends a signed
// checkout.session.completed to the webhook URL, then sends the browser to
// the session's success URL; its decline button sends
// payment_intent.payment_failed and stays on the page, as Stripe does. Tests
// without a browser do the same with Pay and Decline.
//
// Like Stripe, the fake answers a repeated Idempotency-Key with the first
// session, and refuses the key with other parameters (idempotency_error);
// it refuses an amount under 50 minor units (amount_too_small). FailNext
// makes the next API call fail as the test says. The JSON it answers is
// Stripe's, as stripe-go reads it; it is not a model of Stripe beyond that.
package stripetest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configure a Server.
type Options struct {
	// SecretKey, if set, is the only API key the fake accepts; any other
	// call is refused as Stripe refuses a bad key (401).
	SecretKey string
	// WebhookSecret signs the webhook calls; default "whsec_test".
	WebhookSecret string
	// WebhookURL is where the fake sends the events of a payment on its
	// page (the hub's /api/v1/hooks/stripe); it may be set later with
	// SetWebhookURL, once the hub listens. Without it, no event is sent.
	WebhookURL string
}

// Session is a Checkout Session as the fake recorded it.
type Session struct {
	ID                string
	URL               string // the fake's page, <Server.URL>/pay/<ID>
	Status            string // open, complete
	PaymentStatus     string // unpaid, paid
	Mode              string
	Amount            int64  // unit_amount of the one line item, in minor units
	Currency          string // lower case, as sent
	Name              string // the line item's product name
	SuccessURL        string
	CancelURL         string
	ClientReferenceID string
	Metadata          map[string]string
	// PaymentIntentMetadata is payment_intent_data[metadata].
	PaymentIntentMetadata map[string]string
	// PaymentIntent is the id (pi_…) of the session's payment intent.
	PaymentIntent  string
	ExpiresAt      int64 // Unix seconds
	Created        int64
	IdempotencyKey string
	// Attempts counts the payments tried on the page (or by Pay, Decline).
	Attempts int
}

// Object returns s as Stripe's JSON object checkout.session.
func (s Session) Object() map[string]any {
	var intent any // Stripe creates the intent at the first payment attempt
	if s.Attempts > 0 || s.PaymentStatus == "paid" {
		intent = s.PaymentIntent
	}
	return map[string]any{
		"id":                   s.ID,
		"object":               "checkout.session",
		"amount_subtotal":      s.Amount,
		"amount_total":         s.Amount,
		"cancel_url":           s.CancelURL,
		"client_reference_id":  s.ClientReferenceID,
		"created":              s.Created,
		"currency":             s.Currency,
		"expires_at":           s.ExpiresAt,
		"livemode":             false,
		"metadata":             nonNil(s.Metadata),
		"mode":                 s.Mode,
		"payment_intent":       intent,
		"payment_method_types": []string{"card"},
		"payment_status":       s.PaymentStatus,
		"status":               s.Status,
		"success_url":          s.SuccessURL,
		"ui_mode":              "hosted",
		"url":                  s.URL,
	}
}

// Delivery is one webhook call the fake made.
type Delivery struct {
	Type   string // the event's type
	Status int    // the hub's HTTP status; 0 if the call failed
	Err    error  // the call failing, or a status other than 2xx
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL of the fake's API and pages.
	URL string

	opts   Options
	srv    *httptest.Server
	client *http.Client

	mu         sync.Mutex
	sessions   map[string]*Session
	order      []string
	keys       map[string]keyed // idempotency key → first request
	fail       []apiError
	deliveries []Delivery
}

type keyed struct {
	form    string // the request's parameters, encoded in key order
	session string
}

// apiError is an error as Stripe's API answers it.
type apiError struct {
	status                int
	typ, code, msg, param string
}

// New starts a fake Stripe, closed when the test ends.
func New(tb testing.TB, o Options) *Server {
	tb.Helper()
	if o.WebhookSecret == "" {
		o.WebhookSecret = "whsec_test"
	}
	s := &Server{
		opts:     o,
		client:   &http.Client{Timeout: 10 * time.Second},
		sessions: make(map[string]*Session),
		keys:     make(map[string]keyed),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/checkout/sessions", s.api(s.createSession))
	mux.HandleFunc("GET /v1/checkout/sessions/{id}", s.api(s.getSession))
	mux.HandleFunc("/v1/", s.api(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, apiError{status: http.StatusNotFound, typ: "invalid_request_error",
			msg: fmt.Sprintf("Unrecognized request URL (%s: %s).", r.Method, r.URL.Path)})
	}))
	mux.HandleFunc("GET /pay/{id}", s.page)
	mux.HandleFunc("POST /pay/{id}", s.pay)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	tb.Cleanup(s.Close)
	return s
}

// Close stops the fake: API calls then fail as when Stripe cannot be
// reached. It may be called more than once.
func (s *Server) Close() { s.srv.Close() }

// WebhookSecret is the secret the webhook calls are signed with.
func (s *Server) WebhookSecret() string { return s.opts.WebhookSecret }

// SetWebhookURL sets where the events of payments on the page are sent.
func (s *Server) SetWebhookURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.WebhookURL = u
}

// FailNext makes the next API call answer status with a Stripe error of
// type typ (invalid_request_error, api_error, card_error…), code and
// message, instead of doing anything.
func (s *Server) FailNext(status int, typ, code, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = append(s.fail, apiError{status: status, typ: typ, code: code, msg: message})
}

// Sessions returns the sessions created, oldest first.
func (s *Server) Sessions() []Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Session, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.sessions[id].copy())
	}
	return out
}

// Session returns the session id, if the fake created it.
func (s *Server) Session(id string) (Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, ok := s.sessions[id]
	if !ok {
		return Session{}, false
	}
	return cs.copy(), true
}

// Deliveries returns the webhook calls made, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// api wraps an API handler with what Stripe does first: the key, and the
// failures the test asked for.
func (s *Server) api(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || key == "" || (s.opts.SecretKey != "" && key != s.opts.SecretKey) {
			writeError(w, apiError{status: http.StatusUnauthorized, typ: "invalid_request_error",
				msg: "Invalid API Key provided: " + redact(key)})
			return
		}
		s.mu.Lock()
		var fail *apiError
		if len(s.fail) > 0 {
			fail = &s.fail[0]
			s.fail = s.fail[1:]
		}
		s.mu.Unlock()
		if fail != nil {
			writeError(w, *fail)
			return
		}
		h(w, r)
	}
}

func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, apiError{status: http.StatusBadRequest, typ: "invalid_request_error", msg: "Invalid request body: " + err.Error()})
		return
	}
	f := r.PostForm
	key := r.Header.Get("Idempotency-Key")
	form := f.Encode()
	s.mu.Lock()
	defer s.mu.Unlock()
	if k, ok := s.keys[key]; ok && key != "" {
		if k.form != form {
			writeError(w, apiError{status: http.StatusBadRequest, typ: "idempotency_error",
				msg: fmt.Sprintf("Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '%s' if you meant to execute a different request.", key)})
			return
		}
		writeJSON(w, http.StatusOK, s.sessions[k.session].Object())
		return
	}
	const item = "line_items[0]"
	amount, err := strconv.ParseInt(f.Get(item+"[price_data][unit_amount]"), 10, 64)
	switch {
	case f.Get("mode") != "payment":
		writeError(w, missing("mode", "Missing required param: mode."))
		return
	case f.Get("success_url") == "":
		writeError(w, missing("success_url", "You must provide a success_url when ui_mode is hosted."))
		return
	case f.Get(item+"[price_data][currency]") == "":
		writeError(w, missing(item+"[price_data][currency]", "Missing required param: line_items[0][price_data][currency]."))
		return
	case err != nil:
		writeError(w, missing(item+"[price_data][unit_amount]", "Invalid integer: "+f.Get(item+"[price_data][unit_amount]")))
		return
	case amount < 50:
		writeError(w, apiError{status: http.StatusBadRequest, typ: "invalid_request_error", code: "amount_too_small",
			msg: "The Checkout Session's total amount due must add up to at least $0.50 usd"})
		return
	}
	now := time.Now()
	expires := now.Add(24 * time.Hour).Unix()
	if v := f.Get("expires_at"); v != "" {
		if expires, err = strconv.ParseInt(v, 10, 64); err != nil {
			writeError(w, missing("expires_at", "Invalid integer: "+v))
			return
		}
	}
	cs := &Session{
		ID:                    newID("cs_test"),
		Status:                "open",
		PaymentStatus:         "unpaid",
		Mode:                  "payment",
		Amount:                amount,
		Currency:              f.Get(item + "[price_data][currency]"),
		Name:                  f.Get(item + "[price_data][product_data][name]"),
		SuccessURL:            f.Get("success_url"),
		CancelURL:             f.Get("cancel_url"),
		ClientReferenceID:     f.Get("client_reference_id"),
		Metadata:              prefixed(f, "metadata"),
		PaymentIntentMetadata: prefixed(f, "payment_intent_data[metadata]"),
		PaymentIntent:         newID("pi"),
		ExpiresAt:             expires,
		Created:               now.Unix(),
		IdempotencyKey:        key,
	}
	cs.URL = s.URL + "/pay/" + cs.ID
	s.sessions[cs.ID] = cs
	s.order = append(s.order, cs.ID)
	if key != "" {
		s.keys[key] = keyed{form: form, session: cs.ID}
	}
	writeJSON(w, http.StatusOK, cs.Object())
}

func (s *Server) getSession(w http.ResponseWriter, r *http.Request) {
	cs, ok := s.Session(r.PathValue("id"))
	if !ok {
		writeError(w, apiError{status: http.StatusNotFound, typ: "invalid_request_error", code: "resource_missing", param: "session",
			msg: fmt.Sprintf("No such checkout.session: '%s'", r.PathValue("id"))})
		return
	}
	writeJSON(w, http.StatusOK, cs.Object())
}

// prefixed returns the map sent as prefix[key]=value.
func prefixed(f url.Values, prefix string) map[string]string {
	m := map[string]string{}
	for k, v := range f {
		if rest, ok := strings.CutPrefix(k, prefix+"["); ok && len(v) > 0 && strings.HasSuffix(rest, "]") && !strings.Contains(rest, "[") {
			m[strings.TrimSuffix(rest, "]")] = v[0]
		}
	}
	return m
}

func missing(param, msg string) apiError {
	return apiError{status: http.StatusBadRequest, typ: "invalid_request_error", code: "parameter_missing", param: param, msg: msg}
}

func writeError(w http.ResponseWriter, e apiError) {
	body := map[string]any{"type": e.typ, "message": e.msg}
	if e.code != "" {
		body["code"] = e.code
	}
	if e.param != "" {
		body["param"] = e.param
	}
	writeJSON(w, e.status, map[string]any{"error": body})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", newID("req"))
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// redact shows a key as Stripe does in its errors: its start and end.
func redact(key string) string {
	if len(key) < 12 {
		return strings.Repeat("*", len(key))
	}
	return key[:8] + strings.Repeat("*", len(key)-12) + key[len(key)-4:]
}

func (cs *Session) copy() Session {
	c := *cs
	c.Metadata = maps.Clone(cs.Metadata)
	c.PaymentIntentMetadata = maps.Clone(cs.PaymentIntentMetadata)
	return c
}
