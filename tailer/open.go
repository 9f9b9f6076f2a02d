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

// waitVisible waits, before resume looks for the checkpoint's file (id),
// until this process may look at the path and, unless that file is there,
// list the directories of its rotated copies (pathDenied): while a
// directory denies it (made unreadable for a while, its owner changed),
// nothing tells whether the checkpoint's file is still at the path,
// rotated away or gone, and taking it for gone would drop the checkpoint:
// the rotated copy's unread lines lost, the file at the path read again
// from its start (fresh-user trial 269). The checkpoint is kept. It
// retries as openLive does a file that cannot be opened, and with
// Config.Complete returns the error at once.
func (t *Tailer) waitVisible(ctx context.Context, id FileID) error {
	var failLog openFailLog
	delay := t.cfg.PollInterval
	for {
		err := pathDenied(t.naming(), id)
		if err == nil {
			failLog.recovered(t.log)
			t.setOpenError(nil)
			return nil
		}
		if err := t.retryFailed(ctx, &failLog, &delay, err); err != nil {
			return err
		}
	}
}

// retryFailed is a step of the retries of a path that exists but cannot
// be opened or looked at (openLive, waitVisible): with Config.Complete it
// returns err; otherwise it counts and reports err (Stats, the paced
// warning of failLog), waits delay and doubles it up to maxBackoff, and
// returns nil, or ctx's error when ctx ends first.
func (t *Tailer) retryFailed(ctx context.Context, failLog *openFailLog, delay *time.Duration, err error) error {
	if t.cfg.Complete {
		return err
	}
	t.c.reopenFailures.Add(1)
	t.setOpenError(err)
	t.setMode(ModeWaiting)
	failLog.failed(t.log, err, *delay)
	if err := sleep(ctx, *delay); err != nil {
		return err
	}
	*delay = min(2**delay, maxBackoff)
	return nil
}

// pathDenied returns the permission error that keeps this process from
// looking at r's path (os.Stat) or, when the file there is not the
// checkpoint's (id), from listing a directory of its rotated copies
// (RotatedPath's, and the olddir), where resume looks for it, naming that
// directory; nil otherwise, also when none exists. A directory that lets
// the agent reach the checkpoint's file but not list it (mode 0711) does
// not hold the resume up.
func pathDenied(r copyNaming, id FileID) error {
	fi, err := os.Stat(r.path)
	switch {
	case errors.Is(err, fs.ErrPermission):
		return explainOpen(r.path, err)
	case err == nil && id.SameAs(fi):
		return nil
	}
	if d, err := unlisted(r); err != nil {
		return fmt.Errorf("tailer: cannot list %s, where the rotated copies of %s are looked for, to find the file the checkpoint points into: %w%s",
			d, r.path, err, permhint.For(d, err))
	}
	return nil
}

// UnlistedCopies returns the first directory of the rotated copies of the
// file c follows (Path's, RotatedPath's, then OldDir) that this process
// may not list, with the permission error; "" and nil when it may list
// them all or they do not exist. A tailer that starts after a rotation
// waits until it may (see waitVisible).
func UnlistedCopies(c Config) (dir string, err error) { return unlisted(c.naming()) }

// unlisted is UnlistedCopies for the copies r names.
func unlisted(r copyNaming) (string, error) {
	_, dir, old := r.where()
	for _, d := range []string{dir, old} {
		if d == "" {
			continue
		}
		f, err := os.Open(d)
		if err == nil {
			_, err = f.Readdirnames(1)
			f.Close()
		}
		if errors.Is(err, fs.ErrPermission) {
			return d, err
		}
	}
	return "", nil
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
	t.rd.unreadableSince = time.Time{}
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
		if t.rd.unreadableSince.IsZero() {
			t.rd.unreadableSince = time.Now()
		}
		if err := t.retryFailed(ctx, &failLog, &delay, explainOpen(t.cfg.Path, err)); err != nil {
			return nil, err
		}
	}
}
