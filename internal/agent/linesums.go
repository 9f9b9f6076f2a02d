package agent

import (
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// maxSumCols is the most hint columns lineSums records.
const maxSumCols = 2

// lineSums records, per line of a batch, a hash of the values of the
// engine's hint columns for the line's type (detect.Engine.HintColumns:
// AuthorID and meta.user of audit lines), detect.HintSum, taken by the
// worker while it has the line parsed, for the lines it did not want (a
// wanted line is an event already): most often the sums the worker's
// Wanter computed while it asked about the line (detect.Wanter.HintSums). When a rule starts wanting more lines, recheck compares
// the hashes of the hints (detect.Engine.WantHints) with them and parses
// again only the lines whose hash matches: a line that is now wanted has a
// hint as the value of a hint column, so its hash matches; a line whose
// hash matches by collision is parsed again and asked again, which
// decides.
type lineSums struct {
	// on: sums were recorded for the batch (the engine gives hint columns
	// for every type, at most maxSumCols each).
	on bool
	// cols are the hint columns of each line type; empty for a type whose
	// lines Want never starts wanting.
	cols [parser.NumTypes][]string
	// ids are the parser.ColIDs of cols (parser.NumColIDs: none), so that
	// record finds a column of a parsed record without searching it.
	ids [parser.NumTypes][maxSumCols]parser.ColID
	// sums holds per line the detect.HintSum of the value of its type's
	// cols[k] in bits 32k..32k+31; 0 where the column is absent or empty,
	// the type has no hint columns or the line did not parse.
	sums []uint64
}

// reset prepares ls for a batch of n lines with the hint columns of
// engine e; with a nil e, or one that gives no hint columns or more than
// maxSumCols for a type, it records nothing (on is false).
func (ls *lineSums) reset(e *detect.Engine, n int) {
	ls.on = false
	ls.sums = ls.sums[:0]
	if e == nil {
		return
	}
	for t := range ls.cols {
		c := e.HintColumns(parser.Type(t))
		if c == nil || len(c) > maxSumCols {
			return
		}
		ls.cols[t] = c
		for k, name := range c {
			ls.ids[t][k] = parser.NumColIDs
			if id, ok := parser.ColIDOf(name); ok {
				ls.ids[t][k] = id
			}
		}
	}
	ls.on = true
	if cap(ls.sums) < n {
		ls.sums = make([]uint64, n)
	}
	ls.sums = ls.sums[:n]
	clear(ls.sums)
}

// take sets the sums of line i, parsed into rec, about which wr was
// asked last: those wr computed then, else from rec (record).
func (ls *lineSums) take(i int, wr *detect.Wanter, rec *parser.Record) {
	if s, ok := wr.HintSums(); ok {
		ls.sums[i] = s
		return
	}
	ls.record(i, rec)
}

// record sets the sums of line i from its parsed record.
func (ls *lineSums) record(i int, rec *parser.Record) {
	var s uint64
	t := rec.Type
	for k, c := range ls.cols[t] {
		var v []byte
		if id := ls.ids[t][k]; id < parser.NumColIDs {
			v, _ = rec.Col(id)
		} else {
			v, _ = rec.Get(c)
		}
		if len(v) > 0 {
			s |= uint64(detect.HintSum(unsafe.String(&v[0], len(v)))) << (32 * k) // not kept: no copy, whatever its length
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
