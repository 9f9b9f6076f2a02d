package tailer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/nxadm/tail"
	"github.com/nxadm/tail/watch"
)

// Follower chooses how the live file is followed once it was read to its
// end (Config.Follower).
type Follower int

const (
	// FollowNotify, the default: the notifier (inotify, or polling) says
	// when the file changed, and the tailer's own reader reads it.
	FollowNotify Follower = iota
	// FollowNxadmTail hands the quiet file to github.com/nxadm/tail,
	// which reads lines as they come, until a burst of lines, a rotation
	// or a truncation gives it back to the tailer's reader. It is the
	// fallback follower (see the package doc, Followers).
	FollowNxadmTail
)

// String returns "notify" or "nxadm/tail".
func (f Follower) String() string {
	switch f {
	case FollowNotify:
		return "notify"
	case FollowNxadmTail:
		return "nxadm/tail"
	}
	return fmt.Sprintf("Follower(%d)", int(f))
}

// initWatch starts nxadm/tail's process-wide inotify tracker from a
// goroutine we synchronise with, so that watch.Events can be read safely.
var initWatch sync.Once

// followBurst is the batch size (lines) at which the nxadm/tail follower
// hands the live file back to the tailer's own reader: lines flow, and
// nxadm/tail's per-line work (two lseeks, an allocation and a channel send
// per line) would dominate.
const followBurst = 16

// catchUp is the lag (bytes not yet read) above which the tailer's reader
// takes over from github.com/nxadm/tail, which reads a whole line into
// memory whatever its length.
func (t *Tailer) catchUp() int64 { return max(4<<20, 2*int64(t.cfg.MaxLineBytes)) }

// nxFollow is one hand-over of the live file to github.com/nxadm/tail.
type nxFollow struct {
	t      *Tailer
	src    *logFile
	tl     *tail.Tail
	expect int64 // offset after the last line collected
	num    int   // nxadm/tail's number of that line
	stall  int64 // expect when a tick last saw an unread complete line; -1 none
	linger *time.Timer
}

// followNxadm hands the live file over to github.com/nxadm/tail from
// src.off and batches its lines until something needs the main loop: the
// path names another file, the file was truncated or rewritten, the reader
// lags by more than catchUp, a line does not continue the previous one
// (nxadm reopened the path), or a batch of followBurst lines shows that
// lines flow. Lines collected since the last batch are then dropped, to be
// read again by the tailer's reader from src.off, which is always safe
// because the tailer holds its own descriptor of the file; only when the
// file was truncated below their end are they sent first (see cutBelow).
// died reports that nxadm/tail stopped on an error.
func (t *Tailer) followNxadm(ctx context.Context, src *logFile) (died bool, err error) {
	t.setMode(ModeFollowing)
	tl, err := tail.TailFile(t.cfg.Path, tail.Config{
		Location:      &tail.SeekInfo{Offset: src.off, Whence: io.SeekStart},
		ReOpen:        true, // with Follow: nxadm/tail exits the process on ReOpen without Follow
		Follow:        true,
		MustExist:     false,
		Poll:          t.polls.Load(), // no inotify watcher: nxadm/tail would exit the process
		CompleteLines: true,
		Logger:        tail.DiscardingLogger,
	})
	if err != nil {
		t.c.reopenFailures.Add(1)
		t.log.Warn("tailer: starting github.com/nxadm/tail failed", "err", err)
		return true, nil
	}
	// Stop only: Cleanup would break the shared inotify watch count.
	defer t.stopTail(tl)
	f := &nxFollow{t: t, src: src, tl: tl, expect: src.off, stall: -1, linger: time.NewTimer(time.Hour)}
	f.linger.Stop()
	defer f.linger.Stop()
	return f.run(ctx)
}

func (f *nxFollow) run(ctx context.Context) (died bool, err error) {
	t := f.t
	tick := time.NewTicker(t.cfg.PollInterval)
	defer tick.Stop()
	for {
		var l *tail.Line
		var ok bool
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-tick.C:
			if !f.ticked() {
				return false, nil
			}
			continue
		case l, ok = <-f.tl.Lines:
		}
		done, died, err := f.collect(ctx, l, ok)
		if done || err != nil {
			return died, err
		}
		if done, err := f.flush(ctx); done || err != nil {
			return false, err
		}
	}
}

// ticked checks, every PollInterval, that following may go on. nxadm/tail
// adds its inotify watch after reaching EOF, so a write in between goes
// unnoticed until the next one: a complete line left unread for a whole
// tick means that (in a Complete file, so does an incomplete one, which
// nxadm/tail holds back but the main loop delivers), and the main loop
// reads it. So it does while files renamed away are drained for late
// writes, which the main loop reads.
func (f *nxFollow) ticked() bool {
	t, src := f.t, f.src
	if len(t.rot.draining) > 0 {
		return false
	}
	size := t.liveSize(src)
	if !t.liveOK(src, size, f.expect) {
		return false
	}
	if size > f.expect && (t.cfg.Complete || hasNewline(src.f, f.expect, size)) {
		if f.stall == f.expect {
			return false
		}
		f.stall = f.expect
	} else {
		f.stall = -1
	}
	return true
}

// collect adds l and the lines immediately available after it to the
// batch, waiting up to FollowLinger for more once none is, until the batch
// is full. done reports that the main loop takes over.
func (f *nxFollow) collect(ctx context.Context, l *tail.Line, ok bool) (done, died bool, err error) {
	t := f.t
	lingering := false
	defer func() {
		if lingering {
			f.linger.Stop() // Go ≥1.23: no stale tick can be received after Stop
		}
	}()
	for {
		if !ok {
			t.discard()
			t.c.reopenFailures.Add(1)
			t.log.Warn("tailer: github.com/nxadm/tail stopped; restarting it", "err", f.tl.Err())
			return true, true, nil
		}
		if l.Err == nil {
			if done, err := f.add(ctx, l); done || err != nil {
				return true, false, err
			}
			if t.full() {
				return false, false, nil
			}
		}
		if l, ok = f.next(); l != nil || !ok {
			continue
		}
		if t.cfg.FollowLinger <= 0 || t.rd.cur == nil || len(t.rd.cur.Ends) == 0 {
			return false, false, nil
		}
		if !lingering {
			lingering = true
			f.linger.Reset(t.cfg.FollowLinger)
		}
		select {
		case l, ok = <-f.tl.Lines:
			continue
		case <-f.linger.C:
			lingering = false
		case <-ctx.Done():
			return true, false, ctx.Err()
		}
		return false, false, nil
	}
}

// next returns a line available now, yielding once before it gives up;
// nil and true when there is none.
func (f *nxFollow) next() (*tail.Line, bool) {
	select {
	case l, ok := <-f.tl.Lines:
		return l, ok
	default:
	}
	runtime.Gosched()
	select {
	case l, ok := <-f.tl.Lines:
		return l, ok
	default:
	}
	return nil, true
}

// add appends l when it continues the previous line exactly (number and
// offset); otherwise nxadm/tail reopened the path and l is not ours: the
// lines in hand are sent when the file was cut below their end, else
// dropped, and done is set.
func (f *nxFollow) add(ctx context.Context, l *tail.Line) (done bool, err error) {
	t := f.t
	end := f.expect + int64(len(l.Text)) + 1
	if l.Num != f.num+1 || l.SeekInfo.Offset != end {
		if cutBelow(t.liveSize(f.src), f.expect) {
			_, err := t.sendFollowed(ctx, f.src)
			return true, err
		}
		t.discard()
		return true, nil
	}
	f.num, f.expect = l.Num, end
	t.addString(f.src, l.Text, end)
	return false, nil
}

// flush sends the batch in hand after checking the file (liveOK). done
// reports that the main loop takes over: a check failed, or the batch had
// followBurst lines or more (lines flow; not while a rotated copy is being
// written, see copying).
func (f *nxFollow) flush(ctx context.Context) (done bool, err error) {
	t, src := f.t, f.src
	if size := t.liveSize(src); !t.liveOK(src, size, f.expect) {
		if cutBelow(size, f.expect) {
			// copytruncate: the lines in hand were read before the cut
			// (see cutBelow), so they are the file's content and are
			// sent; the main loop then recovers the rest from the
			// rotated copy starting after them.
			_, err := t.sendFollowed(ctx, src)
			return true, err
		}
		t.discard()
		return true, nil
	}
	n, err := t.sendFollowed(ctx, src)
	if err != nil {
		return true, err
	}
	return n >= followBurst && t.cfg.FollowLinger > 0 && !t.copying(time.Now()), nil
}

// stopTail stops tl and waits until its inotify watch is gone. nxadm/tail
// removes the watch from a goroutine of its own after Stop returns; a tail
// of the same path started before that would have its event channel closed
// under it and never see another change.
func (t *Tailer) stopTail(tl *tail.Tail) {
	tl.Stop()
	if t.polls.Load() {
		return
	}
	initWatch.Do(func() {
		// Registers the tracker (sync.Once inside nxadm/tail); removing a
		// name that is never watched changes nothing else.
		_ = watch.RemoveWatch("\x00gitlab-syslog-tailer-init")
	})
	name := filepath.Clean(t.cfg.Path)
	deadline := time.Now().Add(2 * time.Second)
	for watch.Events(name) != nil {
		if time.Now().After(deadline) {
			t.log.Warn("tailer: github.com/nxadm/tail kept its watch after Stop")
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// sendFollowed sends the batch of nxadm/tail lines in hand, counting them
// in Stats.FollowedLines, and returns their number.
func (t *Tailer) sendFollowed(ctx context.Context, src *logFile) (int, error) {
	n := 0
	if t.rd.cur != nil {
		n = len(t.rd.cur.Ends)
	}
	if err := t.send(ctx, src); err != nil {
		return 0, err
	}
	t.c.followed.Add(uint64(n))
	return n, nil
}

// liveSize returns the size of the file Path names, or -1 when Path does
// not name src's file (or cannot be stat'ed).
func (t *Tailer) liveSize(src *logFile) int64 {
	fi, err := os.Stat(t.cfg.Path)
	if err != nil || !sameInode(fi, src) {
		return -1
	}
	return fi.Size()
}

// liveOK reports whether following may go on, given size from liveSize:
// Path still names src, the file was not truncated or rewritten, and the
// reader is not far behind.
func (t *Tailer) liveOK(src *logFile, size, expect int64) bool {
	if size < 0 || size < expect || size-expect > t.catchUp() {
		return false
	}
	ok, err := src.verifyHead()
	return err == nil && ok
}

// hasNewline reports whether f holds a "\n" in [from, to), looking at 64 KiB at most.
func hasNewline(f *os.File, from, to int64) bool {
	var buf [64 << 10]byte
	n, _ := f.ReadAt(buf[:min(int64(len(buf)), to-from)], from)
	return bytes.IndexByte(buf[:n], '\n') >= 0
}
