package tailer

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
)

// start opens the file and positions it from the checkpoint, first draining
// the rotated file the checkpoint points into, if that is where it is.
func (t *Tailer) start(ctx context.Context) (*source, error) {
	ck := t.ck
	t.ck = nil
	if ck != nil {
		id, _ := ck.fileID() // validated by loadCheckpoint
		live, _, err := openSource(t.cfg.Path)
		if err != nil {
			live = nil
		}
		if live != nil && live.id.SameFile(id) && t.headMatches(live, id) {
			size, err := fileSize(live.f)
			if err == nil && ck.Offset <= size && !ck.preMatches(live.f) {
				t.log.Warn("tailer: the bytes before the checkpoint offset changed: the file was rewritten",
					"offset", ck.Offset)
			} else if err == nil && ck.Offset <= size {
				live.off = t.resumeOffset(live.f, ck.Offset, size)
				if live.off == ck.Offset+1 {
					t.skipped(live) // the newline of a line delivered before
				}
				t.log.Info("tailer: resuming from checkpoint", "offset", live.off)
				return live, nil
			}
		}
		find := func() (sibling, bool) { return findByFingerprint(t.cfg.Path, id) }
		if sib, ok := find(); ok {
			t.log.Info("tailer: checkpoint points into a rotated file; draining it first",
				"file", sib.name, "offset", ck.Offset)
			sib, err := t.recoverCopy(ctx, sib, find, ck.Offset)
			if err == nil {
				err = t.drainNewer(ctx, sib, live)
			}
			if err != nil {
				if live != nil {
					live.close()
				}
				return nil, err
			}
			if live == nil {
				if live, err = t.openLive(ctx); err != nil {
					return nil, err
				}
			}
			live.off = 0
			return live, nil
		}
		if live != nil && live.id.SameFile(id) {
			t.c.truncations.Add(1)
			t.log.Warn("tailer: file was truncated while stopped and no rotated copy matches; reading it from the start",
				"checkpoint_offset", ck.Offset)
			live.off = 0
			return live, nil
		}
		t.c.ckDiscarded.Add(1)
		t.log.Warn("tailer: checkpoint matches neither the file nor a rotated copy; StartAt applies",
			"checkpoint_file", ck.File, "checkpoint_offset", ck.Offset, "start_at", t.cfg.StartAt)
		if live != nil {
			t.applyStartAt(live)
			return live, nil
		}
	}
	live, err := t.openLive(ctx)
	if err != nil {
		return nil, err
	}
	t.applyStartAt(live)
	return live, nil
}

func (t *Tailer) applyStartAt(s *source) {
	s.off = 0
	if t.cfg.StartAt == StartEnd {
		if size, err := fileSize(s.f); err == nil {
			s.off = size
			if !t.cfg.Complete { // else a last line without a newline is complete too
				s.off = t.lineStart(s.f, size)
			}
		}
	}
}

// headMatches reports whether the first id.FingerprintLen bytes of s hash to
// id.Fingerprint.
func (t *Tailer) headMatches(s *source, id FileID) bool {
	if id.FingerprintLen == 0 {
		return true
	}
	return len(s.head) >= id.FingerprintLen && fingerprint(s.head[:id.FingerprintLen]) == id.Fingerprint
}

func fileSize(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// lineStart returns the start of the line containing offset off-1, that is
// off itself when off is 0 or follows a newline. It looks back at most
// MaxLineBytes+1 bytes.
func (t *Tailer) lineStart(f *os.File, off int64) int64 {
	if off <= 0 {
		return 0
	}
	var buf [64 << 10]byte
	limit := max(0, off-int64(t.cfg.MaxLineBytes)-1)
	end := off
	first := true
	for end > limit {
		start := max(limit, end-int64(len(buf)))
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && err != io.EOF || int64(n) != end-start {
			return off
		}
		chunk := buf[:n]
		if first {
			if chunk[n-1] == '\n' {
				return off
			}
			first = false
		}
		for i := len(chunk) - 1; i >= 0; i-- {
			if chunk[i] == '\n' {
				return start + int64(i) + 1
			}
		}
		end = start
	}
	if limit == 0 {
		return 0
	}
	return off
}

// resumeOffset returns where to resume reading f, size bytes long, from a
// checkpoint at off. A checkpoint inside a line follows a last line that
// was delivered without its newline (Config.Complete, or the end of a
// rotated file): when the file has only got that newline since, reading
// resumes after it; when nothing follows it and the file is complete,
// at off; otherwise at the start of the line, so that the line is
// delivered again whole (the collector then has its first part twice,
// which a warning says) rather than its rest as a line of its own.
func (t *Tailer) resumeOffset(f *os.File, off, size int64) int64 {
	start := t.lineStart(f, off)
	if start == off {
		return off
	}
	var next [1]byte
	switch {
	case off == size && t.cfg.Complete:
		return off
	case off < size && readByteAt(f, next[:], off) && next[0] == '\n':
		t.log.Info("tailer: the last line, delivered without its newline by the previous run, has got its newline; resuming after it",
			"offset", off+1)
		return off + 1
	case off == size:
		t.log.Warn("tailer: the checkpoint follows a last line delivered without its newline (run --once); it is delivered again, whole, once its newline is written",
			"line_offset", start, "checkpoint_offset", off)
	default:
		t.log.Warn("tailer: the checkpoint follows a last line delivered without its newline (run --once), and the line was continued since; delivering it again from its start, so the collector has its first part twice, the second time complete",
			"line_offset", start, "checkpoint_offset", off)
	}
	return start
}

// skipped records src.off as read and committed, after bytes that needed
// no delivery, so that Stats and the next checkpoint are past them.
func (t *Tailer) skipped(src *source) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.readID, t.readOff = src.id, src.off
	c := &t.com
	c.id, c.name, c.off = src.id, src.name, src.off
	c.valid, c.dirty = true, true
}

func readByteAt(f *os.File, b []byte, off int64) bool {
	n, _ := f.ReadAt(b, off)
	return n == len(b)
}

// openLive opens Path, waiting for it to appear. When it exists but cannot
// be opened it returns the error with Config.Complete, and otherwise retries
// with backoff, logging the error at once, again when it changes, and at
// most every openLogInterval in between.
func (t *Tailer) openLive(ctx context.Context) (*source, error) {
	logged := false
	var failLog openFailLog
	delay := t.cfg.PollInterval
	for {
		src, _, err := openSource(t.cfg.Path)
		if err == nil {
			if logged {
				t.log.Info("tailer: file appeared")
			}
			failLog.recovered(t.log)
			t.setOpenError(nil)
			return src, nil
		}
		t.setMode("waiting")
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
