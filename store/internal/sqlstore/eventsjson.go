package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/store"
)

// EventsJSON implements store.Rooms: the events Events returns, each
// written as json.Marshal writes a room.Event, by joining its columns. The
// actor, origin and data columns hold JSON already; they are copied with
// the few changes json.Marshal makes to JSON it is given (no insignificant
// space; <, >, &, U+2028 and U+2029 escaped), so that nothing is decoded
// and encoded again. The frames of a page share buffers of framesChunk,
// each frame written whole into one, so that a page of many events is
// never copied into a larger buffer as it grows.
func (s *DB) EventsJSON(ctx context.Context, account, roomID string, after int64, limit int) ([]store.EventJSON, error) {
	limit = tandem.PageSize(limit, tandem.MaxEventsPage, tandem.MaxEventsPage)
	rows, err := s.stmts.eventFrames.QueryContext(ctx, roomID, account, after, limit)
	if err != nil {
		return nil, fmt.Errorf("events of room %s: %w", roomID, err)
	}
	defer rows.Close()
	var (
		out  []store.EventJSON
		buf  []byte
		room = []byte(roomID)
		// The columns of one row, copied into buf before the next: Scan
		// reuses their room from row to row.
		seq                            int64
		at                             timestamp
		typ, actor, origin, data, hash sql.RawBytes
	)
	for rows.Next() {
		if err := rows.Scan(&seq, &typ, &at, &actor, &origin, &data, &hash); err != nil {
			return nil, fmt.Errorf("events of room %s: %w", roomID, err)
		}
		// What the frame takes when nothing in it is escaped: the columns
		// and the field names, dates and numbers around them.
		need := len(room) + len(typ) + len(actor) + len(origin) + len(data) + len(hash) + frameOverhead
		if cap(buf)-len(buf) < need {
			buf = make([]byte, 0, max(framesChunk, need+need/4))
		}
		start := len(buf)
		buf = appendEventJSON(buf, eventRow{room, seq, typ, at.Time(), actor, origin, data, hash})
		out = append(out, store.EventJSON{Seq: seq, JSON: buf[start:len(buf):len(buf)]})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events of room %s: %w", roomID, err)
	}
	if len(out) == 0 {
		return nil, s.roomExists(ctx, account, roomID)
	}
	return out, nil
}

// The buffers EventsJSON writes frames into: framesChunk each, or more for
// a frame that needs it. frameOverhead is more than a frame adds to its
// columns: the field names, punctuation, seq and time.
const (
	framesChunk   = 32 << 10
	frameOverhead = 128
)

// eventRow is an event's columns as the events table keeps them.
type eventRow struct {
	room   []byte
	seq    int64
	typ    []byte
	at     time.Time
	actor  []byte // JSON
	origin []byte // JSON, or empty when the event has none
	data   []byte // JSON
	hash   []byte
}

// appendEventJSON appends what json.Marshal gives for the room.Event the
// columns c hold: its fields in order, origin and hash left out when
// empty. An empty data column is written null.
func appendEventJSON(b []byte, c eventRow) []byte {
	b = append(b, `{"room":`...)
	b = appendJSONString(b, c.room)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, c.seq, 10)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, c.typ)
	b = append(b, `,"at":"`...)
	b = c.at.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","actor":`...)
	b = appendCompactJSON(b, c.actor)
	if len(c.origin) > 0 {
		b = append(b, `,"origin":`...)
		b = appendCompactJSON(b, c.origin)
	}
	b = append(b, `,"data":`...)
	if len(c.data) == 0 {
		b = append(b, "null"...)
	} else {
		b = appendCompactJSON(b, c.data)
	}
	if len(c.hash) > 0 {
		b = append(b, `,"hash":`...)
		b = appendJSONString(b, c.hash)
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as encoding/json writes a string: quoted,
// with ", \ and control characters escaped, <, > and & as \u003c, \u003e
// and \u0026, U+2028 and U+2029 as \u2028 and \u2029, and invalid UTF-8 as
// U+FFFD.
func appendJSONString(b, s []byte) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendCompactJSON appends the valid JSON text src as json.Marshal
// writes a json.RawMessage: without the space between tokens, with <, >
// and & in strings as \u003c, \u003e and \u0026, and U+2028 and U+2029 as
// \u2028 and \u2029. Everything else is copied as it is: the bytes that
// are none of those, nor a quote or a backslash, are passed over in a
// tight loop (compactSkip), as they are most of any event's data.
func appendCompactJSON(b, src []byte) []byte {
	start := 0
	inString, escaped := false, false
	for i := 0; i < len(src); i++ {
		if !escaped {
			for i < len(src) && compactSkip[src[i]] {
				i++
			}
			if i == len(src) {
				break
			}
		}
		c := src[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			case c == '<' || c == '>' || c == '&':
				b = append(b, src[start:i]...)
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
				start = i + 1
			case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&^1 == 0xA8:
				b = append(b, src[start:i]...)
				b = append(b, '\\', 'u', '2', '0', '2', hexDigits[src[i+2]&0xF])
				i += 2
				start = i + 1
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case ' ', '\t', '\n', '\r':
			b = append(b, src[start:i]...)
			start = i + 1
		}
	}
	return append(b, src[start:]...)
}

// compactSkip marks the bytes appendCompactJSON copies as they are,
// in a string or not (unless just after a backslash).
var compactSkip = func() (t [256]bool) {
	for i := range t {
		t[i] = true
	}
	for _, c := range []byte("\"\\<>&\xE2 \t\n\r") {
		t[c] = false
	}
	return t
}()
