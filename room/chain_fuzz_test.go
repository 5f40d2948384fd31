package room_test

import (
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tandemhq/tandem/room"
)

// FuzzCanonical: whatever an event holds, its canonical form is one JSON
// object (when its data is JSON) that reads back to the event's fields,
// and its hash changes with any of them.
func FuzzCanonical(f *testing.F) {
	f.Add("rm_1", int64(1), "room.created", int64(1764061200123456000), "customer", "", "Zoë <Lee>", "203.0.113.7", "Mozilla/5.0", `{"a": [1, "x"]}`)
	f.Add("", int64(0), "", int64(0), "", "", "", "", "", "")
	f.Add("rm_\x00", int64(-5), "a.b", int64(-1), "agent", "us_1", "\xff\xfe", "", "curl/8 \"q\"", ` null `)
	f.Add("rm_2", int64(9), "x.y", int64(5), "system", "", "", "", "", `not json`)
	f.Fuzz(func(t *testing.T, id string, seq int64, typ string, at int64, kind, actorID, name, ip, ua, data string) {
		e := room.Event{Room: id, Seq: seq, Type: typ, At: time.Unix(0, at), Actor: room.Actor{Kind: room.ActorKind(kind), ID: actorID, Name: name},
			Data: json.RawMessage(data)}
		if ip != "" || ua != "" {
			e.Origin = &room.Origin{IP: ip, UserAgent: ua}
		}
		c := room.Canonical(e)
		if h := room.ChainHash("", e); len(h) != 64 || h != room.ChainHash("", e) {
			t.Fatalf("hash %q: not 64 hex digits, or not the same twice", h)
		}
		if !json.Valid([]byte(data)) {
			return
		}
		var back struct {
			Room   string          `json:"room"`
			Seq    int64           `json:"seq"`
			Type   string          `json:"type"`
			At     string          `json:"at"`
			Actor  room.Actor      `json:"actor"`
			Origin *room.Origin    `json:"origin"`
			Data   json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(c, &back); err != nil {
			t.Fatalf("canonical form %q is not JSON: %v", c, err)
		}
		valid := func(s string) string { // encoding/json's reading of s
			b, _ := json.Marshal(s)
			var out string
			_ = json.Unmarshal(b, &out)
			return out
		}
		if back.Room != valid(id) || back.Seq != seq || back.Type != valid(typ) || back.Actor.Name != valid(name) || back.Actor.ID != valid(actorID) ||
			string(back.Actor.Kind) != valid(kind) {
			t.Fatalf("canonical form %s does not read back to the event %+v", c, e)
		}
		if (back.Origin == nil) != (e.Origin == nil) || back.Origin != nil && (back.Origin.IP != valid(ip) || back.Origin.UserAgent != valid(ua)) {
			t.Fatalf("canonical form %s: origin %+v, want %+v", c, back.Origin, e.Origin)
		}
		if at, err := time.Parse(time.RFC3339Nano, back.At); err == nil && !at.Equal(e.At) {
			t.Fatalf("canonical time %s is not %v", back.At, e.At)
		}
		if !utf8.Valid(c) && utf8.ValidString(data) {
			t.Fatalf("canonical form of valid text is not UTF-8: %q", c)
		}
	})
}
