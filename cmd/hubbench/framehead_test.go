package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tandemhq/tandem/room"
)

// frameHead reads what a full parse of the frame reads, from events as
// the hub encodes them, control frames, and frames of other shapes.
func TestFrameHeadAgreesWithAFullParse(t *testing.T) {
	ev := room.Event{
		Room: "rm_abc", Seq: 1234, Type: room.TypeActivity, At: time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC),
		Actor: room.Actor{Kind: "agent", ID: "us_1"}, Data: json.RawMessage(`{"activity":"viewing","ref":"a\"b"}`),
	}
	encoded, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	frames := []string{
		string(encoded),
		`{"type":"synced","room":"rm_abc","seq":1234}`,
		`{"type":"pong"}`,
		`{"type":"error","error":{"code":"x","message":"y"}}`,
		// Shapes the hub does not write: parsed whole.
		`{"seq":7,"room":"rm_abc","type":"room.created"}`,
		`{"room":"rm_\u0061","seq":8,"type":"room.created"}`,
		`{"room":"rm_a","seq":9,"type":"room\u002ecreated"}`,
		`{"type":"syn\"ced"}`,
		`{"room":"rm_a","seq":10}`,
	}
	for _, f := range frames {
		var want resumeFrame
		if err := json.Unmarshal([]byte(f), &want); err != nil {
			t.Fatal(err)
		}
		got, err := frameHead([]byte(f))
		if err != nil || got != want {
			t.Errorf("frameHead(%s) = %+v, %v; a full parse reads %+v", f, got, err, want)
		}
	}
	if _, err := frameHead([]byte(`{"room":"rm_a","seq":`)); err == nil {
		t.Error("a cut frame was read without an error")
	}
}
