package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
)

func TestStartSessionSendsTheLinkAtOnce(t *testing.T) {
	e := newEnv(t, nil)
	s := e.liveRoom()
	if s.Status != room.StatusInvited || s.Seq != 2 || s.Mode != room.ModeLive {
		t.Fatalf("live room: status %s seq %d mode %s", s.Status, s.Seq, s.Mode)
	}
	if s.Customer.Phone != "+14155550134" || s.Invite == nil || s.Invite.To != "+14155550134" || s.Invite.Channel != room.ChannelSMS {
		t.Fatalf("invite %+v customer %+v", s.Invite, s.Customer)
	}
	if got := s.Invite.ExpiresAt.Sub(e.clock.Now()); got < 7*24*time.Hour-time.Minute || got > 7*24*time.Hour+time.Minute {
		t.Errorf("link valid for %v, want 7 days", got)
	}
	msgs, err := e.agent.DevOutbox(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("outbox has %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.Channel != "sms" || m.To != "+14155550134" || !strings.Contains(m.Body, m.Link) || !strings.Contains(m.Body, "Sam") || !strings.Contains(m.Body, "Ana") {
		t.Fatalf("message %+v", m)
	}
	if !strings.HasPrefix(m.Link, e.url+"/r/") || len(m.Link)-len(e.url+"/r/") != 43 {
		t.Fatalf("link %q is not a 256-bit token link on the public URL", m.Link)
	}
	evs, err := e.agent.Events(context.Background(), s.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Type != room.TypeRoomCreated || evs[1].Type != room.TypeRoomInvited {
		t.Fatalf("events %+v", evs)
	}
	if strings.Contains(string(evs[1].Data), m.Link[len(e.url+"/r/"):]) {
		t.Fatal("the link's token is in the room log")
	}
}

func TestPreplanSendsNothingUntilInvite(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	s, err := e.agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelEmail, Customer: room.Customer{Name: "Sam Lee", Email: "Sam.Lee@Example.COM"}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != room.StatusPending || s.Invite != nil || s.Customer.Email != "Sam.Lee@example.com" {
		t.Fatalf("pre-planned room %+v", s)
	}
	if msgs, _ := e.agent.DevOutbox(ctx); len(msgs) != 0 {
		t.Fatalf("pre-plan sent %d messages", len(msgs))
	}
	s, err = e.agent.Invite(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != room.StatusInvited || s.Invite == nil || s.Invite.To != "Sam.Lee@example.com" {
		t.Fatalf("invited room %+v", s)
	}
	msgs, _ := e.agent.DevOutbox(ctx)
	if len(msgs) != 1 || msgs[0].Channel != "email" || msgs[0].Subject == "" {
		t.Fatalf("after invite: %+v", msgs)
	}
	_, err = e.agent.Invite(ctx, s.ID)
	if code := apiCode(t, err); code != "already_invited" {
		t.Fatalf("second invite: %q", code)
	}
}

func TestCreateRoomValidation(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		req  client.CreateRoom
		code string
	}{
		{client.CreateRoom{Mode: "later", Channel: room.ChannelSMS, Customer: room.Customer{Name: "A", Phone: "4155550134"}}, "invalid_mode"},
		{client.CreateRoom{Mode: room.ModeLive, Channel: "fax", Customer: room.Customer{Name: "A", Phone: "4155550134"}}, "invalid_channel"},
		{client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS, Customer: room.Customer{Name: "  ", Phone: "4155550134"}}, "invalid_name"},
		{client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS, Customer: room.Customer{Name: "A", Phone: "12"}}, "invalid_phone"},
		{client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS, Customer: room.Customer{Name: "A", Phone: "call me"}}, "invalid_phone"},
		{client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS, Customer: room.Customer{Name: "A", Email: "a@example.com"}}, "phone_required"},
		{client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelEmail, Customer: room.Customer{Name: "A", Phone: "4155550134"}}, "email_required"},
		{client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelEmail, Customer: room.Customer{Name: "A", Email: "Sam <sam@example.com>"}}, "invalid_email"},
	} {
		_, err := e.agent.CreateRoom(ctx, tc.req)
		if code := apiCode(t, err); code != tc.code {
			t.Errorf("%+v: code %q, want %q", tc.req, code, tc.code)
		}
	}
	if res, _ := e.agent.Rooms(ctx, client.RoomQuery{}); len(res.Rooms) != 0 {
		t.Fatalf("refused requests created %d rooms", len(res.Rooms))
	}
}

// Phone numbers are stored in E.164, read in the account's region when
// they have no country code; a number that cannot exist is refused before
// anything is sent, with a message saying what to fix.
func TestPhoneNumbersAreE164(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	_, uk := e.newAgentIn(tandem.Account{Name: "Acme UK", PhoneRegion: "GB"}, "uk@example.com", "Ann")
	for _, tc := range []struct {
		agent      *client.Client
		phone      string
		want, code string
	}{
		{e.agent, "(415) 555-2671", "+14155552671", ""},
		{e.agent, "+1 415.555.2671", "+14155552671", ""},
		{e.agent, "+44 20 7946 0958", "+442079460958", ""},
		{uk, "020 7946 0958", "+442079460958", ""},
		{uk, "07911 123456", "+447911123456", ""},
		{uk, "(415) 555-2671", "", "invalid_phone"},       // a US number without +1 is no UK number
		{e.agent, "+1 011 555 2671", "", "invalid_phone"}, // no US area code starts with 0
		{e.agent, "+999 1234 5678", "", "invalid_phone"},  // no such country code
		{e.agent, "12345678", "", "invalid_phone"},
	} {
		s, err := tc.agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Sam", Phone: tc.phone}})
		if code := client.ErrorCode(err); code != tc.code {
			t.Errorf("%q: error %v, want code %q", tc.phone, err, tc.code)
			continue
		}
		if tc.code != "" {
			if msg := err.Error(); !strings.Contains(msg, tc.phone) {
				t.Errorf("%q: the message %q does not name the number", tc.phone, msg)
			}
			continue
		}
		if s.Customer.Phone != tc.want {
			t.Errorf("%q: stored as %q, want %q", tc.phone, s.Customer.Phone, tc.want)
		}
	}
}

func TestListRooms(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	var ids []string
	for i := 0; i < 5; i++ {
		ids = append(ids, e.liveRoom().ID)
		e.clock.Advance(time.Second)
	}
	pre, err := e.agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelSMS, Customer: room.Customer{Name: "P", Phone: "4155550100"}})
	if err != nil {
		t.Fatal(err)
	}
	page, err := e.agent.Rooms(ctx, client.RoomQuery{Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Rooms) != 4 || page.Next == "" || page.Rooms[0].ID != pre.ID || page.Rooms[1].ID != ids[4] {
		t.Fatalf("first page: %d rooms, next %q", len(page.Rooms), page.Next)
	}
	page2, err := e.agent.Rooms(ctx, client.RoomQuery{Limit: 4, Before: page.Next})
	if err != nil {
		t.Fatal(err)
	}
	if len(page2.Rooms) != 2 || page2.Next != "" || page2.Rooms[0].ID != ids[1] || page2.Rooms[1].ID != ids[0] {
		t.Fatalf("second page: %+v", page2)
	}
	pending, err := e.agent.Rooms(ctx, client.RoomQuery{Status: room.StatusPending})
	if err != nil || len(pending.Rooms) != 1 || pending.Rooms[0].ID != pre.ID {
		t.Fatalf("pending filter: %+v %v", pending, err)
	}
	mine, err := e.agent.Rooms(ctx, client.RoomQuery{Agent: "me"})
	if err != nil || len(mine.Rooms) != 6 {
		t.Fatalf("agent=me: %d %v", len(mine.Rooms), err)
	}
	_, err = e.agent.Rooms(ctx, client.RoomQuery{Status: "sleeping"})
	if code := apiCode(t, err); code != "invalid" {
		t.Fatalf("bad status filter: %q", code)
	}
	// Search by name or number as people write it, filter by invitation.
	for q, want := range map[string]int{"p": 1, "sam lee": 5, "(415) 555-0100": 1, "555": 6, "nobody": 0} {
		got, err := e.agent.Rooms(ctx, client.RoomQuery{Search: q})
		if err != nil || len(got.Rooms) != want {
			t.Errorf("search %q: %d rooms, want %d (%v)", q, len(got.Rooms), want, err)
		}
	}
	invited, err := e.agent.Rooms(ctx, client.RoomQuery{InviteStatus: room.InviteSent, Search: "sam"})
	if err != nil || len(invited.Rooms) != 5 {
		t.Fatalf("invite_status=sent: %d %v", len(invited.Rooms), err)
	}
	_, err = e.agent.Rooms(ctx, client.RoomQuery{InviteStatus: "lost"})
	if code := apiCode(t, err); code != "invalid" {
		t.Fatalf("bad invite_status filter: %q", code)
	}
	_, err = e.agent.Rooms(ctx, client.RoomQuery{Search: strings.Repeat("x", 201)})
	if code := apiCode(t, err); code != "invalid" {
		t.Fatalf("a search of 201 bytes: %q", code)
	}
}

// The session list by last activity: a room with a new event comes first,
// pages follow that order; "waiting" leaves out an invitation that could
// not be delivered.
func TestListRoomsByActivityAndWaiting(t *testing.T) {
	e := newEnv(t, nil, withDevOutbox)
	ctx := context.Background()
	var ids []string
	for range 3 {
		ids = append(ids, e.liveRoom().ID)
		e.clock.Advance(time.Second)
	}
	bad, err := e.agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS,
		Customer: room.Customer{Name: "Wrong Number", Phone: "+1 500 555 0001"}})
	if err != nil {
		t.Fatal(err)
	}
	sub := subscribe(t, e, bad.ID)
	if d := deliveryOf(t, nextOfType(t, sub, room.TypeDelivery)); d.Status != room.DeliveryInvalid {
		t.Fatalf("delivery to an invalid number: %+v", d)
	}
	e.clock.Advance(time.Second)
	// The oldest room has the latest event.
	if _, err := e.agent.ReportActivity(ctx, ids[0], "viewing", ""); err != nil {
		t.Fatal(err)
	}
	var got []string
	next := ""
	for pages := 0; pages < 10; pages++ {
		page, err := e.agent.Rooms(ctx, client.RoomQuery{Order: client.OrderActivity, Limit: 2, Before: next})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Rooms {
			got = append(got, r.ID)
		}
		if next = page.Next; next == "" {
			break
		}
	}
	// The dev outbox reports each delivery a moment after the room is
	// made: the rest of the order is the rooms' own last event times.
	all, err := e.agent.Rooms(ctx, client.RoomQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[0] != ids[0] || len(all.Rooms) != 4 {
		t.Fatalf("by activity: %v", got)
	}
	for i := 1; i < len(got); i++ {
		a, b := roomOf(all.Rooms, got[i-1]), roomOf(all.Rooms, got[i])
		if a.UpdatedAt.Before(b.UpdatedAt) {
			t.Fatalf("by activity, %s (%v) before %s (%v)", a.ID, a.UpdatedAt, b.ID, b.UpdatedAt)
		}
	}
	waiting, err := e.agent.Rooms(ctx, client.RoomQuery{Status: client.StatusWaiting, Order: client.OrderActivity})
	if err != nil || len(waiting.Rooms) != 3 || waiting.Rooms[0].ID != ids[0] {
		t.Fatalf("waiting: %+v, %v", waiting.Rooms, err)
	}
	for _, r := range waiting.Rooms {
		if r.ID == bad.ID {
			t.Fatal("waiting lists the room whose number is invalid")
		}
	}
	invited, err := e.agent.Rooms(ctx, client.RoomQuery{Status: room.StatusInvited})
	if err != nil || len(invited.Rooms) != 4 {
		t.Fatalf("invited: %d, %v", len(invited.Rooms), err)
	}
	_, err = e.agent.Rooms(ctx, client.RoomQuery{Order: "name"})
	if code := apiCode(t, err); code != "invalid" {
		t.Fatalf("an unknown order: %q", code)
	}
}

func roomOf(rooms []room.State, id string) room.State {
	for _, r := range rooms {
		if r.ID == id {
			return r
		}
	}
	return room.State{}
}

// A cursor is the client's to send back, so anything may come back: a
// time no room can have is refused as any other bad cursor, on every
// store (PostgreSQL has no year 0, and answered 500).
func TestForgedRoomCursorsAreRefused(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, open)
			e.liveRoom()
			id := "rm_" + strings.Repeat("a", 24)
			for _, ts := range []string{"0000-01-01T00:00:00Z", "0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00", "not a time"} {
				before := base64.RawURLEncoding.EncodeToString([]byte(ts + "|" + id))
				_, err := e.agent.Rooms(context.Background(), client.RoomQuery{Before: before})
				if code := apiCode(t, err); code != "invalid" {
					t.Errorf("a cursor of %s: %q (%v), want invalid", ts, code, err)
				}
			}
			page, err := e.agent.Rooms(context.Background(), client.RoomQuery{Before: base64.RawURLEncoding.EncodeToString([]byte("0001-01-01T00:00:00Z|" + id))})
			if err != nil || len(page.Rooms) != 0 {
				t.Fatalf("before the year 1: %+v, %v", page, err)
			}
		})
	}
}

// Searches, filters, logins and templates reach the store as text, and
// PostgreSQL's text takes neither NUL nor bytes that are not UTF-8 (it
// answered 500, or, for a template, every invitation after it did): they
// are refused first, on every store.
func TestTextAStoreCannotKeepIsRefused(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, open)
			e.liveRoom()
			auth := map[string]string{"Authorization": "Bearer " + e.agent.Token(), "Content-Type": "application/json"}
			for _, c := range []struct{ method, path, body, code string }{
				{http.MethodGet, "/api/v1/rooms?q=%00", "", "invalid"},
				{http.MethodGet, "/api/v1/rooms?q=%ff", "", "invalid"},
				{http.MethodGet, "/api/v1/rooms?agent=%00", "", "invalid"},
				{http.MethodGet, "/api/v1/rooms?agent=%ff", "", "invalid"},
				{http.MethodGet, "/api/v1/rooms?agent=bob", "", "invalid"},
				{http.MethodGet, "/api/v1/contacts?q=%00", "", "invalid"},
				{http.MethodGet, "/api/v1/contacts?q=%ff", "", "invalid"},
				{http.MethodPost, "/api/v1/login", `{"email":"ana\u0000@acme.test","password":"` + testPassword + `"}`, "invalid_credentials"},
				{http.MethodPut, "/api/v1/account/settings", `{"invite_template":"Hi\u0000: {link}"}`, "invalid_settings"},
				{http.MethodPut, "/api/v1/account/settings", `{"email_subject":"Hi\u0000"}`, "invalid_settings"},
			} {
				res := e.do(t, c.method, c.path, c.body, auth)
				if code, msg := decodeError(t, res); res.StatusCode >= 500 || code != c.code {
					t.Errorf("%s %s %s: %d %s %s, want %s", c.method, c.path, c.body, res.StatusCode, code, msg, c.code)
				}
			}
			mine, err := e.agent.Me(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			page, err := e.agent.Rooms(context.Background(), client.RoomQuery{Agent: mine.User.ID, Search: "Sam"})
			if err != nil || len(page.Rooms) != 1 {
				t.Fatalf("an agent by id: %+v, %v", page, err)
			}
		})
	}
}

// Another account's agent, guessing or knowing a room id, gets the same
// answer as for a room that does not exist, on every room endpoint.
func TestCrossAccountAccessIsRefusedEverywhere(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, open)
			ctx := context.Background()
			s := e.liveRoom()
			_, other := e.newAgent("Globex", "bob@globex.test", "Bob")

			if _, err := other.Room(ctx, s.ID); apiCode(t, err) != "room_not_found" {
				t.Errorf("get room: %v", err)
			}
			if _, err := other.Events(ctx, s.ID, 0, 0); apiCode(t, err) != "room_not_found" {
				t.Errorf("events: %v", err)
			}
			if _, err := other.Invite(ctx, s.ID); apiCode(t, err) != "room_not_found" {
				t.Errorf("invite: %v", err)
			}
			if _, err := other.CloseRoom(ctx, s.ID, ""); apiCode(t, err) != "room_not_found" {
				t.Errorf("close: %v", err)
			}
			if _, err := other.ReportActivity(ctx, s.ID, "typing", ""); apiCode(t, err) != "room_not_found" {
				t.Errorf("activity: %v", err)
			}
			if _, err := other.Subscribe(ctx, s.ID, 0); apiCode(t, err) != "room_not_found" {
				t.Errorf("subscribe: %v", err)
			}
			if page, err := other.Rooms(ctx, client.RoomQuery{}); err != nil || len(page.Rooms) != 0 {
				t.Errorf("list: %d rooms, %v", len(page.Rooms), err)
			}
			if msgs, err := other.DevOutbox(ctx); err != nil || len(msgs) != 0 {
				t.Errorf("outbox: %d messages, %v", len(msgs), err)
			}
			// The room is untouched.
			if got, err := e.agent.Room(ctx, s.ID); err != nil || got.Seq != s.Seq {
				t.Fatalf("room after the attempts: %+v %v", got, err)
			}
		})
	}
}

func TestCustomerSeesOnlyTheirRoom(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	mine, theirs := e.liveRoom(), e.liveRoom()
	cust := e.customer(mine.ID)
	if got, err := cust.Room(ctx, mine.ID); err != nil || got.ID != mine.ID {
		t.Fatalf("customer's own room: %v", err)
	}
	if _, err := cust.Events(ctx, mine.ID, 0, 0); err != nil {
		t.Fatalf("customer's own events: %v", err)
	}
	if _, err := cust.Room(ctx, theirs.ID); apiCode(t, err) != "room_not_found" {
		t.Errorf("another room: %v", err)
	}
	if _, err := cust.ReportActivity(ctx, theirs.ID, "viewing", ""); apiCode(t, err) != "room_not_found" {
		t.Errorf("activity in another room: %v", err)
	}
	if _, err := cust.Rooms(ctx, client.RoomQuery{}); apiCode(t, err) != "unauthorized" {
		t.Errorf("list rooms as customer: %v", err)
	}
	if _, err := cust.Invite(ctx, mine.ID); apiCode(t, err) != "unauthorized" {
		t.Errorf("invite as customer: %v", err)
	}
	if _, err := cust.CreateRoom(ctx, client.CreateRoom{Mode: room.ModeLive, Channel: room.ChannelSMS, Customer: room.Customer{Name: "X", Phone: "4155550100"}}); apiCode(t, err) != "unauthorized" {
		t.Errorf("create room as customer: %v", err)
	}
}

func TestExpiredRevokedAndUnknownLinksAreRefused(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()

	// Unknown.
	_, err := e.client().OpenLink(ctx, e.url+"/r/"+strings.Repeat("A", 43))
	if code := apiCode(t, err); code != "link_not_found" {
		t.Fatalf("unknown link: %q", code)
	}

	// Expired: valid a moment before seven days, refused after.
	s := e.liveRoom()
	link := e.lastLink(s.ID)
	e.clock.Advance(7*24*time.Hour - time.Minute)
	if _, err := e.client().OpenLink(ctx, link); err != nil {
		t.Fatalf("link before expiry: %v", err)
	}
	e.clock.Advance(2 * time.Minute)
	_, err = e.client().OpenLink(ctx, link)
	if code := apiCode(t, err); code != "link_expired" {
		t.Fatalf("expired link: %q", code)
	}

	// Revoked: closing the session revokes its link, and a customer who
	// opened it earlier loses access too; both are told the session
	// ended, not that the link was replaced.
	s = e.liveRoom()
	link = e.lastLink(s.ID)
	cust := e.customer(s.ID)
	if _, err := e.agent.CloseRoom(ctx, s.ID, "done"); err != nil {
		t.Fatal(err)
	}
	_, err = e.client().OpenLink(ctx, link)
	if code := apiCode(t, err); code != "room_closed" {
		t.Fatalf("link of a closed room: %q", code)
	}
	if _, err := cust.Room(ctx, s.ID); apiCode(t, err) != "room_closed" {
		t.Fatalf("customer of a closed room: %v", err)
	}
	// A link replaced by Re-engage is still told as replaced.
	s = e.liveRoom()
	link = e.lastLink(s.ID)
	if _, err := e.agent.Reengage(ctx, s.ID, room.ChannelEmail, room.Customer{Email: "sam@example.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err = e.client().OpenLink(ctx, link); apiCode(t, err) != "link_revoked" {
		t.Fatalf("replaced link: %v", err)
	}
}

func TestLinkPagesForPeople(t *testing.T) {
	e := newEnv(t, nil)
	s := e.liveRoom()
	link := e.lastLink(s.ID)

	// A browser is sent to the room with a cookie for it.
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/room/"+s.ID {
		t.Fatalf("valid link: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "tandem_room" {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("room cookie %+v", cookie)
	}
	if res.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("link answer may leak the token in a Referer")
	}

	// An expired link shows a page, not an error dump.
	e.clock.Advance(8 * 24 * time.Hour)
	res, err = http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusGone || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(body), "This link has expired") || !strings.Contains(string(body), "ask your agent") {
		t.Fatalf("expired link page: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	res, err = http.Get(e.url + "/r/nonsense")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "This link does not work") {
		t.Fatalf("unknown link page: %d\n%s", res.StatusCode, body)
	}
}

func TestCloseRoom(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	s := e.liveRoom()
	s, err := e.agent.CloseRoom(ctx, s.ID, "resolved")
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != room.StatusClosed || s.ClosedAt == nil {
		t.Fatalf("closed room %+v", s)
	}
	if _, err := e.agent.CloseRoom(ctx, s.ID, ""); apiCode(t, err) != "room_closed" {
		t.Fatalf("second close: %v", err)
	}
}

// The customer reports what they are doing; the agent receives it live
// with the customer's correlation id, and the room's state shows it. A
// browser on another site cannot report for them with their cookie.
func TestActivityReachesTheAgent(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	s := e.liveRoom()
	cust := e.customer(s.ID)
	csub, err := cust.Subscribe(ctx, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer csub.Close()
	agentSub, err := e.agent.Subscribe(ctx, s.ID, s.Seq)
	if err != nil {
		t.Fatal(err)
	}
	defer agentSub.Close()
	nextOfType(t, agentSub, room.TypeParticipantJoined)

	seq, err := cust.ReportActivity(ctx, s.ID, "viewing", "ref-42")
	if err != nil {
		t.Fatal(err)
	}
	ev := next(t, agentSub)
	var d room.Activity
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		t.Fatal(err)
	}
	if ev.Seq != seq || ev.Type != room.TypeActivity || d.What != "viewing" || d.Ref != "ref-42" || d.Participant != room.CustomerParticipant || ev.Actor.Name != "Sam Lee" {
		t.Fatalf("activity event %+v %+v (seq %d)", ev, d, seq)
	}
	st, err := e.agent.Room(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := st.Participant(room.CustomerParticipant); p.Activity != "viewing" {
		t.Fatalf("state after activity: %+v", p)
	}
	if _, err := cust.ReportActivity(ctx, s.ID, "Not A Word", ""); apiCode(t, err) != "invalid_activity" {
		t.Fatalf("bad activity: %v", err)
	}

	// The same request from another site's page, riding the room cookie.
	res := e.do(t, http.MethodPost, "/api/v1/rooms/"+s.ID+"/activity", `{"what":"viewing"}`,
		map[string]string{"Cookie": e.roomCookie(s.ID), "Origin": "https://evil.example"})
	if code, _ := decodeError(t, res); res.StatusCode != http.StatusForbidden || code != "csrf" {
		t.Fatalf("cross-site activity: %d %s", res.StatusCode, code)
	}
}
