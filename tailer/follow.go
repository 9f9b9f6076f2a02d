package tailer

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"
)

const maxBackoff = 5 * time.Second

// loop is the follow loop: position from the checkpoint, then, again and
// again, read the files renamed away that are still drained (late
// writes), read the current file to its end with the tailer's own reader,
// look at what the path names now (rotation, truncation), and wait for the
// notifier to say the file changed.
func (t *Tailer) loop(ctx context.Context) error {
	src, err := t.start(ctx)
	if err != nil {
		return err
	}
	note := newNotifier(t.cfg.Poll, t.cfg.PollInterval, t.cfg.Watcher, t.log)
	t.polls.Store(note.polling())
	note.watch(t.cfg.Path)
	defer func() {
		note.close()
		src.close()
		t.closeFiles()
	}()
	retry := backoff{min: t.cfg.PollInterval}
	for {
		t.rot.followed = src
		t.setMode(ModeReading)
		if err := t.readDraining(ctx, src); err != nil {
			return err
		}
		if err := t.copiesUnseen(ctx, src); err != nil {
			return err
		}
		read := t.rd.nread
		err := t.readToEOF(ctx, src)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		next, changed, err := t.check(ctx, src, err, &retry)
		if err != nil {
			return err
		}
		if next != src {
			src = next
			note.watch(t.cfg.Path)
			continue
		}
		if changed {
			continue
		}
		flowing := t.rd.nread > read
		if t.cfg.Follower == FollowNxadmTail && (!flowing || t.cfg.FollowLinger < 0) {
			if err := t.nxadmTurn(ctx, src, &retry); err != nil {
				return err
			}
			continue
		}
		if err := t.waitChange(ctx, note, flowing); err != nil {
			return err
		}
	}
}

// check looks, after a read of src, at what needs the loop before it
// waits: a read error (retried with backoff), a truncation (recovered), a
// path that names another file (rotation). It returns the file to read
// next, and changed when src should be read again at once.
func (t *Tailer) check(ctx context.Context, src *logFile, readErr error, retry *backoff) (next *logFile, changed bool, err error) {
	switch {
	case errors.Is(readErr, errTruncated):
		return src, true, t.truncated(ctx, src)
	case readErr != nil:
		t.log.Warn("tailer: read failed; retrying", "file", src.name, "offset", src.off, "err", readErr, "retry_in", retry.delay())
		return src, true, retry.wait(ctx)
	}
	retry.reset()
	fi, serr := os.Stat(t.cfg.Path)
	if t.pathUnseen(src, serr) {
		return src, false, nil
	}
	if serr != nil || !sameInode(fi, src) {
		if errors.Is(serr, fs.ErrNotExist) {
			t.savedWait(time.Now()) // before the drain: a stop during it finds the record
		}
		next, err := t.rotated(ctx, src)
		if err == nil && next == nil {
			var w waitStart
			if next, err = t.openLive(ctx, &w); err == nil && !w.at.IsZero() {
				if err = t.readAppeared(ctx, &w, next); err != nil {
					next.close()
					next = nil
				}
			}
		}
		return next, true, err
	}
	if fi.Size() < t.readEnd(src) {
		return src, true, t.truncated(ctx, src)
	}
	if fi.Size() == t.readEnd(src) {
		// Nothing new: a file truncated and rewritten to its old length
		// is told by its first bytes.
		ok, err := src.verifyHead()
		if err == nil && !ok {
			return src, true, t.truncated(ctx, src)
		}
		if ok {
			src.sure = time.Now()
		}
	}
	return src, false, nil
}

// pathUnseen reports whether the path cannot be looked at for want of
// permission (serr, os.Stat's error: a directory on it made unreadable,
// its owner changed): whether it still names src is not known, so src,
// open, is read on, as if it did, and the path looked at again after each
// read. Taking it for a rotation would read the same file again from its
// start once the path can be looked at (fresh-user trial 268: a chmod of
// the log directory, undone 2 s later, sent every file again). It logs
// the first denial, and that the path can be looked at again.
func (t *Tailer) pathUnseen(src *logFile, serr error) bool {
	if errors.Is(serr, fs.ErrPermission) {
		if t.rot.pathDenied == nil {
			t.log.Warn("tailer: the path cannot be looked at (permission denied); reading the file already open, and looking at the path again after each read: a rotation meanwhile is seen once it can be",
				"file", src.name, "err", serr)
		}
		t.rot.pathDenied = serr
		return true
	}
	if t.rot.pathDenied != nil {
		t.rot.pathDenied = nil
		t.log.Info("tailer: the path can be looked at again", "file", src.name)
	}
	return false
}

// waitChange waits until the file may have changed. While lines flow (the
// last read found some) it waits FollowLinger and reads again, whatever
// the notifications, so that a busy file is read once per FollowLinger in
// batches; except while a rotated copy is being written (copytruncate,
// see copying), when every change is read as soon as it is notified.
// Otherwise it waits for a notification, at most PollInterval (less while
// a renamed file is drained for late writes).
func (t *Tailer) waitChange(ctx context.Context, note *notifier, flowing bool) error {
	if flowing && t.cfg.FollowLinger > 0 && !t.copying(time.Now()) {
		t.setMode(ModePolling)
		return note.pause(ctx, t.cfg.FollowLinger)
	}
	t.setMode(ModeFollowing)
	d := t.cfg.PollInterval
	if len(t.rot.draining) > 0 {
		d = min(d, drainPoll)
	}
	return note.wait(ctx, d)
}

// nxadmTurn lets github.com/nxadm/tail follow the quiet file src
// (FollowNxadmTail) until the main loop is needed, and paces the restarts
// of a github.com/nxadm/tail that stops on an error.
func (t *Tailer) nxadmTurn(ctx context.Context, src *logFile, retry *backoff) error {
	began := time.Now()
	died, err := t.followNxadm(ctx, src)
	if err != nil || !died {
		return err
	}
	if time.Since(began) > maxBackoff {
		retry.reset()
	}
	return retry.wait(ctx)
}

// backoff paces the retries of a failing read: min, doubling up to
// maxBackoff, back to min after a success.
type backoff struct {
	min, cur time.Duration
}

func (b *backoff) delay() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	}
	return b.cur
}

func (b *backoff) wait(ctx context.Context) error {
	d := b.delay()
	b.cur = min(2*d, maxBackoff)
	return sleep(ctx, d)
}

func (b *backoff) reset() { b.cur = 0 }
