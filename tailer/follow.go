package tailer

import (
	"context"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/nxadm/tail"
)

// follow hands the live file over to github.com/nxadm/tail from src.off and
// batches its lines until something needs the main loop: the path names
// another file, the file was truncated or rewritten, the reader lags by
// more than catchUp, or a line does not continue the previous one (nxadm
// reopened the path). Lines collected since the last batch are then
// dropped, to be read again by the backlog reader from src.off, which is
// always safe because the tailer holds its own descriptor of the file.
// died reports that nxadm/tail stopped on an error.
func (t *Tailer) follow(ctx context.Context, src *source) (died bool, err error) {
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
		return true, nil
	}
	// Stop only: Cleanup would break the shared inotify watch count.
	defer tl.Stop()
	tick := time.NewTicker(t.cfg.PollInterval)
	defer tick.Stop()

	expect, num := src.off, 0
	for {
		var l *tail.Line
		var ok bool
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-tick.C:
			if !t.liveOK(src, expect) {
				return false, nil
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
				return true, nil
			}
			if l.Err == nil {
				end := expect + int64(len(l.Text)) + 1
				if l.Num != num+1 || l.SeekInfo.Offset != end {
					t.discard()
					return false, nil
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
			break
		}
		if !t.liveOK(src, expect) {
			t.discard()
			return false, nil
		}
		if err := t.send(ctx, src); err != nil {
			return false, err
		}
	}
}

// liveOK reports whether following may go on: Path still names src, the
// file was not truncated or rewritten, and the reader is not far behind.
func (t *Tailer) liveOK(src *source, expect int64) bool {
	fi, err := os.Stat(t.cfg.Path)
	if err != nil || !sameInode(fi, src) {
		return false
	}
	size := fi.Size()
	if size < expect || size-expect > t.catchUp() {
		return false
	}
	ok, err := src.verifyHead()
	return err == nil && ok
}
