package app

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/seal"
	"github.com/tandemhq/tandem/room"
)

// The audit trail of a sealed document: who sent it to whom, how the link
// reached the customer, and every step the customer took, with the time,
// address and browser of each, up to finishing it. It is printed on the
// last pages of the signed PDF and attached to it as audit-trail.json,
// beside the original and the completed PDF, so that a reader years on can
// check the two hashes it prints (tandem verify does).

// AuditFormat names the structure of audit-trail.json.
const AuditFormat = "tandem.audit-trail/1"

// The files attached to a signed PDF.
const (
	AttachedOriginal  = "original.pdf"
	AttachedCompleted = "completed.pdf"
	AttachedAudit     = "audit-trail.json"
)

// AuditTrail is audit-trail.json.
type AuditTrail struct {
	Format   string        `json:"format"`
	Hub      string        `json:"hub"`     // the hub's public address
	Company  string        `json:"company"` // the account's name
	Room     string        `json:"room"`
	Document AuditDocument `json:"document"`
	Agent    AuditAgent    `json:"agent"`
	Customer AuditCustomer `json:"customer"`
	// TimeZone is the account's zone, in which the printed trail gives
	// every time; the times here are in it too, with their offset.
	TimeZone string      `json:"time_zone"`
	Steps    []AuditStep `json:"steps"`
	// LogHead is the room's log as the document was completed: its last
	// event and that event's hash, which vouches for the whole log before
	// it (docs/protocol.md, the hash chain). A log rewritten since no
	// longer leads to it.
	LogHead AuditLogHead  `json:"log_head"`
	Seal    seal.Identity `json:"seal"`
	// GeneratedAt is when the trail was made, just before sealing.
	GeneratedAt time.Time `json:"generated_at"`
}

// AuditDocument is the document the trail is about: the SHA-256 of its
// original file and of the completed PDF (both attached).
type AuditDocument struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Pages     int    `json:"pages"`
	Original  string `json:"original_sha256"`
	Completed string `json:"completed_sha256"`
}

// AuditAgent is the agent who added the document.
type AuditAgent struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// AuditCustomer is who the room was for, and how the link reached them.
type AuditCustomer struct {
	Name        string     `json:"name"`
	Contact     string     `json:"contact"` // the number or address the link went to
	Channel     string     `json:"channel"` // sms or email
	SentAt      *time.Time `json:"sent_at,omitempty"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
}

// AuditLogHead is an event of the room's log and its hash.
type AuditLogHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash,omitempty"`
}

// AuditStep is one event of the room's log, in words.
type AuditStep struct {
	Seq       int64     `json:"seq"`
	At        time.Time `json:"at"`
	Event     string    `json:"event"`
	Who       string    `json:"who"`
	What      string    `json:"what"`
	IP        string    `json:"ip,omitempty"`
	UserAgent string    `json:"user_agent,omitempty"`
}

// auditInput is what a trail is made of.
type auditInput struct {
	log     []room.Event // the room's log up to the document's completion
	doc     string
	company string
	hub     string
	agent   tandem.User // who added the document
	zone    *time.Location
	seal    seal.Identity
	now     time.Time
}

// buildAuditTrail makes the trail of in.doc from the room's log.
func buildAuditTrail(in auditInput) (AuditTrail, error) {
	st, err := room.Fold(in.log)
	if err != nil {
		return AuditTrail{}, fmt.Errorf("audit trail: fold the log: %w", err)
	}
	d, ok := st.Document(in.doc)
	if !ok || d.Status != room.DocumentCompleted {
		return AuditTrail{}, fmt.Errorf("audit trail: document %s is not completed in this log", in.doc)
	}
	zone := in.zone
	if zone == nil {
		zone = time.UTC
	}
	t := AuditTrail{
		Format: AuditFormat, Hub: in.hub, Company: in.company, Room: st.ID,
		Document: AuditDocument{ID: d.ID, Name: d.Name, Pages: d.Pages, Original: d.File, Completed: d.Completed},
		Agent:    AuditAgent{Name: in.agent.Name, Email: in.agent.Email},
		Customer: AuditCustomer{Name: st.Customer.Name},
		TimeZone: zone.String(), Seal: in.seal, GeneratedAt: in.now.In(zone),
	}
	if inv := st.Invite; inv != nil {
		t.Customer.Contact, t.Customer.Channel = inv.To, string(inv.Channel)
		sent := inv.SentAt.In(zone)
		t.Customer.SentAt = &sent
		if inv.Delivery == room.DeliveryDelivered && inv.DeliveryAt != nil {
			at := inv.DeliveryAt.In(zone)
			t.Customer.DeliveredAt = &at
		}
	}
	if n := len(in.log); n > 0 {
		t.LogHead = AuditLogHead{Seq: in.log[n-1].Seq, Hash: in.log[n-1].Hash}
	}
	fields := map[string]room.Field{}
	for _, f := range d.Fields {
		fields[f.ID] = f.Field
	}
	for _, e := range in.log {
		what, ok := auditWhat(e, d.ID, fields)
		if !ok {
			continue
		}
		step := AuditStep{Seq: e.Seq, At: e.At.In(zone), Event: e.Type, Who: auditWho(e.Actor, st.Customer.Name), What: what}
		if e.Origin != nil {
			step.IP, step.UserAgent = e.Origin.IP, e.Origin.UserAgent
		}
		t.Steps = append(t.Steps, step)
	}
	return t, nil
}

// auditWho names an actor.
func auditWho(a room.Actor, customer string) string {
	switch a.Kind {
	case room.ActorAgent:
		return "Agent " + a.Name
	case room.ActorCustomer:
		if customer != "" {
			return "Customer " + customer
		}
		return "Customer"
	}
	return "Tandem"
}

// auditValueLen bounds a value quoted in a step: the document itself
// shows it whole.
const auditValueLen = 80

// auditWhat says in words what event e did, if it belongs in the trail of
// document doc: the invitation and its delivery, the customer coming and
// going, and every step of this document.
func auditWhat(e room.Event, doc string, fields map[string]room.Field) (string, bool) {
	switch e.Type {
	case room.TypeRoomInvited:
		d, err := decodeData[room.RoomInvited](e)
		if err != nil {
			return "", false
		}
		return fmt.Sprintf("Link sent by %s to %s", channelWords(d.Channel), d.To), true
	case room.TypeReminded, room.TypeNoticed:
		d, err := decodeData[room.Reminded](e)
		if err != nil {
			return "", false
		}
		return fmt.Sprintf("New link sent by %s to %s", channelWords(d.Channel), d.To), true
	case room.TypeLinkCopied:
		// A link the agent was given to pass on by hand: whoever opens it
		// next came by the agent, not by a message the hub sent.
		return fmt.Sprintf("New link given to %s to pass on by hand, not sent by the hub", orNone(e.Actor.Name)), true
	case room.TypeDelivery:
		d, err := decodeData[room.Delivery](e)
		if err != nil || d.Status != room.DeliveryDelivered {
			return "", false
		}
		return "The message with the link was delivered", true
	case room.TypeParticipantJoined:
		if e.Actor.Kind != room.ActorCustomer {
			return "", false
		}
		return "Opened the link: connected to the room", true
	case room.TypeParticipantLeft:
		if e.Actor.Kind != room.ActorCustomer {
			return "", false
		}
		return "Left the room", true
	}
	var ref struct {
		Document string `json:"document"`
		ID       string `json:"id"`
	}
	if json.Unmarshal(e.Data, &ref) != nil || (ref.Document != doc && ref.ID != doc) {
		return "", false
	}
	switch e.Type {
	case room.TypeDocumentAdded:
		return "Added the document to the room", true
	case room.TypeDocumentSent:
		return "Sent the document to the customer", true
	case room.TypeDocumentOpened:
		return "Opened the document", true
	case room.TypeDocumentPageViewed:
		d, _ := decodeData[room.PageViewed](e)
		return fmt.Sprintf("Viewed page %d", d.Page), true
	case room.TypeDocumentFieldFilled:
		d, err := decodeData[room.FieldFilled](e)
		if err != nil {
			return "", false
		}
		label := fields[d.Field].Label
		if label == "" {
			label = d.Field
		}
		switch {
		case d.Signature && d.File != "":
			return fmt.Sprintf("Signed %q (drawing SHA-256 %s)", label, d.File), true
		case d.Value == "" && d.File == "":
			return fmt.Sprintf("Cleared %q", label), true
		}
		return fmt.Sprintf("Filled %q: %s", label, clip(d.Value, auditValueLen)), true
	case room.TypeDocumentCompleted:
		return "Finished the document", true
	case room.TypeDocumentDeclined:
		return "Declined the document", true
	}
	return "", false
}

func channelWords(c room.Channel) string {
	if c == room.ChannelEmail {
		return "email"
	}
	return "SMS"
}

// clip cuts s to at most n characters, with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
