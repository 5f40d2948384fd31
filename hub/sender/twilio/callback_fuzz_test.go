package twilio_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/sender/twilio"
	"github.com/tandemhq/tandem/room"
)

// maxCallbackBody is what the hub lets a callback's body be (hub/api's
// maxBody) before the provider reads it.
const maxCallbackBody = 64 << 10

// callbackRequest is a status callback as the hub hands it to
// ParseCallback: body, Content-Type and query as sent, the body limited in
// size.
func callbackRequest(body []byte, contentType, query, sig string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, callbackTo, bytes.NewReader(body))
	r.URL.RawQuery = query
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, maxCallbackBody)
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if sig != "" {
		r.Header.Set("X-Twilio-Signature", sig)
	}
	return r
}

// FuzzParseCallback sends ParseCallback any form body, Content-Type, query
// and signature. A request signed as Twilio signs (forge false: the test
// signs what the request carries with the account's token) is read into a
// report or refused as invalid_callback; one signed by anyone else (forge
// true: the signature is the fuzzer's) is refused as invalid_signature, or
// as invalid_callback if its form cannot even be read. Never a panic, never
// an error of another kind: the hub answers those with a 5xx, and Twilio
// retries a 5xx.
func FuzzParseCallback(f *testing.F) {
	const form = "application/x-www-form-urlencoded"
	for _, s := range []struct {
		body, contentType, query, sig string
		forge                         bool
	}{
		{"MessageSid=SM1&MessageStatus=delivered&AccountSid=" + accountSID + "&To=%2B14155552671", form, "", "", false},
		{"MessageSid=SM2&MessageStatus=undelivered&ErrorCode=30006", form, "", "", false},
		{"MessageSid=SM3&MessageStatus=failed&ErrorCode=30003", form, "", "", false},
		{"MessageSid=SM4&MessageStatus=failed&ErrorCode=99999", form, "", "", false},
		{"MessageSid=SM5&MessageStatus=sent&ErrorCode=not-a-number", form, "", "", false},
		{"MessageSid=SM6&MessageStatus=teleported", form, "", "", false},
		{"MessageStatus=delivered", form, "", "", false},
		{"MessageSid=&MessageStatus=delivered", form, "", "", false},
		{"MessageSid=SM7&MessageSid=SM8&MessageStatus=read&MessageStatus=failed", form, "", "", false},
		{"MessageSid=SM9&MessageStatus=delivered", form, "bodySHA256=abc&x=1", "", false},
		{"MessageSid=SM1;MessageStatus=delivered", form, "", "", false},
		{"MessageSid=%zz&MessageStatus=delivered", form, "", "", false},
		{"MessageSid=SM1&MessageStatus=delivered", form, "a=%zz", "", false},
		{"MessageSid=SM1&MessageStatus=delivered", "text/plain", "", "", false},
		{"MessageSid=SM1&MessageStatus=delivered", "multipart/form-data; boundary=x", "", "", false},
		{"MessageSid=SM1&MessageStatus=delivered", "application/x-www-form-urlencoded; charset=\"", "", "", false},
		{"MessageSid=SM1&MessageStatus=delivered", "", "", "", false},
		{"", form, "", "", false},
		{"MessageSid=SM1&MessageStatus=delivered", form, "", "", true},
		{"MessageSid=SM1&MessageStatus=delivered", form, "", "bm90IGEgc2lnbmF0dXJl", true},
		{"MessageSid=SM1&MessageStatus=delivered", form, "", "not base64 at all", true},
		{"MessageSid=SM1&MessageStatus=delivered", form, "", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", true},
		{"MessageSid=SM1MessageStatusdelivered", form, "", "", false}, // signs the same string as SM1, delivered
		{"MessageSid=%zz", form, "", "bm90IGEgc2lnbmF0dXJl", true},
		{strings.Repeat("a=b&", maxCallbackBody/4+1), form, "", "", false},
	} {
		f.Add([]byte(s.body), s.contentType, s.query, s.sig, s.forge)
	}
	s, err := twilio.New(twilio.Options{AccountSID: accountSID, AuthToken: authToken, From: "+15005550006", StatusCallbackURL: callbackTo})
	if err != nil {
		f.Fatal(err)
	}
	known := map[room.DeliveryStatus]bool{
		room.DeliveryQueued: true, room.DeliverySent: true, room.DeliveryDelivered: true,
		room.DeliveryUndelivered: true, room.DeliveryFailed: true, room.DeliveryInvalid: true,
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType, query, sig string, forge bool) {
		u := callbackTo
		if query != "" {
			u += "?" + query
		}
		// What the request carries, read as ParseCallback reads it: the
		// first value of each field of the posted form.
		probe := callbackRequest(body, contentType, query, "")
		formErr := probe.ParseForm()
		if !forge {
			sig = sign(authToken, u, probe.PostForm)
		}
		rep, err := s.ParseCallback(callbackRequest(body, contentType, query, sig), u)
		if err != nil {
			var e *tandem.Error
			if !errors.As(err, &e) {
				t.Fatalf("refused with %T %v, want a *tandem.Error", err, err)
			}
			switch {
			case e.Kind == tandem.KindInvalid && e.Code == "invalid_callback":
			case e.Kind == tandem.KindForbidden && e.Code == "invalid_signature" && forge && formErr == nil:
			default:
				t.Fatalf("refused as %s %q (%v); forged %v, form error %v", e.Kind, e.Code, err, forge, formErr)
			}
			return
		}
		if forge {
			t.Fatalf("a request with the signature %q, not Twilio's, was taken: %+v", sig, rep)
		}
		if formErr != nil {
			t.Fatalf("a form that cannot be read (%v) was taken: %+v", formErr, rep)
		}
		if rep.Provider != twilio.Provider || rep.ProviderID == "" || rep.ProviderID != probe.PostForm.Get("MessageSid") {
			t.Fatalf("report %+v of form %v", rep, probe.PostForm)
		}
		if !known[rep.Status] {
			t.Fatalf("report %+v: status %q is not one the room knows", rep, rep.Status)
		}
		if rep.Code != probe.PostForm.Get("ErrorCode") {
			t.Fatalf("report %+v: code %q, the form says %q", rep, rep.Code, probe.PostForm.Get("ErrorCode"))
		}
	})
}
