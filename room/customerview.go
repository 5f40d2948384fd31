package room

import "encoding/json"

// The customer's view.
//
// A room's log is the agent's record: it names every contact the
// invitation went to, the provider's words about each message, and ids
// internal to the hub. The customer of the room sees the same log through
// a view that leaves those out: after a Re-engage to another address, the
// new recipient must not read the previous one's name, number or email.
// Each subject whose events carry such data registers a view of them
// (registerView, in the subject's init beside its appliers); events of
// other types are shown as they are.

// viewer rewrites the data of one event for the customer's eyes.
type viewer func(data json.RawMessage) (json.RawMessage, error)

var customerViews = map[string]viewer{}

// registerView makes f the customer's view of events of type typ.
func registerView(typ string, f viewer) {
	if _, dup := customerViews[typ]; dup {
		panic("room: two customer views of " + typ)
	}
	customerViews[typ] = f
}

// hide returns a viewer that decodes data as a T and changes it.
func hide[T any](change func(*T)) viewer {
	return func(data json.RawMessage) (json.RawMessage, error) { return rewrite(data, change) }
}

// ForCustomer returns ev as the room's customer may see it. An event whose
// data cannot be read for the view keeps no data at all: the view fails
// closed. No event shows its origin (another recipient's address and
// browser) or its hash: the hash of an event whose data the view masks
// would let a guess of what was masked be confirmed.
func ForCustomer(ev Event) Event {
	ev.Origin, ev.Hash = nil, ""
	f := customerViews[ev.Type]
	if ev.Actor.Kind == ActorCustomer {
		ev.Actor.Name = ""
	}
	if f == nil {
		return ev
	}
	data, err := f(ev.Data)
	if err != nil {
		data = json.RawMessage("null")
	}
	ev.Data = data
	return ev
}

// ForCustomer returns the state as the room's customer may see it: who
// they deal with (company, agent), where the room stands and who is in it,
// without the account's internal ids, the addresses the invitation went to
// or the provider's words, nor the head of the room's hash chain.
func (s State) ForCustomer() State {
	s.Account, s.Hash, s.Outcome = "", "", ""
	s.Customer = Customer{Name: s.Customer.Name}
	if s.Invite != nil {
		inv := *s.Invite
		inv.Link, inv.To, inv.DeliveryCode, inv.DeliveryReason = "", "", "", ""
		s.Invite = &inv
	}
	// Documents still staged for a pre-planned session are the agent's:
	// they reach the customer with the invitation.
	docs := []Document{}
	for _, d := range s.Documents {
		if d.Status != DocumentPending {
			docs = append(docs, d)
		}
	}
	s.Documents = docs
	return s
}
