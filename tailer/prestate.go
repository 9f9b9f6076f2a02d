package tailer

import (
	"bytes"
	"compress/gzip"
	"io"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// preState says whether a file holds, just before a saved position's
// offset, the bytes whose hash the position keeps (PreLen, PreHash): a
// file whose first bytes match a position's fingerprint is the position's
// file, or a copy of it, only if it does. Container logs can all begin
// alike (each inside one long line logged again), so first bytes alone do
// not tell them apart.
type preState int

const (
	// preDiffers: the file holds other bytes there, or ends before the
	// offset; it is not taken for the position's file nor a copy of it.
	// A copytruncate copy made before the last lines read were written
	// ends before the offset too: it is then read again (duplicates),
	// rather than a file that only begins alike skipped (lines lost).
	preDiffers preState = iota
	// preUnknown: the file cannot be opened, or, a .gz, its data cannot
	// be read as far as the offset (damaged, cut short).
	preUnknown
	// preHolds: the file holds those bytes, or the position hashed none.
	preHolds
)

// pre returns whether s (decompressed when gz) holds the bytes p hashed
// just before p.Offset. A copy that cannot be opened is preUnknown.
func (s sibling) pre(p *checkpoint.Position) preState {
	if p.PreLen <= 0 {
		return preHolds
	}
	f, now, err := s.open() // the file listed, renamed (or compressed) since or not
	if err != nil {
		return preUnknown
	}
	defer f.Close()
	if !now.gz {
		if preMatches(p, f) { // false too when it ends before the offset
			return preHolds
		}
		return preDiffers
	}
	if int64(p.PreLen) > p.Offset || p.PreLen > preWindow {
		return preDiffers // no file of this position: loadPosition's limits
	}
	gr, err := gzip.NewReader(f)
	if err != nil {
		return preUnknown
	}
	defer gr.Close()
	// io.CopyN returns io.EOF only when the data ended where gzip
	// streams end, not cut short.
	var pre bytes.Buffer
	_, err = io.CopyN(io.Discard, gr, p.Offset-int64(p.PreLen))
	if err == nil {
		_, err = io.CopyN(&pre, gr, int64(p.PreLen))
	}
	switch {
	case err == io.EOF:
		return preDiffers // it ends before the offset
	case err != nil:
		return preUnknown
	}
	if preSum(pre.Bytes()) == p.PreHash {
		return preHolds
	}
	return preDiffers
}
