// Package room is Tandem's domain: the events that make up a room's
// history, the commands an agent or a customer can issue, their validation,
// and Apply, the fold that turns a room's event log into its state.
//
// A room is an ordered, gap-free log of events numbered 1, 2, 3 … by Seq.
// Its State is never stored on its own terms: it is always the result of
// applying the log, so the two can never disagree. Commands are pure
// functions of the current State that return the events to append; the
// caller (the hub) assigns sequence numbers and persists them through a
// store, retrying on a conflict.
//
// The package has no I/O and depends on the standard library only.
package room
