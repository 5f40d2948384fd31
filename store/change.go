package store

import "github.com/tandemhq/tandem/room"

// Change is what one decision does to one room, written atomically: its
// events, the room's state after them, and what goes with them (links,
// messages, the address book, a presence row, an erasure), so that an
// invitation is never recorded without its link and its outbox message, or
// the other way round. The changes of a batch (Rooms.Commit) share one
// transaction, yet each is written whole or not at all, whatever becomes
// of the others. The store writes what it is given and decides
// nothing: the caller (the hub's commit path) decided it on the room's
// state at Head, and the store only checks that the room is still there
// (Head, PresenceChange.Holders).
type Change struct {
	Account string
	Room    string
	// Create makes a new room: Head is 0 and Events start with
	// room.created at seq 1. KindConflict if the room exists.
	Create bool
	// Head is the seq of the room's last event when the change was
	// decided. The change is written only if it still is; otherwise
	// nothing is written and the error is KindConflict with code
	// tandem.CodeSeqConflict (decide again on the new state).
	Head int64
	// Events are appended after Head, numbered Head+1, Head+2 … with no
	// gap. They may be none (a presence change that records nothing).
	Events []room.Event
	// State is the room's state once Events are applied: written beside
	// the log whenever Events or Rewrite is not empty. The store keeps
	// event times in UTC to the microsecond, so State must be folded from
	// events with their times so truncated, or the room read back and its
	// log disagree.
	State room.State
	// StateJSON, if set, is State as json.Marshal encodes it: the hub's
	// commit path encodes it where the change is decided, so that the one
	// goroutine writing a batch does not. The store encodes State when it
	// is nil.
	StateJSON []byte
	// Rewrite replaces the actor and data of events already in the log
	// (seq at most Head), keeping their seq, type and time: how an erasure
	// masks personal data. An event whose type is not the log's is
	// KindInvalid.
	Rewrite []room.Event
	// Erase, with Rewrite, clears the personal data of the room's links
	// and messages.
	Erase *Erasure

	Links       []Link
	RevokeLinks []string // ids of links of this room revoked at the first event's time
	Messages    []Message
	// Contact, if set, is the customer the change invites: it goes in the
	// address book (merged with the contact of the same phone or email)
	// and becomes the room's contact.
	Contact *ContactUse
	// Presence, if set, is a presence row of the room taken or released.
	Presence *PresenceChange
	// Documents are the files of the room's documents the events add or
	// complete: recorded (or, for a document already recorded, its
	// Completed set) so that Files.FileInUse sees them.
	Documents []DocumentFiles
	// RequestFiles are the files uploaded for the room's requests that the
	// events record, so that Files.FileInUse sees them.
	RequestFiles []RequestFile
}

// Erasure is what happens to a room's links and messages when its
// customer's personal data are erased: their addresses, subjects, links
// and provider errors are cleared and their text replaced by Body; the
// messages not sent yet take the status CancelPending, so they never go.
type Erasure struct {
	Body          string
	CancelPending MessageStatus
}
