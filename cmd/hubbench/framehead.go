package main

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// resumeFrame is what a read looks at in each frame while timing: the
// parsing of events (their refs) waits until the last one has arrived.
type resumeFrame struct {
	Type string `json:"type"`
	Seq  int64  `json:"seq"`
}

// frameHead reads a frame's type and seq while a resume is timed, from
// the first fields of an event as the hub writes it,
// {"room":"…","seq":N,"type":"…". Only those few bytes are read, so that
// the time measured is the hub's, not the bench's parsing of a thousand
// events; a frame of any other shape (synced, pong, error) is parsed
// whole. Every event is parsed whole after the clock stops, and
// its seq checked against its head's.
func frameHead(data []byte) (resumeFrame, error) {
	if f, ok := eventHead(data); ok {
		return f, nil
	}
	var f resumeFrame
	err := json.Unmarshal(data, &f)
	return f, err
}

// eventHead reads {"room":"…","seq":N,"type":"…" at the start of data.
func eventHead(data []byte) (resumeFrame, bool) {
	rest, ok := bytes.CutPrefix(data, []byte(`{"room":"`))
	if !ok {
		return resumeFrame{}, false
	}
	room, ok := plainString(rest)
	if !ok {
		return resumeFrame{}, false
	}
	rest, ok = bytes.CutPrefix(rest[len(room)+1:], []byte(`,"seq":`))
	if !ok {
		return resumeFrame{}, false
	}
	end := bytes.IndexByte(rest, ',')
	if end < 0 {
		return resumeFrame{}, false
	}
	seq, err := strconv.ParseInt(string(rest[:end]), 10, 64)
	if err != nil {
		return resumeFrame{}, false
	}
	rest, ok = bytes.CutPrefix(rest[end:], []byte(`,"type":"`))
	if !ok {
		return resumeFrame{}, false
	}
	typ, ok := plainString(rest)
	if !ok {
		return resumeFrame{}, false
	}
	return resumeFrame{Type: typ, Seq: seq}, true
}

// plainString is the string that starts data and ends at its first
// quote, if it has no escape in it.
func plainString(data []byte) (string, bool) {
	end := bytes.IndexByte(data, '"')
	if end < 0 || bytes.IndexByte(data[:end], '\\') >= 0 {
		return "", false
	}
	return string(data[:end]), true
}

// isEventType reports whether a frame's type is an event's
// ("room.created", "participant.activity"): control frames' types
// (synced, pong, error) have no dot.
func isEventType(typ string) bool { return strings.Contains(typ, ".") }
