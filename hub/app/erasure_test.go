package app

import (
	"context"
	"strings"
	"testing"

	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store/sqlite/sqlitetest"
)

// A room erased once that names the customer again (a new phone) and is
// erased again records the erasure again: the rewrite changes the state,
// so it moves the seq, and an instance that kept the state before it
// decides again instead of writing the customer's phone back.
func TestEraseAgainRecordsIt(t *testing.T) {
	st := sqlitetest.Open(t)
	one := newCommitApp(t, st, &published{}, nil)
	two := newCommitApp(t, st, &published{}, nil)
	agent := newAgent(t, st)
	ctx := context.Background()
	s := newRooms(t, one, agent, 1)[0]

	erase := func() {
		t.Helper()
		cs, err := one.Contacts(ctx, agent, "", 10)
		if err != nil || len(cs) != 1 {
			t.Fatalf("contacts %+v, %v", cs, err)
		}
		if err := one.DeleteContact(ctx, agent, cs[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	erase()
	if _, err := one.Reengage(ctx, agent, s.ID, room.ChannelSMS, room.Customer{Name: "Sam Lee", Phone: "+14155550199"}); err != nil {
		t.Fatal(err)
	}
	// The other instance keeps the room's state, with the new phone.
	kept, err := two.ReportActivity(ctx, agent, s.ID, "typing", "")
	if err != nil || kept.Customer.Phone != "+14155550199" {
		t.Fatalf("before the second erasure: %+v, %v", kept.Customer, err)
	}
	erase()
	if _, err := two.ReportActivity(ctx, agent, s.ID, "typing", ""); err != nil {
		t.Fatal(err)
	}

	log := logOf(t, st, s.Account, s.ID)
	erasures := 0
	for _, e := range log {
		if e.Type == room.TypeContactErased {
			erasures++
		}
		if strings.Contains(string(e.Data), "+14155550199") {
			t.Errorf("event %d still names the phone: %s", e.Seq, e.Data)
		}
	}
	if erasures != 2 {
		t.Errorf("%d erasures recorded, want 2", erasures)
	}
	stored, err := st.Room(ctx, s.Account, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Customer.Phone != room.MaskPhone("+14155550199") || stored.Seq != int64(len(log)) || stored.Hash != log[len(log)-1].Hash {
		t.Errorf("stored state at %d (%s), customer %+v; log head %d (%s)", stored.Seq, stored.Hash, stored.Customer, len(log), log[len(log)-1].Hash)
	}
	if r, err := room.VerifyChain(log); err != nil || len(r.Rewrites) != 2 {
		t.Errorf("chain: %+v, %v", r, err)
	}
}
