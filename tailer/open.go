package tailer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/permhint"
)

// openLogInterval is the least time between two warnings about the same
// failure to open the followed path.
const openLogInterval = time.Minute

// explainOpen turns a failure to open path into an error that names the
// path and the cause in words: a directory, a parent that is not a
// directory, no permission (with what to do about it: permhint.For).
func explainOpen(path string, err error) error {
	var pe *os.PathError
	if !errors.As(err, &pe) {
		return err // openLogFile's own, which names the path
	}
	if errors.Is(err, syscall.ENOTDIR) {
		for p := filepath.Dir(path); p != filepath.Dir(p); p = filepath.Dir(p) {
			if fi, serr := os.Stat(p); serr == nil && !fi.IsDir() {
				return fmt.Errorf("tailer: cannot open %s: %s is a file, not a directory", path, p)
			}
		}
	}
	if errors.Is(err, os.ErrPermission) {
		return fmt.Errorf("tailer: cannot open %s: %w%s", path, pe.Err, permhint.For(path, err))
	}
	return fmt.Errorf("tailer: cannot open %s: %w", path, pe.Err)
}

// openFailLog rate-limits the warnings of a path that exists but cannot be
// opened, which the daemon retries for ever: the first failure is logged at
// once, a different error too, the same one at most every openLogInterval
// with the number of attempts in between.
type openFailLog struct {
	last     time.Time
	lastErr  string
	attempts int
}

func (l *openFailLog) failed(log *slog.Logger, err error, retry time.Duration) {
	l.attempts++
	now := time.Now()
	if err.Error() == l.lastErr && now.Sub(l.last) < openLogInterval {
		return
	}
	log.Warn("tailer: cannot open the file; retrying until it can be read",
		"err", err, "retry_in", retry, "attempts", l.attempts, "next_warning_in", openLogInterval)
	l.last, l.lastErr, l.attempts = now, err.Error(), 0
}

// recovered logs that the path could be opened after failures.
func (l *openFailLog) recovered(log *slog.Logger) {
	if l.lastErr != "" {
		log.Info("tailer: the file can be opened now", "after_error", l.lastErr)
	}
}

// openLive opens Path, waiting for it to appear. When it exists but cannot
// be opened it returns the error with Config.Complete, and otherwise retries
// with backoff, logging the error at once, again when it changes, and at
// most every openLogInterval in between. When w is not nil, it records the
// first time the path was missing (waitStart.begin): the file returned then
// appeared after that.
func (t *Tailer) openLive(ctx context.Context, w *waitStart) (*logFile, error) {
	logged := false
	var failLog openFailLog
	delay := t.cfg.PollInterval
	for {
		src, _, err := openLogFile(t.cfg.Path)
		if err == nil {
			if logged {
				t.log.Info("tailer: file appeared")
			}
			failLog.recovered(t.log)
			t.setOpenError(nil)
			return src, nil
		}
		if w != nil && w.at.IsZero() && errors.Is(err, fs.ErrNotExist) {
			w.begin(t) // before Stats says ModeWaiting
			t.savedWait(w.at)
		}
		t.setMode(ModeWaiting)
		if errors.Is(err, fs.ErrNotExist) {
			t.setOpenError(nil)
			if !logged {
				t.log.Info("tailer: waiting for the file to appear")
				logged = true
			}
			if err := sleep(ctx, t.cfg.PollInterval); err != nil {
				return nil, err
			}
			continue
		}
		err = explainOpen(t.cfg.Path, err)
		if t.cfg.Complete {
			return nil, err
		}
		t.c.reopenFailures.Add(1)
		t.setOpenError(err)
		failLog.failed(t.log, err, delay)
		if err := sleep(ctx, delay); err != nil {
			return nil, err
		}
		delay = min(2*delay, maxBackoff)
	}
}
