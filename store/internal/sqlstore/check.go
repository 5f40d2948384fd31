package sqlstore

import (
	"encoding/json"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// prepare returns c as the store writes it, with its events as the store
// keeps them (normalEvents), or why c cannot be written at all: a change
// whose parts do not fit together is a caller's mistake, KindInvalid,
// refused before any transaction begins. It judges the shape of c only,
// never whether the events make sense for the room: that was decided by
// the caller.
func prepare(c store.Change) (store.Change, error) {
	if c.Room == "" || c.Account == "" {
		return c, tandem.Errorf(tandem.KindInvalid, "a change needs an account and a room")
	}
	var err error
	if c.Events, err = normalEvents(c.Room, c.Events); err != nil {
		return c, err
	}
	if err := checkEvents(c); err != nil {
		return c, err
	}
	if c.Rewrite, err = normalEvents(c.Room, c.Rewrite); err != nil {
		return c, err
	}
	if err := checkRewrite(c); err != nil {
		return c, err
	}
	if c.Create || len(c.Events) > 0 || len(c.Rewrite) > 0 {
		if err := checkState(c); err != nil {
			return c, err
		}
	}
	if len(c.RevokeLinks) > 0 && len(c.Events) == 0 {
		return c, tandem.Errorf(tandem.KindInvalid, "room %s: links are revoked at the time of the change's first event, and it has none", c.Room)
	}
	if c.Erase != nil {
		if err := checkErasure(c.Room, *c.Erase); err != nil {
			return c, err
		}
	}
	if c.Presence != nil {
		if err := checkPresence(c.Room, *c.Presence); err != nil {
			return c, err
		}
	}
	return c, checkChange(c.Account, c.Room, c)
}

// checkEvents refuses events that do not follow c.Head one by one, and a
// room.created event anywhere but at the start of a new room's log: folded
// later, it would make the room over, even into another account's. A new
// room's log starts with it at seq 1.
func checkEvents(c store.Change) error {
	if c.Create {
		if c.Head != 0 {
			return tandem.Errorf(tandem.KindInvalid, "room %s: a new room has no head, not %d", c.Room, c.Head)
		}
		if len(c.Events) == 0 || c.Events[0].Type != room.TypeRoomCreated {
			return tandem.Errorf(tandem.KindInvalid, "room %s: a new room's log starts with its %s event", c.Room, room.TypeRoomCreated)
		}
	}
	for i, e := range c.Events {
		if want := c.Head + 1 + int64(i); e.Seq != want {
			return tandem.Errorf(tandem.KindInvalid, "room %s: the change's events follow seq %d without gaps, so event %d has seq %d, not %d",
				c.Room, c.Head, i+1, want, e.Seq)
		}
		if e.Type == room.TypeRoomCreated && (!c.Create || e.Seq != 1) {
			return tandem.Errorf(tandem.KindInvalid, "room %s: %s is only ever a room's first event, not event %d", c.Room, room.TypeRoomCreated, e.Seq)
		}
	}
	return nil
}

// checkRewrite refuses rewritten events that are not already in the log
// at c.Head, or named twice. Whether their types match the log's is only
// known in the transaction (rewriteEvents).
func checkRewrite(c store.Change) error {
	seen := make(map[int64]bool, len(c.Rewrite))
	for _, e := range c.Rewrite {
		if e.Seq < 1 || e.Seq > c.Head {
			return tandem.Errorf(tandem.KindInvalid, "room %s: event %d to rewrite is not in the log at seq %d", c.Room, e.Seq, c.Head)
		}
		if seen[e.Seq] {
			return tandem.Errorf(tandem.KindInvalid, "room %s: event %d is rewritten twice", c.Room, e.Seq)
		}
		seen[e.Seq] = true
	}
	return nil
}

// checkState refuses a state that is not of c's room and account, or not
// at the seq c's events bring the room to.
func checkState(c store.Change) error {
	st := c.State
	if st.ID != c.Room || st.Account != c.Account {
		return tandem.Errorf(tandem.KindInvalid, "the state of room %q in account %q comes with a change of room %q in account %q", st.ID, st.Account, c.Room, c.Account)
	}
	if want := c.Head + int64(len(c.Events)); st.Seq != want {
		return tandem.Errorf(tandem.KindInvalid, "room %s: the state is at seq %d, the change brings the room to %d", c.Room, st.Seq, want)
	}
	return nil
}

// checkErasure refuses an erasure that would leave a message to be sent.
func checkErasure(roomID string, e store.Erasure) error {
	switch e.CancelPending {
	case store.MessageSent, store.MessageFailed:
		return nil
	default:
		return tandem.Errorf(tandem.KindInvalid, "room %s: an erasure must leave its pending messages sent or failed, not %q", roomID, e.CancelPending)
	}
}

// checkPresence refuses a presence change that names no row, a row held
// with no end, or a negative count of holders.
func checkPresence(roomID string, p store.PresenceChange) error {
	if p.Instance == "" || p.Participant == "" {
		return tandem.Errorf(tandem.KindInvalid, "room %s: a presence change needs an instance and a participant", roomID)
	}
	if p.Hold && p.ExpiresAt.IsZero() {
		return tandem.Errorf(tandem.KindInvalid, "room %s: holding a presence needs a time it expires", roomID)
	}
	if p.Holders < 0 {
		return tandem.Errorf(tandem.KindInvalid, "room %s: a presence change expects %d holders", roomID, p.Holders)
	}
	return nil
}

// normalEvents returns copies of evs as the store keeps them: times in UTC
// to the microsecond, empty data as JSON null. It refuses events of another
// room and data that is not JSON.
func normalEvents(roomID string, evs []room.Event) ([]room.Event, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	out := make([]room.Event, len(evs))
	for i, e := range evs {
		if e.Room != roomID {
			return nil, tandem.Errorf(tandem.KindInvalid, "event %d is of room %q, not %q", e.Seq, e.Room, roomID)
		}
		e.At = utc(e.At)
		if len(e.Data) == 0 {
			e.Data = json.RawMessage("null")
		} else if !json.Valid(e.Data) {
			return nil, tandem.Errorf(tandem.KindInvalid, "room %s: the data of event %d is not JSON", roomID, e.Seq)
		}
		out[i] = e
	}
	return out, nil
}

// checkChange refuses links and messages of another room or account.
func checkChange(account, roomID string, c store.Change) error {
	for _, l := range c.Links {
		if l.Account != account || l.Room != roomID {
			return tandem.Errorf(tandem.KindInvalid, "link %s is of room %q in account %q, not room %q in account %q", l.ID, l.Room, l.Account, roomID, account)
		}
	}
	for _, m := range c.Messages {
		if m.Account != account || (m.Room != "" && m.Room != roomID) {
			return tandem.Errorf(tandem.KindInvalid, "message %s is of room %q in account %q, not room %q in account %q", m.ID, m.Room, m.Account, roomID, account)
		}
	}
	return nil
}
