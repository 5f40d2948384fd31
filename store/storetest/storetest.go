// Package storetest is the conformance suite of store.Store: every
// implementation runs it from its own tests, so the embedded and the
// server store keep exactly the same behaviour.
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(tb testing.TB) store.Store { return sqlitetest.Open(tb) })
//	}
package storetest

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Open returns a new, empty store that is closed when tb ends.
type Open func(tb testing.TB) store.Store

// Run runs the suite against the stores open makes; each subtest gets a
// store of its own.
func Run(t *testing.T, open func(tb testing.TB) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Open)
	}{
		{"Ping", testPing},
		{"Accounts", testAccounts},
		{"Users", testUsers},
		{"UsersScoped", testUsersScoped},
		{"People", testPeople},
		{"SignIns", testSignIns},
		{"DeleteUserSignIns", testDeleteUserSessions},
		{"PasswordResets", testPasswordResets},
		{"PasswordResetSpendsTheUsers", testPasswordResetSpendsTheUsers},
		{"PasswordResetConcurrentUse", testPasswordResetConcurrentUse},
		{"RoomPasses", testRoomPasses},
		{"CommitCreate", testCommitCreate},
		{"CommitCreateRefuses", testCommitCreateRefuses},
		{"CommitAppend", testCommitAppend},
		{"CommitSeqConflict", testCommitSeqConflict},
		{"CommitRefuses", testCommitRefuses},
		{"CommitRevokesLinks", testCommitRevokesLinks},
		{"CommitBatch", testCommitBatch},
		{"ConcurrentCommits", testConcurrentCommits},
		{"CommitBatchMany", testCommitBatchMany},
		{"CommitBatchRefusals", testCommitBatchRefusals},
		{"CommitBatchSameRoom", testCommitBatchSameRoom},
		{"ConcurrentBatches", testConcurrentBatches},
		{"RoomsScoped", testRoomsScoped},
		{"Events", testEvents},
		{"EventsRoundTrip", testEventsRoundTrip},
		{"EventsLimit", testEventsLimit},
		{"EventsJSON", testEventsJSON},
		{"ListRooms", testListRooms},
		{"ListRoomsLimit", testListRoomsLimit},
		{"ListRoomsByActivity", testListRoomsByActivity},
		{"ListRoomsSearch", testListRoomsSearch},
		{"ChangedRooms", testChangedRooms},
		{"RoomsInStatus", testRoomsInStatus},
		{"Contacts", testContacts},
		{"ContactsOutOfScope", testContactsOutOfScope},
		{"Erase", testErase},
		{"RewriteRefuses", testRewriteRefuses},
		{"Links", testLinks},
		{"Outbox", testOutbox},
		{"OutboxAttachment", testOutboxAttachment},
		{"OutboxConcurrentClaims", testOutboxConcurrentClaims},
		{"Presence", testPresence},
		{"PresenceRefuses", testPresenceRefuses},
		{"PresenceConflict", testPresenceConflict},
		{"PresenceScoped", testPresenceScoped},
		{"TouchPresence", testTouchPresence},
		{"ExpiredPresence", testExpiredPresence},
		{"DocumentFiles", testDocumentFiles},
		{"RequestFiles", testRequestFiles},
		{"Sealings", testSealings},
		{"SealKey", testSealKey},
		{"ReapPresence", testReapPresence},
		{"ConcurrentPresence", testConcurrentPresence},
		{"Assets", testAssets},
		{"AssetFields", testAssetFields},
		{"AssetsScoped", testAssetsScoped},
		{"DeleteAsset", testDeleteAsset},
		{"DocumentTypes", testDocumentTypes},
		{"DocumentTypesCodeTaken", testDocumentTypesCodeTaken},
		{"DocumentTypesSeed", testDocumentTypesSeed},
		{"DocumentTypesRetired", testDocumentTypesRetired},
		{"DocumentTypesUpdate", testDocumentTypesUpdate},
		{"DocumentTypesScoped", testDocumentTypesScoped},
		{"Brands", testBrands},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open)
		})
	}
}

// t0 has nanoseconds, which the store truncates to microseconds.
var t0 = time.Date(2026, 11, 25, 9, 0, 0, 123456789, time.UTC)

// elsewhere is a zone that is not UTC: the store must give times back in UTC.
var elsewhere = time.FixedZone("UTC+2", 2*60*60)

// stored is t as the store gives it back: UTC, to the microsecond.
func stored(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

func storedPtr(t time.Time) *time.Time {
	v := stored(t)
	return &v
}

var ctx = context.Background()

// fixture is a store with an account, an agent in it, and another account
// whose records must never show through.
type fixture struct {
	st      store.Store
	account string
	agent   tandem.User
	other   string
}

func newFixture(t *testing.T, open Open) *fixture {
	t.Helper()
	st := open(t)
	f := &fixture{st: st, account: newAccount(t, st), other: newAccount(t, st)}
	f.agent = newUser(t, st, f.account, room.NewID("us")+"@example.com")
	return f
}

func (f *fixture) actor() room.Actor {
	return room.Actor{Kind: room.ActorAgent, ID: f.agent.ID, Name: f.agent.Name}
}

func newAccount(t *testing.T, st store.Store) string {
	t.Helper()
	id := room.NewID("ac")
	if err := st.CreateAccount(ctx, tandem.Account{ID: id, Name: "Acme " + id, CreatedAt: t0}); err != nil {
		t.Fatalf("create account: %v", err)
	}
	return id
}

func newUser(t *testing.T, st store.Store, account, email string) tandem.User {
	t.Helper()
	u := tandem.User{ID: room.NewID("us"), Account: account, Email: email, Name: "Ana", Role: tandem.RoleAgent, PasswordHash: "hash", CreatedAt: t0}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u
}

// createdEvents returns the room.created event of a new room of f's agent.
func (f *fixture) createdEvents(t *testing.T, id string, at time.Time, agent room.Actor) []room.Event {
	t.Helper()
	return createdEventsIn(t, f.account, id, at, agent)
}

// createdEventsIn returns the room.created event of a new pre-planned room
// of account.
func createdEventsIn(t *testing.T, account, id string, at time.Time, agent room.Actor) []room.Event {
	t.Helper()
	d, err := room.Create(room.CreateRoom{Account: account, Agent: agent, Mode: room.ModePreplan, Channel: room.ChannelSMS,
		Customer: room.Customer{Name: "Sam Lee", Phone: "+14155550134"}})
	if err != nil {
		t.Fatal(err)
	}
	return seal(t, id, 0, at, d)
}

func seal(t *testing.T, id string, after int64, at time.Time, ds ...room.Draft) []room.Event {
	t.Helper()
	evs, err := room.Number(id, after, at, ds)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// newRoom creates a pre-planned room of f's agent, created at at.
func (f *fixture) newRoom(t *testing.T, at time.Time) room.State {
	t.Helper()
	return f.commit(t, createChange(t, f.account, f.createdEvents(t, room.NewID("rm"), at, f.actor())))
}

// invite commits the invitation of s with its link and message.
func (f *fixture) invite(t *testing.T, s room.State, at time.Time) (room.State, store.Link, store.Message) {
	t.Helper()
	l := store.Link{ID: room.NewID("ln"), Account: f.account, Room: s.ID, TokenHash: room.NewID("tok"), Channel: s.Channel,
		To: s.Customer.Phone, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
	d, err := room.Invite(s, room.InviteCustomer{Agent: f.actor(), Link: l.ID, ExpiresAt: l.ExpiresAt})
	if err != nil {
		t.Fatal(err)
	}
	m := store.Message{ID: room.NewID("msg"), Account: f.account, Room: s.ID, Channel: s.Channel, To: l.To, Body: "join us",
		Link: "https://tandem.example/r/x", LinkID: l.ID, CreatedAt: at, Status: store.MessagePending}
	c := appendChange(t, s, seal(t, s.ID, s.Seq, at, d)...)
	c.Links, c.Messages = []store.Link{l}, []store.Message{m}
	return f.commit(t, c), l, m
}

// join commits the customer joining s.
func (f *fixture) join(t *testing.T, s room.State, at time.Time) room.State {
	t.Helper()
	return f.commit(t, appendChange(t, s, seal(t, s.ID, s.Seq, at, room.Join(s, room.CustomerParticipant, room.RoleCustomer, "test")...)...))
}

// wantErr fails t unless err is an application error of kind, and of code
// if code is not empty.
func wantErr(t *testing.T, err error, kind tandem.Kind, code string) {
	t.Helper()
	if !tandem.IsKind(err, kind) {
		t.Fatalf("error %v (kind %q), want kind %q", err, tandem.ErrorKind(err), kind)
	}
	if code != "" && tandem.ErrorCode(err) != code {
		t.Fatalf("error %v has code %q, want %q", err, tandem.ErrorCode(err), code)
	}
}

// wantEqual fails t unless got and want are deeply equal.
func wantEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Fatalf("%s:\n got %s\nwant %s\n(%#v\n vs %#v)", what, g, w, got, want)
	}
}

func testPing(t *testing.T, open Open) {
	st := open(t)
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
}
