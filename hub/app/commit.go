package app

import (
	"context"
	"hash/fnv"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Plan is what a decision makes of a room: the events to append and what
// goes with them, written in one store transaction.
type Plan struct {
	Drafts   []room.Draft
	Links    []store.Link
	Revoke   []string // ids of the room's links revoked by the first event
	Messages []store.Message
	Contact  *store.ContactUse // the customer invited, for the address book
	// Presence is a presence row taken or released with the events.
	Presence *store.PresenceChange
	// Rewrite, if set, is the room's whole log as it must now read (an
	// erasure masks personal data in it): the state is folded from it
	// before Drafts are applied. Erase goes with it.
	Rewrite []room.Event
	Erase   *store.Erasure
	// Documents are the files of documents the drafts add or complete.
	Documents []store.DocumentFiles
	// RequestFiles are the files uploaded for requests the drafts record.
	RequestFiles []store.RequestFile
}

// empty reports whether the plan changes nothing.
func (p Plan) empty() bool { return len(p.Drafts) == 0 && p.Presence == nil && p.Rewrite == nil }

// Decide makes a plan on a room's current state. It may be called again
// with a newer state when another writer got there first, so it must not
// have effects of its own besides reading.
type Decide func(s room.State) (Plan, error)

// maxCommitTries bounds the optimistic retry loop of Commit. Within one
// instance commands on a room take turns (roomLocks), so conflicts only
// happen when several instances hit one room at the same instant.
const maxCommitTries = 20

// roomLocks serializes the commands on a room within one instance, so that
// they queue instead of racing each other through the store's optimistic
// check, and publish in the order they committed. Rooms share a fixed set
// of stripes: memory stays constant however many rooms there are.
type roomLocks [256]sync.Mutex

func (l *roomLocks) lock(roomID string) func() {
	m := &l[l.stripe(roomID)]
	m.Lock()
	return m.Unlock
}

// stripe is the index of the lock a room takes.
func (l *roomLocks) stripe(roomID string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(roomID))
	return h.Sum32() % uint32(len(l))
}

// conflictBackoff is how long Commit waits before its try-th retry: a few
// random milliseconds, growing, so that instances racing for one room
// spread out instead of colliding again.
func conflictBackoff(try int) time.Duration {
	return time.Duration(1+rand.IntN(2*min(try, 10))) * time.Millisecond
}

// retryable reports whether err says the room moved under the decision:
// deciding again on the new state may succeed.
func retryable(err error) bool {
	switch tandem.ErrorCode(err) {
	case tandem.CodeSeqConflict, tandem.CodePresenceConflict:
		return true
	}
	return false
}

// Commit is the one path by which a room changes: it runs decide against
// the room's latest state and writes what it returns, deciding again on
// the new state when someone else wrote first. The change waits for its
// batch (committer.go): the new events are published once the batch is
// durable. A plan that changes nothing writes nothing.
//
// The state decided on is the one this instance's last commit on the room
// left (stateCache) when it has one of the caller's account, and the
// store's otherwise: the store refuses a change decided on a state that is
// no longer the room's (seq_conflict), and Commit then reads the room and
// decides again. A decision that refuses, or finds nothing to do, is never
// answered from the kept state alone: Commit decides again on the stored
// one, which the store's check would not otherwise have confirmed.
func (a *App) Commit(ctx context.Context, account, roomID string, decide Decide) (room.State, error) {
	defer a.writers.lock(roomID)()
	stored := false // whether to read the room from the store, not the cache
	for try := 0; ; try++ {
		var s room.State
		kept := false
		if !stored {
			s, kept = a.states.get(account, roomID)
		}
		if !kept {
			var err error
			if s, err = a.store.Room(ctx, account, roomID); err != nil {
				return s, err
			}
		}
		p, err := decide(s)
		if err != nil || p.empty() {
			if kept {
				stored = true
				continue
			}
			return s, err
		}
		next, err := a.write(ctx, s, false, p)
		if kept && tandem.ErrorCode(err) == tandem.CodeSeqConflict {
			// The room moved on another instance since this one last
			// wrote it: read it now, at once.
			stored = true
			continue
		}
		if retryable(err) && try < maxCommitTries {
			select {
			case <-ctx.Done():
				return s, ctx.Err()
			case <-time.After(conflictBackoff(try + 1)):
			}
			continue
		}
		return next, err
	}
}

// create writes a new room whose plan starts with room.created; the room's
// id is that of the first draft's events.
func (a *App) create(ctx context.Context, roomID string, p Plan) (room.State, error) {
	defer a.writers.lock(roomID)()
	return a.write(ctx, room.State{ID: roomID}, true, p)
}

// write numbers the plan's drafts after s, stamps them with the request's
// origin (OriginFrom; events of the system have none), chains them after
// the room's head, folds them into the state the room will have, and
// hands it all as one change to the committer, waiting for the batch it
// goes in; once durable, the events are published, the dispatcher woken
// for the messages, and the customer told of new items. The state reached
// is kept for the room's next command (stateCache), and forgotten on any
// error, whose change may or may not be the room's. The caller holds the
// room's lock, so that this instance's changes to a room are committed,
// kept and published one at a time, in order. It is the only way to
// store.Commit.
//
// A rewrite (an erasure) replaces the whole log: it is chained again from
// "" (room/chain.go), and the new events after it.
func (a *App) write(ctx context.Context, s room.State, create bool, p Plan) (room.State, error) {
	base := s
	if create {
		base = room.State{}
	}
	if p.Rewrite != nil {
		p.Rewrite = append([]room.Event(nil), p.Rewrite...)
		room.Chain("", p.Rewrite)
		var err error
		if base, err = room.Fold(p.Rewrite); err != nil {
			return s, err
		}
	}
	at := a.now()
	evs, err := room.Number(s.ID, s.Seq, at, p.Drafts)
	if err != nil {
		return s, err
	}
	if o := OriginFrom(ctx); o != nil {
		for i := range evs {
			if evs[i].Actor.Kind != room.ActorSystem {
				evs[i].Origin = o
			}
		}
	}
	room.Chain(base.Hash, evs)
	next := base
	for _, e := range evs {
		if next, err = room.Apply(next, e); err != nil {
			return s, err
		}
	}
	account := next.Account
	ch := store.Change{
		Account: account, Room: s.ID, Create: create, Head: s.Seq, Events: evs, State: next,
		Rewrite: p.Rewrite, Erase: p.Erase, Links: p.Links, RevokeLinks: p.Revoke, Messages: p.Messages,
		Contact: p.Contact, Presence: p.Presence, Documents: p.Documents, RequestFiles: p.RequestFiles,
	}
	if err := a.committer.commit(ctx, ch); err != nil {
		a.states.drop(s.ID)
		return s, err
	}
	a.states.put(next)
	a.cfg.Publisher.Publish(account, evs)
	if len(p.Messages) > 0 {
		a.kickDispatcher()
	}
	a.noticeIfItems(account, s.ID, evs)
	return next, nil
}
