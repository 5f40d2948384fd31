package room_test

import (
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

func invited(t *testing.T) room.State {
	t.Helper()
	s := created(t, room.ModePreplan)
	if s.InviteStatus != room.InvitePending {
		t.Fatalf("a pre-planned room's invitation is %q", s.InviteStatus)
	}
	d, err := room.Invite(s, room.InviteCustomer{Agent: agent, Link: "ln_1", ExpiresAt: t0.Add(7 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return apply(t, s, d)
}

func report(t *testing.T, s room.State, d room.Delivery) (room.State, bool) {
	t.Helper()
	ds, err := room.ReportDelivery(s, d)
	if err != nil {
		t.Fatal(err)
	}
	return apply(t, s, ds...), len(ds) > 0
}

// Providers report out of order and repeat themselves: a status only ever
// moves forward, and a repeat adds no event.
func TestDeliveryOnlyMovesForward(t *testing.T) {
	s := invited(t)
	if s.InviteStatus != room.InviteSent {
		t.Fatalf("invited: %q", s.InviteStatus)
	}
	steps := []struct {
		status   room.DeliveryStatus
		recorded bool
		want     room.InviteStatus
	}{
		{room.DeliverySent, true, room.InviteSent},
		{room.DeliveryQueued, false, room.InviteSent}, // late
		{room.DeliverySent, false, room.InviteSent},   // repeated
		{room.DeliveryDelivered, true, room.InviteDelivered},
		{room.DeliverySent, false, room.InviteDelivered},
		{room.DeliveryDelivered, false, room.InviteDelivered},
	}
	for _, st := range steps {
		var recorded bool
		s, recorded = report(t, s, room.Delivery{Link: "ln_1", Message: "msg_1", Status: st.status, Provider: "twilio"})
		if recorded != st.recorded || s.InviteStatus != st.want {
			t.Fatalf("after %s: recorded %v, status %q; want %v, %q", st.status, recorded, s.InviteStatus, st.recorded, st.want)
		}
	}
	if s.Invite.Delivery != room.DeliveryDelivered || s.Invite.DeliveryAt == nil {
		t.Fatalf("invitation: %+v", s.Invite)
	}
}

func TestDeliveryFailuresAndStrangers(t *testing.T) {
	s := invited(t)
	if _, err := room.ReportDelivery(s, room.Delivery{Link: "ln_1", Status: "read"}); tandem.ErrorCode(err) != "invalid_delivery" {
		t.Fatalf("an unknown status: %v", err)
	}
	// A report about another link changes nothing.
	if _, recorded := report(t, s, room.Delivery{Link: "ln_old", Status: room.DeliveryInvalid}); recorded {
		t.Fatal("a report about another link was recorded")
	}
	s, _ = report(t, s, room.Delivery{Link: "ln_1", Status: room.DeliveryUndelivered, Code: "30003", Reason: "unreachable handset"})
	if s.InviteStatus != room.InviteFailed || s.Invite.DeliveryCode != "30003" || s.Invite.DeliveryReason != "unreachable handset" {
		t.Fatalf("undelivered: %q %+v", s.InviteStatus, s.Invite)
	}
	// invalid says more than undelivered (the number is wrong, not busy).
	s, recorded := report(t, s, room.Delivery{Link: "ln_1", Status: room.DeliveryInvalid, Code: "21211", Reason: "not a valid phone number"})
	if !recorded || s.InviteStatus != room.InviteInvalid {
		t.Fatalf("invalid after undelivered: %v %q", recorded, s.InviteStatus)
	}
	if _, recorded := report(t, s, room.Delivery{Link: "ln_1", Status: room.DeliveryDelivered}); recorded {
		t.Fatal("delivered after invalid was recorded")
	}
	// A customer who connects is connected, whatever the delivery said.
	s = apply(t, s, room.Join(s, room.CustomerParticipant, room.RoleCustomer, "")...)
	if s.InviteStatus != room.InviteConnected {
		t.Fatalf("connected: %q", s.InviteStatus)
	}
}

func TestReengage(t *testing.T) {
	s := invited(t)
	s, _ = report(t, s, room.Delivery{Link: "ln_1", Status: room.DeliveryInvalid, Code: "21614", Reason: "not a mobile number"})

	// Switch to email: the contact changes, the old link is revoked, a new
	// invitation goes out as attempt 2, and its delivery starts afresh.
	ds, err := room.Reengage(s, room.ReengageCustomer{Agent: agent, Channel: room.ChannelEmail,
		Customer: room.Customer{Phone: s.Customer.Phone, Email: "Sam@Example.COM"}, Link: "ln_2", ExpiresAt: t0.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	types := []string{room.TypeContactChanged, room.TypeLinkRevoked, room.TypeRoomInvited}
	if len(ds) != len(types) {
		t.Fatalf("re-engage: %d events, want %d", len(ds), len(types))
	}
	for i, d := range ds {
		if d.Type != types[i] {
			t.Fatalf("event %d is %s, want %s", i, d.Type, types[i])
		}
	}
	s = apply(t, s, ds...)
	if s.Channel != room.ChannelEmail || s.Customer.Email != "Sam@example.com" || s.Customer.Name != "Sam Lee" {
		t.Fatalf("contact after re-engage: %s %+v", s.Channel, s.Customer)
	}
	if s.Invite.Link != "ln_2" || s.Invite.Attempt != 2 || s.Invite.To != "Sam@example.com" || s.Invite.Delivery != "" || s.InviteStatus != room.InviteSent {
		t.Fatalf("invitation after re-engage: %+v, %q", s.Invite, s.InviteStatus)
	}
	// The old link's late reports no longer count.
	if _, recorded := report(t, s, room.Delivery{Link: "ln_1", Status: room.DeliveryDelivered}); recorded {
		t.Fatal("a report about the revoked link was recorded")
	}

	// Same contact, same channel: just a new link.
	ds, err = room.Reengage(s, room.ReengageCustomer{Agent: agent, Channel: room.ChannelEmail, Customer: s.Customer, Link: "ln_3", ExpiresAt: t0.Add(3 * time.Hour)})
	if err != nil || len(ds) != 2 || ds[0].Type != room.TypeLinkRevoked {
		t.Fatalf("re-send: %v %+v", err, ds)
	}
	s = apply(t, s, ds...)

	for _, tc := range []struct {
		c    room.ReengageCustomer
		code string
	}{
		{room.ReengageCustomer{Channel: "fax", Customer: s.Customer}, "invalid_channel"},
		{room.ReengageCustomer{Channel: room.ChannelSMS, Customer: room.Customer{Email: "sam@example.com"}}, "phone_required"},
		{room.ReengageCustomer{Channel: room.ChannelSMS, Customer: room.Customer{Phone: "12"}}, "invalid_phone"},
	} {
		if _, err := room.Reengage(s, tc.c); tandem.ErrorCode(err) != tc.code {
			t.Errorf("%+v: %v, want %s", tc.c, err, tc.code)
		}
	}

	// Once the customer has connected, Re-engage is gone.
	s = apply(t, s, room.Join(s, room.CustomerParticipant, room.RoleCustomer, "")...)
	s = apply(t, s, room.Leave(s, room.CustomerParticipant, "closed")...)
	if _, err := room.Reengage(s, room.ReengageCustomer{Channel: room.ChannelSMS, Customer: s.Customer, Link: "ln_4"}); tandem.ErrorCode(err) != "already_connected" {
		t.Fatalf("re-engage after the customer connected: %v", err)
	}
	if _, err := room.Reengage(created(t, room.ModePreplan), room.ReengageCustomer{Channel: room.ChannelSMS}); tandem.ErrorCode(err) != "not_invited" {
		t.Fatalf("re-engage before any invitation: %v", err)
	}
}

func TestReminders(t *testing.T) {
	s := invited(t) // sent at t0
	p := room.RemindPolicy{After: 24 * time.Hour, Max: 2}
	remind := func(s room.State, now time.Time, link string) (room.State, bool) {
		t.Helper()
		ds := room.Remind(s, room.RemindCustomer{Policy: p, Now: now, Link: link, ExpiresAt: now.Add(7 * 24 * time.Hour)})
		evs, err := room.Number(s.ID, s.Seq, now, ds)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if s, err = room.Apply(s, e); err != nil {
				t.Fatal(err)
			}
		}
		return s, len(ds) > 0
	}
	if _, ok := remind(s, t0.Add(23*time.Hour), "ln_r"); ok {
		t.Fatal("reminded before 24 hours")
	}
	if ds := room.Remind(s, room.RemindCustomer{Now: t0.Add(48 * time.Hour), Link: "ln_x"}); len(ds) != 0 {
		t.Fatal("reminded with reminders off")
	}
	s, ok := remind(s, t0.Add(24*time.Hour), "ln_r1")
	if !ok || s.Invite.Link != "ln_r1" || s.Invite.Reminders != 1 || s.Invite.RemindedAt == nil || s.InviteStatus != room.InviteSent {
		t.Fatalf("first reminder: %v %+v", ok, s.Invite)
	}
	// The next one counts from the last reminder, and the count is capped.
	if _, ok := remind(s, t0.Add(47*time.Hour), "ln_x"); ok {
		t.Fatal("second reminder less than 24 hours after the first")
	}
	s, ok = remind(s, t0.Add(48*time.Hour), "ln_r2")
	if !ok || s.Invite.Reminders != 2 {
		t.Fatalf("second reminder: %v %+v", ok, s.Invite)
	}
	if _, ok := remind(s, t0.Add(4*24*time.Hour), "ln_x"); ok {
		t.Fatal("a third reminder with at most 2")
	}

	// No reminder to a customer who came, nor after a failed delivery.
	c := invited(t)
	c = apply(t, c, room.Join(c, room.CustomerParticipant, room.RoleCustomer, "")...)
	c = apply(t, c, room.Leave(c, room.CustomerParticipant, "closed")...)
	if _, ok := remind(c, t0.Add(48*time.Hour), "ln_x"); ok {
		t.Fatal("reminded a customer who connected")
	}
	f := invited(t)
	f, _ = report(t, f, room.Delivery{Link: "ln_1", Status: room.DeliveryInvalid})
	if _, ok := remind(f, t0.Add(48*time.Hour), "ln_x"); ok {
		t.Fatal("reminded after an invalid number")
	}
	// Nor once the link has expired (the invitation is over).
	if _, ok := remind(invited(t), t0.Add(7*24*time.Hour), "ln_x"); ok {
		t.Fatal("reminded past the link's expiry")
	}
}

func TestNotices(t *testing.T) {
	every := 30 * time.Minute
	at := func(s room.State, now time.Time, ds ...room.Draft) room.State {
		t.Helper()
		evs, err := room.Number(s.ID, s.Seq, now, ds)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if s, err = room.Apply(s, e); err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	item := room.Draft{Type: "document.added", Actor: agent, Data: map[string]string{"title": "Lease"}}
	notice := func(s room.State, now time.Time, link string) (room.State, bool) {
		t.Helper()
		ds := room.Notice(s, every, room.RemindCustomer{Now: now, Link: link, ExpiresAt: now.Add(24 * time.Hour)})
		return at(s, now, ds...), len(ds) > 0
	}

	// Staged in a pre-planned room: no notice (Invite client will tell).
	pre := created(t, room.ModePreplan)
	pre = at(pre, t0, item)
	if room.NoticeDue(pre, every, t0.Add(time.Hour)) {
		t.Fatal("a notice for a room not invited yet")
	}

	s := invited(t)
	if room.NoticeDue(s, every, t0) {
		t.Fatal("a notice with nothing new")
	}
	// Only an agent's item counts, not another event or the system's.
	s = at(s, t0, room.Draft{Type: "note.added", Actor: agent}, room.Draft{Type: "document.added", Actor: room.System})
	if s.NewItemsAt != nil {
		t.Fatal("something that is not an agent's item counted as new")
	}
	// One who never came gets the reminders, whose link shows what
	// waits: a notice would only replace the link they have not opened.
	s = at(s, t0.Add(time.Minute), item)
	if room.NoticeDue(s, every, t0.Add(time.Hour)) {
		t.Fatal("a notice to a customer who never came")
	}
	s = at(s, t0.Add(time.Minute), room.Join(s, room.CustomerParticipant, room.RoleCustomer, "")...)
	s = at(s, t0.Add(time.Minute), room.Leave(s, room.CustomerParticipant, "closed")...)
	s = at(s, t0.Add(time.Minute), item)
	s, ok := notice(s, t0.Add(time.Minute), "ln_n1")
	if !ok || s.Invite.Link != "ln_n1" || s.Invite.NoticedAt == nil || s.NewItemsAt != nil {
		t.Fatalf("first notice: %v %+v", ok, s.Invite)
	}
	// Rate-limited: another item soon after waits for the interval.
	s = at(s, t0.Add(10*time.Minute), item)
	if _, ok := notice(s, t0.Add(20*time.Minute), "ln_x"); ok {
		t.Fatal("a second notice within 30 minutes")
	}
	if _, ok := notice(s, t0.Add(31*time.Minute), "ln_n2"); !ok {
		t.Fatal("the pending notice after 30 minutes")
	}
	// A customer who comes sees it: nothing to notify; nor while in the
	// room.
	s = at(s, t0.Add(32*time.Minute), room.Join(s, room.CustomerParticipant, room.RoleCustomer, "")...)
	if s.NewItemsAt != nil {
		t.Fatal("new items after the customer came")
	}
	s = at(s, t0.Add(33*time.Minute), item)
	if s.NewItemsAt != nil || room.NoticeDue(s, every, t0.Add(2*time.Hour)) {
		t.Fatal("an item added while the customer is in the room counted as new")
	}
	s = at(s, t0.Add(34*time.Minute), room.Leave(s, room.CustomerParticipant, "closed")...)
	s = at(s, t0.Add(35*time.Minute), item)
	if !room.NoticeDue(s, every, t0.Add(2*time.Hour)) {
		t.Fatal("no notice for an item added after the customer left")
	}
	if !room.IsItem("payment.requested") || !room.IsItem("request.added") || room.IsItem("payment.paid") || room.IsItem("chat.added") {
		t.Fatal("IsItem")
	}
}

// Inviting tells the customer what is waiting: items staged before do not
// earn a notice on top; and an erased contact gets nothing more.
func TestInvitationClearsNewItemsAndErasureStopsMessages(t *testing.T) {
	s := created(t, room.ModePreplan)
	s = apply(t, s, room.Draft{Type: "document.added", Actor: agent}) // staged
	d, err := room.Invite(s, room.InviteCustomer{Agent: agent, Link: "ln_1", ExpiresAt: t0.Add(7 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	s = apply(t, s, d)
	if s.NewItemsAt != nil || room.NoticeDue(s, time.Minute, t0.Add(time.Hour)) {
		t.Fatal("a notice due right after the invitation")
	}
	s = apply(t, s, room.Draft{Type: "document.added", Actor: agent})
	s = apply(t, s, room.EraseContact(s, agent, "ct_1")...)
	if room.NoticeDue(s, time.Minute, t0.Add(time.Hour)) || room.ReminderDue(s, room.RemindPolicy{After: time.Minute, Max: 3}, t0.Add(time.Hour)) {
		t.Fatal("a notice or reminder due after the contact was erased")
	}
}
