package tailer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// numberedSuffix matches logrotate's numbered rotated names: ".1", ".2.gz".
// An index of 8 digits or more is a date (dateformat .%Y%m%d), not a count.
var numberedSuffix = regexp.MustCompile(`^\.([0-9]{1,7})(?:\.gz)?$`)

// rotatedAfter reports whether the rotated copy a of the file base (the
// base name of RotatedPath) was rotated after b. Names of one scheme say
// it: "base.1" is newer than "base.2" (logrotate's numbered scheme);
// dated names ("base-20261122", "base-2026112213", the kubelet's
// "base.20261122-134501") are newer when their date, then their sequence,
// is greater, digit runs compared as numbers ("base-20261122-10" is newer
// than "base-20261122-9"). Names of different schemes are ordered by
// modification time (see orderKnown).
func rotatedAfter(base string, a, b sibling) bool {
	ia, aNum := rotationIndex(base, a.name)
	ib, bNum := rotationIndex(base, b.name)
	switch {
	case aNum && bNum && ia == ib && a.gz != b.gz:
		// name.N and name.N.gz of two files (compress turned on or
		// off between rotations, see oneFile): the plain one's time
		// is its last write, the .gz's when it was compressed, after
		// its own last write. Of equal times the .gz is taken for
		// the newer: compress is more often turned on than off.
		if ta, tb := a.fi.ModTime(), b.fi.ModTime(); !ta.Equal(tb) {
			return ta.After(tb)
		}
		return a.gz
	case aNum && bNum:
		return ia < ib
	case !aNum && !bNum && a.gz != b.gz && strippedName(a.name) == strippedName(b.name):
		// name.S and name.S.gz of two files (see oneFile): the .gz was
		// made from the file named name.S before the plain one took the
		// name (two rotations within one stamp: the kubelet's have the
		// second), so the plain one is newer.
		return !a.gz
	case !aNum && !bNum:
		return naturalLess(rotationSuffix(base, b.name), rotationSuffix(base, a.name))
	}
	return a.fi.ModTime().After(b.fi.ModTime())
}

// orderKnown reports whether rotatedAfter can order a and b: by their
// names when both are of one scheme; else by modification time, which
// only a plain copy keeps (compressing writes a new file).
func orderKnown(base string, a, b sibling) bool {
	_, aNum := rotationIndex(base, a.name)
	_, bNum := rotationIndex(base, b.name)
	return aNum == bNum || !a.gz && !b.gz
}

// rotationIndex returns N of a numbered rotated name "base.N[.gz]".
func rotationIndex(base, name string) (int, bool) {
	m := numberedSuffix.FindStringSubmatch(rotationSuffix(base, name))
	if m == nil {
		return 0, false
	}
	i, err := strconv.Atoi(m[1])
	return i, err == nil
}

// rotationSuffix returns what follows base in the rotated name, without
// ".gz": ".1", "-20261122"; for a name given with logrotate's extension
// option (Config.Extension), what follows base without its extension, up
// to that extension: ".1" of "x.1.log" for "x.log".
func rotationSuffix(base, name string) string {
	n := filepath.Base(strippedName(name))
	if strings.HasPrefix(n, base) {
		return n[len(base):]
	}
	ext := filepath.Ext(base)
	if stem, ok := extStem(base, ext); ok && strings.HasPrefix(n, stem) && strings.HasSuffix(n, ext) && len(n) >= len(base) {
		return n[len(stem) : len(n)-len(ext)]
	}
	return n
}

// naturalLess reports whether a sorts before b, runs of digits compared as
// numbers and the other bytes as bytes.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

// digitRun returns how many ASCII digits s begins with.
func digitRun(s string) int {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// queueUnseen handles rotations the loop did not see: while src was read
// (a slow consumer blocked the tailer, or the machine was overloaded), the
// path was renamed away and recreated more than once, so the files that
// were at the path only in between were never opened, and may have been
// compressed since (logrotate's compress). It finds src among the rotated
// copies of the path (see locate), and opens the copies, plain or
// compressed, that were rotated after it (and before the oldest file
// queued, which was seen at the path after them), were last written no
// earlier than src, are not held by the tailer and were not read before
// as a copy (see copyRead). It queues them oldest first, ahead of the
// queued files: plain ones are read like any file renamed away, late
// writes included; compressed ones are read whole when their turn comes
// (see nextQueued). When src is among the copies no longer (logrotate's
// rotate count removed it), every copy last written no earlier than src,
// not held and not read, came after it and is queued likewise, if the
// rotation order of those copies is known. When several copies match src,
// or a compressed copy cannot be ordered against it (or, src gone, against
// another), the copies that may hold unread lines are not read: a warning
// names them and Stats.UnplacedRotated counts them (see unplaced).
// The oldest file queued, when it is among the copies (by inode, or as a
// compressed copy), bounds the copies queued: only those rotated before
// it came between (see beforeBound). When it is not, and it is one opened
// ahead that has been deleted since (logrotate's rotate count), it does
// nothing: every copy still there was rotated after it (logrotate deletes
// the oldest first), and is looked at once the deleted files queued are
// read. Empty deleted files at the head of the queue are dropped first
// (see dropEmptyDeleted).
func (t *Tailer) queueUnseen(src *logFile) {
	t.dropEmptyDeleted()
	srcInfo, err := src.f.Stat()
	if err != nil {
		return
	}
	sibs, at, n := t.placeFile(src)
	bound, bounded := sibling{}, false
	if len(t.rot.queue) > 0 {
		q := t.rot.queue[0]
		b := locate(sibs, q)
		if len(b) == 0 && deleted(q.f) {
			return
		}
		if len(b) == 1 {
			bound, bounded = b[0], true
		}
	}
	newer := func(s sibling) bool {
		return !s.fi.ModTime().Before(srcInfo.ModTime()) && !t.holdsCopy(s) && !t.wasRead(s)
	}
	if n > 1 {
		t.unplaced(src, "several rotated copies begin with the first bytes of the file read before them, so which one it is is unknown", filter(sibs, newer))
		return
	}
	base := filepath.Base(RotatedPath(t.cfg.Path))
	series := twoSeries(base, sibs)
	var unseen, unordered []sibling
	for _, s := range sibs {
		switch {
		case n == 1 && sameSibling(s, at) || bounded && (sameSibling(s, bound) || !beforeBound(base, s, bound, series)):
		case !newer(s):
		case n == 0: // src is gone (logrotate's rotate count): a copy written since came after it
			unseen = append(unseen, s)
		case !orderKnown(base, s, at):
			unordered = append(unordered, s)
		case rotatedAfter(base, s, at):
			unseen = append(unseen, s)
		}
	}
	if n == 0 && !ordered(base, unseen) {
		t.unplaced(src, "the file read before them is no longer among the rotated copies and they are named by several schemes, so their order is unknown", unseen)
		return
	}
	t.unplaced(src, "they are compressed and named by another scheme than the file read before them, so whether they came after it is unknown", unordered)
	sort.SliceStable(unseen, func(i, j int) bool { return rotatedAfter(base, unseen[j], unseen[i]) })
	t.rot.queue = append(t.openUnseen(unseen), t.rot.queue...)
}

// dropEmptyDeleted closes and unqueues the plain files at the head of the
// queue that are empty and deleted: opened ahead while empty (see
// watchBlocked), then rotated with nothing written (logrotate's ifempty)
// and compressed to an empty .gz or removed. They hold no line, and with
// no first bytes to find them by among the copies they cannot bound the
// copies queued (see queueUnseen), which would wait behind them for
// nothing while the copies rotated before them are removed.
func (t *Tailer) dropEmptyDeleted() {
	for len(t.rot.queue) > 0 {
		q := t.rot.queue[0]
		if q.gz || !deleted(q.f) {
			return
		}
		if size, err := fileSize(q.f); err != nil || size != 0 {
			return
		}
		q.close()
		t.rot.queue = t.rot.queue[1:]
	}
}

// beforeBound reports whether the rotated copy s may have been rotated
// before bound, the copy that is the oldest file queued (see
// queueUnseen): their names say so (rotatedAfter), or, the copies being
// numbered as two series (see twoSeries), one is compressed and the other
// not and s was last modified before bound. With compress turned on or
// off between rotations, names do not order a plain copy and a compressed
// one; a copy that may have come before bound is read rather than lost.
// (With delaycompress, one series, the newest plain copy is last written
// before the .gz its rotation made: there, names alone are right.)
func beforeBound(base string, s, bound sibling, twoSeries bool) bool {
	if rotatedAfter(base, bound, s) {
		return true
	}
	return twoSeries && s.gz != bound.gz && s.fi.ModTime().Before(bound.fi.ModTime())
}

// twoSeries reports whether sibs, the rotated copies of base, hold a
// plain and a compressed copy of one number (path.1 and path.1.gz):
// logrotate's compress was turned on or off between rotations, and each
// kind is numbered on its own.
func twoSeries(base string, sibs []sibling) bool {
	plain := map[int]bool{}
	for _, s := range sibs {
		if i, ok := rotationIndex(base, s.name); ok && !s.gz {
			plain[i] = true
		}
	}
	for _, s := range sibs {
		if i, ok := rotationIndex(base, s.name); ok && s.gz && plain[i] {
			return true
		}
	}
	return false
}

// openUnseen opens the rotated copies in unseen, which the tailer never
// saw at the path, as long as the queue has room, and returns those that
// are still the files listed.
func (t *Tailer) openUnseen(unseen []sibling) []*logFile {
	var opened []*logFile
	for _, s := range unseen {
		if len(t.rot.queue)+len(opened) >= maxQueued {
			break
		}
		f, err := openCopy(s)
		if err != nil {
			t.log.Warn("tailer: cannot open a rotated file the tailer never saw at the path; its lines are not read", "file", s.name, "err", err)
			continue
		}
		if f == nil {
			continue // renamed again since the listing: the next rotation finds it
		}
		t.log.Info("tailer: the path was rotated again before the tailer saw this file there; reading it", "file", s.name)
		t.c.rotations.Add(1)
		opened = append(opened, f)
	}
	return opened
}

// openCopy opens the rotated copy s: a plain one as a file renamed away
// (openLogFile), a compressed one as a static copy with its decompressed
// first bytes as head. It returns nil, and no error, when the name no
// longer names the file listed.
func openCopy(s sibling) (*logFile, error) {
	if !s.gz {
		f, fi, err := openLogFile(s.name)
		if err != nil || os.SameFile(fi, s.fi) {
			return f, err
		}
		f.close()
		return nil, nil
	}
	f, err := os.Open(s.name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil || !os.SameFile(fi, s.fi) {
		f.Close()
		return nil, err
	}
	c := &logFile{name: s.name, f: f, static: true, gz: true}
	c.id.Dev, c.id.Ino = devIno(fi)
	h, err := copyHead(f, true, FingerprintMax)
	if err != nil {
		f.Close()
		return nil, err
	}
	c.setHead(h)
	return c, nil
}

// ordered reports whether the rotation order of every two copies in sibs
// is known (see orderKnown).
func ordered(base string, sibs []sibling) bool {
	for i := range sibs {
		for j := i + 1; j < len(sibs); j++ {
			if !orderKnown(base, sibs[i], sibs[j]) {
				return false
			}
		}
	}
	return true
}

// placeFile lists the rotated copies of the path and finds f among them
// (see locate), listing again, a few times at most, when a copy vanished
// meanwhile (renamed by a rotation, or replaced by its .gz). It returns
// the copies, the one that is f, and how many matched: 0 or more than 1
// leave f's place unknown.
func (t *Tailer) placeFile(f *logFile) (sibs []sibling, at sibling, n int) {
	for try := 0; ; try++ {
		sibs, err := rotatedSiblings(t.naming())
		if err != nil {
			return nil, sibling{}, 0
		}
		found := locate(sibs, f)
		if len(found) > 0 || try == 3 || !vanished(sibs) {
			if len(found) == 1 {
				at = found[0]
			}
			return sibs, at, len(found)
		}
	}
}

// locate returns the rotated copies in sibs that are the file f: the one
// with its inode; else the compressed ones whose decompressed first bytes
// are f's head (logrotate's compress writes a new inode), none when f's
// head is empty.
func locate(sibs []sibling, f *logFile) []sibling {
	for _, s := range sibs {
		if sameInode(s.fi, f) {
			return []sibling{s}
		}
	}
	var found []sibling
	for _, s := range sibs {
		if s.gz && isCopyOf(s, f) {
			found = append(found, s)
		}
	}
	return found
}

// isCopyOf reports whether the rotated copy s (decompressed when
// compressed) begins with f's head, which is not empty, and agrees with
// f over their first agreeBytes (agreesWith: container logs can all begin
// alike). The head of a plain f is first grown to what its file holds now
// (verifyHead): a file opened ahead, when it appeared at the path (see
// watchBlocked), was empty or short then.
func isCopyOf(s sibling, f *logFile) bool {
	head := grownHead(f)
	if len(head) == 0 {
		return false
	}
	h, _ := s.readHead(agreeBytes) // before an error: good, as a shorter read would be
	return copyOf(h, head, f)
}

// grownHead returns f's head, that of a plain f first grown to what its
// file holds now (see isCopyOf).
func grownHead(f *logFile) []byte {
	if !f.static && len(f.head) < FingerprintMax {
		f.verifyHead() // a file rewritten since keeps its head, which a copy then lacks
	}
	return f.head
}

// vanished reports whether a copy in sibs is no longer there.
func vanished(sibs []sibling) bool {
	for _, s := range sibs {
		if _, err := os.Lstat(s.name); errors.Is(err, fs.ErrNotExist) {
			return true
		}
	}
	return false
}

func sameSibling(a, b sibling) bool { return os.SameFile(a.fi, b.fi) }

func filter(sibs []sibling, keep func(sibling) bool) []sibling {
	var out []sibling
	for _, s := range sibs {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}

// unplaced warns that the rotated copies in sibs, rotated around the time
// src was read, may hold lines never read but are not read, because of
// why, and counts them in Stats.UnplacedRotated: each copy once per
// Tailer (the loop looks again while src is drained).
func (t *Tailer) unplaced(src *logFile, why string, sibs []sibling) {
	var names []string
	for _, s := range sibs {
		d, i := devIno(s.fi)
		id := [2]uint64{d, i}
		if slices.Contains(t.rot.unplaced, id) {
			continue
		}
		if len(t.rot.unplaced) == 4*maxQueued {
			t.rot.unplaced = t.rot.unplaced[1:]
		}
		t.rot.unplaced = append(t.rot.unplaced, id)
		names = append(names, s.name)
	}
	if len(names) == 0 {
		return
	}
	t.c.unplaced.Add(uint64(len(names)))
	t.log.Warn("tailer: rotated copies that may hold lines never read are not read: "+why+
		"; if lines are missing downstream, send these files by hand (zcat a .gz)",
		"files", names, "read_before", src.name, "read_before_id", src.id.String())
}

// holdsCopy reports whether the rotated copy s is a file the tailer has
// open for rotation (see holds), or a copy of one: compressed
// (logrotate's compress), or plain and made by copytruncate after the
// tailer opened the file, which then reads the copy as what the file
// held (see truncated). The heads compared are the files' own, grown
// first to what they hold (see isCopyOf): a file opened empty and cut
// before a line was read from it has no head to match, and its copy is
// not its.
//
// s's first bytes are read once, however many files are held.
func (t *Tailer) holdsCopy(s sibling) bool {
	if t.holds(s.fi) {
		return true
	}
	var (
		h    []byte // s's first bytes, read at the first held file with a head
		read bool
	)
	copied := func(f *logFile) bool {
		head := grownHead(f)
		if len(head) == 0 {
			return false
		}
		if !read {
			// What was read before an error (a .gz damaged past them)
			// is good, as a shorter read of len(head) bytes would be.
			h, _ = s.readHead(agreeBytes)
			read = true
		}
		return copyOf(h, head, f)
	}
	for _, q := range t.rot.queue {
		if copied(q) {
			return true
		}
	}
	for _, r := range t.rot.draining {
		if copied(r.src) {
			return true
		}
	}
	return false
}

// copyOf reports whether h, a rotated copy's first bytes (up to
// agreeBytes), may be a copy of the open file f, whose head is head: h
// begins with head and, while f still begins with it, holds the same bytes
// as f (decompressed when gz) over the shorter one's length, so that a
// file that only begins like f (container logs that each begin inside one
// long line logged again) is not taken for its copy. A file f that no
// longer begins with its head (truncated since: a copytruncate copy holds
// what it had), or that cannot be read, is judged by head alone.
func copyOf(h, head []byte, f *logFile) bool {
	if !bytes.HasPrefix(h, head) {
		return false
	}
	b, err := copyHead(f.f, f.gz, len(h))
	if err != nil || !bytes.HasPrefix(b, head) {
		return true
	}
	n := min(len(h), len(b))
	return string(h[:n]) == string(b[:n])
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

// copyKey identifies a rotated copy read by its first bytes, up to
// agreeBytes (decompressed for a .gz): how many, and their SHA-256. More
// than the fingerprint's KiB, as container logs can all begin alike.
type copyKey struct {
	n   int
	sum [sha256.Size]byte
}

// keyOf returns the copyKey of first, a copy's first bytes.
func keyOf(first []byte) copyKey { return copyKey{len(first), sha256.Sum256(first)} }

// copyRead records that src, a rotated copy last modified at mod, was
// read (see copiesUnseen): by its first bytes, which tell the copy once
// compressed (logrotate's compress gives the .gz a later modification
// time). A copy without a head (empty) is not recorded.
func (t *Tailer) copyRead(mod time.Time, src *logFile) {
	if mod.After(t.rot.lastCopy) {
		t.rot.lastCopy = mod
	}
	if len(src.head) == 0 {
		return
	}
	// What was read before an error (a .gz damaged within them) is its
	// first bytes, as wasRead reads them.
	first, _ := copyHead(src.f, src.gz, agreeBytes)
	if len(first) == 0 {
		first = src.head
	}
	if len(t.rot.copyHeads) == maxQueued {
		t.rot.copyHeads = t.rot.copyHeads[1:]
	}
	t.rot.copyHeads = append(t.rot.copyHeads, keyOf(first))
}

// heldOrRead reports whether the rotated copy s is a file the tailer
// holds (holds) or has the first bytes of a copy read before (wasRead):
// not one made unseen.
func (t *Tailer) heldOrRead(s sibling) bool { return t.holds(s.fi) || t.wasRead(s) }

// wasRead reports whether s has the first bytes of a copy read before,
// up to agreeBytes (see copyKey).
func (t *Tailer) wasRead(s sibling) bool {
	h, err := s.readHead(agreeBytes) // before an error: as copyRead keeps them
	if len(h) == 0 {
		return err == nil // empty: nothing to read
	}
	return slices.Contains(t.rot.copyHeads, keyOf(h))
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
	if err := t.drainAfter(ctx, t.rot.lastCopy, t.heldOrRead, src, nil); err != nil {
		return err
	}
	if t.c.recovered.Load() != before {
		t.c.truncations.Add(1)
	}
	return nil
}
