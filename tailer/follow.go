package tailer

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/nxadm/tail"
	"github.com/nxadm/tail/watch"
)

// initWatch starts nxadm/tail's process-wide inotify tracker from a
// goroutine we synchronise with, so that watch.Events can be read safely.
var initWatch sync.Once

// stopTail stops tl and waits until its inotify watch is gone. nxadm/tail
// removes the watch from a goroutine of its own after Stop returns; a tail
// of the same path started before that would have its event channel closed
// under it and never see another change.
func (t *Tailer) stopTail(tl *tail.Tail) {
	tl.Stop()
	if t.poll {
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

// follow hands the live file over to github.com/nxadm/tail from src.off and
// batches its lines until something needs the main loop: the path names
// another file, the file was truncated or rewritten, the reader lags by
// more than catchUp, or a line does not continue the previous one (nxadm
// reopened the path). Lines collected since the last batch are then
// dropped, to be read again by the backlog reader from src.off, which is
// always safe because the tailer holds its own descriptor of the file;
// only when the file was truncated below their end are they sent first
// (see cutBelow). died reports that nxadm/tail stopped on an error.
//
// follow also returns, with busy set, after sending a batch of followBurst
// lines or more: lines are flowing, and the main loop reads them with its
// own reader (see Tailer.loop) rather than through nxadm/tail's per-line
// path; not while a rotated copy is being written (see copying).
func (t *Tailer) follow(ctx context.Context, src *source) (died, busy bool, err error) {
	t.setMode("following")
	tl, err := tail.TailFile(t.cfg.Path, tail.Config{
		Location:      &tail.SeekInfo{Offset: src.off, Whence: io.SeekStart},
		ReOpen:        true, // with Follow: nxadm/tail exits the process on ReOpen without Follow
		Follow:        true,
		MustExist:     false,
		Poll:          t.poll,
		CompleteLines: true,
		Logger:        tail.DiscardingLogger,
	})
	if err != nil {
		t.c.reopenFailures.Add(1)
		t.log.Warn("tailer: starting github.com/nxadm/tail failed", "err", err)
		return true, false, nil
	}
	// Stop only: Cleanup would break the shared inotify watch count.
	defer t.stopTail(tl)
	tick := time.NewTicker(t.cfg.PollInterval)
	defer tick.Stop()

	expect, num := src.off, 0
	stall := int64(-1)
	// linger holds a small batch back briefly for more lines (see
	// Config.FollowLinger); one timer serves the whole follow.
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	defer linger.Stop()
	lingering := false
	for {
		var l *tail.Line
		var ok bool
		select {
		case <-ctx.Done():
			return false, false, ctx.Err()
		case <-tick.C:
			size := t.liveSize(src)
			if !t.liveOK(src, size, expect) {
				return false, false, nil
			}
			// nxadm/tail adds its inotify watch after reaching EOF, so a
			// write in between goes unnoticed until the next one. A
			// complete line left unread for a whole tick means that; in
			// a Complete file, so does an incomplete one, which nxadm/tail
			// holds back but the main loop delivers.
			if size > expect && (t.cfg.Complete || hasNewline(src.f, expect, size)) {
				if stall == expect {
					return false, false, nil
				}
				stall = expect
			} else {
				stall = -1
			}
			continue
		case l, ok = <-tl.Lines:
		}
	collect:
		for {
			if !ok {
				t.discard()
				t.c.reopenFailures.Add(1)
				t.log.Warn("tailer: github.com/nxadm/tail stopped; restarting it", "err", tl.Err())
				return true, false, nil
			}
			if l.Err == nil {
				end := expect + int64(len(l.Text)) + 1
				if l.Num != num+1 || l.SeekInfo.Offset != end {
					// nxadm/tail reopened the path; l is not ours.
					if cutBelow(t.liveSize(src), expect) {
						if _, err := t.sendFollowed(ctx, src); err != nil {
							return false, false, err
						}
					} else {
						t.discard()
					}
					return false, false, nil
				}
				num, expect = l.Num, end
				t.addString(l.Text, end)
				if t.full() {
					break collect
				}
			}
			select {
			case l, ok = <-tl.Lines:
				continue
			default:
			}
			runtime.Gosched()
			select {
			case l, ok = <-tl.Lines:
				continue
			default:
			}
			if t.cfg.FollowLinger <= 0 || t.cur == nil || len(t.cur.Ends) == 0 {
				break
			}
			if !lingering {
				lingering = true
				linger.Reset(t.cfg.FollowLinger)
			}
			select {
			case l, ok = <-tl.Lines:
				continue
			case <-linger.C:
				lingering = false
			case <-ctx.Done():
				return false, false, ctx.Err()
			}
			break
		}
		if lingering {
			linger.Stop() // Go ≥1.23: no stale tick can be received after Stop
			lingering = false
		}
		if size := t.liveSize(src); !t.liveOK(src, size, expect) {
			if cutBelow(size, expect) {
				// copytruncate: the lines in hand were read before the
				// cut (see cutBelow), so they are the file's content and
				// are sent; the main loop then recovers the rest from
				// the rotated copy starting after them.
				if _, err := t.sendFollowed(ctx, src); err != nil {
					return false, false, err
				}
			} else {
				t.discard()
			}
			return false, false, nil
		}
		n, err := t.sendFollowed(ctx, src)
		if err != nil {
			return false, false, err
		}
		if n >= followBurst && t.cfg.FollowLinger > 0 && !t.copying(time.Now()) {
			return false, true, nil
		}
	}
}

// followBurst is the batch size (lines) at which follow hands a live file
// back to the main loop's own reader: with the default 20ms FollowLinger,
// about 800 lines/s. Below it nxadm/tail's cost per line is negligible;
// above it, its two lseeks, allocation and goroutine hand-off per line
// dominate: following a 10 MB/s file with it took the agent 12.8-16.4% of a
// core, against 7-8% with the tailer's own reader.
const followBurst = 16

// sendFollowed sends the batch of nxadm/tail lines in hand, counting them
// in Stats.FollowedLines, and returns their number.
func (t *Tailer) sendFollowed(ctx context.Context, src *source) (int, error) {
	n := 0
	if t.cur != nil {
		n = len(t.cur.Ends)
	}
	if err := t.send(ctx, src); err != nil {
		return 0, err
	}
	t.c.followed.Add(uint64(n))
	return n, nil
}

// liveSize returns the size of the file Path names, or -1 when Path does
// not name src's file (or cannot be stat'ed).
func (t *Tailer) liveSize(src *source) int64 {
	fi, err := os.Stat(t.cfg.Path)
	if err != nil || !sameInode(fi, src) {
		return -1
	}
	return fi.Size()
}

// liveOK reports whether following may go on, given size from liveSize:
// Path still names src, the file was not truncated or rewritten, and the
// reader is not far behind.
func (t *Tailer) liveOK(src *source, size, expect int64) bool {
	if size < 0 || size < expect || size-expect > t.catchUp() {
		return false
	}
	ok, err := src.verifyHead()
	return err == nil && ok
}

// cutBelow reports, given size from liveSize, whether Path still names
// src's file and it is now shorter than expect, the end of the lines
// collected. Writers append (O_APPEND), so after a truncation the file
// grows again from 0 and has stayed below expect ever since: nxadm/tail,
// reading forward, cannot have read bytes up to expect after the cut, so
// every collected line was read before it.
func cutBelow(size, expect int64) bool { return size >= 0 && size < expect }

// hasNewline reports whether f holds a "\n" in [from, to), looking at 64 KiB at most.
func hasNewline(f *os.File, from, to int64) bool {
	var buf [64 << 10]byte
	n, _ := f.ReadAt(buf[:min(int64(len(buf)), to-from)], from)
	return bytes.IndexByte(buf[:n], '\n') >= 0
}
