package main

import "testing"

func TestSeqChecker(t *testing.T) {
	for _, tc := range []struct {
		name              string
		since, final      int64
		seqs              []int64
		dup, ooo, late    int64
		lost, last, deliv int64
	}{
		{name: "in order", final: 5, seqs: []int64{1, 2, 3, 4, 5}, last: 5, deliv: 5},
		{name: "after since", since: 10, final: 12, seqs: []int64{11, 12}, last: 12, deliv: 2},
		{name: "nothing yet", since: 3, final: 3, last: 3},
		{name: "duplicates", final: 3, seqs: []int64{1, 2, 2, 1, 3, 3}, dup: 3, last: 3, deliv: 6},
		{name: "gap never filled", final: 6, seqs: []int64{1, 2, 5, 6}, ooo: 1, lost: 2, last: 6, deliv: 4},
		{name: "swap", final: 4, seqs: []int64{1, 3, 2, 4}, ooo: 1, late: 1, last: 4, deliv: 4},
		{name: "fill inside a gap", final: 6, seqs: []int64{1, 6, 3}, ooo: 1, late: 1, lost: 3, last: 6, deliv: 3},
		{name: "fill both ends", final: 6, seqs: []int64{1, 6, 2, 5}, ooo: 1, late: 2, lost: 2, last: 6, deliv: 4},
		{name: "fill a whole gap", final: 4, seqs: []int64{1, 4, 3, 2}, ooo: 1, late: 2, last: 4, deliv: 4},
		{name: "late then duplicate", final: 3, seqs: []int64{1, 3, 2, 2}, ooo: 1, late: 1, dup: 1, last: 3, deliv: 4},
		{name: "two gaps", final: 10, seqs: []int64{2, 5, 9}, ooo: 3, lost: 1 + 2 + 3 + 1, last: 9, deliv: 3},
		{name: "tail lost", final: 5, seqs: []int64{1, 2}, lost: 3, last: 2, deliv: 2},
		{name: "final inside a gap", final: 3, seqs: []int64{1, 5}, ooo: 1, lost: 2, last: 5, deliv: 2},
		{name: "ahead of final", final: 2, seqs: []int64{1, 2, 3}, last: 3, deliv: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newSeqChecker(tc.since)
			for _, s := range tc.seqs {
				c.observe(s)
			}
			if c.duplicated != tc.dup || c.outOfOrder != tc.ooo || c.late != tc.late || c.last != tc.last || c.delivered != tc.deliv {
				t.Errorf("dup %d ooo %d late %d last %d delivered %d, want %d %d %d %d %d",
					c.duplicated, c.outOfOrder, c.late, c.last, c.delivered, tc.dup, tc.ooo, tc.late, tc.last, tc.deliv)
			}
			if got := c.lost(tc.final); got != tc.lost {
				t.Errorf("lost(%d) = %d, want %d (gaps %v)", tc.final, got, tc.lost, c.gaps)
			}
		})
	}
}
