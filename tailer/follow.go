package tailer

import (
	"context"
	"errors"
	"os"
	"time"
)

const maxBackoff = 5 * time.Second

// catchUp is the lag (bytes not yet read) above which the backlog reader
// takes over from github.com/nxadm/tail, which allocates per line and reads
// a whole line into memory whatever its length.
func (t *Tailer) catchUp() int64 { return max(4<<20, 2*int64(t.cfg.MaxLineBytes)) }

// loop is the state machine: read the current file to its end with the
// backlog reader, then look at what the path names now, then follow with
// github.com/nxadm/tail until anything changes, and again.
//
// While lines flow (see pacer), the loop does not hand the file to
// nxadm/tail but reads it again with its own reader at intervals: one read
// per interval instead of nxadm/tail's per-line work.
func (t *Tailer) loop(ctx context.Context) error {
	src, err := t.start(ctx)
	if err != nil {
		return err
	}
	defer func() {
		src.close()
		for _, q := range t.queue {
			q.close()
		}
		t.queue = nil
	}()
	delay := t.cfg.PollInterval
	wait := time.NewTimer(time.Hour) // the polling interval; reused
	wait.Stop()
	defer wait.Stop()
	pace := pacer{linger: t.cfg.FollowLinger, window: max(t.cfg.PollInterval, 5*t.cfg.FollowLinger)}
	for {
		t.setMode("reading")
		read := t.nread
		if pace.busy {
			t.holdFor = t.cfg.FollowLinger
		}
		err := t.readToEOF(ctx, src)
		t.holdFor = 0
		if t.nread-read >= followBurst {
			pace.flowing(time.Now(), t.nread)
		}
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, errTruncated):
			if err := t.truncated(ctx, src); err != nil {
				return err
			}
			continue
		case err != nil:
			t.log.Warn("tailer: read failed; retrying", "file", src.name, "offset", src.off, "err", err, "retry_in", delay)
			if err := sleep(ctx, delay); err != nil {
				return err
			}
			delay = min(2*delay, maxBackoff)
		}

		fi, serr := os.Stat(t.cfg.Path)
		if serr != nil || !sameInode(fi, src) {
			next, err := t.rotated(ctx, src)
			if err != nil {
				return err
			}
			if next == nil {
				if next, err = t.openLive(ctx); err != nil {
					return err
				}
			}
			src = next
			continue
		}
		if fi.Size() < t.readEnd(src) {
			if err := t.truncated(ctx, src); err != nil {
				return err
			}
			continue
		}
		if fi.Size()-t.readEnd(src) > t.catchUp() {
			// Only a very long incomplete line gets here: keep it in the
			// bounded reader and look again later.
			if err := sleep(ctx, t.cfg.PollInterval); err != nil {
				return err
			}
			continue
		}
		if pace.busy && t.copying(time.Now()) {
			pace.stop()
			t.log.Info("tailer: a rotated copy is being written (copytruncate); following the file write by write until it is done")
		}
		// Polling, the next read checks the file's first bytes if it finds
		// anything (confirm); a file cut below what was read is caught by
		// the size above.
		if every, ok := pace.poll(time.Now(), t.nread); ok {
			t.setMode("polling")
			wait.Reset(every)
			select {
			case <-ctx.Done():
				wait.Stop()
				return ctx.Err()
			case <-wait.C:
			}
			continue
		}
		ok, herr := src.verifyHead()
		if herr != nil {
			t.log.Warn("tailer: read failed; retrying", "file", src.name, "err", herr, "retry_in", delay)
			if err := sleep(ctx, delay); err != nil {
				return err
			}
			delay = min(2*delay, maxBackoff)
			continue
		}
		if !ok {
			if err := t.truncated(ctx, src); err != nil {
				return err
			}
			continue
		}
		// Send what a polling read held back (see Tailer.holdFor): follow
		// starts at src.off.
		if err := t.flushChecked(ctx, src); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue // the next read deals with it
		}
		began := time.Now()
		died, busy, err := t.follow(ctx, src)
		if err != nil {
			return err
		}
		if busy {
			pace.flowing(time.Now(), t.nread)
		}
		if !died || time.Since(began) > maxBackoff {
			delay = t.cfg.PollInterval
		}
		if died {
			if err := sleep(ctx, delay); err != nil {
				return err
			}
			delay = min(2*delay, maxBackoff)
		}
	}
}
