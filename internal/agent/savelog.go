package agent

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// saveLogNote tells, with a logged save failure, how the next ones are
// reported.
const saveLogNote = "the state is saved again every state_save_interval; the same failure is not logged again " +
	"(gitlab_syslog_detect_state_save_errors_total counts every file not written), another one is, " +
	"and so is the first save that works"

// waitLogNote tells, with a save given up for alerts not acknowledged,
// how the next ones are reported.
const waitLogNote = "the state is saved again every state_save_interval; while alerts wait this is not logged again " +
	"(gitlab_syslog_detect_alerts_pending shows them), and the first save that works is logged with the saves skipped"

// saveLog paces the log of the detection state's failed and skipped saves.
// The state is saved every state_save_interval, and a state directory that
// stays unwritable fails every save the same way: the first failure is
// logged, one line per cause with the first file's error (file, cause and
// what to do) and the number of files; a failure with the same causes
// again is not logged; one with other causes is. A collector that is down
// leaves alerts unacknowledged, and every save is skipped: the first is
// logged, those after it are not. The first save that works after failed
// or skipped saves is logged with their number (and how long saves were
// skipped). The engine counts every file not written
// (detect.Stats.StateSaveErrors) all the same. The detector's mu guards
// it.
type saveLog struct {
	failed int    // saves failed in a row
	causes string // causes of the last failure (saveCause of each file)
	held   bool   // the last failure was not logged: the same as the one before

	skipped int       // saves skipped since the last that worked: alerts waited for the collector
	since   time.Time // when the first of them was skipped
}

// failure records a failed save of the state under dir; err holds the
// errors of the files not written (joined, as detect.Engine.Save returns
// them). It logs them unless their causes are those of the failure
// before.
func (g *saveLog) failure(log *slog.Logger, dir string, err error) {
	g.failed++
	errs := unjoin(err)
	causes := make([]string, len(errs))
	for i, e := range errs {
		causes[i] = saveCause(e)
	}
	key := strings.Join(causes, "\n")
	g.held = g.failed > 1 && key == g.causes
	g.causes = key
	if g.held {
		return
	}
	var first []int           // index of the first file of each cause
	files := map[string]int{} // files by cause
	for i, c := range causes {
		if files[c] == 0 {
			first = append(first, i)
		}
		files[c]++
	}
	for _, i := range first {
		log.Error("detection state not saved", "dir", dir, "err", errs[i], "files", files[causes[i]], "failed_saves", g.failed, "note", saveLogNote)
	}
}

// skip records a save skipped because pending alerts still wait for the
// collector's acknowledgement. It logs the first one since the last save
// that worked, not those after it.
func (g *saveLog) skip(log *slog.Logger, pending int64) {
	if g.skipped++; g.skipped > 1 {
		return
	}
	g.since = time.Now()
	log.Warn("detection state not saved: alerts still wait for the collector's acknowledgement; retrying at the next interval",
		"pending", pending, "note", waitLogNote)
}

// success records a save that worked, and logs it when saves failed or
// were skipped before: how many failed, how many were skipped and since
// how long.
func (g *saveLog) success(log *slog.Logger, dir string) {
	if g.failed == 0 && g.skipped == 0 {
		return
	}
	attrs := []any{"dir", dir}
	if g.failed > 0 {
		attrs = append(attrs, "failed_saves", g.failed)
	}
	if g.skipped > 0 {
		attrs = append(attrs, "skipped_saves", g.skipped, "skipped_for", time.Since(g.since).Round(time.Second))
	}
	log.Info("detection state saved again", attrs...)
	*g = saveLog{}
}

// unjoin returns the errors err joins (errors.Join), or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// saveCause returns what went wrong in err, the failure to write one
// state file, without what changes from one save to the next: for an
// error of a path, the operation, the directory and the system's error
// (the random name of the temporary file the state is written to first is
// left out); else err's text.
func saveCause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + " " + filepath.Dir(pe.Path) + ": " + pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Op + " " + le.New + ": " + le.Err.Error()
	}
	return err.Error()
}
