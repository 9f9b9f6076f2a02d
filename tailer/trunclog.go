package tailer

import (
	"log/slog"
	"time"
)

// truncLogInterval is the least time between two warnings about lines cut
// to MaxLineBytes in one file.
const truncLogInterval = 10 * time.Second

// truncLog reports lines cut to MaxLineBytes: the first one at once, then at
// most one every truncLogInterval with the number cut in between, so that a
// file of huge lines cannot flood the log. Every cut line is counted in
// Stats.TruncatedLines whether or not it is logged. It is used by the Run
// goroutine only.
type truncLog struct {
	last       time.Time
	suppressed int
}

// report logs, or counts, the line that starts at byte start of the file
// and ends at byte end (after its newline, or at the end of the file for a
// last line without one); line_bytes in the log is end-start, the newline
// included.
func (r *truncLog) report(log *slog.Logger, start, end int64) {
	now := time.Now()
	if !r.last.IsZero() && now.Sub(r.last) < truncLogInterval {
		r.suppressed++
		return
	}
	n := r.suppressed
	r.last, r.suppressed = now, 0
	log.Warn("tailer: line longer than max_line_bytes; forwarded cut to that length, the rest of it dropped",
		"line_offset", start, "line_bytes", end-start, "unreported_since_last", n)
}
