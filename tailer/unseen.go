package tailer

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"time"
)

// numberedSuffix matches logrotate's numbered rotated names: ".1", ".2.gz".
var numberedSuffix = regexp.MustCompile(`^\.([0-9]+)(?:\.gz)?$`)

// rotatedAfter reports whether the rotated copy a of path was rotated
// after b, from their names: "path.1" is newer than "path.2" (logrotate's
// numbered scheme), "path-20261122" newer than "path-20261121" (dateext).
// Names of different schemes are ordered by modification time.
func rotatedAfter(path string, a, b sibling) bool {
	base := filepath.Base(path)
	na, nb := filepath.Base(strippedName(a.name)), filepath.Base(strippedName(b.name))
	ia, aNum := rotationIndex(base, a.name)
	ib, bNum := rotationIndex(base, b.name)
	switch {
	case aNum && bNum:
		return ia < ib
	case !aNum && !bNum:
		return na > nb
	}
	return a.fi.ModTime().After(b.fi.ModTime())
}

// rotationIndex returns N of a numbered rotated name "path.N[.gz]".
func rotationIndex(base, name string) (int, bool) {
	m := numberedSuffix.FindStringSubmatch(filepath.Base(name)[len(base):])
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}

// queueUnseen handles rotations the loop did not see: while src was read
// (a slow consumer blocked the tailer, or the machine was overloaded), the
// path was renamed away and recreated more than once, so the files that
// were at the path only in between were never opened. It finds src among
// the rotated copies of the path, and opens the plain copies that were
// rotated after it (and before the oldest file queued, which was seen at
// the path after them), were last written no earlier than src, are not
// held by the tailer and were not read before as a copy (see copyRead).
// It queues them oldest first, ahead of the queued files: they are read
// like any file renamed away, late writes included. Nothing is done when
// src is no rotated copy (it was deleted, or renamed to another name).
func (t *Tailer) queueUnseen(src *logFile) {
	sibs, err := rotatedSiblings(t.cfg.Path)
	if err != nil {
		return
	}
	at, ok := siblingOf(sibs, src)
	srcInfo, err := src.f.Stat()
	if !ok || err != nil {
		return
	}
	bound, bounded := sibling{}, false
	if len(t.rot.queue) > 0 {
		bound, bounded = siblingOf(sibs, t.rot.queue[0])
	}
	var unseen []sibling
	for _, s := range sibs {
		if s.gz || !rotatedAfter(t.cfg.Path, s, at) || bounded && !rotatedAfter(t.cfg.Path, bound, s) ||
			s.fi.ModTime().Before(srcInfo.ModTime()) || t.holds(s.fi) || t.wasRead(s) {
			continue
		}
		unseen = append(unseen, s)
	}
	sort.SliceStable(unseen, func(i, j int) bool { return rotatedAfter(t.cfg.Path, unseen[j], unseen[i]) })
	var opened []*logFile
	for _, s := range unseen {
		if len(t.rot.queue)+len(opened) >= maxQueued {
			break
		}
		f, fi, err := openLogFile(s.name)
		if err != nil {
			t.log.Warn("tailer: cannot open a rotated file the tailer never saw at the path; its lines are not read", "file", s.name, "err", err)
			continue
		}
		if !os.SameFile(fi, s.fi) {
			f.close() // renamed again since the listing: the next rotation finds it
			continue
		}
		t.log.Info("tailer: the path was rotated again before the tailer saw this file there; reading it", "file", s.name)
		t.c.rotations.Add(1)
		opened = append(opened, f)
	}
	t.rot.queue = append(opened, t.rot.queue...)
}

// siblingOf returns the plain rotated copy that is the file s.
func siblingOf(sibs []sibling, s *logFile) (sibling, bool) {
	for _, c := range sibs {
		if !c.gz && sameInode(c.fi, s) {
			return c, true
		}
	}
	return sibling{}, false
}

// holds reports whether fi is a file the tailer has open for rotation:
// queued, or drained for late writes.
func (t *Tailer) holds(fi os.FileInfo) bool {
	for _, q := range t.rot.queue {
		if sameInode(fi, q) {
			return true
		}
	}
	for _, r := range t.rot.draining {
		if sameInode(fi, r.src) {
			return true
		}
	}
	return false
}

// copyRead records that a rotated copy, last modified at mod and
// beginning with head, was read (see copiesUnseen). head tells the copy
// once compressed: logrotate's compress gives the .gz a later
// modification time.
func (t *Tailer) copyRead(mod time.Time, head []byte) {
	if mod.After(t.rot.lastCopy) {
		t.rot.lastCopy = mod
	}
	if len(head) > 0 {
		if len(t.rot.copyHeads) == maxQueued {
			t.rot.copyHeads = t.rot.copyHeads[1:]
		}
		t.rot.copyHeads = append(t.rot.copyHeads, fingerprint(head))
	}
}

// wasRead reports whether s has the first bytes of a copy read before.
func (t *Tailer) wasRead(s sibling) bool {
	h, err := s.readHead(FingerprintMax)
	if err != nil || len(h) == 0 {
		return err == nil // empty: nothing to read
	}
	return slices.Contains(t.rot.copyHeads, fingerprint(h))
}

// copiesUnseen handles truncations the loop did not see: after src was
// truncated (copytruncate) and before anything of its new content was
// read, the new content was copied and truncated away again while the
// tailer could not look (a slow consumer blocked it, or the machine was
// overloaded). The rotated copies made since the newest one read (a later
// modification time), other than a copy of src's current content or a file
// the tailer holds, are read from 0, oldest first, before src. Unless src
// itself was truncated under the tailer, or once a line of its current
// content was read, it does nothing; otherwise it lists the directory only
// when the directory's mtime changed.
func (t *Tailer) copiesUnseen(ctx context.Context, src *logFile) error {
	if !src.cut || t.rot.lastCopy.IsZero() || src.off != 0 || len(src.head) > 0 || t.readEnd(src) != 0 {
		return nil
	}
	dir, err := os.Stat(filepath.Dir(t.cfg.Path))
	if err != nil || dir.ModTime().Equal(t.rot.unseenDirMod) {
		return nil
	}
	t.rot.unseenDirMod = dir.ModTime()
	if _, err := src.verifyHead(); err != nil {
		return nil // read again at the next turn
	}
	before := t.c.recovered.Load()
	skip := func(s sibling) bool { return t.holds(s.fi) || t.wasRead(s) }
	if err := t.drainAfter(ctx, t.rot.lastCopy, skip, src); err != nil {
		return err
	}
	if t.c.recovered.Load() != before {
		t.c.truncations.Add(1)
	}
	return nil
}
