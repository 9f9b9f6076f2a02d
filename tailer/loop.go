package tailer

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
	"io/fs"
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
		if err := t.sendHeld(ctx, src); err != nil {
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
				off := t.lineStart(live.f, ck.Offset)
				if off != ck.Offset {
					t.log.Warn("tailer: checkpoint offset is inside a line; resuming at the start of that line",
						"offset", ck.Offset, "line_start", off)
				}
				live.off = off
				t.log.Info("tailer: resuming from checkpoint", "offset", off)
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
			s.off = t.lineStart(s.f, size)
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

// openLive opens Path, waiting for it to appear and retrying with backoff
// when it cannot be opened.
func (t *Tailer) openLive(ctx context.Context) (*source, error) {
	logged := false
	delay := t.cfg.PollInterval
	for {
		src, _, err := openSource(t.cfg.Path)
		if err == nil {
			if logged {
				t.log.Info("tailer: file appeared")
			}
			return src, nil
		}
		t.setMode("waiting")
		if errors.Is(err, fs.ErrNotExist) {
			if !logged {
				t.log.Info("tailer: waiting for the file to appear")
				logged = true
			}
			if err := sleep(ctx, t.cfg.PollInterval); err != nil {
				return nil, err
			}
			continue
		}
		t.c.reopenFailures.Add(1)
		t.log.Warn("tailer: cannot open the file; retrying (check its type and permissions)", "err", err, "retry_in", delay)
		if err := sleep(ctx, delay); err != nil {
			return nil, err
		}
		delay = min(2*delay, maxBackoff)
	}
}

// maxQueued bounds the files opened ahead while an older one is drained.
const maxQueued = 16

// rotated drains a file that Path no longer names: it is read to its end
// until it has not grown for RotateWait (writers may still hold it open),
// its incomplete last line is delivered, and it is closed. Meanwhile every
// new file seen at Path is opened and queued in t.queue, oldest first, so
// that rotations quicker than RotateWait lose nothing; the main loop reads
// them in turn. It returns the next file to read, or nil.
func (t *Tailer) rotated(ctx context.Context, src *source) (*source, error) {
	t.c.rotations.Add(1)
	t.setMode("rotating")
	t.log.Info("tailer: the path names a new file (rotation); reading the old one to its end", "old", src.id.String())
	start := time.Now()
	quiet, last := start, int64(-1)
	for {
		t.queueNew(src)
		err := t.readToEOF(ctx, src)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			t.log.Warn("tailer: stopped reading the rotated file", "err", err, "offset", src.off)
			break
		}
		now := time.Now()
		if t.lr.pos != last {
			last, quiet = t.lr.pos, now
		}
		if now.Sub(quiet) >= t.cfg.RotateWait || now.Sub(start) >= 12*t.cfg.RotateWait {
			break
		}
		if err := sleep(ctx, t.cfg.PollInterval); err != nil {
			return nil, err
		}
	}
	t.queueNew(src)
	if t.lrSrc == src {
		if err := t.sendPartial(ctx, src); err != nil {
			return nil, err
		}
	}
	t.lrSrc = nil
	src.close()
	if len(t.queue) == 0 {
		return nil, nil
	}
	next := t.queue[0]
	t.queue = t.queue[1:]
	next.off = 0
	return next, nil
}

// queueNew opens the file at Path when it is neither src nor already queued.
func (t *Tailer) queueNew(src *source) {
	if len(t.queue) >= maxQueued {
		return
	}
	fi, err := os.Stat(t.cfg.Path)
	if err != nil || sameInode(fi, src) {
		return
	}
	for _, q := range t.queue {
		if sameInode(fi, q) {
			return
		}
	}
	s, _, err := openSource(t.cfg.Path)
	if err != nil {
		return
	}
	if s.id.SameFile(src.id) {
		s.close()
		return
	}
	t.queue = append(t.queue, s)
}

// truncated handles a file cut under the reader (copytruncate): the lines
// not read yet are recovered from the rotated copy whose head matches what
// was read, then the file is read again from 0.
func (t *Tailer) truncated(ctx context.Context, src *source) error {
	t.c.truncations.Add(1)
	// Lines held back by a polling read were confirmed as the file's
	// content when they were read, before the cut: send them.
	if t.cur != nil {
		t.cur.truncate(t.confirmed)
		if err := t.send(ctx, src); err != nil {
			return err
		}
	}
	t.discard()
	t.lrSrc = nil
	if len(src.head) > 0 {
		find := func() (sibling, bool) { return findByHead(t.cfg.Path, src.head, src.id.Dev, src.id.Ino) }
		if sib, ok := find(); ok {
			t.log.Info("tailer: file truncated; reading the rest from its rotated copy", "copy", sib.name, "offset", src.off)
			sib, err := t.recoverCopy(ctx, sib, find, src.off)
			if err != nil {
				return err
			}
			if err := t.drainNewer(ctx, sib, src); err != nil {
				return err
			}
		} else {
			t.log.Warn("tailer: file truncated and no rotated copy matches; lines after the offset that were not read are lost",
				"offset", src.off)
		}
	}
	src.off = 0
	src.setHead(nil)
	if _, err := src.verifyHead(); err != nil {
		t.log.Warn("tailer: re-reading head after truncation failed", "err", err)
	}
	return nil
}

// drainNewer reads, oldest first and from 0, the rotated siblings newer
// than m: after m was rotated, the file was rotated again before the tailer
// saw it, so their content was never read. A sibling that is the live file
// (same inode) or is a copy of it (same head) is skipped.
func (t *Tailer) drainNewer(ctx context.Context, m sibling, live *source) error {
	sibs, err := rotatedSiblings(t.cfg.Path)
	if err != nil {
		return nil
	}
	md, mi := devIno(m.fi)
	for i := len(sibs) - 1; i >= 0; i-- {
		s := sibs[i]
		if !s.fi.ModTime().After(m.fi.ModTime()) {
			continue
		}
		d, ino := devIno(s.fi)
		if d == md && ino == mi || s.name == m.name {
			continue
		}
		if live != nil {
			if live.id.Dev == d && live.id.Ino == ino {
				continue
			}
			if h, err := s.readHead(len(live.head)); err == nil && len(live.head) > 0 && string(h) == string(live.head) {
				continue
			}
		}
		if strippedName(s.name) == strippedName(m.name) {
			continue // the same copy, plain and compressed
		}
		t.log.Info("tailer: reading a rotated file the tailer never saw", "file", s.name)
		if _, err := t.drainCopy(ctx, s, 0); err != nil {
			return err
		}
	}
	return nil
}

func strippedName(name string) string {
	if len(name) > 3 && name[len(name)-3:] == ".gz" {
		return name[:len(name)-3]
	}
	return name
}

// recoverCopy drains sib, found by find, from offset from. logrotate's
// compress replaces a plain copy by its .gz once that is complete: when sib
// is gone before it could be opened, find looks again, for up to
// RotateWait. It returns the copy drained.
func (t *Tailer) recoverCopy(ctx context.Context, sib sibling, find func() (sibling, bool), from int64) (sibling, error) {
	deadline := time.Now().Add(t.cfg.RotateWait)
	for {
		gone, err := t.drainCopy(ctx, sib, from)
		if err != nil || !gone {
			return sib, err
		}
		if time.Now().After(deadline) {
			t.log.Warn("tailer: the rotated copy was removed before it could be read, and no other copy matches; its unread lines are lost",
				"copy", sib.name, "offset", from)
			return sib, nil
		}
		if err := sleep(ctx, min(t.cfg.PollInterval, 50*time.Millisecond)); err != nil {
			return sib, err
		}
		if next, ok := find(); ok {
			sib = next
		}
	}
}

// drainCopy reads a rotated copy (plain or gzip) from offset from to its
// end and delivers its lines, the incomplete last one included. gone
// reports that the copy no longer exists, so nothing was read.
func (t *Tailer) drainCopy(ctx context.Context, s sibling, from int64) (gone bool, err error) {
	t.setMode("recovering")
	f, err := os.Open(s.name)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		t.log.Warn("tailer: cannot open rotated copy", "copy", s.name, "err", err)
		return false, nil
	}
	defer f.Close()
	src := &source{name: s.name, f: f, static: true}
	src.id.Dev, src.id.Ino = devIno(s.fi)
	if h, err := s.readHead(FingerprintMax); err == nil {
		src.setHead(h)
	}
	read := f.ReadAt
	if s.gz {
		gr, err := gzip.NewReader(f)
		if err != nil {
			t.log.Warn("tailer: rotated copy is not valid gzip", "copy", s.name, "err", err)
			return false, nil
		}
		defer gr.Close()
		if n, err := io.CopyN(io.Discard, gr, from); err != nil || n != from {
			t.log.Info("tailer: rotated copy ends before the offset; nothing to recover", "copy", s.name, "offset", from)
			return false, nil
		}
		read = func(p []byte, _ int64) (int, error) { return gr.Read(p) }
	}
	src.off = from
	t.lr.reset(from)
	t.lrSrc = nil
	for {
		line, end, over, ok, err := t.lr.next(read)
		if err != nil {
			t.log.Warn("tailer: reading rotated copy failed; the rest of it is lost", "copy", s.name, "err", err)
			break
		}
		if !ok {
			break
		}
		t.add(line, end, over)
		if t.full() {
			if err := t.send(ctx, src); err != nil {
				return false, err
			}
		}
	}
	if p, over := t.lr.pending(); len(p) > 0 || over {
		t.add(p, t.lr.pos, over)
	}
	if err := t.send(ctx, src); err != nil {
		return false, err
	}
	t.c.recovered.Add(uint64(max(0, t.lr.pos-from)))
	t.lr.reset(0)
	return false, nil
}
