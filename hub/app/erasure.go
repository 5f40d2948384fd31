package app

import (
	"context"
	"encoding/json"
	"reflect"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// erasedBody replaces the text of the messages of a room whose customer
// was erased.
const erasedBody = "[erased]"

// DeleteContact removes a contact from the address book, and its personal
// data from the records of its rooms, which otherwise stay whole (every
// event, masked where it named the customer); each room records
// room.contact_erased.
func (a *App) DeleteContact(ctx context.Context, c Caller, id string) error {
	ct, err := a.visibleContact(ctx, c, id)
	if err != nil {
		return err
	}
	rooms, err := a.store.ContactRooms(ctx, c.Account(), ct.ID)
	if err != nil {
		return err
	}
	// Rooms first, the contact last: a failure half-way leaves the contact
	// there to delete again, and erasing a room twice changes nothing.
	for _, roomID := range rooms {
		if err := a.eraseFromRoom(ctx, c, roomID, ct.ID); err != nil {
			return err
		}
	}
	return a.store.DeleteContact(ctx, c.Account(), ct.ID)
}

// eraseFromRoom masks the customer in the records of a room and records it
// in the room's log, in one change: a command decided on the room before it
// (a reminder with the old address, on another instance) then fails its
// seq check instead of writing it again.
func (a *App) eraseFromRoom(ctx context.Context, c Caller, roomID, contact string) error {
	_, err := a.Commit(ctx, c.Account(), roomID, func(s room.State) (Plan, error) {
		log, err := a.wholeLog(ctx, c.Account(), s)
		if err != nil {
			return Plan{}, err
		}
		masked, err := room.Redact(log)
		if err != nil {
			return Plan{}, err
		}
		// The erasure keeps the head the log had before its rewrite.
		drafts := room.EraseContact(s, c.Actor(), contact)
		if len(drafts) == 0 && !sameLog(log, masked) {
			// The room recorded an erasure already, but has named the
			// customer since: this rewrite changes the state, so it
			// records the erasure again. A rewrite that changed the state
			// and kept the seq would leave other instances deciding on
			// the state before it, and the store's head check, which
			// compares seqs, letting them write it back (stateCache).
			again := s
			again.ContactErased = false
			drafts = room.EraseContact(again, c.Actor(), contact)
		}
		return Plan{
			Rewrite: masked,
			Erase:   &store.Erasure{Body: erasedBody, CancelPending: store.MessageFailed},
			Drafts:  drafts,
		}, nil
	})
	return err
}

// sameLog reports whether a rewrite of log leaves every event as it was:
// actors, origins and data, the data compared as JSON values (a store may
// keep them with other spacing or key order than Go writes them).
func sameLog(log, rewrite []room.Event) bool {
	if len(log) != len(rewrite) {
		return false
	}
	for i := range log {
		a, b := log[i], rewrite[i]
		if a.Actor != b.Actor || !reflect.DeepEqual(a.Origin, b.Origin) {
			return false
		}
		var da, db any
		if json.Unmarshal(a.Data, &da) != nil || json.Unmarshal(b.Data, &db) != nil || !reflect.DeepEqual(da, db) {
			return false
		}
	}
	return true
}

// wholeLog reads the log of a room up to s's head.
func (a *App) wholeLog(ctx context.Context, account string, s room.State) ([]room.Event, error) {
	log := make([]room.Event, 0, s.Seq)
	for int64(len(log)) < s.Seq {
		evs, err := a.store.Events(ctx, account, s.ID, int64(len(log)), tandem.MaxEventsPage)
		if err != nil {
			return nil, err
		}
		if len(evs) == 0 {
			return nil, tandem.Errorf(tandem.KindInternal, "room %s: the log ends at %d before its head %d", s.ID, len(log), s.Seq)
		}
		for _, e := range evs {
			if e.Seq > s.Seq {
				break
			}
			log = append(log, e)
		}
	}
	return log, nil
}
