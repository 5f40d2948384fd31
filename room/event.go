package room

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/tandemhq/tandem"
)

// ActorKind says who caused an event.
type ActorKind string

// The kinds of actor.
const (
	ActorAgent    ActorKind = "agent"
	ActorCustomer ActorKind = "customer"
	ActorSystem   ActorKind = "system"
)

// Actor is who caused an event: an agent (by user id), the customer, or the
// system itself (timers, delivery callbacks, presence clean-up).
type Actor struct {
	Kind ActorKind `json:"kind"`
	ID   string    `json:"id,omitempty"`
	Name string    `json:"name,omitempty"`
}

// System is the actor of events nobody in the room caused directly.
var System = Actor{Kind: ActorSystem}

// Event is one entry of a room's log. Seq numbers a room's events 1, 2, 3 …
// with no gaps; (Room, Seq) identifies an event for ever.
//
// Type is dotted lower case: the part before the dot names the subject
// (room, participant, invitation, and later document, request, payment,
// chat…), the part after it what happened. Each subject declares its Type
// constants in its own file, next to the data its events carry. Data is
// that struct in JSON. Clients must ignore types they do not know: new
// ones are added over time.
//
// Origin is where the request that caused the event came from, for the
// audit trail; Hash chains the event to the ones before it (chain.go).
type Event struct {
	Room   string          `json:"room"`
	Seq    int64           `json:"seq"`
	Type   string          `json:"type"`
	At     time.Time       `json:"at"`
	Actor  Actor           `json:"actor"`
	Origin *Origin         `json:"origin,omitempty"`
	Data   json.RawMessage `json:"data"`
	Hash   string          `json:"hash,omitempty"`
}

// Origin is where the request that caused an event came from: the
// client's address and browser, as the hub's HTTP edge saw them. System
// events (timers, provider callbacks, clean-up) have none.
type Origin struct {
	// IP is the client's address (behind trusted proxies, the address they
	// forwarded).
	IP string `json:"ip,omitempty"`
	// UserAgent is the User-Agent header the client sent, cut to
	// MaxUserAgent bytes.
	UserAgent string `json:"user_agent,omitempty"`
}

// MaxUserAgent is the most bytes of a User-Agent header an origin keeps.
const MaxUserAgent = 512

// ValidType reports whether t has the shape of an event type: two or more
// dot-separated words of lower-case letters, digits and underscores.
func ValidType(t string) bool {
	if len(t) == 0 || len(t) > 64 || !strings.Contains(t, ".") {
		return false
	}
	for _, part := range strings.Split(t, ".") {
		if part == "" {
			return false
		}
		for _, c := range part {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
				return false
			}
		}
	}
	return true
}

// Draft is an event before it has a place in the log: the hub gives it a
// room, a sequence number and a time when it appends it.
type Draft struct {
	Type  string
	Actor Actor
	Data  any
}

// Number turns drafts into events numbered from after, in order.
func Number(roomID string, after int64, at time.Time, drafts []Draft) ([]Event, error) {
	evs := make([]Event, len(drafts))
	for i, d := range drafts {
		data, err := json.Marshal(d.Data)
		if err != nil {
			return nil, tandem.Errorf(tandem.KindInternal, "encode %s data: %v", d.Type, err)
		}
		evs[i] = Event{Room: roomID, Seq: after + int64(i) + 1, Type: d.Type, At: at.UTC(), Actor: d.Actor, Data: data}
	}
	return evs, nil
}
