package api_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
)

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func TestSettingsAPI(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	if s, err := e.agent.Settings(ctx); err != nil || s != (client.AccountSettings{}) {
		t.Fatalf("default settings: %+v, %v", s, err)
	}
	want := client.AccountSettings{TimeZone: "America/New_York", QuietStart: "20:00", QuietEnd: "08:00", RemindAfterHours: 24, RemindMax: 2,
		InviteTemplate: "Hello {customer}, {company} here: {link}", ReminderTemplate: "Still waiting, {customer}: {link}", EmailSubject: "{company} and you"}
	if got, err := e.agent.UpdateSettings(ctx, want); err != nil || got != want {
		t.Fatalf("update: %+v, %v", got, err)
	}
	if got, err := e.agent.Settings(ctx); err != nil || got != want {
		t.Fatalf("after the update: %+v, %v", got, err)
	}
	for _, tc := range []struct {
		s    client.AccountSettings
		says string
	}{
		{client.AccountSettings{TimeZone: "Mars/Olympus"}, "time_zone"},
		{client.AccountSettings{TimeZone: "Local"}, "time_zone"},
		{client.AccountSettings{QuietStart: "20:00"}, "quiet_end"},
		{client.AccountSettings{QuietStart: "25:00", QuietEnd: "08:00"}, "quiet_start"},
		{client.AccountSettings{RemindAfterHours: 24}, "remind_max"},
		{client.AccountSettings{RemindAfterHours: 24, RemindMax: 99}, "remind_max"},
		{client.AccountSettings{RemindAfterHours: -1, RemindMax: 1}, "remind_after_hours"},
		{client.AccountSettings{InviteTemplate: "Come in"}, "{link}"},
		{client.AccountSettings{ReminderTemplate: "{link} {price}"}, "{price}"},
		{client.AccountSettings{EmailSubject: "two\nlines"}, "one line"},
		{client.AccountSettings{InviteTemplate: strings.Repeat("x", 1001) + "{link}"}, "1000"},
	} {
		_, err := e.agent.UpdateSettings(ctx, tc.s)
		if apiCode(t, err) != "invalid_settings" || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%+v: %v, want invalid_settings about %s", tc.s, err, tc.says)
		}
	}
	if got, _ := e.agent.Settings(ctx); got != want {
		t.Fatalf("refused updates changed the settings: %+v", got)
	}

	// Agents read them; only admins change them; each account has its own.
	hash, _ := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err := e.st.CreateUser(ctx, tandem.User{ID: room.NewID("us"), Account: e.account, Email: "bob@acme.test", Name: "Bob", Role: tandem.RoleAgent, PasswordHash: string(hash), CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	bob := e.client()
	if _, err := bob.Login(ctx, "bob@acme.test", testPassword); err != nil {
		t.Fatal(err)
	}
	if got, err := bob.Settings(ctx); err != nil || got != want {
		t.Fatalf("an agent reading: %+v, %v", got, err)
	}
	if _, err := bob.UpdateSettings(ctx, client.AccountSettings{}); apiCode(t, err) != "forbidden" {
		t.Fatalf("an agent changing the settings: %v", err)
	}
	_, other := e.newAgent("Globex", "hank@globex.test", "Hank")
	if got, err := other.Settings(ctx); err != nil || got != (client.AccountSettings{}) {
		t.Fatalf("another account's settings: %+v, %v", got, err)
	}
}

// A customer who has not opened the link is reminded after the set time,
// at most the set number of times, never in quiet hours (in the account's
// time zone), each time on a new link with the reminder's wording; one
// who came is not.
func TestReminders(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	ny, _ := time.LoadLocation("America/New_York")
	// Today, in New York: the customer's cookie expires by the hub's
	// clock and is kept by the client's jar by the real one.
	y, m, d := time.Now().In(ny).Date()
	e.clock.Set(time.Date(y, m, d, 10, 0, 0, 0, ny)) // 10:00 in New York
	if _, err := e.agent.UpdateSettings(ctx, client.AccountSettings{TimeZone: "America/New_York", QuietStart: "20:00", QuietEnd: "08:00",
		RemindAfterHours: 24, RemindMax: 2, ReminderTemplate: "Still waiting for you, {customer}: {link}"}); err != nil {
		t.Fatal(err)
	}
	s := e.liveRoom()
	came := e.liveRoom()
	cust := e.customer(came.ID)
	csub, err := cust.Subscribe(ctx, came.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	csub.Close()
	firstLink := e.lastLink(s.ID)

	step := func(d time.Duration, want int) {
		t.Helper()
		e.clock.Advance(d)
		if got := e.hub.RemindDueForTest(ctx); got != want {
			t.Fatalf("at %s in New York: %d reminders, want %d", e.clock.Now().In(ny).Format("Mon 15:04"), got, want)
		}
	}
	step(23*time.Hour, 0) // Thu 09:00: not yet
	step(time.Hour, 1)    // Thu 10:00: the first
	step(time.Hour, 0)    // already reminded
	step(35*time.Hour, 0) // Fri 21:00: due, but quiet hours
	step(11*time.Hour, 1) // Sat 08:00: the second
	step(72*time.Hour, 0) // at most two

	st, err := e.agent.Room(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Invite.Reminders != 2 || st.InviteStatus != room.InviteSent {
		t.Fatalf("after two reminders: %+v", st.Invite)
	}
	evs, err := e.agent.Events(ctx, s.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, ev := range evs {
		types = append(types, ev.Type)
	}
	if got, want := strings.Join(types, " "), "room.created room.invited room.link_revoked invitation.reminded room.link_revoked invitation.reminded"; got != want {
		t.Fatalf("log: %s, want %s", got, want)
	}
	msgs, err := e.agent.DevOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if msgs[0].Room != s.ID || !strings.HasPrefix(msgs[0].Body, "Still waiting for you, Sam: ") || msgs[0].Link == firstLink {
		t.Fatalf("the reminder: %+v", msgs[0])
	}
	// The first link was replaced; the latest one opens the room.
	if _, err := e.client().OpenLink(ctx, firstLink); apiCode(t, err) != "link_revoked" {
		t.Fatalf("the first link after a reminder: %v", err)
	}
	if _, err := e.client().OpenLink(ctx, msgs[0].Link); err != nil {
		t.Fatalf("the reminder's link: %v", err)
	}
	if st, _ := e.agent.Room(ctx, came.ID); st.Invite.Reminders != 0 {
		t.Fatalf("a customer who came was reminded: %+v", st.Invite)
	}
}

// Every instance scans; a room gets one reminder however many do at once.
func TestRemindersOnceAcrossInstances(t *testing.T) {
	e := newEnv(t, stores["postgres"])
	ctx := context.Background()
	if _, err := e.agent.UpdateSettings(ctx, client.AccountSettings{RemindAfterHours: 1, RemindMax: 3}); err != nil {
		t.Fatal(err)
	}
	const rooms = 5
	for range rooms {
		e.liveRoom()
	}
	peers := []*peer{e.peer(), e.peer(), e.peer()}
	e.clock.Advance(time.Hour)
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for _, h := range append([]*peer{{hub: e.hub}}, peers...) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := h.hub.RemindDueForTest(ctx)
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	if total != rooms {
		t.Fatalf("%d reminders for %d rooms", total, rooms)
	}
	res, err := e.agent.Rooms(ctx, client.RoomQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Rooms {
		if s.Invite.Reminders != 1 {
			t.Fatalf("room %s: %d reminders", s.ID, s.Invite.Reminders)
		}
	}
}

// An agent adds something while the customer is away: the customer gets a
// "new in your room" notice at once, at most one per half hour, never in
// quiet hours (sent when they end), and none while in the room.
func TestNewInYourRoomNotices(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	ny, _ := time.LoadLocation("America/New_York")
	// Today, in New York: the customer's cookie expires by the hub's
	// clock and is kept by the client's jar by the real one.
	y, m, d := time.Now().In(ny).Date()
	e.clock.Set(time.Date(y, m, d, 10, 0, 0, 0, ny))
	if _, err := e.agent.UpdateSettings(ctx, client.AccountSettings{TimeZone: "America/New_York", QuietStart: "20:00", QuietEnd: "08:00",
		NoticeTemplate: "{customer}, there is something new for you: {link}"}); err != nil {
		t.Fatal(err)
	}
	s := e.liveRoom()
	sub := subscribe(t, e, s.ID)
	me, err := e.agent.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ana := room.Actor{Kind: room.ActorAgent, ID: me.User.ID, Name: me.User.Name}
	add := func() {
		t.Helper()
		if _, err := e.hub.AppendAsForTest(ctx, e.account, s.ID, "document.added", ana, map[string]string{"title": "Lease"}); err != nil {
			t.Fatal(err)
		}
	}
	noticed := func() int {
		t.Helper()
		evs, err := e.agent.Events(ctx, s.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range evs {
			if ev.Type == room.TypeNoticed {
				n++
			}
		}
		return n
	}

	// One who never came gets none: the invitation (and its reminders)
	// lead to all that waits.
	add()
	time.Sleep(200 * time.Millisecond)
	if n := noticed(); n != 0 {
		t.Fatalf("%d notices to a customer who never came", n)
	}
	// The customer comes, and goes.
	first, err := e.customer(s.ID).Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	nextOfType(t, sub, room.TypeParticipantJoined)
	first.Close()
	nextOfType(t, sub, room.TypeParticipantLeft)

	e.clock.Advance(time.Second) // the outbox lists newest first
	add()
	nextOfType(t, sub, room.TypeNoticed) // at once, not at the next scan
	msgs, _ := e.agent.DevOutbox(ctx)
	if !strings.HasPrefix(msgs[0].Body, "Sam, there is something new for you: ") {
		t.Fatalf("the notice: %+v", msgs[0])
	}
	// Another item soon after waits for the half hour.
	e.clock.Advance(10 * time.Minute)
	add()
	time.Sleep(200 * time.Millisecond) // the immediate attempt finds it too early
	if n := noticed(); n != 1 {
		t.Fatalf("%d notices within half an hour", n)
	}
	e.clock.Advance(21 * time.Minute)
	if got := e.hub.RemindDueForTest(ctx); got != 1 || noticed() != 2 {
		t.Fatalf("after the half hour: %d sent, %d notices", got, noticed())
	}
	// In quiet hours (21:00 in New York) it waits until they end.
	e.clock.Set(time.Date(y, m, d, 21, 0, 0, 0, ny))
	add()
	time.Sleep(200 * time.Millisecond)
	if got := e.hub.RemindDueForTest(ctx); got != 0 || noticed() != 2 {
		t.Fatalf("in quiet hours: %d sent, %d notices", got, noticed())
	}
	e.clock.Set(time.Date(y, m, d+1, 8, 0, 0, 0, ny))
	if got := e.hub.RemindDueForTest(ctx); got != 1 || noticed() != 3 {
		t.Fatalf("when quiet hours end: %d sent, %d notices", got, noticed())
	}
	// While the customer is in the room: nothing.
	cust := e.customer(s.ID)
	csub, err := cust.Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer csub.Close()
	nextOfType(t, sub, room.TypeParticipantJoined)
	e.clock.Advance(time.Hour)
	add()
	time.Sleep(200 * time.Millisecond)
	if got := e.hub.RemindDueForTest(ctx); got != 0 || noticed() != 3 {
		t.Fatalf("with the customer in the room: %d sent, %d notices", got, noticed())
	}
}
