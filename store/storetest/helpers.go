package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// noteType is an event type room.Apply does not know: it only advances the
// room's Seq, which makes it handy for filling logs.
const noteType = "test.note"

// note returns a test.note event of room id with the given seq and data.
func note(id string, seq int64, at time.Time, data string) room.Event {
	return room.Event{Room: id, Seq: seq, Type: noteType, At: at, Actor: room.System, Data: json.RawMessage(data)}
}

// normal returns copies of evs as the store gives them back: times in UTC
// to the microsecond.
func normal(evs []room.Event) []room.Event {
	out := make([]room.Event, len(evs))
	for i, e := range evs {
		e.At = stored(e.At)
		out[i] = e
	}
	return out
}

// fold folds evs into a state, failing t if they do not fold.
func fold(t *testing.T, evs []room.Event) room.State {
	t.Helper()
	s, err := room.Fold(evs)
	if err != nil {
		t.Fatalf("fold: %v", err)
	}
	return s
}

// apply applies evs to s, failing t if they do not fold.
func apply(t *testing.T, s room.State, evs []room.Event) room.State {
	t.Helper()
	for _, e := range evs {
		var err error
		if s, err = room.Apply(s, e); err != nil {
			t.Fatalf("apply: %v", err)
		}
	}
	return s
}

// createChange returns the change that makes the room of account whose
// log starts with evs (room.created first), with the state they fold to
// as the store keeps them: what a hub's commit path decides.
func createChange(t *testing.T, account string, evs []room.Event) store.Change {
	t.Helper()
	return store.Change{Account: account, Room: evs[0].Room, Create: true, Events: evs, State: fold(t, normal(evs))}
}

// appendChange returns the change that appends evs to the room in state s,
// decided at its head.
func appendChange(t *testing.T, s room.State, evs ...room.Event) store.Change {
	t.Helper()
	return store.Change{Account: s.Account, Room: s.ID, Head: s.Seq, Events: evs, State: apply(t, s, normal(evs))}
}

// commit commits c alone and returns its result. It may run in any
// goroutine.
func commit(st store.Store, c store.Change) error {
	errs := st.Commit(ctx, []store.Change{c})
	if len(errs) != 1 {
		return fmt.Errorf("a commit of one change returned %d results", len(errs))
	}
	return errs[0]
}

// commit commits c, failing t if it is refused, and returns its state.
func (f *fixture) commit(t *testing.T, c store.Change) room.State {
	t.Helper()
	if err := commit(f.st, c); err != nil {
		t.Fatalf("commit %d events to room %s at %d: %v", len(c.Events), c.Room, c.Head, err)
	}
	return c.State
}

// isConflict reports whether err is a conflict with code.
func isConflict(err error, code string) bool {
	return tandem.IsKind(err, tandem.KindConflict) && tandem.ErrorCode(err) == code
}

// storedLink is l as the store gives it back.
func storedLink(l store.Link) store.Link {
	l.CreatedAt, l.ExpiresAt = stored(l.CreatedAt), stored(l.ExpiresAt)
	if l.RevokedAt != nil {
		l.RevokedAt = storedPtr(*l.RevokedAt)
	}
	return l
}

// storedMessage is m as the store gives it back.
func storedMessage(m store.Message) store.Message {
	m.CreatedAt = stored(m.CreatedAt)
	if m.SentAt != nil {
		m.SentAt = storedPtr(*m.SentAt)
	}
	return m
}

// events returns all the events of room id in account, read page by page.
func (f *fixture) events(t *testing.T, account, id string) []room.Event {
	t.Helper()
	return allEvents(t, f.st, account, id)
}

func allEvents(t *testing.T, st store.Store, account, id string) []room.Event {
	t.Helper()
	var out []room.Event
	var after int64
	for {
		page, err := st.Events(ctx, account, id, after, 100)
		if err != nil {
			t.Fatalf("events of room %s: %v", id, err)
		}
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].Seq
	}
}

// room returns the state of room id of f's account.
func (f *fixture) room(t *testing.T, id string) room.State {
	t.Helper()
	s, err := f.st.Room(ctx, f.account, id)
	if err != nil {
		t.Fatalf("room %s: %v", id, err)
	}
	return s
}

// link returns link id of f's account.
func (f *fixture) link(t *testing.T, id string) store.Link {
	t.Helper()
	l, err := f.st.Link(ctx, f.account, id)
	if err != nil {
		t.Fatalf("link %s: %v", id, err)
	}
	return l
}

// messages returns the messages of account, newest first.
func (f *fixture) messages(t *testing.T, account string) []store.Message {
	t.Helper()
	ms, err := f.st.Messages(ctx, account, 100)
	if err != nil {
		t.Fatalf("messages of %s: %v", account, err)
	}
	return ms
}

// unchanged fails t unless room id of f's account still has state s and
// events evs, and the account still has messages ms: what a refused change
// must leave behind.
func (f *fixture) unchanged(t *testing.T, id string, s room.State, evs []room.Event, ms []store.Message) {
	t.Helper()
	wantEqual(t, "state after a refused change", f.room(t, id), s)
	wantEqual(t, "events after a refused change", f.events(t, f.account, id), evs)
	wantEqual(t, "messages after a refused change", f.messages(t, f.account), ms)
}

// otherAgent adds an agent to f's other account and returns it as an actor.
func (f *fixture) otherAgent(t *testing.T) room.Actor {
	t.Helper()
	u := newUser(t, f.st, f.other, room.NewID("us")+"@example.org")
	return room.Actor{Kind: room.ActorAgent, ID: u.ID, Name: u.Name}
}

// parallel runs fn(0) … fn(n-1) in n goroutines released together, so that
// they race each other, and waits for all of them. fn must not call
// t.Fatal (it is not the test's goroutine): it reports with t.Error.
func parallel(n int, fn func(i int)) {
	start := make(chan struct{})
	done := make(chan struct{}, n)
	for i := range n {
		go func() {
			defer func() { done <- struct{}{} }()
			<-start
			fn(i)
		}()
	}
	close(start)
	for range n {
		<-done
	}
}
