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
	p.log.Warn("line did not parse; forwarded raw without STRUCTURED-DATA",
		"file", file, "line_end_offset", end, "err", err, "unreported_since_last", n)
}

// reportIf reports err as report does when p and err are not nil.
func (p *parseLog) reportIf(file string, end int64, err error) {
	if p != nil && err != nil {
		p.report(file, end, err)
	}
}
