package agent

import (
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// maxSumCols is the most hint columns lineSums records.
const maxSumCols = 2

// lineSums records, per line of a batch, a hash of the values of the
// engine's hint columns (detect.Engine.HintColumns: AuthorID and
// meta.user), taken by the worker while it has the line parsed, for the
// lines it did not want (a wanted line is an event already). When a
// rule starts wanting more lines, recheck compares the hashes of the
// hints (detect.Engine.WantHints) with them and parses again only the
// lines whose hash matches: a line that is now wanted has a hint as the
// value of a hint column, so its hash matches; a line whose hash matches
// by collision is parsed again and asked again, which decides.
type lineSums struct {
	// cols are the hint columns recorded, nil when none were (the engine
	// gives no hint columns, or more than maxSumCols).
	cols []string
	// sums holds per line the sum32 of the value of cols[k] in bits
	// 32k..32k+31; 0 where the column is absent or the line did not parse.
	sums []uint64
}

// reset prepares ls for a batch of n lines and the engine's hint columns
// cols; a nil cols, or more than maxSumCols, records nothing.
func (ls *lineSums) reset(cols []string, n int) {
	if len(cols) > maxSumCols {
		cols = nil
	}
	ls.cols = cols
	if cols == nil {
		ls.sums = ls.sums[:0]
		return
	}
	if cap(ls.sums) < n {
		ls.sums = make([]uint64, n)
	}
	ls.sums = ls.sums[:n]
	clear(ls.sums)
}

// record sets the sums of line i from its parsed record.
func (ls *lineSums) record(i int, rec *parser.Record) {
	var s uint64
	for k, c := range ls.cols {
		if v, ok := rec.Get(c); ok {
			s |= uint64(sum32(v)) << (32 * k)
		}
	}
	ls.sums[i] = s
}

// matches reports whether a value of a hint column of line i has one of
// the sums hs.
func (ls *lineSums) matches(i int, hs []uint32) bool {
	s := ls.sums[i]
	if s == 0 {
		return false
	}
	for _, h := range hs {
		if uint32(s) == h || uint32(s>>32) == h {
			return true
		}
	}
	return false
}

// any reports whether some line matches one of the sums hs.
func (ls *lineSums) any(hs []uint32) bool {
	for i := range ls.sums {
		if ls.matches(i, hs) {
			return true
		}
	}
	return false
}

// sum32 is the hash lineSums keeps of a value: 32-bit FNV-1a with the
// lowest bit set, so that it is never 0 (absent).
func sum32[S ~string | ~[]byte](v S) uint32 {
	h := uint32(2166136261)
	for i := range len(v) {
		h = (h ^ uint32(v[i])) * 16777619
	}
	return h | 1
}
