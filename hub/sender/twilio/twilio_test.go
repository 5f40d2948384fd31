package twilio_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/sender"
	"github.com/tandemhq/tandem/hub/sender/twilio"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Fake credentials: letters and digits, as Twilio's are.
const (
	accountSID = "AC00000000000000000000000000000001"
	authToken  = "faketoken0000000000000000000000a"
	callbackTo = "https://tandem.example/api/v1/hooks/twilio/status"
)

// fakeTwilio is Twilio's Messages API on loopback: it records each message
// created and answers as Twilio does, errors included.
type fakeTwilio struct {
	srv  *httptest.Server
	mu   sync.Mutex
	sent []url.Values
	// errors by To number: HTTP status and Twilio error code
	refuse map[string][2]int
}

func newFakeTwilio(t *testing.T) *fakeTwilio {
	f := &fakeTwilio{refuse: map[string][2]int{
		"+15005550001": {400, 21211},
		"+15005550009": {400, 21614},
		"+15005550004": {400, 21610},
		"+15005550500": {500, 0},
		"+15005550429": {429, 20429},
		"+15005550401": {401, 20003},
	}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeTwilio) serve(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != accountSID || pass != authToken {
		w.WriteHeader(http.StatusUnauthorized)
		_ = json.NewEncoder(w).Encode(map[string]any{"code": 20003, "message": "Authenticate", "status": 401})
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/2010-04-01/Accounts/"+accountSID+"/Messages.json" {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	to := r.PostForm.Get("To")
	w.Header().Set("Content-Type", "application/json")
	if e, ok := f.refuse[to]; ok {
		w.WriteHeader(e[0])
		if e[0] == 500 {
			_, _ = w.Write([]byte("<html>upstream error</html>"))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"code": e[1], "message": fmt.Sprintf("refused %s", to), "status": e[0]})
		return
	}
	f.mu.Lock()
	f.sent = append(f.sent, r.PostForm)
	sid := fmt.Sprintf("SM%032d", len(f.sent))
	f.mu.Unlock()
	status := "queued"
	if r.PostForm.Get("MessagingServiceSid") != "" {
		status = "accepted"
	}
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"sid": sid, "status": status, "to": to, "body": r.PostForm.Get("Body")})
}

func (f *fakeTwilio) messages() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.sent...)
}

// toFake sends every request to the fake, whatever host twilio-go names.
type toFake struct{ base *url.URL }

func (t toFake) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host = t.base.Scheme, t.base.Host
	return http.DefaultTransport.RoundTrip(r)
}

func newSender(t *testing.T, f *fakeTwilio, o twilio.Options) *twilio.Sender {
	t.Helper()
	base, _ := url.Parse(f.srv.URL)
	if o.AccountSID == "" {
		o.AccountSID, o.AuthToken = accountSID, authToken
	}
	if o.From == "" && o.MessagingServiceSID == "" {
		o.From = "+15005550006"
	}
	if o.StatusCallbackURL == "" {
		o.StatusCallbackURL = callbackTo
	}
	o.HTTPClient = &http.Client{Transport: toFake{base}, Timeout: 5 * time.Second}
	s, err := twilio.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sms(to string) store.Message {
	return store.Message{ID: "msg_1", Channel: room.ChannelSMS, To: to, Body: "Hi Sam, Ana from Acme invited you: https://tandem.example/r/abc"}
}

func TestSend(t *testing.T) {
	f := newFakeTwilio(t)
	s := newSender(t, f, twilio.Options{})
	r, err := s.Send(context.Background(), sms("+14155552671"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Provider != "twilio" || !strings.HasPrefix(r.ID, "SM") || r.Status != room.DeliveryQueued {
		t.Fatalf("receipt %+v", r)
	}
	got := f.messages()[0]
	for k, want := range map[string]string{
		"To": "+14155552671", "From": "+15005550006", "Body": sms("").Body, "StatusCallback": callbackTo,
	} {
		if got.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, got.Get(k), want)
		}
	}

	// With a messaging service, no From.
	s = newSender(t, f, twilio.Options{MessagingServiceSID: "MG00000000000000000000000000000001"})
	if r, err = s.Send(context.Background(), sms("+14155552671")); err != nil || r.Status != room.DeliveryQueued {
		t.Fatalf("with a messaging service: %+v, %v", r, err)
	}
	if got := f.messages()[1]; got.Get("MessagingServiceSid") == "" || got.Has("From") {
		t.Fatalf("with a messaging service the form is %v", got)
	}
}

// Twilio's refusals: what retrying cannot fix is a sender.SendError, invalid
// or failed with Twilio's code; the rest is retried.
func TestSendErrors(t *testing.T) {
	f := newFakeTwilio(t)
	s := newSender(t, f, twilio.Options{})
	for _, tc := range []struct {
		to     string
		status room.DeliveryStatus // "" means retried
		code   string
	}{
		{"+15005550001", room.DeliveryInvalid, "21211"},
		{"+15005550009", room.DeliveryInvalid, "21614"},
		{"+15005550004", room.DeliveryFailed, "21610"},
		{"+15005550401", room.DeliveryFailed, "20003"},
		{"+15005550500", "", ""},
		{"+15005550429", "", ""},
	} {
		_, err := s.Send(context.Background(), sms(tc.to))
		var se *sender.SendError
		switch {
		case err == nil:
			t.Errorf("%s: sent", tc.to)
		case tc.status == "" && errors.As(err, &se):
			t.Errorf("%s: %v is final; it should be retried", tc.to, err)
		case tc.status != "" && (!errors.As(err, &se) || se.Status != tc.status || se.Code != tc.code || se.Reason == ""):
			t.Errorf("%s: %v, want %s %s", tc.to, err, tc.status, tc.code)
		}
	}
	// Email is not Twilio's.
	_, err := s.Send(context.Background(), store.Message{Channel: room.ChannelEmail, To: "sam@example.com"})
	var se *sender.SendError
	if !errors.As(err, &se) {
		t.Fatalf("an email through Twilio: %v", err)
	}
}

// sign computes X-Twilio-Signature as Twilio documents it: HMAC-SHA1, with
// the auth token, of the URL followed by each POST parameter's name and
// value in name order, in base64.
func sign(token, u string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(u)
	for _, k := range keys {
		b.WriteString(k + form.Get(k))
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func callback(u string, form url.Values, sig string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sig != "" {
		r.Header.Set("X-Twilio-Signature", sig)
	}
	return r
}

func TestParseCallback(t *testing.T) {
	s := newSender(t, newFakeTwilio(t), twilio.Options{})
	form := url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"delivered"}, "AccountSid": {accountSID}, "To": {"+14155552671"}}
	rep, err := s.ParseCallback(callback(callbackTo, form, sign(authToken, callbackTo, form)), callbackTo)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ProviderID != "SM1" || rep.Status != room.DeliveryDelivered {
		t.Fatalf("report %+v", rep)
	}

	tampered := url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"failed"}, "AccountSid": {accountSID}, "To": {"+14155552671"}}
	for name, r := range map[string]*http.Request{
		"no signature":      callback(callbackTo, form, ""),
		"tampered form":     callback(callbackTo, tampered, sign(authToken, callbackTo, form)),
		"another token":     callback(callbackTo, form, sign("othertoken", callbackTo, form)),
		"another URL":       callback(callbackTo, form, sign(authToken, "https://evil.example/hook", form)),
		"garbage signature": callback(callbackTo, form, "bm90IGEgc2lnbmF0dXJl"),
	} {
		if _, err := s.ParseCallback(r, callbackTo); tandem.ErrorCode(err) != "invalid_signature" {
			t.Errorf("%s: %v, want invalid_signature", name, err)
		}
	}

	// An undelivered message to a landline is an invalid number.
	form = url.Values{"MessageSid": {"SM2"}, "MessageStatus": {"undelivered"}, "ErrorCode": {"30006"}}
	rep, err = s.ParseCallback(callback(callbackTo, form, sign(authToken, callbackTo, form)), callbackTo)
	if err != nil || rep.Status != room.DeliveryInvalid || rep.Code != "30006" || rep.Reason == "" {
		t.Fatalf("undelivered 30006: %+v, %v", rep, err)
	}
	form = url.Values{"MessageSid": {"SM3"}, "MessageStatus": {"undelivered"}, "ErrorCode": {"30003"}}
	rep, err = s.ParseCallback(callback(callbackTo, form, sign(authToken, callbackTo, form)), callbackTo)
	if err != nil || rep.Status != room.DeliveryUndelivered || rep.Reason == "" {
		t.Fatalf("undelivered 30003: %+v, %v", rep, err)
	}
	form = url.Values{"MessageSid": {"SM4"}, "MessageStatus": {"teleported"}}
	if _, err := s.ParseCallback(callback(callbackTo, form, sign(authToken, callbackTo, form)), callbackTo); tandem.ErrorCode(err) != "invalid_callback" {
		t.Fatalf("an unknown status: %v", err)
	}
}

func TestNewChecksOptions(t *testing.T) {
	for _, o := range []twilio.Options{
		{AuthToken: authToken, From: "+15005550006", StatusCallbackURL: callbackTo},
		{AccountSID: accountSID, AuthToken: authToken, StatusCallbackURL: callbackTo},
		{AccountSID: accountSID, AuthToken: authToken, From: "+15005550006"},
	} {
		if _, err := twilio.New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}
