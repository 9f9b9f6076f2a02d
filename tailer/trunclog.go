package tailer

import (
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/shellcmd"
)

// truncLogInterval is the least time between two warnings about lines cut
// to MaxLineBytes in one file.
const truncLogInterval = 10 * time.Second

// truncLog reports lines cut to MaxLineBytes: the first one at once, then at
// most one every truncLogInterval with the number cut in between, so that a
// file of huge lines cannot flood the log. Each names max_line_bytes and a
// value above the longest line cut so far (SuggestMaxLine). Every cut line
// is counted in Stats.TruncatedLines whether or not it is logged. It is
// used by the Run goroutine only.
type truncLog struct {
	last       time.Time
	suppressed int
}

// report logs, or counts, the line that starts at byte start of the file
// called name and is length bytes long without its newline (line_bytes in
// the log), cut to limit bytes; longest is the longest line cut so far,
// this one included (Stats.LongestCutLine).
func (r *truncLog) report(log *slog.Logger, name string, start, length, longest int64, limit int) {
	now := time.Now()
	if !r.last.IsZero() && now.Sub(r.last) < truncLogInterval {
		r.suppressed++
		return
	}
	n := r.suppressed
	r.last, r.suppressed = now, 0
	suggest := SuggestMaxLine(limit, int(min(longest, math.MaxInt32)))
	log.Warn("tailer: line longer than max_line_bytes; forwarded cut to that length, the rest of it dropped",
		"file", name, "line_offset", start, "line_bytes", length, "max_line_bytes", limit, "unreported_since_last", n,
		"find_line", shellcmd.FindLineAt(name, start, "the line, whole"),
		"hint", fmt.Sprintf("to forward such lines whole, raise max_line_bytes above the longest line cut so far (%d bytes), e.g. max_line_bytes: %s (or --max-line-bytes %s)",
			longest, suggest, suggest))
}
