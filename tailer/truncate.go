package tailer

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"io/fs"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// truncated handles a file cut under the reader (copytruncate): the lines
// not read yet are recovered from the rotated copy whose head matches what
// was read, then the file is read again from 0.
func (t *Tailer) truncated(ctx context.Context, src *logFile) error {
	t.c.truncations.Add(1)
	// Lines in hand that were confirmed (their file's first bytes checked
	// after they were read) were read before the cut: send them.
	if t.rd.cur != nil {
		t.rd.cur.truncate(t.rd.confirmed)
		if err := t.send(ctx, src); err != nil {
			return err
		}
	}
	t.discard()
	t.rd.lrFile = nil
	if len(src.head) > 0 {
		find := func() (sibling, bool) { return findByHead(t.naming(), src.head, src.id.Dev, src.id.Ino) }
		if sib, ok := find(); ok {
			t.log.Info("tailer: file truncated; reading the rest from its rotated copy", "copy", sib.name, "offset", src.off)
			before := t.c.recovered.Load()
			sib, err := t.recoverCopy(ctx, sib, find, src.off)
			if err != nil {
				return err
			}
			t.keepCopied(src, sib, src.off+int64(t.c.recovered.Load()-before))
			if err := t.drainNewer(ctx, sib, find, src, nil, time.Time{}); err != nil {
				return err
			}
		} else if err := t.copyGone(ctx, src); err != nil {
			return err
		}
	}
	src.off = 0
	src.cut = true
	src.setHead(nil)
	if _, err := src.verifyHead(); err != nil {
		t.log.Warn("tailer: re-reading head after truncation failed", "err", err)
	}
	t.dropQueuedCopies(src)
	return nil
}

// copyGone handles a truncation of src after which no rotated copy holds
// its content: it was cut without a copy (a plain "> file"), or its copy
// is gone, removed by logrotate's rotate count after more rotations than
// it keeps while the tailer could not read (a collector that stalls holds
// the reader). When src is the file at the path, the copies last written
// after its content was last found unchanged (logFile.sure), which hold
// later content, are read, oldest first, before src is read again from 0,
// and a warning names them; the lines after the last read are lost either
// way. A file renamed away and drained has no such copies: the files
// rotated after it are the rename rotation's to read.
func (t *Tailer) copyGone(ctx context.Context, src *logFile) error {
	t.c.uncopied.Add(1)
	var later []sibling
	if !src.sure.IsZero() && !t.drained(src) {
		later = t.copiesAfter(src.sure, t.heldOrRead)
	}
	if len(later) == 0 {
		t.warnUncopiedCut("tailer: file truncated and no rotated copy matches; lines written after the last read and before the truncation, if any, are lost",
			src.off, "offset", src.off)
		return nil
	}
	names := make([]string, len(later))
	for i, s := range later {
		names[len(later)-1-i] = s.name // listed newest first
	}
	t.warnUncopiedCut("tailer: file truncated and the rotated copy of what it held is gone (logrotate's rotate count removes the oldest copy: "+
		"more rotations than it keeps while the file could not be read, e.g. while the collector stalled); its lines after the last read are lost; "+
		"the copies made since (newer_copies, oldest first) are read before the file",
		src.off, "offset", src.off, "newer_copies", strings.Join(names, ", "))
	return t.drainListed(ctx, later, src, nil)
}

// drained reports whether src is a file renamed away that is still
// drained for late writes (Tailer.readDraining), not the file at the path.
func (t *Tailer) drained(src *logFile) bool {
	for _, r := range t.rot.draining {
		if r.src == src {
			return true
		}
	}
	return false
}

// warnUncopiedCut logs msg, that the file was truncated and that no
// rotated copy holds what it held after offset (the last read while
// running, the checkpoint's when it was truncated while the agent was
// stopped), with the fields of that case (args) and those both cases
// share: where the copies were looked for (looked_for, with the hint to
// give the source's olddir when logrotate moves them elsewhere) and how
// to send the lines lost from a copy kept elsewhere (send_missed).
func (t *Tailer) warnUncopiedCut(msg string, offset int64, args ...any) {
	args = append(args, "looked_for", rotatedNames(t.naming()),
		"send_missed", sendMissed("COPY", offset))
	if u := t.unreadableCopies(); len(u) > 0 {
		msg += "; a rotated copy that could not be read may hold them (unreadable_copies: damaged or cut short? check them with gzip -t)"
		args = append(args, "unreadable_copies", strings.Join(u, ", "))
	}
	t.log.Warn(msg+"; if logrotate kept a copy elsewhere, send those lines with gitlab-syslog send (send_missed)", args...)
}

// dropQueuedCopies removes from the queue of files to read next the
// compressed copies of src's content after its truncation (the same first
// bytes): src was renamed away and compressed (logrotate's compress
// without delaycompress) before the tailer saw the truncation, and those
// lines are read from src itself, from 0.
func (t *Tailer) dropQueuedCopies(src *logFile) {
	if len(src.head) == 0 {
		return
	}
	kept := t.rot.queue[:0]
	for _, q := range t.rot.queue {
		if n := min(len(q.head), len(src.head)); q.gz && n > 0 && string(q.head[:n]) == string(src.head[:n]) {
			t.log.Info("tailer: a queued compressed copy holds what the truncated file holds now, which is read from the file itself; not read again", "file", q.name)
			q.close()
			continue
		}
		kept = append(kept, q)
	}
	clear(t.rot.queue[len(kept):])
	t.rot.queue = kept
}

// keepCopied notes that the rotated copy sib of src's content before a
// truncation was read to offset end, for the next batch of src: while
// the checkpoint stays in an older file renamed away (see Tailer.send),
// it keeps the copy's position too, so that a restart reads the copy
// from there, not as a file never seen.
func (t *Tailer) keepCopied(src *logFile, sib sibling, end int64) {
	id := src.id // the content's fingerprint: the copy's first bytes
	id.Dev, id.Ino = devIno(sib.fi)
	t.rd.copied, t.rd.copiedOf = position{id, sib.name, end}, src
}

// drainNewer reads, oldest first, the rotated siblings rotated after m
// and last written no earlier than it (of m's naming scheme: named after
// it, see rotatedAfter, so that copies written within one tick of the
// file system's clock are read; of another: last written after it; when
// m is compressed, its modification time is when it was compressed, not
// when its content was last written, and only the rotation order
// counts), and
// those from gives a position for (files read after m, whose positions
// the checkpoint kept): after m was rotated, the file was rotated again
// before the tailer saw it, so their content, or its rest, was never
// read. A sibling that is m, the live file (same inode) or a copy of it
// (same head) is skipped, and so, when the live file was renamed away
// (it is a sibling), is every sibling rotated after it: those hold what
// came after its content, which the rename rotation reads. m is looked up by inode, else, when that file is gone
// (logrotate's compress replaced it by its .gz, a new inode, which a later
// rotation may have renamed: m's name may now be a later copy's), by find
// (its content). Each is read from the offset from returns (nil: from 0).
//
// At a restart, since is when the checkpoint m was found by was saved
// (zero otherwise): a plain sibling named as rotated before m but last
// written after since holds lines written after the checkpoint, never
// read (the kubelet names a copy by its clock, which may have stepped
// back: a copy named before m was rotated after it). Such siblings are
// read too, from 0, after the others (they were rotated after them), in
// the order they were last written, and before live; not when one is live
// or m.
func (t *Tailer) drainNewer(ctx context.Context, m sibling, find func() (sibling, bool), live *logFile, from keptFrom, since time.Time) error {
	sibs, err := rotatedSiblings(t.naming())
	if err != nil {
		return nil
	}
	found := false
	for _, s := range sibs {
		if sameSibling(s, m) {
			m, found = s, true // its name now, after a rotation since m was found
		}
	}
	if !found {
		if s, ok := find(); ok {
			m = s
		}
	}
	base := filepath.Base(RotatedPath(t.cfg.Path))
	md, mi := devIno(m.fi)
	renamed, isRenamed := liveSibling(sibs, live)
	// Neither m nor, when live was renamed away, a file rotated after
	// it: those are newer than its content, and the rotation that
	// renamed it reads them (see rotated).
	other := func(s sibling) bool {
		d, ino := devIno(s.fi)
		return !(d == md && ino == mi || strippedName(s.name) == strippedName(m.name) && s.gz != m.gz && oneFile(plainOf(s, m))) &&
			!(isRenamed && !rotatedAfter(base, renamed, s))
	}
	newer := func(s sibling) bool {
		switch {
		case from.offset(s) > 0:
			return true
		case !m.gz && s.fi.ModTime().Before(m.fi.ModTime()):
			// Written before m: not after it, whatever its name
			// says. A compressed m's time is when it was
			// compressed, after the copies made since it may
			// have been written (copytruncate, then compress of
			// the copy shifted to .2): the names order them.
			return false
		}
		return rotatedAfter(base, s, m) // another scheme's: last written after m
	}
	var listed, late []sibling
	for _, s := range sibs {
		switch {
		case !other(s):
		case newer(s):
			listed = append(listed, s)
		case writtenAfter(s, since):
			// Named as rotated before m, yet last written after the
			// checkpoint was saved: rotated after the files listed
			// (the names went back).
			late = append(late, s)
		}
	}
	sort.SliceStable(late, func(i, j int) bool { return late[i].fi.ModTime().After(late[j].fi.ModTime()) })
	return t.drainListed(ctx, append(late, listed...), live, from)
}

// writtenAfter reports whether s is a plain copy last written after
// since, which is not zero. A compressed copy's time is when it was
// compressed, which says nothing of its lines.
func writtenAfter(s sibling, since time.Time) bool {
	return !since.IsZero() && !s.gz && s.fi.ModTime().After(since)
}

// liveSibling returns the rotated sibling that is live, the file being
// read, when live was renamed away (a rename rotation), and false when it
// is not among sibs (still at the path, or nil).
func liveSibling(sibs []sibling, live *logFile) (sibling, bool) {
	if live == nil {
		return sibling{}, false
	}
	for _, s := range sibs {
		if d, ino := devIno(s.fi); d == live.id.Dev && ino == live.id.Ino && (d != 0 || ino != 0) {
			return s, true
		}
	}
	return sibling{}, false
}

// drainAfter reads, oldest first, the rotated siblings last modified
// after after, except those skip accepts and those that are live (same
// inode) or a copy of it (same head), each from the offset from returns
// (nil: from 0).
func (t *Tailer) drainAfter(ctx context.Context, after time.Time, skip func(sibling) bool, live *logFile, from keptFrom) error {
	return t.drainListed(ctx, t.copiesAfter(after, skip), live, from)
}

// copiesAfter lists, newest first, the rotated siblings last modified
// after after, except those skip accepts; none when they cannot be listed.
func (t *Tailer) copiesAfter(after time.Time, skip func(sibling) bool) []sibling {
	sibs, err := rotatedSiblings(t.naming())
	if err != nil {
		return nil
	}
	return filter(sibs, func(s sibling) bool { return s.fi.ModTime().After(after) && !skip(s) })
}

// drainListed reads the rotated siblings sibs, listed newest first,
// oldest first, except those that are live (same inode) or a copy of it
// (the first bytes it had when last read, or has now: a truncated file
// renamed away and compressed, whose .gz holds what is read from the
// file itself next), each from the offset from returns (nil: from 0). A
// plain one written less than RotateWait ago is followed for late writes
// (followRenamed), not read once. A copy read from the position kept for
// its file, which no sibling is (compressed, or copied by copytruncate
// from the file at the path), takes that position's place among the
// positions kept (rekeyLater).
func (t *Tailer) drainListed(ctx context.Context, sibs []sibling, live *logFile, from keptFrom) error {
	var now []byte // live's first bytes now
	if live != nil {
		now, _ = copyHead(live.f, false, FingerprintMax)
	}
	for i := len(sibs) - 1; i >= 0; i-- {
		s := sibs[i]
		if ofLive(s, live, now) {
			continue
		}
		var off int64
		if from != nil {
			var kept FileID
			if off, kept = from(s); off > 0 && !hasInode(sibs, kept) {
				t.rekeyLater(kept, s)
			}
		}
		if off > 0 {
			t.log.Info("tailer: reading a rotated file from the position the checkpoint kept for it", "file", s.name, "offset", off)
		} else {
			t.log.Info("tailer: reading a rotated copy from its beginning: made, or written to, since its path was last read", "file", s.name)
		}
		if t.recentlyWritten(s) {
			// Written to since shortly before: a file renamed away may
			// still be held open by a writer, as the checkpoint's own
			// file (resumeRotated). Which one is a copy (copytruncate's,
			// never written again) is not known: logrotate's compress
			// and create can give the new file at the path the inode of
			// the file renamed away. Following a copy only keeps the
			// checkpoint in it for RotateWait.
			if err := t.followRenamed(ctx, s, off); err != nil {
				return err
			}
			continue
		}
		if _, err := t.drainCopy(ctx, s, off); err != nil {
			return err
		}
	}
	return nil
}

// ofLive reports whether the rotated sibling s is live, the file being
// read (same inode), or a copy of it: it begins with the first bytes live
// had when last read (live.head) or has now (now). While live still
// begins with what it had (not truncated since), a copy of it also holds
// its next bytes (agrees): files whose first bytes are alike, such as
// container logs that each begin inside a long line logged again (its
// continuation), are told apart. False when live is nil.
func ofLive(s sibling, live *logFile, now []byte) bool {
	if live == nil {
		return false
	}
	d, ino := devIno(s.fi)
	if live.id.Dev == d && live.id.Ino == ino {
		return true
	}
	if len(live.head) > 0 && bytes.HasPrefix(now, live.head) {
		a, err := s.readHead(agreeBytes) // an error: not a copy, as begins says
		return err == nil && copyOf(a, live.head, live)
	}
	return s.begins(live.head) || s.begins(now)
}

// agreeBytes is how many first bytes copyOf compares.
const agreeBytes = 64 << 10

// plainOf returns the plain one of a and b, then the compressed one.
func plainOf(a, b sibling) (sibling, sibling) {
	if a.gz {
		return b, a
	}
	return a, b
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
	f, s, err := s.open() // s under its name now, if renamed since listed
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		t.log.Warn("tailer: cannot open a rotated copy to read; its lines from the offset are not read, now or after a restart: once it can be read, send them with gitlab-syslog send",
			"copy", s.name, "offset", from, "err", explainOpen(s.name, err))
		return false, nil
	}
	defer f.Close()
	src := &logFile{name: s.name, f: f, static: true, gz: s.gz}
	src.id.Dev, src.id.Ino = devIno(s.fi)
	if h, err := copyHead(f, s.gz, FingerprintMax); err == nil {
		src.setHead(h)
	}
	return false, t.drainOpen(ctx, src, s.fi.ModTime(), from)
}

// drainOpen reads src, an open rotated copy (plain or gzip, with
// src.head set) last modified at mod, from offset from (in the
// decompressed data for gzip) to its end, and delivers its lines, the
// incomplete last one included. A copy that is not valid gzip, or ends
// before from, is logged and nothing is read. A copy whose reading fails
// (a gzip copy cut short or damaged) is delivered up to its last whole
// line: the line the failure falls in is not, as the CLI's readers drop
// it, and a warning says where the readable data ended.
func (t *Tailer) drainOpen(ctx context.Context, src *logFile, mod time.Time, from int64) error {
	t.setMode(ModeRecovering)
	read := src.f.ReadAt
	if src.gz {
		gr, err := gzip.NewReader(io.NewSectionReader(src.f, 0, math.MaxInt64))
		if err != nil {
			t.c.damaged.Add(1)
			t.log.Warn("tailer: rotated copy is not valid gzip; its lines are not read", "copy", src.name, "err", err,
				"hint", "check it with gzip -t; if it holds lines, send them with gitlab-syslog send")
			return nil
		}
		defer gr.Close()
		if n, err := io.CopyN(io.Discard, gr, from); err != nil || n != from {
			// All of it is before the offset, read already (from the
			// file, before it was cut): a copy read, which copiesUnseen
			// must not take for one made unseen.
			t.log.Info("tailer: rotated copy ends before the offset; nothing to recover", "copy", src.name, "offset", from)
			t.copyRead(mod, src)
			return nil
		}
		read = func(p []byte, _ int64) (int, error) { return gr.Read(p) }
	}
	src.off = from
	t.rd.lr.reset(from)
	t.rd.lrFile = nil
	var readErr error
	for {
		start := t.rd.lr.lineStart
		line, end, over, ok, err := t.rd.lr.next(read)
		if err != nil {
			readErr = err
			break
		}
		if !ok {
			break
		}
		t.add(src, line, start, end, over)
		if t.full() {
			if err := t.send(ctx, src); err != nil {
				return err
			}
		}
	}
	if readErr != nil {
		t.c.damaged.Add(1)
		t.log.Warn("tailer: reading rotated copy failed; the rest of it is lost, and the line the failure falls in is not sent (a part of a line is not the line)",
			"copy", src.name, "err", readErr, "whole_lines_to_offset", t.rd.lr.lineStart, "part_bytes_dropped", t.rd.lr.pos-t.rd.lr.lineStart,
			"hint", "the copy is damaged or was cut short (check it with gzip -t); the lines after the offset in its decompressed data were not sent")
	} else {
		t.takePartial(src)
	}
	if err := t.send(ctx, src); err != nil {
		return err
	}
	t.c.recovered.Add(uint64(max(0, t.rd.lr.pos-from)))
	t.rd.lr.reset(0)
	t.copyRead(mod, src)
	return nil
}
