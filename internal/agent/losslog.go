package agent

import (
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/shellcmd"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// lossLog reports what the rules lose without an alert saying so: keys
// evicted at max_keys (one warning per rule at its first eviction, then at
// most one every parseLogInterval with the number evicted since) and
// events dropped as too late (one warning at the first, then at most one
// every parseLogInterval with the numbers since, naming the rules, the
// file being read and the line that last moved a source's watermark far
// ahead: detect.Jump), and events of application.log counted twice as
// their copy in application_json.log was written more than 2 ms after
// them (detect.Stats.CopiesApart; paced as the late drops). The detector asks the engine after every batch
// (detect.Engine.Losses) under its mu, which guards the lossLog, and
// once more at shutdown (flush).
type lossLog struct {
	file    string // the file of the last batch checked, for flush
	buf     []detect.RuleLoss
	evicted map[string]*countGate // by rule id
	late    countGate             // of all rules' late drops
	apart   countGate             // of detect.Stats.CopiesApart
	future  countGate             // of detect.Stats.Future
	lateAt  map[string]uint64     // each rule's late drops when late last logged
	// files maps the name of a source that is not its file's path (the
	// streaming spool's, streamSource) to that path, for find_line.
	files map[string]string
}

// nameFile records that the lines of source name are read from the file
// at path (the streaming spool's, whose source is streamSource).
func (l *lossLog) nameFile(name, path string) {
	if name == path {
		return
	}
	if l.files == nil {
		l.files = map[string]string{}
	}
	l.files[name] = path
}

// appendLineAt is appendLineAt for a line of source name, read from the
// file nameFile recorded for it, if any.
func (l *lossLog) appendLineAt(args []any, name, fileID string, offset int64) []any {
	if path, ok := l.files[name]; ok {
		name = path
	}
	return appendLineAt(args, name, fileID, offset)
}

// countGate paces the warnings about a growing counter.
type countGate struct {
	last   time.Time // when it last let a warning through
	logged uint64    // the counter then
}

// pass reports whether to log counter n at now, with the growth since
// the last warning: when n grew and parseLogInterval passed since it.
func (g *countGate) pass(now time.Time, n uint64) (since uint64, ok bool) {
	if n <= g.logged || !g.last.IsZero() && now.Sub(g.last) < parseLogInterval {
		return 0, false
	}
	since, g.last, g.logged = n-g.logged, now, n
	return since, true
}

// check asks e for the rules' losses and logs those its gates let
// through; file is the file of the batch just processed.
func (l *lossLog) check(log *slog.Logger, e *detect.Engine, file string) {
	l.file = file
	var jump detect.Jump
	var back detect.Back
	l.buf, jump, back = e.Losses(l.buf[:0])
	now := time.Now()
	var lateTotal uint64
	for _, r := range l.buf {
		lateTotal += r.LateDropped
		if r.Evicted == 0 {
			continue
		}
		if l.evicted == nil {
			l.evicted = map[string]*countGate{}
		}
		g := l.evicted[r.Rule]
		if g == nil {
			g = new(countGate)
			l.evicted[r.Rule] = g
		}
		if since, ok := g.pass(now, r.Evicted); ok {
			log.Warn("detection: rule reached max_keys and evicted its oldest keys, with what they had counted: an alert they would have raised may be lost; raise the rule's max_keys (detections.rules.RULE.max_keys) if it holds this many users or addresses",
				"rule", r.Rule, "max_keys", r.MaxKeys, "evicted_since_last", since, "evicted_total", r.Evicted)
		}
	}
	if _, ok := l.late.pass(now, lateTotal); ok {
		l.logLate(log, file, jump, back, e.Watermark())
	}
	l.checkFuture(log, e, file, now)
	if n := e.CopiesApart(); n > 0 {
		if since, ok := l.apart.pass(now, n); ok {
			log.Warn("detection: events of application.log had a copy in application_json.log written more than 2 ms later (up to 1 s), so the rules counted each twice (a failed sign-in twice towards sentinel.bruteforce); GitLab writes the two copies within 2 ms unless it stalls between them. If this repeats, remove application.log from sources: application_json.log holds the same events",
				"counted_twice_since_last", since, "counted_twice_total", n, "file", file)
		}
	}
}

// checkFuture logs the events kept from the windowed rules for their time
// (detect.Stats.Future), paced by l.future, with how many were ahead of
// the clock and how many of the lines around them (detect.Stats.Outliers),
// naming the last one's line (detect.Stats.Ahead) and what was wrong with
// its time; file is the batch's file.
func (l *lossLog) checkFuture(log *slog.Logger, e *detect.Engine, file string, now time.Time) {
	n, a := e.FutureEvents()
	if n == 0 {
		return
	}
	since, ok := l.future.pass(now, n)
	if !ok {
		return
	}
	msg := "detection: events dated more than " + strings.TrimSuffix(detect.LiveMaxAhead.String(), "0s") + " after this host's clock reached only the per-event rules (the last is named here): the windowed rules (brute force, counts per day, sessions) left them out, and they did not move the watermark, so that the lines after them are not late. GitLab dates a line when it writes it: check the clock of the GitLab host and of this one (NTP)"
	if a.Outlier {
		msg = "detection: lines dated far ahead of the lines before and after them in their file (a line in another time zone, a clock that stepped and came back) reached only the per-event rules (the last is named here): the windowed rules (brute force, counts per day, sessions) left them out, and they did not move the watermark, so that the lines after them are not late. Check the clock and time zone of the host that wrote them"
	}
	outliers := e.Stats().Outliers
	args := []any{"kept_out_since_last", since, "ahead_of_clock_total", n - outliers, "ahead_of_lines_around_total", outliers,
		"file", file, "last_line_in", a.Source}
	args = l.appendLineAt(args, a.Source, a.FileID, a.Offset)
	args = append(args, "line_time", a.Time.UTC().Format(time.RFC3339Nano))
	if !a.Outlier {
		args = append(args, "ahead_of_clock", detect.ShortDuration(a.Time.Sub(a.Now)))
	}
	log.Warn(msg, args...)
}

// flush logs, at shutdown, the evictions and late drops that the gates
// held back since their last warning, so that the log of a run (of
// --once in particular) accounts for all of them. It does nothing before
// the first check.
func (l *lossLog) flush(log *slog.Logger, e *detect.Engine) {
	if l.file == "" {
		return
	}
	for _, g := range l.evicted {
		g.last = time.Time{}
	}
	l.late.last, l.apart.last, l.future.last = time.Time{}, time.Time{}, time.Time{}
	l.check(log, e, l.file)
}

// logLate logs the late drops of each rule since the last such warning,
// with the engine's watermark wm and what made events late
// (detect.LateCause of jump and back).
func (l *lossLog) logLate(log *slog.Logger, file string, jump detect.Jump, back detect.Back, wm time.Time) {
	if l.lateAt == nil {
		l.lateAt = map[string]uint64{}
	}
	var rules []string
	for _, r := range l.buf {
		if n := r.LateDropped - l.lateAt[r.Rule]; n > 0 {
			rules = append(rules, r.Rule+"="+strconv.FormatUint(n, 10))
			l.lateAt[r.Rule] = r.LateDropped
		}
	}
	args := []any{"rules_dropped_since_last", strings.Join(rules, " "), "file", file}
	if !wm.IsZero() {
		args = append(args, "watermark", wm.UTC().Format(time.RFC3339))
	}
	msg := "detection: events dropped as too late: their time is before the detection watermark (the newest line's time minus lateness, or the clock minus lateness where a run --once ended), and the window they fall in had closed"
	switch detect.LateCause(jump, back) {
	case detect.CauseJump:
		if jump.ClockStep() {
			msg += "; a line moved its source's watermark far ahead (a clock step, or a line in local time among UTC ones?): check it"
		} else {
			msg += "; a line moved its source's watermark ahead of lines read after it: if the file's lines are this much out of order, raise detections.lateness"
		}
		args = append(args, "watermark_moved_by", jump.Source)
		args = l.appendLineAt(args, jump.Source, jump.FileID, jump.Offset)
		args = append(args, "line_time", jump.Time.UTC().Format(time.RFC3339Nano), "ahead_of_line_before", jump.Time.Sub(jump.Prev).Round(time.Second).String())
	case detect.CauseBack:
		msg += "; the lines of a file go back in time (a log appended with lines older than those read before, or logs concatenated in the wrong order?): hunt in such logs with `gitlab-syslog detect`, each file an input of its own, which merges its inputs in time order; when the lines of one file go back because its clock did, correct those lines, or raise detections.lateness above the step"
		args = append(args, "back_in_time_at", back.Source)
		args = l.appendLineAt(args, back.Source, back.FileID, back.Offset)
		args = append(args, "line_time", back.Time.UTC().Format(time.RFC3339Nano), "behind_newest_line_before", back.Behind().Round(time.Second).String())
	default:
		msg += "; no line of this run moved it that far: it is another file's, or the one an earlier run saved in state_dir (old logs fed in parts, or older than what an earlier run read?): hunt in old logs with `gitlab-syslog detect`, which merges its inputs in time order"
		if !back.Time.IsZero() {
			args = append(args, "oldest_late_line_in", back.Source)
			args = l.appendLineAt(args, back.Source, back.FileID, back.Offset)
			args = append(args, "line_time", back.Time.UTC().Format(time.RFC3339Nano))
		}
	}
	log.Warn(msg, args...)
}

// appendLineAt appends to args where a line of source ends and how to
// print it, for a file's line (fileID not ""); args as they are else.
// The line is in the file of device and inode fileID (fileKey): source,
// or, once source was rotated, the copy of it that still has them
// (lineFile, named in line_in); when there is none, find_line says so
// instead of naming the file now at source.
func appendLineAt(args []any, source, fileID string, offset int64) []any {
	if fileID == "" {
		return args
	}
	name, ok := lineFile(source, fileID)
	if !ok {
		return append(args, "line_end_offset", offset, "find_line",
			"neither "+shellcmd.Quote(source)+" nor a rotated copy of it is the file the line was read from (device:inode "+fileID+") any more: it was compressed, moved or deleted")
	}
	if name != source {
		args = append(args, "line_in", name)
	}
	return append(args, "line_end_offset", offset, "find_line", shellcmd.FindLine(name, offset))
}

// lineFile returns the name of the file of device and inode fileID
// (fileKey): source, or a rotated copy of it (openFile); ok is false when
// none is.
func lineFile(source, fileID string) (name string, ok bool) {
	f, err := openFile(source, tailer.Config{Path: source}, fileID)
	if err != nil {
		return "", false
	}
	f.Close()
	return f.Name(), true
}
