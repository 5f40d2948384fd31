package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// NewRooms makes an account of st and n rooms in it, failing tb on an
// error, for tests and benchmarks of one store's own.
func NewRooms(tb testing.TB, st store.Store, n int) []room.State {
	tb.Helper()
	account := room.NewID("ac")
	if err := st.CreateAccount(ctx, tandem.Account{ID: account, Name: "Acme " + account, CreatedAt: t0}); err != nil {
		tb.Fatalf("create account: %v", err)
	}
	agent := room.Actor{Kind: room.ActorAgent, ID: room.NewID("us"), Name: "Ana"}
	d, err := room.Create(room.CreateRoom{Account: account, Agent: agent, Mode: room.ModePreplan, Channel: room.ChannelSMS,
		Customer: room.Customer{Name: "Sam Lee", Phone: "+14155550134"}})
	if err != nil {
		tb.Fatal(err)
	}
	batch := make([]store.Change, n)
	for i := range batch {
		id := room.NewID("rm")
		evs, err := room.Number(id, 0, t0, []room.Draft{d})
		if err != nil {
			tb.Fatal(err)
		}
		s, err := room.Fold(normal(evs))
		if err != nil {
			tb.Fatal(err)
		}
		batch[i] = store.Change{Account: account, Room: id, Create: true, Events: evs, State: s}
	}
	out := make([]room.State, n)
	for i, err := range st.Commit(ctx, batch) {
		if err != nil {
			tb.Fatalf("create room %d: %v", i, err)
		}
		out[i] = batch[i].State
	}
	return out
}

// AppendNote returns the simple change that appends one event with data
// to the room in state s, decided at its head: the change of a message.
func AppendNote(tb testing.TB, s room.State, data string) store.Change {
	tb.Helper()
	e := normal([]room.Event{note(s.ID, s.Seq+1, t0, data)})[0]
	next, err := room.Apply(s, e)
	if err != nil {
		tb.Fatal(err)
	}
	return store.Change{Account: s.Account, Room: s.ID, Head: s.Seq, Events: []room.Event{e}, State: next}
}

// BenchmarkCommitBatch measures Commit of batches of simple appends on the
// stores open makes, what the hub's group commit hands the store under
// load: batches of 1, 16 and 64, each change to a room of its own among as
// many rooms, and batches of 32 to rooms picked at random among 1 000
// (each batch's rooms distinct), whose pages a batch seldom shares, as
// under hubbench's load. Each Commit has a deadline, as the hub's
// committer gives it. ns/op is per batch; events/s is the rate of
// appends.
func BenchmarkCommitBatch(b *testing.B, open Open) {
	for _, c := range []struct{ batch, rooms int }{{1, 1}, {16, 16}, {64, 64}, {32, 1000}} {
		name := fmt.Sprintf("batch=%d", c.batch)
		if c.rooms != c.batch {
			name += fmt.Sprintf("/rooms=%d", c.rooms)
		}
		b.Run(name, func(b *testing.B) {
			st := open(b)
			rooms := NewRooms(b, st, c.rooms)
			rng := rand.New(rand.NewPCG(1, 2))
			batch := make([]store.Change, c.batch)
			picked := make([]int, c.batch)
			i := 0
			for ; b.Loop(); i++ {
				for j, k := range rng.Perm(c.rooms)[:c.batch] {
					picked[j] = k
					batch[j] = AppendNote(b, rooms[k], fmt.Sprintf(`{"n":%d}`, i))
				}
				cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				errs := st.Commit(cctx, batch)
				cancel()
				for j, err := range errs {
					if err != nil {
						b.Fatalf("change %d: %v", j, err)
					}
					rooms[picked[j]] = batch[j].State
				}
			}
			b.ReportMetric(float64(c.batch*i)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
