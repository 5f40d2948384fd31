package app

import (
	"container/list"
	"sync"

	"github.com/tandemhq/tandem/room"
)

// DefaultCachedRooms is how many rooms' states an instance keeps unless
// told otherwise.
const DefaultCachedRooms = 4096

// stateCache keeps the state each room reached through this instance's
// commits, so that the next command on the room decides without reading
// it from the store first. It holds at most a fixed number of rooms,
// forgetting the least recently used: memory stays bounded however many
// rooms there are.
//
// Why a state kept here may be trusted when its seq is the room's: a room's
// state is the fold of its log (room.Apply), and the store writes it only
// with the events that made it (store.Change.State), so a state at seq n is
// the fold of events 1…n. Everything that alters a room's state appends
// events: every Plan's drafts do, and so does an erasure, which rewrites
// the log (Plan.Rewrite) and records room.contact_erased in the same
// change — and when the room records that already, it appends it again if
// the rewrite masks anything (erasure.go), so no rewrite that changes the
// state keeps the seq. A presence change that records nothing (a customer
// already joined, held by one more instance) writes only the presence row,
// which the store checks on its own (PresenceChange.Holders) against the
// rows, not against a state. The rest of a room's row (its contact in the
// address book) is not part of room.State. So if the room is still at the
// seq of the state kept here, the state is the room's; if it moved (another
// instance wrote it), the store's head check (store.Change.Head) refuses
// the change with tandem.CodeSeqConflict and Commit reads the room again.
//
// What a decision refuses, or finds nothing to do about, is not checked by
// the store: Commit decides again on the stored state before answering so
// (commit.go), so that a state kept here never makes a caller see less than
// the store holds, say a room another instance reopened.
type stateCache struct {
	max int

	mu    sync.Mutex
	order *list.List               // of room.State, the most recently used first
	rooms map[string]*list.Element // by room id
}

func newStateCache(max int) *stateCache {
	return &stateCache{max: max, order: list.New(), rooms: make(map[string]*list.Element)}
}

// get returns the state kept for the room, if it is of account.
func (c *stateCache) get(account, roomID string) (room.State, bool) {
	if c.max <= 0 {
		return room.State{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.rooms[roomID]
	if !ok {
		return room.State{}, false
	}
	s := e.Value.(room.State)
	if s.Account != account {
		return room.State{}, false
	}
	c.order.MoveToFront(e)
	return s, true
}

// put keeps s as its room's state.
func (c *stateCache) put(s room.State) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.rooms[s.ID]; ok {
		e.Value = s
		c.order.MoveToFront(e)
		return
	}
	c.rooms[s.ID] = c.order.PushFront(s)
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.rooms, last.Value.(room.State).ID)
	}
}

// drop forgets the room's state.
func (c *stateCache) drop(roomID string) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.rooms[roomID]; ok {
		c.order.Remove(e)
		delete(c.rooms, roomID)
	}
}
