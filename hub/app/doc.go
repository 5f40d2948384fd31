// Package app holds Tandem's use cases: what agents, customers, providers
// and the clock can do to rooms and accounts, each as a method of App, and
// the one commit path (App.Commit) that every change to a room goes
// through — creation, invitations, presence, delivery reports, erasure,
// and everything to come. The domain (package room) decides; the store
// persists atomically what it is given; the real-time core (package hub)
// fans the committed events out.
//
// It also runs the instance's background work as small workers sharing
// one runner: the outbox dispatcher, the presence heartbeat and reaper,
// and reminders.
//
// The package knows no HTTP: the edge (hub/api) turns requests into calls
// of App and its errors (*tandem.Error) into answers.
package app
