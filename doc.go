// Package tandem is the vocabulary every part of Tandem shares: the one
// application error type with its stable codes, accounts, users and their
// roles, an account's settings (time zone, quiet hours, message templates,
// contact scope), address-book contacts and who sees them, the password
// rules and the sizes of pages.
//
// The room's own domain (its events, commands and fold) is package room;
// the server (hub and its layers), the stores and the Go SDK (client) all
// speak of accounts and errors in these terms, so none of them declares
// its own copy. The package has no I/O and depends on the standard library
// only.
package tandem
