package store

import (
	"context"
	"time"

	"github.com/tandemhq/tandem/room"
)

// RoomQuery filters and pages a list of rooms, newest first (or, with
// OrderActivity, the room with the latest event first).
type RoomQuery struct {
	Agent        string            // only rooms of this agent, if set
	Status       room.Status       // only rooms in this status, if set
	InviteStatus room.InviteStatus // only rooms whose invitation is in this status, if set
	// Waiting keeps the rooms waiting for their customer: invited, and the
	// link not known to have failed (invite_status sent or delivered, not
	// invalid or failed).
	Waiting bool
	// Order is the listing's order: OrderCreated (the default) or
	// OrderActivity.
	Order RoomOrder
	// Search keeps the rooms whose customer's name or email contains it
	// (case folded), or whose phone number contains its digits when it is
	// written as a number ("415 555", "+1 (415)").
	Search string
	Before *RoomCursor // only rooms after this one in the listing (in Order)
	Limit  int         // at most this many (implementations cap it at 200)
}

// ChangeQuery asks for the rooms that changed since a time: the live feed
// of an agent's page reads it when told that rooms of the account changed.
type ChangeQuery struct {
	Agent string    // only rooms of this agent, if set
	Since time.Time // rooms whose last event is at Since or later
	// AfterID, with Since, resumes a listing: rooms at Since itself come
	// only if their id is greater.
	AfterID string
	Limit   int // at most this many (implementations cap it at 200)
}

// RoomRef names a room and the account it is in.
type RoomRef struct {
	Account string
	ID      string
}

// RoomOrder is the order of a listing of rooms.
type RoomOrder string

const (
	// OrderCreated lists the newest room first: by creation time, then
	// id, both descending.
	OrderCreated RoomOrder = ""
	// OrderActivity lists the room whose last event is the latest first:
	// by UpdatedAt, then id, both descending. A room moves up as events
	// come, so a list kept live re-sorts with the account feed.
	OrderActivity RoomOrder = "activity"
)

// RoomCursor is a position in a listing of rooms: the last room of a page,
// by CreatedAt in OrderCreated, by UpdatedAt in OrderActivity.
type RoomCursor struct {
	CreatedAt time.Time
	UpdatedAt time.Time
	ID        string
}

// Rooms keeps rooms and their event logs. A room's state is the fold of its
// events (room.Apply): implementations keep the copy they are given beside
// the log, for reading and listing, always written in the same transaction
// as the events that made it, so the two never disagree.
type Rooms interface {
	// Commit writes each change of batch atomically and returns, for each,
	// nil once it is durable or why it was not written: errs[i] is the
	// result of batch[i]. The changes of a batch share one transaction and
	// one sync (group commit), of any rooms, a room even more than once
	// (its changes are written in the batch's order, each decided on the
	// state the one before leaves). Changes stay independent: a change
	// refused (a conflict, a room not found, an invalid change) writes
	// nothing of itself and never fails or undoes another, and none is
	// reported written unless the transaction committed; should the
	// transaction fail as a whole before that, the changes are written
	// again one by one. This is the only way events are appended.
	Commit(ctx context.Context, batch []Change) []error
	Room(ctx context.Context, account, id string) (room.State, error)
	ListRooms(ctx context.Context, account string, q RoomQuery) ([]room.State, error)
	// ChangedRooms lists rooms of the account whose last event (UpdatedAt)
	// is at q.Since or later, oldest change first, ties by id.
	ChangedRooms(ctx context.Context, account string, q ChangeQuery) ([]room.State, error)
	// RoomsInStatus lists rooms of every account in status, by id, those
	// after the id after, at most limit: background work (reminders) walks
	// it, then acts on each room within its account.
	RoomsInStatus(ctx context.Context, status room.Status, after string, limit int) ([]room.State, error)
	// Events returns up to limit (at most tandem.MaxEventsPage) events of
	// the room with seq > after, in order. KindNotFound if the room is not
	// in the account.
	Events(ctx context.Context, account, roomID string, after int64, limit int) ([]room.Event, error)
	// EventsJSON is Events with each event as the JSON json.Marshal
	// writes for it, built from what the store keeps without decoding it:
	// resume writes it as it is.
	EventsJSON(ctx context.Context, account, roomID string, after int64, limit int) ([]EventJSON, error)
	// AllRooms lists the rooms of every account by id, those after the id
	// after, at most limit (tandem.MaxRoomsPage when limit is 0 or more
	// than that): the operator's tools walk every room with it (tandem
	// verify -all). Never for a request: it crosses accounts.
	AllRooms(ctx context.Context, after string, limit int) ([]RoomRef, error)
	// FindRoom returns the room with id id and its account, whichever
	// account it is in; KindNotFound if there is none. For the operator's
	// tools (tandem verify -room), never for a request.
	FindRoom(ctx context.Context, id string) (RoomRef, error)
}

// EventJSON is one event of a room's log as its JSON, exactly what
// json.Marshal gives for the room.Event.
type EventJSON struct {
	Seq  int64
	JSON []byte
}
