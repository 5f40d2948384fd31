package room

import (
	"strings"

	"github.com/tandemhq/tandem"
)

// TypeActivity records what someone in the room is doing now. Its data is
// Activity.
const TypeActivity = "participant.activity"

func init() {
	register(TypeActivity, on(applyActivity))
}

// Activity is the data of participant.activity: what someone in the room
// is doing now ("viewing", "typing"…), as their client reports it. Ref is
// the client's own correlation id, echoed back so that it can recognise
// its event in the stream.
type Activity struct {
	Participant string `json:"participant"`
	What        string `json:"what"`
	Ref         string `json:"ref,omitempty"`
}

// Limits of an activity report.
const (
	// MaxActivityWhat bounds Activity.What, in bytes.
	MaxActivityWhat = 32
	// MaxActivityRef bounds Activity.Ref, in bytes.
	MaxActivityRef = 64
)

// ReportActivity returns the event that records what participant (acting
// as actor) is doing in s. What is a word of lower-case letters, digits and
// underscores; ref, if any, is printable ASCII. A closed room takes no more
// activity.
func ReportActivity(s State, actor Actor, participant, what, ref string) (Draft, error) {
	if s.Status == StatusClosed {
		return Draft{}, tandem.Coded(tandem.KindConflict, "room_closed", "the session is closed")
	}
	if what == "" || len(what) > MaxActivityWhat || strings.IndexFunc(what, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')
	}) >= 0 {
		return Draft{}, tandem.Coded(tandem.KindInvalid, "invalid_activity", "what must be 1 to %d lower-case letters, digits or underscores", MaxActivityWhat)
	}
	if len(ref) > MaxActivityRef || strings.IndexFunc(ref, func(c rune) bool { return c < 0x21 || c > 0x7e }) >= 0 {
		return Draft{}, tandem.Coded(tandem.KindInvalid, "invalid_activity", "ref must be at most %d printable ASCII characters", MaxActivityRef)
	}
	if actor.Kind == ActorCustomer {
		actor = Actor{Kind: ActorCustomer, Name: s.Customer.Name}
	}
	return Draft{Type: TypeActivity, Actor: actor, Data: Activity{Participant: participant, What: what, Ref: ref}}, nil
}

// applyActivity records the activity on the participant it names; an
// activity of someone who never joined (an agent, today) is only logged.
func applyActivity(s *State, e Event, d Activity) error {
	if p, ok := s.Participant(d.Participant); ok {
		at := e.At
		p.Activity, p.ActivityAt = d.What, &at
		s.setParticipant(p)
	}
	return nil
}
