// Package store defines how Tandem keeps its records: accounts, users,
// sign-ins, room passes, password resets, rooms and their event logs, room links, the
// outbox, and which hub instances customers are connected through, the asset
// library and the catalog of document types. The
// interfaces here are implemented by store/sqlite (the embedded default)
// and store/postgres, and both pass the conformance suite in
// store/storetest.
//
// Every method that reads or changes an account's data takes the account
// id and scopes its query by it, so no id guessed by a caller can reach
// another account's records. The few global look-ups are by secrets only
// (a token's hash) or by login email, the hub's own housekeeping across
// accounts (claiming outbox messages, heartbeats and expired presence), and
// the operator's tools (AllRooms, FindRoom: tandem verify).
//
// Errors are *tandem.Error values: KindNotFound, KindConflict (a duplicate, or
// a change decided on a room that has moved since: tandem.CodeSeqConflict,
// tandem.CodePresenceConflict), KindInvalid (a change whose parts do not
// fit together: a caller's mistake, never worth a retry) and KindGone (an
// expired or used token). Anything else is an internal error wrapped with
// context.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"
)

// Store is everything Tandem keeps. Implementations are safe for concurrent
// use.
type Store interface {
	// Ping reports whether the store answers; /readyz uses it.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error

	Accounts
	Users
	Credentials
	Rooms
	Links
	Outbox
	Presence
	Contacts
	Assets
	Files
	Sealings
	DocumentTypes
	Brands
}

// IsUnavailable reports whether err says the store could not be reached
// (connection refused, reset or cut, a timeout) rather than that it
// refused the request: the caller may retry later, and nothing was
// written. The hub answers such errors with 503 store_unavailable.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.DeadlineExceeded)
}
