package agent

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/shellcmd"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// parseLogInterval is the least time between two parse-failure warnings of
// one source.
const parseLogInterval = 10 * time.Second

// parseLog reports lines that did not parse: the first one at once, then at
// most one every parseLogInterval with the number left unreported in
// between, so a file full of custom-format lines cannot flood the log. Each
// warning names the file, where the line ends in it (with the commands that
// print the line and its number: findLine) and the parser's error. Every failure is counted in metrics whether or not it is logged,
// and every such line is still forwarded raw.
type parseLog struct {
	log *slog.Logger

	mu    sync.Mutex
	parse logGate
	// unfinished paces the warnings about parts of a line whose last part
	// never came apart from parse's, so that a line that did not parse
	// just before does not hold back the only word about a stalled
	// container (fresh-user trial 240).
	unfinished logGate
	cut        logGate // cut lines are reported apart
	named      uint64  // the lines the parse warnings named (report, reportUnfinished)

	// sample judges the first lines read: a source whose type does not
	// match them is warned about once. nil for an untyped source.
	sample *typeSample
}

// logGate lets one warning through per parseLogInterval and counts the
// others; parseLog.mu guards it.
type logGate struct {
	last       time.Time
	suppressed int
}

// pass reports whether to log at now, with the number of warnings held
// back since the last one logged.
func (g *logGate) pass(now time.Time) (held int, ok bool) {
	if !g.last.IsZero() && now.Sub(g.last) < parseLogInterval {
		g.suppressed++
		return 0, false
	}
	held = g.suppressed
	g.last, g.suppressed = now, 0
	return held, true
}

// passGate is g.pass at the time now, under p.mu; a parse warning let
// through counts as naming a line.
func (p *parseLog) passGate(g *logGate) (held int, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	held, ok = g.pass(time.Now())
	if ok && (g == &p.parse || g == &p.unfinished) {
		p.named++
	}
	return held, ok
}

// namedLines returns how many lines that did not parse the warnings named
// (one per parseLogInterval; the others are counted only); 0 for a nil p.
func (p *parseLog) namedLines() uint64 {
	if p == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.named
}

// listUnparsed returns the shell command that lists every line of file
// that does not parse as typ, each with its file:line and cause (parse's
// {"_error":...} objects).
func listUnparsed(file, typ string) string {
	return fmt.Sprintf("gitlab-syslog parse --type %s -- %s | grep '^{\"_error\"'", typ, shellcmd.Path(file))
}

// report logs a failure of the line ending at byte end of file, or counts it.
func (p *parseLog) report(file string, end int64, err error) {
	n, ok := p.passGate(&p.parse)
	if !ok {
		return
	}
	p.log.Warn("line did not parse; forwarded raw, without parsed columns",
		"file", file, "line_end_offset", end, "find_line", shellcmd.FindLine(file, end), "err", err, "unreported_since_last", n)
}

// reportUnfinished logs, or counts as report does (at most one warning per
// parseLogInterval, paced apart from report's), the parts of a line
// whose last part never came (CRI P records without their F, Docker
// partials without their end), sent raw after the carry timeout, or at
// the end of a file read as finished (atEnd: --once). The parts have no
// line end: the warning names where the first of them begins, start,
// with the commands that print that record and count the lines before it
// (findLineAt), and says when they were cut to max (cut).
func (p *parseLog) reportUnfinished(file string, start int64, atEnd, cut bool, max int) {
	if p == nil {
		return
	}
	n, ok := p.passGate(&p.unfinished)
	if !ok {
		return
	}
	msg, err, hint := "parts of a line whose last part never came; forwarded raw, without parsed columns", errUnfinished,
		"the runtime wrote the line's first parts and never its last (a container stopped mid-line, or a record lost): nothing to do unless it repeats"
	if atEnd {
		msg, err, hint = "the file ends in parts of a line whose last part is not written yet; forwarded raw, without parsed columns", errUnfinishedAtEnd,
			"a later run that finds the file grown sends the line again, whole, from its first part"
	}
	attrs := []any{"file", file, "line_start_offset", start, "find_line", shellcmd.FindLineAt(file, start, "the first part"), "err", err, "hint", hint, "unreported_since_last", n}
	if cut {
		attrs = append(attrs, "cut_to_max_line_bytes", max)
	}
	p.log.Warn(msg, attrs...)
}

// reportCut logs a line that was cut to max_line_bytes, n, after its
// parts were joined (the tailer reports the lines it cut itself), whose
// joined length was length bytes (container.Line.Len, for a gitlab-logger
// envelope the envelope's), at most one every parseLogInterval, as report
// does; the hint suggests a max_line_bytes above length.
func (p *parseLog) reportCut(file string, end int64, n, length int) {
	supp, ok := p.passGate(&p.cut)
	if !ok {
		return
	}
	suggest := tailer.SuggestMaxLine(n, length)
	p.log.Warn("line longer than max_line_bytes once its parts were joined; forwarded cut to that length, the rest of it dropped",
		"file", file, "line_end_offset", end, "find_line", shellcmd.FindLine(file, end), "max_line_bytes", n, "joined_bytes", length, "unreported_since_last", supp,
		"hint", fmt.Sprintf("to forward such lines whole, raise max_line_bytes, e.g. max_line_bytes: %s (or --max-line-bytes %s)", suggest, suggest))
}

// parseFails is the first line of a batch that did not parse, and how
// many did: a worker records them (note) and the sender reports them in
// file order (parseLog.reportFails). The source's workers encode batches
// at once; reported as each worker met them, the first warning of a file
// could name a later line than its first that did not parse (fresh-user
// trial 257).
type parseFails struct {
	file string
	end  int64 // where the first ends in file
	err  error
	n    int
}

// note records a line ending at byte end of file that did not parse with
// err; nothing when err is nil.
func (f *parseFails) note(file string, end int64, err error) {
	if err == nil {
		return
	}
	if f.n == 0 {
		f.file, f.end, f.err = file, end, err
	}
	f.n++
}

// reportFails reports the lines f records as report does, one after the
// other (the first logged or counted, the others counted), and clears f.
func (p *parseLog) reportFails(f *parseFails) {
	if p != nil && f.n > 0 {
		p.report(f.file, f.end, f.err)
		if f.n > 1 {
			p.mu.Lock()
			p.parse.suppressed += f.n - 1 // within parseLogInterval of the first: not logged
			p.mu.Unlock()
		}
	}
	*f = parseFails{}
}

// reportIf reports err as report does when p and err are not nil.
func (p *parseLog) reportIf(file string, end int64, err error) {
	if p != nil && err != nil {
		p.report(file, end, err)
	}
}
