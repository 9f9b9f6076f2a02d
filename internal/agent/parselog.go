package agent

import (
	"log/slog"
	"sync"
	"time"
)

// parseLogInterval is the least time between two parse-failure warnings of
// one source.
const parseLogInterval = 10 * time.Second

// parseLog reports lines that did not parse: the first one at once, then at
// most one every parseLogInterval with the number left unreported in
// between, so a file full of custom-format lines cannot flood the log. Each
// warning names the file, where the line ends in it and the parser's
// error. Every failure is counted in metrics whether or not it is logged,
// and every such line is still forwarded raw.
type parseLog struct {
	log *slog.Logger

	mu         sync.Mutex
	last       time.Time
	suppressed int
	cutLast    time.Time // cut lines are reported apart
	cutSupp    int
}

// report logs a failure of the line ending at byte end of file, or counts it.
func (p *parseLog) report(file string, end int64, err error) {
	p.mu.Lock()
	now := time.Now()
	if !p.last.IsZero() && now.Sub(p.last) < parseLogInterval {
		p.suppressed++
		p.mu.Unlock()
		return
	}
	n := p.suppressed
	p.last, p.suppressed = now, 0
	p.mu.Unlock()
	p.log.Warn("line did not parse; forwarded raw, without parsed columns",
		"file", file, "line_end_offset", end, "err", err, "unreported_since_last", n)
}

// reportCut logs a line that was cut to max_line_bytes after its parts
// were joined (the tailer reports the lines it cut itself), at most one
// every parseLogInterval, as report does.
func (p *parseLog) reportCut(file string, end int64, n int) {
	p.mu.Lock()
	now := time.Now()
	if !p.cutLast.IsZero() && now.Sub(p.cutLast) < parseLogInterval {
		p.cutSupp++
		p.mu.Unlock()
		return
	}
	supp := p.cutSupp
	p.cutLast, p.cutSupp = now, 0
	p.mu.Unlock()
	p.log.Warn("line longer than max_line_bytes once its parts were joined; forwarded cut to that length, the rest of it dropped",
		"file", file, "line_end_offset", end, "max_line_bytes", n, "unreported_since_last", supp)
}

// reportIf reports err as report does when p and err are not nil.
func (p *parseLog) reportIf(file string, end int64, err error) {
	if p != nil && err != nil {
		p.report(file, end, err)
	}
}
