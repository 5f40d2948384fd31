package room

import "github.com/tandemhq/tandem"

// TypeDelivery records what the SMS or email provider says happened to the
// message that carries the current link. Its data is Delivery.
const TypeDelivery = "invitation.delivery"

func init() {
	register(TypeDelivery, on(applyDelivery))
	registerView(TypeDelivery, hide(func(d *Delivery) { d.Link, d.Message, d.Provider, d.Code, d.Reason = "", "", "", "", "" }))
}

// DeliveryStatus is where the message carrying an invitation stands.
type DeliveryStatus string

// The delivery statuses. Queued, sent and delivered follow each other;
// undelivered, failed and invalid end the message. A status only ever
// moves forward: providers report out of order and repeat themselves.
const (
	DeliveryQueued      DeliveryStatus = "queued"      // the provider has it
	DeliverySent        DeliveryStatus = "sent"        // it left the provider
	DeliveryDelivered   DeliveryStatus = "delivered"   // the handset or mail server took it
	DeliveryUndelivered DeliveryStatus = "undelivered" // the carrier gave up
	DeliveryFailed      DeliveryStatus = "failed"      // it could not be sent
	DeliveryInvalid     DeliveryStatus = "invalid"     // the number or address cannot receive it
)

// rank orders the statuses: a report is recorded only if it ranks higher
// than what the invitation has.
func (d DeliveryStatus) rank() int {
	switch d {
	case DeliveryQueued:
		return 1
	case DeliverySent:
		return 2
	case DeliveryDelivered:
		return 3
	case DeliveryUndelivered, DeliveryFailed:
		return 4
	case DeliveryInvalid:
		return 5
	}
	return 0
}

// Valid reports whether d is one of the delivery statuses.
func (d DeliveryStatus) Valid() bool { return d.rank() > 0 }

// Final reports whether the message has ended badly: Re-engage is the way
// on.
func (d DeliveryStatus) Final() bool { return d.rank() >= 4 }

// Delivery is the data of invitation.delivery.
type Delivery struct {
	Link     string         `json:"link"`    // the invitation's link id
	Message  string         `json:"message"` // the outbox message id
	Status   DeliveryStatus `json:"status"`
	Provider string         `json:"provider,omitempty"` // "twilio", "smtp", "dev"
	Code     string         `json:"code,omitempty"`     // the provider's error code
	Reason   string         `json:"reason,omitempty"`   // in words, for the agent
}

// MaxReasonLen bounds a delivery reason.
const MaxReasonLen = 300

// ReportDelivery returns the event that records d for the invitation of s,
// or none if d does not move it forward: it is about an earlier link, or
// the invitation already has d.Status or a later one. A repeat adds no
// event.
func ReportDelivery(s State, d Delivery) ([]Draft, error) {
	if !d.Status.Valid() {
		return nil, tandem.Coded(tandem.KindInvalid, "invalid_delivery", "unknown delivery status %q", d.Status)
	}
	if s.Invite == nil || s.Invite.Link != d.Link || d.Status.rank() <= s.Invite.Delivery.rank() {
		return nil, nil
	}
	d.Reason = truncate(d.Reason, MaxReasonLen)
	return []Draft{{Type: TypeDelivery, Actor: System, Data: d}}, nil
}

// applyDelivery records d on the invitation it is about; a report about an
// earlier link changes nothing. Like every invitation applier, it replaces
// s.Invite rather than write through it.
func applyDelivery(s *State, e Event, d Delivery) error {
	if s.Invite != nil && s.Invite.Link == d.Link {
		inv := *s.Invite
		at := e.At
		inv.Delivery, inv.DeliveryCode, inv.DeliveryReason, inv.DeliveryAt = d.Status, d.Code, d.Reason, &at
		s.Invite = &inv
	}
	return nil
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
