package hub

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// maxReply bounds the answer to one client frame: whatever a client sends,
// the answer stays small (the frame type it named is cut to 40 bytes).
const maxReply = 512

// FuzzReplyTo feeds the read loop's answer any frame a client may send (a
// text or binary message of any bytes): it is a pong to a JSON object of
// type "ping" and an error frame with a protocol code to anything else,
// small, in UTF-8 and encodable, never a panic.
func FuzzReplyTo(f *testing.F) {
	for _, s := range []string{
		`{"type":"ping"}`, `{"type":"ping","extra":[1,2,3]}`, `{"type":"PING"}`, `{"type":"pong"}`, `{}`, `null`,
		`[]`, `"ping"`, `42`, `{"type":1}`, `{"type":null}`, `{"type":"ping"} trailing`, `{"type":"ping"`,
		`{"Type":"ping"}`, `{"type":"ping","type":"x"}`, `{"type":"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"}`,
		`{"type":"` + "\x00\x01\x02\x1f" + `"}`, "{\"type\":\"\xff\xfe\"}", `{"type":"\ud800"}`, ``,
	} {
		f.Add(uint8(websocket.MessageText), []byte(s))
	}
	f.Add(uint8(websocket.MessageBinary), []byte(`{"type":"ping"}`))
	f.Add(uint8(0), []byte(`{"type":"ping"}`))
	f.Fuzz(func(t *testing.T, typ uint8, data []byte) {
		mt := websocket.MessageType(typ)
		reply := replyTo(mt, data)
		b, err := json.Marshal(reply)
		if err != nil {
			t.Fatalf("reply %#v cannot be encoded: %v", reply, err)
		}
		if len(b) > maxReply {
			t.Fatalf("a %d-byte frame got a %d-byte reply", len(data), len(b))
		}
		var ping struct {
			Type string `json:"type"`
		}
		isPing := mt == websocket.MessageText && json.Unmarshal(data, &ping) == nil && ping.Type == "ping"
		var got struct {
			Type  string `json:"type"`
			Error *struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("reply %s: %v", b, err)
		}
		switch {
		case isPing:
			if got.Type != "pong" || got.Error != nil {
				t.Fatalf("a ping got %s", b)
			}
		case got.Type != "error" || got.Error == nil:
			t.Fatalf("frame %q (type %d) got %s, want an error frame", data, typ, b)
		case got.Error.Code != "invalid_frame" && got.Error.Code != "unknown_frame":
			t.Fatalf("frame %q got error code %q", data, got.Error.Code)
		case got.Error.Message == "":
			t.Fatalf("frame %q got an error frame with no message", data)
		}
		// Checked before encoding: json.Marshal would quietly turn bytes
		// that are not UTF-8 into U+FFFD.
		if m, ok := reply.(map[string]any); ok {
			if e, ok := m["error"].(map[string]string); ok && !utf8.ValidString(e["message"]) {
				t.Fatalf("frame %q got a message that is not UTF-8: %q", data, e["message"])
			}
		}
	})
}
