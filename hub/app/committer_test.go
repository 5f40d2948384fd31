package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
	"github.com/tandemhq/tandem/store/postgres/pgtest"
	"github.com/tandemhq/tandem/store/sqlite/sqlitetest"
)

// testStores are the real stores the committer's tests run on.
var testStores = []struct {
	name string
	open func(testing.TB) store.Store
}{
	{"sqlite", func(tb testing.TB) store.Store { return sqlitetest.Open(tb) }},
	{"postgres", func(tb testing.TB) store.Store { return pgtest.Open(tb) }},
}

// published records what an App publishes, by room, in order.
type published struct {
	mu    sync.Mutex
	rooms map[string][]room.Event
}

func (p *published) Publish(_ string, evs []room.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rooms == nil {
		p.rooms = make(map[string][]room.Event)
	}
	for _, e := range evs {
		p.rooms[e.Room] = append(p.rooms[e.Room], e)
	}
}

func (p *published) of(roomID string) []room.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]room.Event(nil), p.rooms[roomID]...)
}

// gatedStore is a store whose Commit the test watches and steers: it
// records the rooms of each batch, may refuse some changes or fail whole
// batches, and, while hold is open, waits after the store's answer before
// returning it.
type gatedStore struct {
	store.Store

	mu      sync.Mutex
	batches [][]string
	hold    chan struct{} // Commit waits for it to close, if set
	entered chan struct{} // is sent a value, if set and there is room, once the store answered
	// refuse, if set, is asked about each change: a change it returns an
	// error for is not written, and gets that error.
	refuse func(store.Change) error
	// fail, if set, fails every batch whole.
	fail error
}

func (g *gatedStore) Commit(ctx context.Context, batch []store.Change) []error {
	g.mu.Lock()
	rooms := make([]string, len(batch))
	for i, ch := range batch {
		rooms[i] = ch.Room
	}
	g.batches = append(g.batches, rooms)
	hold, entered, refuse, fail := g.hold, g.entered, g.refuse, g.fail
	g.mu.Unlock()

	errs := make([]error, len(batch))
	if fail != nil {
		for i := range errs {
			errs[i] = fail
		}
	} else {
		var pass []store.Change
		var at []int
		for i, ch := range batch {
			if refuse != nil {
				if err := refuse(ch); err != nil {
					errs[i] = err
					continue
				}
			}
			pass = append(pass, ch)
			at = append(at, i)
		}
		if len(pass) > 0 {
			for j, err := range g.Store.Commit(ctx, pass) {
				errs[at[j]] = err
			}
		}
	}
	if entered != nil {
		select {
		case entered <- struct{}{}:
		default:
		}
	}
	if hold != nil {
		<-hold
	}
	return errs
}

// sizes is how many changes each batch had, in order.
func (g *gatedStore) sizes() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := make([]int, len(g.batches))
	for i, b := range g.batches {
		n[i] = len(b)
	}
	return n
}

// holdBatches makes the next batches wait, once the store answered, until
// release is called, at the latest when the test ends (before the App
// stops), so that a failing test ends instead of hanging.
func (g *gatedStore) holdBatches(t *testing.T) (release func()) {
	hold := make(chan struct{})
	g.mu.Lock()
	g.hold = hold
	g.mu.Unlock()
	var once sync.Once
	release = func() {
		once.Do(func() {
			g.mu.Lock()
			g.hold = nil
			g.mu.Unlock()
			close(hold)
		})
	}
	t.Cleanup(release)
	return release
}

// waitBatches waits until the store was asked to commit n batches.
func (g *gatedStore) waitBatches(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); len(g.sizes()) < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d batches, want %d", len(g.sizes()), n)
		}
	}
}

// newAgent creates an account and its admin in st.
func newAgent(t *testing.T, st store.Store) Caller {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	acct := tandem.Account{ID: room.NewID("ac"), Name: "Acme", CreatedAt: now}
	if err := st.CreateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	u := tandem.User{ID: room.NewID("us"), Account: acct.ID, Email: room.NewID("ana") + "@acme.test", Name: "Ana", Role: tandem.RoleAdmin, PasswordHash: "x", CreatedAt: now}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	return Caller{User: &u}
}

// newCommitApp is an App on st that publishes to pub, stopped when the
// test ends.
func newCommitApp(t *testing.T, st store.Store, pub Publisher, cfg func(*Config)) *App {
	t.Helper()
	u, _ := url.Parse("https://hub.example.com")
	c := Config{Store: st, Publisher: pub, PublicURL: u, BcryptCost: 4}
	if cfg != nil {
		cfg(&c)
	}
	a, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	return a
}

// newRooms creates n rooms through a, each taking a lock of its own
// (roomLocks), so that commands on them never wait for each other there.
func newRooms(t *testing.T, a *App, agent Caller, n int) []room.State {
	t.Helper()
	var rooms []room.State
	stripes := map[uint32]bool{}
	for len(rooms) < n {
		s, err := a.CreateRoom(context.Background(), agent, NewRoom{Mode: room.ModeLive, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Sam Lee", Phone: "+14155550134"}})
		if err != nil {
			t.Fatal(err)
		}
		if st := a.writers.stripe(s.ID); !stripes[st] {
			stripes[st] = true
			rooms = append(rooms, s)
		}
	}
	return rooms
}

// waitQueued waits until n changes are queued in a's committer, not taken.
func waitQueued(t *testing.T, a *App, n int) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		a.committer.mu.Lock()
		q := len(a.committer.queue)
		a.committer.mu.Unlock()
		if q == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d changes queued, want %d", q, n)
		}
	}
}

// committerRunning reports whether a goroutine of a committer is running.
func committerRunning() bool {
	buf := make([]byte, 1<<20)
	return strings.Contains(string(buf[:runtime.Stack(buf, true)]), ".(*committer).run")
}

// logOf reads the whole log of a room.
func logOf(t *testing.T, st store.Store, account, roomID string) []room.Event {
	t.Helper()
	var log []room.Event
	for {
		evs, err := st.Events(context.Background(), account, roomID, int64(len(log)), tandem.MaxEventsPage)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			return log
		}
		log = append(log, evs...)
	}
}

// activityRefs checks that log is numbered 1, 2, … without a gap and
// returns the refs of its activity events.
func activityRefs(t *testing.T, log []room.Event) []string {
	t.Helper()
	var refs []string
	for i, e := range log {
		if e.Seq != int64(i+1) {
			t.Fatalf("room %s: event %d has seq %d", e.Room, i+1, e.Seq)
		}
		if e.Type == room.TypeActivity {
			var d room.Activity
			if err := json.Unmarshal(e.Data, &d); err != nil {
				t.Fatal(err)
			}
			refs = append(refs, d.Ref)
		}
	}
	return refs
}

// Many callers on many rooms at once: every change is committed once,
// each room's log and what was published of it are numbered without a
// gap, in order, and each caller learns the seq its own event took.
func TestCommitterManyRooms(t *testing.T) {
	for _, ts := range testStores {
		t.Run(ts.name, func(t *testing.T) {
			gs := &gatedStore{Store: ts.open(t)}
			pub := &published{}
			a := newCommitApp(t, gs, pub, nil)
			agent := newAgent(t, gs)
			const nRooms, perRoom, callers = 12, 12, 3
			rooms := newRooms(t, a, agent, nRooms)
			ctx := context.Background()

			type result struct {
				ref string
				seq int64
			}
			results := make([][]result, nRooms)
			var mu sync.Mutex
			var wg sync.WaitGroup
			errs := make(chan error, nRooms*perRoom)
			for r := range rooms {
				for c := range callers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := c; i < perRoom; i += callers {
							ref := fmt.Sprintf("r%d-%d", r, i)
							s, err := a.ReportActivity(ctx, agent, rooms[r].ID, "typing", ref)
							if err != nil {
								errs <- fmt.Errorf("%s: %w", ref, err)
								continue
							}
							mu.Lock()
							results[r] = append(results[r], result{ref, s.Seq})
							mu.Unlock()
						}
					}()
				}
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			for r, s := range rooms {
				log := logOf(t, gs, s.Account, s.ID)
				refs := activityRefs(t, log)
				if len(refs) != perRoom || int64(len(log)) != s.Seq+perRoom {
					t.Fatalf("room %d: %d activities, log of %d events after %d, want %d", r, len(refs), len(log), s.Seq, perRoom)
				}
				seen := map[string]int64{}
				for _, e := range log[s.Seq:] {
					var d room.Activity
					_ = json.Unmarshal(e.Data, &d)
					if _, dup := seen[d.Ref]; dup {
						t.Fatalf("room %d: %s written twice", r, d.Ref)
					}
					seen[d.Ref] = e.Seq
				}
				for _, res := range results[r] {
					if seen[res.ref] != res.seq {
						t.Errorf("room %d: %s answered seq %d, is at %d", r, res.ref, res.seq, seen[res.ref])
					}
				}
				pubs := pub.of(s.ID)
				if len(pubs) != len(log) {
					t.Fatalf("room %d: %d events published, %d written", r, len(pubs), len(log))
				}
				for i, e := range pubs {
					if e.Seq != int64(i+1) || e.Hash != log[i].Hash {
						t.Fatalf("room %d: published #%d is seq %d (hash %s), the log's is %s", r, i+1, e.Seq, e.Hash, log[i].Hash)
					}
				}
			}
			most := 0
			for _, n := range gs.sizes() {
				most = max(most, n)
			}
			t.Logf("%d store commits, the largest of %d changes", len(gs.sizes()), most)
		})
	}
}

// Changes that come while a commit is in flight go together in the next
// one; a lone change on an idle instance goes at once, alone.
func TestCommitterBatches(t *testing.T) {
	gs := &gatedStore{Store: sqlitetest.Open(t)}
	pub := &published{}
	a := newCommitApp(t, gs, pub, func(c *Config) { c.MaxBatch = 5 })
	agent := newAgent(t, gs)
	rooms := newRooms(t, a, agent, 8)
	ctx := context.Background()
	before := len(gs.sizes())

	release := gs.holdBatches(t)
	var wg sync.WaitGroup
	report := func(roomID string) {
		defer wg.Done()
		if _, err := a.ReportActivity(ctx, agent, roomID, "typing", ""); err != nil {
			t.Error(err)
		}
	}
	wg.Add(1)
	go report(rooms[0].ID)
	waitQueued(t, a, 0)
	gs.waitBatches(t, before+1)
	// The first change is in the store, held there: the next seven queue.
	for _, s := range rooms[1:] {
		wg.Add(1)
		go report(s.ID)
	}
	waitQueued(t, a, 7)
	release()
	wg.Wait()
	if got := fmt.Sprint(gs.sizes()[before:]); got != "[1 5 2]" {
		t.Errorf("batches %s, want [1 5 2]: one alone, then the seven queued meanwhile, five at most in one", got)
	}
	for _, s := range rooms {
		if n := len(pub.of(s.ID)); n != int(s.Seq)+1 {
			t.Errorf("room %s: %d events published, want %d", s.ID, n, s.Seq+1)
		}
	}

	// Idle again: one change goes alone, without waiting for company.
	if _, err := a.ReportActivity(ctx, agent, rooms[0].ID, "typing", ""); err != nil {
		t.Fatal(err)
	}
	if got := gs.sizes()[len(gs.sizes())-1]; got != 1 {
		t.Errorf("a lone change went in a batch of %d", got)
	}
}

// One change of a batch refused for a seq conflict: only its caller sees
// it, decides again and succeeds; the others of the batch are written at
// once.
func TestCommitterRefusesOneChange(t *testing.T) {
	for _, ts := range testStores {
		t.Run(ts.name, func(t *testing.T) {
			gs := &gatedStore{Store: ts.open(t)}
			pub := &published{}
			a := newCommitApp(t, gs, pub, nil)
			agent := newAgent(t, gs)
			rooms := newRooms(t, a, agent, 4)
			ctx := context.Background()
			victim := rooms[2].ID
			var refused sync.Once
			gs.mu.Lock()
			gs.refuse = func(ch store.Change) error {
				var err error
				if ch.Room == victim {
					refused.Do(func() { err = tandem.Coded(tandem.KindConflict, tandem.CodeSeqConflict, "room %s moved", ch.Room) })
				}
				return err
			}
			gs.mu.Unlock()
			before := len(gs.sizes())

			release := gs.holdBatches(t)
			var wg sync.WaitGroup
			seqs := make([]int64, len(rooms))
			errs := make([]error, len(rooms))
			report := func(i int) {
				defer wg.Done()
				s, err := a.ReportActivity(ctx, agent, rooms[i].ID, "typing", "")
				seqs[i], errs[i] = s.Seq, err
			}
			wg.Add(1)
			go report(0)
			gs.waitBatches(t, before+1)
			for i := 1; i < len(rooms); i++ {
				wg.Add(1)
				go report(i)
			}
			waitQueued(t, a, len(rooms)-1)
			release()
			wg.Wait()

			for i, s := range rooms {
				if errs[i] != nil || seqs[i] != s.Seq+1 {
					t.Errorf("room %d: seq %d, %v; want %d", i, seqs[i], errs[i], s.Seq+1)
				}
				if log := logOf(t, gs, s.Account, s.ID); len(activityRefs(t, log)) != 1 {
					t.Errorf("room %d: %d activities written, want 1", i, len(activityRefs(t, log)))
				}
			}
			var batches [][]string
			gs.mu.Lock()
			batches = append(batches, gs.batches[before:]...)
			gs.mu.Unlock()
			if len(batches) != 3 || len(batches[1]) != 3 || fmt.Sprint(batches[2]) != "["+victim+"]" {
				t.Errorf("batches %v: want the first room alone, the three others together, then the refused one again alone", batches)
			}
		})
	}
}

// A batch the store fails whole: every caller in it gets the error, and
// nothing of it is published or written; the next commands decide on the
// stored state again and succeed.
func TestCommitterBatchFails(t *testing.T) {
	gs := &gatedStore{Store: sqlitetest.Open(t)}
	pub := &published{}
	a := newCommitApp(t, gs, pub, nil)
	agent := newAgent(t, gs)
	rooms := newRooms(t, a, agent, 4)
	ctx := context.Background()
	before := len(gs.sizes())

	release := gs.holdBatches(t)
	gs.mu.Lock()
	gs.fail = tandem.Errorf(tandem.KindUnavailable, "the database went away")
	gs.mu.Unlock()
	var wg sync.WaitGroup
	errs := make([]error, len(rooms))
	report := func(i int) {
		defer wg.Done()
		_, errs[i] = a.ReportActivity(ctx, agent, rooms[i].ID, "typing", "")
	}
	wg.Add(1)
	go report(0)
	gs.waitBatches(t, before+1)
	for i := 1; i < len(rooms); i++ {
		wg.Add(1)
		go report(i)
	}
	waitQueued(t, a, len(rooms)-1)
	release()
	wg.Wait()
	if got := fmt.Sprint(gs.sizes()[before:]); got != "[1 3]" {
		t.Errorf("batches %s, want [1 3]", got)
	}
	for i, s := range rooms {
		if !tandem.IsKind(errs[i], tandem.KindUnavailable) {
			t.Errorf("room %d: %v, want the store's error", i, errs[i])
		}
		if n := len(pub.of(s.ID)); n != int(s.Seq) {
			t.Errorf("room %d: %d events published, only the %d before", i, n, s.Seq)
		}
		if log := logOf(t, gs, s.Account, s.ID); int64(len(log)) != s.Seq {
			t.Errorf("room %d: %d events written, want %d", i, len(log), s.Seq)
		}
	}

	gs.mu.Lock()
	gs.fail = nil
	gs.mu.Unlock()
	for i, s := range rooms {
		if got, err := a.ReportActivity(ctx, agent, s.ID, "typing", ""); err != nil || got.Seq != s.Seq+1 {
			t.Errorf("room %d after the failure: seq %d, %v", i, got.Seq, err)
		}
	}
}

// Nothing is published, nor answered, before the store returned.
func TestCommitterPublishesOnceDurable(t *testing.T) {
	for _, ts := range testStores {
		t.Run(ts.name, func(t *testing.T) {
			gs := &gatedStore{Store: ts.open(t)}
			pub := &published{}
			a := newCommitApp(t, gs, pub, nil)
			agent := newAgent(t, gs)
			s := newRooms(t, a, agent, 1)[0]

			entered := make(chan struct{}, 1)
			gs.mu.Lock()
			gs.entered = entered
			gs.mu.Unlock()
			release := gs.holdBatches(t)
			done := make(chan error, 1)
			go func() {
				_, err := a.ReportActivity(context.Background(), agent, s.ID, "typing", "")
				done <- err
			}()
			<-entered
			// The event is in the store, whose Commit has not returned.
			if log := logOf(t, gs, s.Account, s.ID); int64(len(log)) != s.Seq+1 {
				t.Fatalf("%d events written, want %d", len(log), s.Seq+1)
			}
			select {
			case err := <-done:
				t.Fatalf("answered before the store returned: %v", err)
			default:
			}
			if n := len(pub.of(s.ID)); n != int(s.Seq) {
				t.Fatalf("%d events published before the store returned, want the %d before", n, s.Seq)
			}
			release()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if n := len(pub.of(s.ID)); n != int(s.Seq)+1 {
				t.Errorf("%d events published, want %d", n, s.Seq+1)
			}
		})
	}
}

// The state a room's commit left on one instance never hides what another
// instance wrote since: the next command conflicts, reads the room again
// and decides on it; a command the new state refuses is refused; and the
// caller of another account learns what it would without the kept state.
func TestCommitterStateCache(t *testing.T) {
	for _, ts := range testStores {
		t.Run(ts.name, func(t *testing.T) {
			gs := &gatedStore{Store: ts.open(t)}
			one := newCommitApp(t, gs, &published{}, nil)
			two := newCommitApp(t, gs.Store, &published{}, nil)
			bare := newCommitApp(t, gs.Store, &published{}, func(c *Config) { c.CachedRooms = -1 })
			agent, stranger := newAgent(t, gs), newAgent(t, gs)
			ctx := context.Background()
			s := newRooms(t, one, agent, 1)[0]
			if kept, ok := one.states.get(agent.Account(), s.ID); !ok || kept.Seq != s.Seq {
				t.Fatalf("kept %d, %v after the creation at %d", kept.Seq, ok, s.Seq)
			}

			if _, err := two.ReportActivity(ctx, agent, s.ID, "typing", "two"); err != nil {
				t.Fatal(err)
			}
			before := len(gs.sizes())
			got, err := one.ReportActivity(ctx, agent, s.ID, "typing", "one")
			if err != nil || got.Seq != s.Seq+2 {
				t.Fatalf("after the other instance wrote: seq %d, %v; want %d", got.Seq, err, s.Seq+2)
			}
			if n := len(gs.sizes()) - before; n != 2 {
				t.Errorf("%d commits, want 2: one refused on the kept state, one on the state read again", n)
			}
			log := logOf(t, gs, s.Account, s.ID)
			if refs := fmt.Sprint(activityRefs(t, log)); refs != "[two one]" {
				t.Errorf("activities %s", refs)
			}
			if stored, err := gs.Room(ctx, s.Account, s.ID); err != nil || stored.Hash != log[len(log)-1].Hash || stored.Seq != got.Seq {
				t.Errorf("stored state at %d (%s), %v; the log's head is %d (%s)", stored.Seq, stored.Hash, err, len(log), log[len(log)-1].Hash)
			}

			// Closed on the other instance: the kept state is open, the
			// room is not.
			if _, err := two.CloseRoom(ctx, agent, s.ID, "Done"); err != nil {
				t.Fatal(err)
			}
			if _, err := one.ReportActivity(ctx, agent, s.ID, "typing", "late"); tandem.ErrorCode(err) != "room_closed" {
				t.Errorf("activity in a room closed on the other instance: %v", err)
			}

			// Another account's caller, on a room this instance keeps.
			t2 := newRooms(t, one, agent, 1)[0]
			if _, ok := one.states.get(agent.Account(), t2.ID); !ok {
				t.Fatal("the new room is not kept")
			}
			_, want := bare.ReportActivity(ctx, stranger, t2.ID, "typing", "")
			_, got2 := one.ReportActivity(ctx, stranger, t2.ID, "typing", "")
			if want == nil || got2 == nil || got2.Error() != want.Error() || tandem.ErrorCode(got2) != tandem.ErrorCode(want) {
				t.Errorf("another account's caller: %v, without the kept state %v", got2, want)
			}
		})
	}
}

// Stopping with changes queued: they are committed and their callers
// released, later ones are refused, no committer goroutine is left; a
// caller that gives up before its change is taken writes nothing.
func TestCommitterStop(t *testing.T) {
	gs := &gatedStore{Store: sqlitetest.Open(t)}
	pub := &published{}
	u, _ := url.Parse("https://hub.example.com")
	a, err := New(Config{Store: gs, Publisher: pub, PublicURL: u, BcryptCost: 4})
	if err != nil {
		t.Fatal(err)
	}
	agent := newAgent(t, gs)
	rooms := newRooms(t, a, agent, 5)
	ctx := context.Background()
	before := len(gs.sizes())

	release := gs.holdBatches(t)
	var wg sync.WaitGroup
	errs := make([]error, len(rooms))
	report := func(ctx context.Context, i int) {
		defer wg.Done()
		_, errs[i] = a.ReportActivity(ctx, agent, rooms[i].ID, "typing", "")
	}
	wg.Add(1)
	go report(ctx, 0)
	gs.waitBatches(t, before+1)
	for i := 1; i < 4; i++ {
		wg.Add(1)
		go report(ctx, i)
	}
	quitter, quit := context.WithCancel(ctx)
	wg.Add(1)
	go report(quitter, 4)
	waitQueued(t, a, 4)
	quit()
	waitQueued(t, a, 3)

	stopped := make(chan struct{})
	go func() {
		a.Stop()
		close(stopped)
	}()
	for {
		a.committer.mu.Lock()
		closed := a.committer.closed
		a.committer.mu.Unlock()
		if closed {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err := a.committer.commit(ctx, store.Change{Account: agent.Account(), Room: rooms[0].ID}); !tandem.IsKind(err, tandem.KindUnavailable) {
		t.Errorf("a change after Stop: %v, want unavailable", err)
	}
	select {
	case <-stopped:
		t.Fatal("Stop returned with a batch in the store")
	default:
	}
	release()
	<-stopped
	wg.Wait()
	// Stop returns once every committer called Done, which it does on its
	// way out: give the goroutine the moment it needs to be gone.
	for deadline := time.Now().Add(2 * time.Second); committerRunning() && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if committerRunning() {
		t.Error("a committer goroutine outlived Stop")
	}
	for i, s := range rooms {
		n := len(logOf(t, gs, s.Account, s.ID))
		switch {
		case i < 4 && (errs[i] != nil || n != int(s.Seq)+1):
			t.Errorf("room %d queued before Stop: %v, %d events", i, errs[i], n)
		case i == 4 && (!errors.Is(errs[i], context.Canceled) || n != int(s.Seq)):
			t.Errorf("room %d whose caller gave up: %v, %d events", i, errs[i], n)
		}
	}
}
