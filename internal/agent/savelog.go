package agent

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// saveLogNote tells, with a logged save failure, how the next ones are
// reported.
const saveLogNote = "the state is saved again every state_save_interval; the same failure is not logged again " +
	"(gitlab_syslog_detect_state_save_errors_total counts every file not written), another one is, " +
	"and so is the first save that works"

// saveLog paces the log of the detection state's failed saves. The state
// is saved every state_save_interval, and a state directory that stays
// unwritable fails every save the same way: the first failure is logged,
// one line per cause with the first file's error (file, cause and what to
// do) and the number of files; a failure with the same causes again is
// not logged; one with other causes is; the first save that works after
// failures is logged with their number. The engine counts every file not
// written (detect.Stats.StateSaveErrors) all the same. The detector's mu
// guards it.
type saveLog struct {
	failed int    // saves failed in a row
	causes string // causes of the last failure (saveCause of each file)
	held   bool   // the last failure was not logged: the same as the one before
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

// success records a save that worked, and logs it when saves failed
// before.
func (g *saveLog) success(log *slog.Logger, dir string) {
	if g.failed == 0 {
		return
	}
	log.Info("detection state saved again", "dir", dir, "failed_saves", g.failed)
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
