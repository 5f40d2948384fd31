package room

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/tandemhq/tandem"
)

// TypeContactErased records that the customer's personal data were erased
// from the room (the contact was deleted from the address book): the log
// keeps every event, with the customer's name, phone and email masked.
const TypeContactErased = "room.contact_erased"

func init() {
	register(TypeContactErased, applyContactErased)
	registerView(TypeContactErased, hide(func(d *ContactErased) { d.Contact, d.PreviousHead = "", "" }))
}

// ContactErased is the data of room.contact_erased.
type ContactErased struct {
	Contact string `json:"contact,omitempty"` // the deleted contact's id
	// PreviousHead is the hash of the room's last event before the erasure
	// rewrote the log and chained it again (chain.go): a head recorded
	// before the erasure is matched to it.
	PreviousHead string `json:"previous_head,omitempty"`
}

// ErasedName stands for an erased customer's name.
const ErasedName = "Deleted contact"

// MaskPhone keeps the last two digits of a phone number: enough for an
// agent to tell two numbers apart in an audit, not to call anyone.
func MaskPhone(p string) string {
	if p == "" {
		return ""
	}
	n := utf8.RuneCountInString(p)
	if n <= 2 {
		return strings.Repeat("•", n)
	}
	return strings.Repeat("•", n-2) + p[len(p)-2:]
}

// MaskEmail hides an email address whole.
func MaskEmail(e string) string {
	if e == "" {
		return ""
	}
	return "•••@•••"
}

// Masked returns c with its personal data masked.
func Masked(c Customer) Customer {
	return Customer{Name: ErasedName, Phone: MaskPhone(c.Phone), Email: MaskEmail(c.Email)}
}

func maskTo(ch Channel, to string) string {
	if ch == ChannelEmail {
		return MaskEmail(to)
	}
	return MaskPhone(to)
}

// Redact returns a room's log with the customer's personal data masked in
// every event that carries them (room.created, room.invited,
// room.contact_changed, invitation.reminded, invitation.noticed, the
// provider's words in invitation.delivery, which may quote the address,
// the names of the files uploaded for requests, and the name of the
// customer as an actor). Seqs, types, times and everything else stay as they were:
// the log still tells what happened, and when, without saying to whom.
func Redact(evs []Event) ([]Event, error) {
	out := make([]Event, len(evs))
	for i, e := range evs {
		var err error
		switch e.Type {
		case TypeRoomCreated:
			e.Data, err = rewrite(e.Data, func(d *RoomCreated) { d.Customer = Masked(d.Customer) })
		case TypeRoomInvited:
			e.Data, err = rewrite(e.Data, func(d *RoomInvited) { d.To = maskTo(d.Channel, d.To) })
		case TypeContactChanged:
			e.Data, err = rewrite(e.Data, func(d *ContactChanged) { d.Customer = Masked(d.Customer) })
		case TypeReminded, TypeNoticed:
			e.Data, err = rewrite(e.Data, func(d *Reminded) { d.To = maskTo(d.Channel, d.To) })
		case TypeDelivery:
			// A provider's words may quote the number or address.
			e.Data, err = rewrite(e.Data, func(d *Delivery) { d.Reason = "" })
		case TypeRequestFileUploaded:
			// People name their files after themselves ("Sam Lee ID.jpg").
			e.Data, err = rewrite(e.Data, func(d *RequestFileUploaded) { d.File.Name = fileName("", d.File.ContentType) })
		}
		if err != nil {
			return nil, tandem.Errorf(tandem.KindInternal, "redact %s #%d: %v", e.Type, e.Seq, err)
		}
		if e.Actor.Kind == ActorCustomer && e.Actor.Name != "" {
			e.Actor.Name = ErasedName
		}
		// The customer's address and browser are theirs too.
		if e.Actor.Kind == ActorCustomer {
			e.Origin = nil
		}
		out[i] = e
	}
	return out, nil
}

// rewrite decodes data as a T, changes it, and encodes it again.
func rewrite[T any](data json.RawMessage, change func(*T)) (json.RawMessage, error) {
	var d T
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	change(&d)
	return json.Marshal(d)
}

// EraseContact returns the event that records the erasure of the
// customer's personal data from s, or none if it is recorded already. The
// event keeps s's head (State.Hash) as the head of the log before the
// erasure rewrote it: pass the state as it was before the rewrite.
func EraseContact(s State, agent Actor, contact string) []Draft {
	if s.ContactErased {
		return nil
	}
	return []Draft{{Type: TypeContactErased, Actor: agent, Data: ContactErased{Contact: contact, PreviousHead: s.Hash}}}
}

// applyContactErased masks the customer in the state as Redact masks them
// in the log. It needs nothing from the event's data (the contact's id is
// for the audit), so it does not decode it.
func applyContactErased(s *State, e Event) error {
	s.ContactErased = true
	s.Customer = Masked(s.Customer)
	if s.Invite != nil {
		inv := *s.Invite
		inv.To, inv.DeliveryReason = maskTo(inv.Channel, inv.To), ""
		s.Invite = &inv
	}
	return nil
}
