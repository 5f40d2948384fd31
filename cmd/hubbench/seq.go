package main

// seqChecker holds one subscriber's stream to the protocol's promise: a
// room's events arrive exactly once, in seq order, with no gap. It counts
// what breaks the promise instead of stopping at the first break, so a
// report says how bad a run was.
//
// A seq at or below the last one seen is a duplicate, unless it fills a gap
// seen earlier (then it is late: out of order, but not lost). A seq beyond
// last+1 is out of order and opens a gap; whatever of the gap never comes
// is lost, as is everything between the last seq seen and the room's final
// seq at the end.
type seqChecker struct {
	last       int64 // highest seq seen
	delivered  int64 // events seen, duplicates included
	duplicated int64
	outOfOrder int64 // jumps over seqs not seen yet
	late       int64 // seqs of a gap that came after all
	gaps       []seqSpan
}

// seqSpan is the inclusive range of seqs lo..hi that a jump skipped and
// have not come since.
type seqSpan struct{ lo, hi int64 }

// newSeqChecker returns a checker of a subscription that started after
// since.
func newSeqChecker(since int64) seqChecker {
	return seqChecker{last: since}
}

// observe counts the arrival of seq.
func (c *seqChecker) observe(seq int64) {
	c.delivered++
	switch {
	case seq == c.last+1:
		c.last = seq
	case seq > c.last+1:
		c.outOfOrder++
		c.gaps = append(c.gaps, seqSpan{c.last + 1, seq - 1})
		c.last = seq
	case c.fill(seq):
		c.late++
	default:
		c.duplicated++
	}
}

// fill removes seq from the gaps and reports whether it was in one.
// Spans are in increasing order, since each opens above the last seq.
func (c *seqChecker) fill(seq int64) bool {
	for i, g := range c.gaps {
		if seq < g.lo || seq > g.hi {
			continue
		}
		switch {
		case g.lo == g.hi:
			c.gaps = append(c.gaps[:i], c.gaps[i+1:]...)
		case seq == g.lo:
			c.gaps[i].lo++
		case seq == g.hi:
			c.gaps[i].hi--
		default:
			c.gaps = append(c.gaps[:i+1], c.gaps[i:]...)
			c.gaps[i].hi = seq - 1
			c.gaps[i+1].lo = seq + 1
		}
		return true
	}
	return false
}

// lost returns how many events up to final never came: the gaps still
// open and the tail after the last seq seen.
func (c *seqChecker) lost(final int64) int64 {
	var n int64
	for _, g := range c.gaps {
		if g.lo > final {
			break
		}
		n += min(g.hi, final) - g.lo + 1
	}
	return n + max(final-c.last, 0)
}
