package agent

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// onceFailed returns, for --once, the errors of the sources that stopped
// (a path that cannot be read, a destination that failed), and a
// destination that acknowledged nothing for StallLimit while batches wait:
// the run ends with them rather than waiting for ever.
func (a *Agent) onceFailed() error {
	a.mu.Lock()
	srcs, snk := a.sources, a.sink
	a.mu.Unlock()
	var errs []error
	if d := a.aw.stalled(time.Now()); d >= a.opts.StallLimit && snk != nil {
		cause := a.stallCause(snk.LastError())
		if !strings.HasSuffix(cause, "?") {
			cause += "."
		}
		errs = append(errs, fmt.Errorf("--once: %s %s for %s while lines wait: %s The lines not sent are read again at the next run",
			snk.URL(), stalledVerb(snk.URL()), d.Round(time.Second), cause))
	}
	for _, s := range srcs {
		if err := s.err(); err != nil {
			errs = append(errs, fmt.Errorf("--once: reading %s failed: %w", s.cfg.Path, err))
		}
	}
	return errors.Join(errs...)
}

// stalledVerb says what a destination URL that took nothing did: a
// datagram destination (udp://, unixgram://) acknowledges nothing ever,
// so it accepted no message; a stream one acknowledged nothing.
func stalledVerb(url string) string {
	if strings.HasPrefix(url, "udp://") || strings.HasPrefix(url, "unixgram://") {
		return "accepted no message"
	}
	return "acknowledged nothing"
}

// finishOnce reports what a --once run did: for each source the lines
// read (records, for a container format), sent, skipped as blank, joined
// into a later line (parts), dropped (other subcomponents), forwarded raw
// and cut at max_line_bytes, or that its file does not exist; read = sent
// + blank + parts + dropped once everything is acknowledged; likewise for
// the spools of the network inputs and of the streaming receiver, which
// count apart from the files. It returns failed, the error of the sources
// that stopped (see onceFailed), or else an error when no source file
// exists at all and no spool was read, which is a wrong log_dir or source
// path rather than nothing to do.
func (a *Agent) finishOnce(failed error) error {
	a.mu.Lock()
	srcs, st, cfg := a.sources, a.streamer, a.cfg
	a.mu.Unlock()
	var missing []string
	var lines, sent uint64
	present, spools, empty, atEnd := 0, 0, 0, 0
	for _, s := range srcs {
		if st != nil && s.cfg.Path == st.spoolPath {
			spools++
			n, m := a.logOnceRead(s, cfg, "--once: streaming spool read (the receiver did not listen)", "spool", s.cfg.Path)
			lines, sent = lines+n, sent+m
			continue
		}
		if s.err() != nil {
			continue // in failed
		}
		if in := a.inputOf(s.cfg.Path); in != nil {
			spools++
			n, m := a.logOnceRead(s, cfg, "--once: input spool read (the input did not listen)", "listen", in.srv.Config().Listen, "spool", s.cfg.Path, "type", s.cfg.Type)
			lines, sent = lines+n, sent+m
			continue
		}
		fi, err := os.Stat(s.cfg.Path)
		if errors.Is(err, os.ErrNotExist) && (s.glob != "" || s.t != nil && s.t.Stats().Lines > 0) {
			// Renamed away by a rotation with its checkpoint in it
			// (a glob starts such a path: absentCheckpoints): read
			// from the rotated copy.
			present++
			n, m := a.logOnceRead(s, cfg, "--once: file read from its rotated copy (no file at its path now)", "file", s.cfg.Path, "type", s.cfg.Type)
			lines, sent = lines+n, sent+m
			continue
		}
		if errors.Is(err, os.ErrNotExist) {
			if why := config.LazyNote(s.cfg.Path); why != "" {
				a.log.Info("--once: file not created yet; nothing read from it", "file", s.cfg.Path, "type", s.cfg.Type, "why", why)
				continue
			}
			missing = append(missing, s.cfg.Path)
			a.log.Warn("--once: file does not exist; nothing read from it", "file", s.cfg.Path, "type", s.cfg.Type)
			continue
		}
		present++
		if s.cfg.StartAt == "end" {
			atEnd++
		}
		if err == nil && fi.Size() == 0 {
			empty++
		}
		n, m := a.logOnceRead(s, cfg, "--once: file read", "file", s.cfg.Path, "type", s.cfg.Type)
		lines, sent = lines+n, sent+m
	}
	if failed != nil {
		return failed
	}
	if present == 0 && spools == 0 && len(missing) > 0 {
		return fmt.Errorf("--once: nothing to read: none of the source files exists: %s%s",
			strings.Join(missing, ", "), logDirHint(cfg.LogDir, missing))
	}
	if present == 0 && spools == 0 {
		if globs := globPatterns(cfg); len(globs) > 0 {
			return fmt.Errorf("--once: nothing to read: no file matches %s%s",
				strings.Join(globs, ", "), logDirHint(cfg.LogDir, globs))
		}
	}
	msg := "all sources read to the end and acknowledged; exiting (--once)"
	cutRest, lossy := tailerTotals(srcs)
	if lossy > 0 {
		msg = fmt.Sprintf("all sources read to the end and acknowledged, but lines of %d file(s) may be lost (see the warnings above); exiting (--once)", lossy)
	}
	raised := a.alertsRaised()
	a.log.Info(msg,
		"files", present, "spools", spools, "missing_files", len(missing), "lines_read", lines, "lines_sent", sent, "alerts_raised", raised)
	a.logChanges()
	a.logDataFaults()
	switch {
	case lines > 0:
	case raised > 0:
		a.log.Info("no log line was sent, only alerts: the files had already been read up to their checkpoints; the alerts are those of lines read before that the collector had not acknowledged, raised again from the saved detection state, and those held until the end of the input",
			"alerts_raised", raised)
	case present == 0:
		a.log.Info("nothing was sent: the spools held nothing not forwarded before")
	case empty == present:
		a.log.Info("nothing was sent: the source files are empty")
	case atEnd == present:
		a.log.Info("nothing was sent: with start_at end a file without a checkpoint is read from its end, and one with a checkpoint from there; to send what the files hold, use --start-at beginning and a new state directory",
			"state_dir", cfg.StateDir)
	case cutRest > 0:
		a.log.Info("nothing was sent: the files held nothing new but the rest of a line longer than max_line_bytes, whose start an earlier run sent cut; that rest was dropped (see the tailer's warning above)",
			"bytes_dropped", cutRest, "max_line_bytes", cfg.Tailer.MaxLineBytes)
	case len(missing) > 0:
		a.log.Info("nothing was sent: the files that exist had already been read up to their checkpoints; to send them again use another state directory",
			"state_dir", cfg.StateDir)
	default:
		a.log.Info("nothing was sent: every file had already been read up to its checkpoint; to send the files again use another state directory",
			"state_dir", cfg.StateDir)
	}
	return nil
}

// logChanges logs, when the encoder changed any message to keep it valid
// syslog, what it changed, as send prints it, and when alerts were made
// to fit the destination's message size limit, how many and how.
func (a *Agent) logChanges() {
	st := a.forwarderStats()
	if st.Clamped+st.ShortNames+st.Repaired+st.BOMs+st.Timestamps+st.Truncated+st.Escaped+st.SDDropped > 0 {
		a.log.Info("--once: messages changed to stay valid syslog (see gitlab_syslog_encoder_changes_total)",
			"header_fields_clamped", st.Clamped, "sd_names_short", st.ShortNames, "sd_values_utf8_repaired", st.Repaired,
			"boms_removed", st.BOMs, "timestamps_nil", st.Timestamps, "messages_truncated", st.Truncated, "messages_line_breaks_spaced", st.Escaped,
			"messages_sd_dropped_too_long", st.SDDropped)
	}
	a.mu.Lock()
	d := a.det
	a.mu.Unlock()
	if d == nil {
		return
	}
	switch f := d.stats().AlertsFitted; {
	case f.Cut > 0:
		a.log.Warn("--once: detection alerts longer than the message size limit: some could not be made to fit and were sent cut, their JSON (MSG) not valid (see gitlab_syslog_detect_alerts_fitted_total and the warnings above)",
			"alerts_sd_dropped", f.SDDropped, "alerts_shortened", f.Shortened, "alerts_cut", f.Cut)
	case f.SDDropped+f.Shortened > 0:
		a.log.Info("--once: detection alerts longer than the message size limit made to fit it (see gitlab_syslog_detect_alerts_fitted_total)",
			"alerts_sd_dropped", f.SDDropped, "alerts_shortened", f.Shortened, "alerts_cut", f.Cut)
	}
}

// globPatterns returns the glob sources' patterns in cfg.
func globPatterns(cfg *config.Config) []string {
	var out []string
	for _, sc := range cfg.Sources {
		if sc.IsGlob() {
			out = append(out, sc.Path)
		}
	}
	return out
}

// logOnceRead logs msg with what (the attributes that name s's file, an
// input's or the streaming receiver's spool) and s's totals (see
// finishOnce); cfg gives max_line_bytes. When lines were cut to it, a
// warning names the longest with a value above it: the warnings of cut
// lines come at most one per interval, and the first may not be the
// longest. It returns the lines s read and sent, which it logged.
func (a *Agent) logOnceRead(s *source, cfg *config.Config, msg string, what ...any) (read, sent uint64) {
	ts := s.t.Stats()
	read, sent = ts.Lines, s.sent.Load()
	parts, dropped, cuts := s.unwrapTotals()
	a.log.Info(msg, append(what,
		"lines_read", read, "lines_sent", sent, "blank_skipped", s.blank.Load(),
		"parts_joined", parts, "dropped", dropped,
		"unparsed_sent_raw", s.unparsed.Load(), "truncated", ts.TruncatedLines+cuts, "max_line_bytes", cfg.Tailer.MaxLineBytes)...)
	s.logUnnamed(a.log, what)
	if mayHaveLost(ts) {
		a.log.Warn("--once: lines of this file may be lost: they were not sent (the tailer's warnings above name the copies, and where copies were looked for)", append(what,
			"rotated_copies_damaged", ts.DamagedCopies, "rotated_copies_unread", ts.UnplacedRotated, "truncations_without_copy", ts.TruncationsWithoutCopy,
			"hint", lossHint(ts))...)
	}
	if n := s.longestCut(ts); n > 0 {
		suggest := tailer.SuggestMaxLine(cfg.Tailer.MaxLineBytes, int(min(n, math.MaxInt32)))
		a.log.Warn("--once: lines were cut to max_line_bytes, the rest of each dropped", append(what,
			"truncated", ts.TruncatedLines+cuts, "longest_line_bytes", n, "max_line_bytes", cfg.Tailer.MaxLineBytes,
			"hint", fmt.Sprintf("to forward them whole, raise max_line_bytes above the longest (%d bytes), e.g. max_line_bytes: %s (or --max-line-bytes %s)", n, suggest, suggest))...)
	}
	return read, sent
}

// lossHint says what to do about the lines of a file ts says may be
// lost: a damaged copy's whole lines were sent, and the rest is in no
// file read (restore the copy, then send the lines after the offset the
// warning gives); an unread copy's lines can be sent as they are; after a
// truncation without a copy, they are wherever the copy went.
func lossHint(ts tailer.Stats) string {
	var hints []string
	if ts.DamagedCopies > 0 {
		hints = append(hints, "a damaged copy's lines up to whole_lines_to_offset (in its warning) were sent; the rest are in no file read: restore the copy (from a backup), then send its lines after that offset with gitlab-syslog send")
	}
	if ts.UnplacedRotated > 0 {
		hints = append(hints, "the copies not read hold their lines as they are: send them with gitlab-syslog send")
	}
	if ts.TruncationsWithoutCopy > 0 {
		hints = append(hints, "after a truncation without a copy, the lines written since the last read are where the copy went, if anywhere (give the source's olddir or extension)")
	}
	return strings.Join(hints, "; ") + " (see README, Metrics)"
}

// mayHaveLost reports whether lines of the file st is of may be lost: in
// rotated copies its tailer could not read (damaged, unplaced) or in
// truncations without a copy.
func mayHaveLost(st tailer.Stats) bool {
	return st.DamagedCopies+st.UnplacedRotated+st.TruncationsWithoutCopy > 0
}

// tailerTotals returns, over the sources' tailers, the bytes dropped as
// the rest of a cut line (tailer.Stats.CutRestBytes), and how many have
// lines that may be lost (mayHaveLost).
func tailerTotals(srcs []*source) (cutRest uint64, lossy int) {
	for _, s := range srcs {
		if s.t == nil {
			continue
		}
		st := s.t.Stats()
		cutRest += st.CutRestBytes
		if mayHaveLost(st) {
			lossy++
		}
	}
	return cutRest, lossy
}

// logDirHint explains missing default sources by a log_dir that does not
// exist.
func logDirHint(logDir string, missing []string) string {
	if logDir == "" || !strings.HasPrefix(missing[0], logDir) {
		return ""
	}
	if _, err := os.Stat(logDir); errors.Is(err, os.ErrNotExist) {
		return fmt.Sprintf(" (log_dir %s does not exist; give GitLab's log directory with --log-dir, /var/log/gitlab on Omnibus)", logDir)
	}
	return ""
}

// probeStateDir checks that checkpoints can be written in dir (see
// checkpoint.Store.Probe).
func probeStateDir(dir string) error {
	st, err := checkpoint.Open(dir)
	if err != nil {
		return err
	}
	return st.Probe()
}

// checkpointErrors returns, for --once, the checkpoints of srcs that could
// not be saved: their lines were sent, and the next run sends them again.
func checkpointErrors(srcs []*source) error {
	var errs []error
	for _, s := range srcs {
		if err := s.t.CheckpointError(); err != nil {
			errs = append(errs, fmt.Errorf("--once: %s was sent but its checkpoint was not saved, so the next run sends it again: %w", s.cfg.Path, err))
		}
	}
	return errors.Join(errs...)
}

// unwrapTotals returns the records of s that were parts of a longer line,
// the lines dropped and the joined lines cut to max_line_bytes, over its
// workers; zeros for format plain.
func (s *source) unwrapTotals() (parts, dropped, cuts uint64) {
	for _, w := range s.workers {
		if w.uw != nil {
			parts += w.uw.parts.Load()
			dropped += w.uw.dropped.Load()
			cuts += w.uw.cuts.Load()
		}
	}
	return parts, dropped, cuts
}

// longestCut returns the length in bytes of the longest line of s cut to
// max_line_bytes, by the tailer (ts) or when its parts were joined; 0
// when none was.
func (s *source) longestCut(ts tailer.Stats) int64 {
	n := ts.LongestCutLine
	for _, w := range s.workers {
		if w.uw != nil {
			n = max(n, w.uw.longest.Load())
		}
	}
	return n
}

// alertsRaised returns how many alerts this process sent (detector.stats:
// the engine's alerts, summed over the rules, less those the catch-up
// raised again and dropped as delivered before the restart); 0 with
// detections off.
func (a *Agent) alertsRaised() uint64 {
	a.mu.Lock()
	d := a.det
	a.mu.Unlock()
	if d == nil {
		return 0
	}
	var n uint64
	for _, rs := range d.stats().Rules {
		n += rs.Alerts
	}
	return n
}

// logDataFaults warns, at the end of a --once run, of each rule that ran
// without its data file's data (detect.Engine.DataFaults): the start-up
// error said the file is read again once it returns, which this run
// will not see, and the lines it read are past their checkpoints.
func (a *Agent) logDataFaults() {
	a.mu.Lock()
	d := a.det
	a.mu.Unlock()
	if d == nil {
		return
	}
	for _, f := range d.e.DataFaults() {
		ran := "with no indicators from its file: it matched none of the lines read"
		if f.Kept > 0 {
			ran = fmt.Sprintf("with only the %d indicators kept from before, not those of its file", f.Kept)
		}
		a.log.Warn("--once: "+f.Rule+" ran "+ran+"; the lines read are past their checkpoints and are not matched again", "file", f.File, "err", f.Err,
			"hint", "fix the file, then run gitlab-syslog detect --rule "+f.Rule+" --param ti_file="+f.File+" over the files read to find the alerts this run could not raise")
	}
}

// logUnnamed logs, after logOnceRead's totals, how many of the lines s
// sent raw the paced parse warnings did not name, when any, with what
// (the attributes that name s) and, for a file of GitLab's own lines
// (not a container log), the command that lists every one of them.
func (s *source) logUnnamed(log *slog.Logger, what []any) {
	raw, named := s.unparsed.Load(), s.pl.namedLines()
	if raw <= named {
		return
	}
	attrs := append(what, "unparsed_sent_raw", raw, "named_above", named)
	if s.format == container.Plain && s.cfg.Type != "" {
		attrs = append(attrs, "list_them", listUnparsed(s.cfg.Path, s.cfg.Type)+" (every line of the file, from its first)")
	}
	if named == 0 { // none failed to parse: each was sent raw by design (trial 280)
		log.Info("--once: lines sent raw that no warning names: a container log's lines of other subcomponents and stderr's (other_subcomponents: forward), and lines cut to max_line_bytes, are sent raw, as they come", attrs...)
		return
	}
	log.Warn("--once: the warnings above name only some of the lines that did not parse (one warning per 10 s per file)", attrs...)
}
