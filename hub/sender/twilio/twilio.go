// Package twilio sends SMS through Twilio's Messages API, with
// github.com/twilio/twilio-go, and reads Twilio's status callbacks: it is a
// sender.Sender and a sender.StatusCallback.
//
// A message is created with a status callback URL on the hub
// (POST /api/v1/hooks/twilio/status); Twilio calls it as the message moves
// on (sent, delivered, undelivered, failed), signing each call with the
// account's auth token. A callback whose X-Twilio-Signature does not match
// is refused. Twilio sends no callback for a message's first status, so
// Send reports it; callbacks may arrive out of order or twice, which the
// room takes care of (a status only moves forward).
//
// Refusals that retrying cannot fix are sender.SendErrors: an impossible or
// non-mobile number is invalid (21211, 21614), a recipient who replied
// STOP or a region the account may not send to is failed. Other errors
// (network, 5xx, 429) are retried by the hub.
package twilio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	twilio "github.com/twilio/twilio-go"
	tclient "github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/sender"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Provider is the name of this provider in the hub: messages, callbacks.
const Provider = "twilio"

var (
	_ sender.Sender         = (*Sender)(nil)
	_ sender.StatusCallback = (*Sender)(nil)
)

// Options configure a Sender.
type Options struct {
	AccountSID string
	AuthToken  string
	// From is the sender: an E.164 number of the account, or an
	// alphanumeric sender id. MessagingServiceSID, if set, is used instead.
	From                string
	MessagingServiceSID string
	// StatusCallbackURL is the public URL of the hub's
	// /api/v1/hooks/twilio/status.
	StatusCallbackURL string
	// HTTPClient makes the API calls; default: 15 s timeout. twilio-go
	// takes no context, so its timeout is what bounds a call.
	HTTPClient *http.Client
}

// Sender is a Twilio SMS sender and status callback reader.
type Sender struct {
	opts      Options
	rest      *twilio.RestClient
	validator tclient.RequestValidator
}

// New returns a Sender; it makes no call.
func New(o Options) (*Sender, error) {
	if o.AccountSID == "" || o.AuthToken == "" {
		return nil, errors.New("twilio: the account SID and auth token are required")
	}
	if o.From == "" && o.MessagingServiceSID == "" {
		return nil, errors.New("twilio: a from number or a messaging service SID is required")
	}
	if o.StatusCallbackURL == "" {
		return nil, errors.New("twilio: the status callback URL is required")
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{
			Timeout:       15 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	c := &tclient.Client{Credentials: tclient.NewCredentials(o.AccountSID, o.AuthToken), HTTPClient: o.HTTPClient}
	c.SetAccountSid(o.AccountSID)
	return &Sender{
		opts:      o,
		rest:      twilio.NewRestClientWithParams(twilio.ClientParams{Client: c}),
		validator: tclient.NewRequestValidator(o.AuthToken),
	}, nil
}

// Send implements sender.Sender: it creates the message on Twilio and reports
// its first status (queued, or accepted with a messaging service).
func (s *Sender) Send(ctx context.Context, m store.Message) (sender.Receipt, error) {
	if m.Channel != room.ChannelSMS {
		return sender.Receipt{}, &sender.SendError{Provider: Provider, Status: room.DeliveryFailed, Reason: fmt.Sprintf("Twilio sends SMS, not %s", m.Channel)}
	}
	if err := ctx.Err(); err != nil {
		return sender.Receipt{}, err
	}
	p := &api.CreateMessageParams{}
	p.SetTo(m.To).SetBody(m.Body).SetStatusCallback(s.opts.StatusCallbackURL)
	if s.opts.MessagingServiceSID != "" {
		p.SetMessagingServiceSid(s.opts.MessagingServiceSID)
	} else {
		p.SetFrom(s.opts.From)
	}
	res, err := s.rest.Api.CreateMessage(p)
	if err != nil {
		return sender.Receipt{}, classify(err)
	}
	if res.Sid == nil || *res.Sid == "" {
		return sender.Receipt{}, errors.New("twilio: the created message has no SID")
	}
	status := room.DeliveryQueued
	if res.Status != nil {
		if st, ok := statuses[*res.Status]; ok {
			status = st
		}
	}
	return sender.Receipt{Provider: Provider, ID: *res.Sid, Status: status}, nil
}

// classify turns Twilio's refusals that retrying cannot fix into
// sender.SendErrors; other errors stay as they are, to be retried.
func classify(err error) error {
	var te *tclient.TwilioRestError
	if !errors.As(err, &te) {
		return fmt.Errorf("twilio: %w", err)
	}
	code := strconv.Itoa(te.Code)
	if reason, ok := invalidCodes[te.Code]; ok {
		return &sender.SendError{Provider: Provider, Status: room.DeliveryInvalid, Code: code, Reason: reason}
	}
	if reason, ok := failedCodes[te.Code]; ok {
		return &sender.SendError{Provider: Provider, Status: room.DeliveryFailed, Code: code, Reason: reason}
	}
	if te.Status == http.StatusTooManyRequests || te.Status >= 500 || te.Status == 0 {
		return fmt.Errorf("twilio: %w", err) // retried
	}
	// Any other 4xx is Twilio refusing this request as it is (credentials,
	// sender, parameters): retrying will not change it.
	return &sender.SendError{Provider: Provider, Status: room.DeliveryFailed, Code: code, Reason: "Twilio refused the message: " + te.Message}
}

// Twilio error codes, at sending (21xxx) or in a callback (30xxx), that
// mean the number cannot receive the message.
var invalidCodes = map[int]string{
	21211: "not a valid phone number",
	21614: "not a mobile number: it cannot receive SMS",
	21612: "Twilio cannot route a message to this number",
	30005: "unknown number: it does not exist or is not in service",
	30006: "a landline or a number that cannot receive SMS",
}

// Twilio error codes that end a message for another reason.
var failedCodes = map[int]string{
	21610: "the customer has opted out of messages from this number (replied STOP)",
	21408: "this Twilio account may not send to the number's region",
	30003: "the phone is switched off or out of reach",
	30004: "the message was blocked",
	30007: "the carrier filtered the message",
	30008: "the carrier could not deliver it, for a reason it did not give",
}

// statuses maps Twilio's message statuses to the room's.
var statuses = map[string]room.DeliveryStatus{
	"accepted":    room.DeliveryQueued,
	"scheduled":   room.DeliveryQueued,
	"queued":      room.DeliveryQueued,
	"sending":     room.DeliverySent,
	"sent":        room.DeliverySent,
	"delivered":   room.DeliveryDelivered,
	"read":        room.DeliveryDelivered,
	"undelivered": room.DeliveryUndelivered,
	"failed":      room.DeliveryFailed,
	"canceled":    room.DeliveryFailed,
}

// ParseCallback implements sender.StatusCallback: it checks the request's
// X-Twilio-Signature against url and the posted form, and returns the
// message's new status. A failure whose error code says the number cannot
// receive SMS is reported as invalid.
func (s *Sender) ParseCallback(r *http.Request, url string) (sender.DeliveryReport, error) {
	if err := r.ParseForm(); err != nil {
		return sender.DeliveryReport{}, tandem.Coded(tandem.KindInvalid, "invalid_callback", "the callback's form cannot be read: %v", err)
	}
	params := make(map[string]string, len(r.PostForm))
	for k, v := range r.PostForm {
		if len(v) > 0 {
			params[k] = v[0]
		}
	}
	sig := r.Header.Get("X-Twilio-Signature")
	if sig == "" || !s.validator.Validate(url, params, sig) {
		return sender.DeliveryReport{}, tandem.Coded(tandem.KindForbidden, "invalid_signature", "the callback's X-Twilio-Signature does not match: it did not come from Twilio, or the hub's public URL is not the one Twilio called")
	}
	sid, raw := params["MessageSid"], params["MessageStatus"]
	if sid == "" {
		return sender.DeliveryReport{}, tandem.Coded(tandem.KindInvalid, "invalid_callback", "the callback names no MessageSid")
	}
	status, ok := statuses[raw]
	if !ok {
		return sender.DeliveryReport{}, tandem.Coded(tandem.KindInvalid, "invalid_callback", "unknown MessageStatus %q", raw)
	}
	rep := sender.DeliveryReport{Provider: Provider, ProviderID: sid, Status: status, Code: params["ErrorCode"]}
	if code, err := strconv.Atoi(rep.Code); err == nil && status.Final() {
		if reason, ok := invalidCodes[code]; ok {
			rep.Status, rep.Reason = room.DeliveryInvalid, reason
		} else if reason, ok := failedCodes[code]; ok {
			rep.Reason = reason
		} else {
			rep.Reason = "Twilio error " + rep.Code
		}
	}
	return rep, nil
}
