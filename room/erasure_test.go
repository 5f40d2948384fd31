package room_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/room"
)

// Redact masks the customer's personal data everywhere in the log and
// keeps everything else; the folded state is masked too.
func TestRedact(t *testing.T) {
	// A log with the customer in it everywhere: created by SMS, invited,
	// re-engaged by email, then joined.
	c := created(t, room.ModePreplan)
	log := mustNumber(t, "rm_1", 0, mustCreate(t))
	d, _ := room.Invite(c, room.InviteCustomer{Agent: agent, Link: "ln_1", ExpiresAt: t0.Add(time.Hour)})
	log = append(log, mustNumber(t, "rm_1", 1, d)...)
	c = fold(t, log)
	ds, err := room.Reengage(c, room.ReengageCustomer{Agent: agent, Channel: room.ChannelEmail, Customer: room.Customer{Email: "sam@example.com"}, Link: "ln_2", ExpiresAt: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	log = append(log, mustNumber(t, "rm_1", c.Seq, ds...)...)
	c = fold(t, log)
	log = append(log, mustNumber(t, "rm_1", c.Seq, room.Join(c, room.CustomerParticipant, room.RoleCustomer, "")...)...)
	// An ID photo the customer named after themselves.
	c = fold(t, log)
	rq := room.NewID("rq")
	added, err := room.AddRequests(c, agent, []room.NewRequest{{ID: rq, Type: room.RequestType{ID: "dt_1", Code: "photo_id", Name: "Photo ID"}}})
	if err != nil {
		t.Fatal(err)
	}
	log = append(log, mustNumber(t, "rm_1", c.Seq, added...)...)
	c = fold(t, log)
	up, err := room.UploadRequestFile(c, rq, room.RequestFile{ID: room.NewID("fl"), Name: "Sam Lee ID.jpg", ContentType: "image/jpeg", Size: 9, SHA256: strings.Repeat("d", 64)})
	if err != nil {
		t.Fatal(err)
	}
	log = append(log, mustNumber(t, "rm_1", c.Seq, up)...)
	// The customer's address and browser are personal data too; the
	// agent's stay.
	log[len(log)-3].Origin = &room.Origin{IP: "203.0.113.9", UserAgent: "Sam's phone"}
	log[1].Origin = &room.Origin{IP: "198.51.100.1", UserAgent: "agent browser"}

	red, err := room.Redact(log)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(red)
	if red[1].Origin == nil || red[1].Origin.IP != "198.51.100.1" {
		t.Fatalf("the agent's origin was erased: %+v", red[1].Origin)
	}
	for _, pii := range []string{"Sam Lee", "+14155550134", "sam@example.com", "Sam", "203.0.113.9"} {
		if strings.Contains(string(raw), pii) {
			t.Fatalf("%q is still in the redacted log: %s", pii, raw)
		}
	}
	if len(red) != len(log) {
		t.Fatalf("%d events, want %d", len(red), len(log))
	}
	for i := range red {
		if red[i].Seq != log[i].Seq || red[i].Type != log[i].Type || !red[i].At.Equal(log[i].At) {
			t.Fatalf("event %d changed place, type or time", i)
		}
	}
	st := fold(t, red)
	if st.Customer.Name != room.ErasedName || st.Customer.Email != "•••@•••" || st.Customer.Phone != "" || st.Invite.To != "•••@•••" {
		t.Fatalf("state after redaction: %+v %+v", st.Customer, st.Invite)
	}
	if f := st.Requests[0].Files[0]; f.Name != "upload.jpg" || f.SHA256 != strings.Repeat("d", 64) {
		t.Fatalf("the uploaded file after redaction: %+v", f)
	}
	// The erasure is recorded once.
	e := room.EraseContact(fold(t, log), agent, "ct_1")
	if len(e) != 1 || e[0].Type != room.TypeContactErased {
		t.Fatalf("erase: %+v", e)
	}
	// Applying it masks a state that was not redacted, and it is recorded
	// once.
	after := apply(t, fold(t, log), e...)
	if again := room.EraseContact(after, agent, "ct_1"); len(again) != 0 {
		t.Fatalf("erasing an erased room: %+v", again)
	}
	if after.Customer != st.Customer || after.Invite.To != "•••@•••" {
		t.Fatalf("after room.contact_erased: %+v %+v", after.Customer, after.Invite)
	}
	if got := room.MaskPhone("+14155550134"); got != "••••••••••34" {
		t.Fatalf("MaskPhone = %q", got)
	}
}

func mustCreate(t *testing.T) room.Draft {
	t.Helper()
	d, err := room.Create(room.CreateRoom{Account: "ac_1", Agent: agent, Mode: room.ModePreplan, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Sam Lee", Phone: "+14155550134"}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func fold(t *testing.T, evs []room.Event) room.State {
	t.Helper()
	s, err := room.Fold(evs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
