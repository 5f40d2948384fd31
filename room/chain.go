package room

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// The hash chain.
//
// Every event carries Hash, the SHA-256 of the previous event's hash and
// of this event's canonical bytes (Canonical), so that each event vouches
// for the whole log before it: an event lost, moved or changed by a store
// after it was written no longer matches the hashes that follow it, and
// VerifyChain says which seq is wrong and how. The hash of a room's last
// event (State.Hash, its head) vouches for the whole log; a copy of the
// head kept elsewhere (a signed document's audit trail) shows later
// whether the log was rewritten since. The chain needs no key: whoever
// can write to the database can compute a whole new chain, which only a
// head kept elsewhere gives away.
//
// Two things are not covered, by design:
//   - Events written before Tandem chained its logs have no hash. At the
//     start of a log they are counted (ChainReport.Unchained) and the
//     chain starts after them, from "".
//   - An erasure (room.contact_erased) rewrites the whole log to mask the
//     customer's personal data, and chains it again from "": the chain
//     then vouches for the masked log. The erasure's event keeps the head
//     the log had before (ContactErased.PreviousHead), so a head recorded
//     earlier can still be matched to it (ChainReport.Rewrites).

// Canonical returns the bytes of e that its hash covers: everything but
// the hash itself, as one compact JSON object with its keys in this order:
//
//	{"room":R,"seq":N,"type":T,"at":A,"actor":{"kind":K,"id":I,"name":M},"origin":{"ip":P,"user_agent":U},"data":D}
//
// where:
//   - R, T, A, K, I, M, P and U are JSON strings, escaped as Go's
//     encoding/json escapes them with HTML escaping off (", \ and control
//     characters escaped; <, >, & and non-ASCII letters as they are;
//     invalid UTF-8 replaced by U+FFFD); N is a decimal integer.
//   - A is the event's time in UTC, in RFC 3339 with as many fractional
//     digits as it has, trailing zeros dropped (Go's time.RFC3339Nano):
//     "2026-11-25T09:00:00.123456Z". The hub and its stores keep times to
//     the microsecond.
//   - In actor, "id" and "name" are left out when empty. "origin" is left
//     out when the event has none (or an empty one); inside it "ip" and
//     "user_agent" are left out when empty.
//   - D is the event's data exactly as stored, with insignificant
//     whitespace removed (encoding/json.Compact): key order and escapes
//     are kept. Empty data is null; data that is not JSON is taken byte
//     for byte.
func Canonical(e Event) []byte {
	var b bytes.Buffer
	b.WriteString(`{"room":`)
	writeString(&b, e.Room)
	b.WriteString(`,"seq":`)
	b.WriteString(strconv.FormatInt(e.Seq, 10))
	b.WriteString(`,"type":`)
	writeString(&b, e.Type)
	b.WriteString(`,"at":`)
	writeString(&b, e.At.UTC().Format(time.RFC3339Nano))
	b.WriteString(`,"actor":{"kind":`)
	writeString(&b, string(e.Actor.Kind))
	if e.Actor.ID != "" {
		b.WriteString(`,"id":`)
		writeString(&b, e.Actor.ID)
	}
	if e.Actor.Name != "" {
		b.WriteString(`,"name":`)
		writeString(&b, e.Actor.Name)
	}
	b.WriteString(`}`)
	if o := e.Origin; o != nil && (o.IP != "" || o.UserAgent != "") {
		b.WriteString(`,"origin":{`)
		if o.IP != "" {
			b.WriteString(`"ip":`)
			writeString(&b, o.IP)
		}
		if o.UserAgent != "" {
			if o.IP != "" {
				b.WriteString(`,`)
			}
			b.WriteString(`"user_agent":`)
			writeString(&b, o.UserAgent)
		}
		b.WriteString(`}`)
	}
	b.WriteString(`,"data":`)
	switch {
	case len(bytes.TrimSpace(e.Data)) == 0:
		b.WriteString("null")
	default:
		var data bytes.Buffer
		if json.Compact(&data, e.Data) == nil {
			b.Write(data.Bytes())
		} else {
			b.Write(e.Data)
		}
	}
	b.WriteString(`}`)
	return b.Bytes()
}

// writeString writes s as a JSON string, as encoding/json does with HTML
// escaping off.
func writeString(b *bytes.Buffer, s string) {
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Write(bytes.TrimSuffix(out.Bytes(), []byte("\n")))
}

// ChainHash returns the hash of e following an event whose hash is prev
// ("" for the first event of a chain): the lowercase hex SHA-256 of prev's
// hex text, a line feed, and Canonical(e).
func ChainHash(prev string, e Event) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte("\n"))
	h.Write(Canonical(e))
	return hex.EncodeToString(h.Sum(nil))
}

// Chain sets the hash of each of evs, in order, the first following prev.
// It changes evs in place.
func Chain(prev string, evs []Event) {
	for i := range evs {
		evs[i].Hash = ChainHash(prev, evs[i])
		prev = evs[i].Hash
	}
}

// ChainProblem says what VerifyChain found wrong with a log.
type ChainProblem string

// The problems of a log.
const (
	// ChainChanged: the event's hash does not match what it says.
	ChainChanged ChainProblem = "changed"
	// ChainMissing: there is no event at that seq.
	ChainMissing ChainProblem = "missing"
	// ChainOutOfOrder: the event is not where it was written.
	ChainOutOfOrder ChainProblem = "out_of_order"
	// ChainUnhashed: an event without a hash follows chained ones.
	ChainUnhashed ChainProblem = "unhashed"
	// ChainHeadMismatch: the room's head does not match its last event.
	ChainHeadMismatch ChainProblem = "head_mismatch"
)

// ChainError is the first thing wrong with a room's log.
type ChainError struct {
	Room    string
	Seq     int64 // the first seq that does not check
	Problem ChainProblem
	// Found is, for ChainOutOfOrder, the seq where the event written as
	// Seq stands now (0 if it is not known); for ChainMissing, the seq of
	// the event found instead (0 at the end of the log, where Head says
	// how far it should go).
	Found int64
	// Head is, for ChainMissing at the end of the log and for
	// ChainHeadMismatch, the seq of the room's head.
	Head int64
}

func (e *ChainError) Error() string {
	var what string
	switch e.Problem {
	case ChainChanged:
		what = fmt.Sprintf("event %d was changed after it was written (its hash does not match)", e.Seq)
	case ChainMissing:
		switch {
		case e.Found > 0:
			what = fmt.Sprintf("event %d is missing (the log goes on at %d)", e.Seq, e.Found)
		case e.Head > e.Seq:
			what = fmt.Sprintf("events %d to %d are missing (the room's head is at %d, its log ends before)", e.Seq, e.Head, e.Head)
		default:
			what = fmt.Sprintf("event %d is missing (the room's head is at %d, its log ends before)", e.Seq, e.Head)
		}
	case ChainOutOfOrder:
		if e.Found > 0 {
			what = fmt.Sprintf("event %d is out of order: what was written as event %d is now at %d", e.Seq, e.Seq, e.Found)
		} else {
			what = fmt.Sprintf("event %d is out of order: it comes where a later event was expected", e.Seq)
		}
	case ChainUnhashed:
		what = fmt.Sprintf("event %d has no hash, though events before it have one: it was written or changed outside the hub", e.Seq)
	case ChainHeadMismatch:
		what = fmt.Sprintf("the room's head (event %d) does not match the last event of its log (event %d): the log or the room's state was changed", e.Head, e.Seq)
	default:
		what = fmt.Sprintf("event %d: %s", e.Seq, e.Problem)
	}
	if e.Room == "" {
		return what
	}
	return e.Room + ": " + what
}

// ChainRewrite is an erasure that rewrote a log and chained it again.
type ChainRewrite struct {
	Seq          int64  // the seq of the room.contact_erased event
	PreviousHead string // the head the log had before
}

// ChainReport is what VerifyChain found in a log that checks.
type ChainReport struct {
	Room   string
	Events int64 // events in the log
	// Unchained are the events at the start of the log written before the
	// log was chained: the chain does not cover them.
	Unchained int64
	// Head is the hash of the last event ("" if none is chained).
	Head string
	// Rewrites are the erasures that rewrote the log, in order.
	Rewrites []ChainRewrite
}

// VerifyChain checks a room's whole log, read in order: seqs 1, 2, 3 …
// without gaps, and every hash (a *ChainError says what is first wrong).
// Events without a hash at the start of the log are counted as written
// before the log was chained, and the chain starts after them from "".
// Only the log is checked: CheckHead compares its end with the room's
// head.
func VerifyChain(evs []Event) (ChainReport, error) {
	var r ChainReport
	if len(evs) > 0 {
		r.Room = evs[0].Room
	}
	prev := ""
	chained := false
	for i, e := range evs {
		want := int64(i) + 1
		switch {
		case e.Seq > want:
			return r, &ChainError{Room: r.Room, Seq: want, Problem: ChainMissing, Found: e.Seq}
		case e.Seq < want:
			return r, &ChainError{Room: r.Room, Seq: e.Seq, Problem: ChainOutOfOrder}
		}
		if e.Hash == "" {
			if chained {
				return r, &ChainError{Room: r.Room, Seq: e.Seq, Problem: ChainUnhashed}
			}
			r.Unchained++
			r.Events++
			continue
		}
		chained = true
		if ChainHash(prev, e) != e.Hash {
			err := &ChainError{Room: r.Room, Seq: e.Seq, Problem: ChainChanged}
			if to := movedTo(prev, e.Seq, evs[i+1:]); to > 0 {
				err.Problem, err.Found = ChainOutOfOrder, to
			}
			return r, err
		}
		if e.Type == TypeContactErased {
			var d ContactErased
			if json.Unmarshal(e.Data, &d) == nil && d.PreviousHead != "" {
				r.Rewrites = append(r.Rewrites, ChainRewrite{Seq: e.Seq, PreviousHead: d.PreviousHead})
			}
		}
		prev = e.Hash
		r.Events++
	}
	r.Head = prev
	return r, nil
}

// movedTo returns the seq of the event of later that was written at seq,
// following prev (its hash matches once it is put back there), or 0: an
// event whose hash does not match is out of order rather than changed if
// what was written in its place is found further on.
func movedTo(prev string, seq int64, later []Event) int64 {
	for _, e := range later {
		back := e
		back.Seq = seq
		if e.Hash != "" && ChainHash(prev, back) == e.Hash {
			return e.Seq
		}
	}
	return 0
}

// CheckHead compares a room's head, its state s as the store keeps it,
// with the end of its log as VerifyChain reported it: events lost at the
// end of a log leave no gap, but the head still counts them.
func CheckHead(s State, r ChainReport) error {
	switch {
	case s.Seq > r.Events:
		return &ChainError{Room: s.ID, Seq: r.Events + 1, Problem: ChainMissing, Head: s.Seq}
	case s.Seq < r.Events || s.Hash != r.Head:
		return &ChainError{Room: s.ID, Seq: r.Events, Problem: ChainHeadMismatch, Head: s.Seq}
	}
	return nil
}
