package tandem

import (
	"errors"
	"fmt"
)

// Kind is the category of an application error. The edge (HTTP, WebSocket)
// maps each kind to a status; nothing below the edge knows about statuses.
type Kind string

// The kinds of application error.
const (
	KindInvalid      Kind = "invalid"      // the request is malformed or breaks a rule
	KindIncomplete   Kind = "incomplete"   // well formed, but what it acts on is not ready (required fields empty)
	KindUnauthorized Kind = "unauthorized" // no or bad credentials
	KindForbidden    Kind = "forbidden"    // credentials are fine but not for this
	KindNotFound     Kind = "not_found"    // no such thing in the caller's account
	KindConflict     Kind = "conflict"     // the state changed under the caller, or forbids the change
	KindGone         Kind = "gone"         // existed, but expired or was revoked
	KindTooLarge     Kind = "too_large"    // the input is over a size limit
	KindRateLimited  Kind = "rate_limited" // too many attempts; try later
	KindUnavailable  Kind = "unavailable"  // a dependency (the database) is down; retry
	KindInternal     Kind = "internal"     // a bug or an unexpected failure
)

// Error is Tandem's one application error type. Code is a stable machine
// code that clients may switch on (it defaults to the kind); Message is for
// people.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	// Fields names the fields of a document at fault, for the codes that
	// are about fields (required_fields): a client highlights them.
	Fields []string
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error of the given kind whose code is the kind itself.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: string(kind), Message: fmt.Sprintf(format, args...)}
}

// Coded returns an *Error with a specific stable code, for errors a client
// may want to tell apart from others of the same kind.
func Coded(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorKind returns the kind of err's application error, or KindInternal if
// err is not (and does not wrap) an *Error. A nil err has no kind.
func ErrorKind(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// ErrorCode returns the stable code of err, or "internal".
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return string(KindInternal)
}

// ErrorMessage returns the human message of err's application error. The
// text of internal errors is not shown to users.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "An internal error occurred."
}

// IsKind reports whether err is an application error of the given kind.
func IsKind(err error, kind Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == kind
}

// Stable codes that code below the edge acts on, not only shows.
const (
	// CodeSeqConflict: a change was decided on a room whose log has moved
	// since (someone else appended first). Nothing was written; decide
	// again on the new state.
	CodeSeqConflict = "seq_conflict"
	// CodePresenceConflict: a presence change expected another number of
	// instances holding the participant than the store found. Nothing was
	// written; decide again.
	CodePresenceConflict = "presence_conflict"
	// CodeRoomNotFound: no such room in the caller's account.
	CodeRoomNotFound = "room_not_found"
	// CodeStoreUnavailable: the database cannot be reached; retry.
	CodeStoreUnavailable = "store_unavailable"
)
