// Package room is Tandem's domain: the events that make up a room's
// history, the commands an agent or a customer can issue, their validation,
// and Apply, the fold that turns a room's event log into its state.
//
// A room is one session between an agent and a customer: the agent opens
// it, the customer is invited by a link (SMS or email) and joins from a
// browser, and the two work through what the room holds until it is
// closed. A room is an ordered, gap-free log of events numbered 1, 2, 3 …
// by Seq. Its State is never stored on its own terms: it is always the
// result of applying the log, so the two can never disagree. Commands are
// pure functions of the current State that return the events to append,
// as Drafts; the caller (the hub) numbers them (Number), persists them
// through a store, and retries on a conflict.
//
// The package is laid out by subject. event.go and state.go hold what all
// subjects share: Event, Draft and Actor; State, Apply and Fold. Each
// subject has one file of its own: lifecycle.go (room.created,
// room.closed), customer.go (the customer's name and contact),
// invitation.go (the link, re-engaging, reminders and notices),
// delivery.go (what became of the message carrying the link),
// presence.go (participant.joined, participant.left), activity.go
// (participant.activity), erasure.go (room.contact_erased, Redact),
// customerview.go (what the customer sees of the log), field.go (the
// fields of a document), document.go (document.added … completed,
// declined), documentflow.go (its commands) and value.go (what a field
// takes).
//
// # Adding a feature
//
// A new subject (documents, requests, payments…) is one new file. It
// declares its event type constants (TypeDocumentAdded = "document.added"),
// the data struct each type carries, its commands — pure functions of
// State that validate their input and return Drafts, never touching the
// State they are given — and its appliers, which fold an event into the
// State and must copy, not write through, any slice or pointer the
// previous state shares. If the subject keeps something in State, add the
// field to State in state.go; if its events carry the customer's personal
// data, teach Redact (erasure.go) to mask them.
//
// The file registers its appliers itself, in an init function:
//
//	func init() {
//		register(TypeDocumentAdded, on(applyDocumentAdded))
//	}
//
// where on decodes the event's data into the applier's data struct. Apply
// looks the event's type up in the registry; a type with no applier only
// advances Seq, as a type from a newer version must.
//
// Each subject registers its own appliers, rather than state.go holding
// one switch or one table of them, because that is what keeps a feature to
// one file: nothing outside it lists the subjects, so there is no second
// place to forget. What an init function could still let slip is checked:
// register panics on a type registered twice (which fails every test of
// the package), and the package's tests read its source and fail if any
// Type constant has no applier. They also run a session through every
// declared type, to which a new type adds a step, and fail on an event
// that changes nothing in State: a type whose events are only a record
// still registers an applier, one that does nothing, and the test lists it
// as such.
//
// The package has no I/O and depends on the standard library and the root
// package (for its errors) only.
package room
