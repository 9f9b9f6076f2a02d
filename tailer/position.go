package tailer

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// start opens the file and positions it from the checkpoint, first draining
// the rotated file the checkpoint points into, if that is where it is.
// Without a usable checkpoint, StartAt applies to a file at the path now;
// one that appears later, or after Config.NewSince, is read from 0 after
// the copies made of it since (readAppeared). Without a checkpoint, the
// lines of a file rotated away before the tailer opened it are read from
// its copies first (readRenamedAway, readMatchedCopy).
func (t *Tailer) start(ctx context.Context) (*logFile, error) {
	ck := t.ckp.ck
	t.ckp.ck = nil
	if ck != nil {
		t.warnBackups(ck)
		live, ok, err := t.resume(ctx, ck)
		if ok {
			t.dropWait(FileID{}) // the checkpoint's file was found: a wait record is stale
		}
		if ok || err != nil {
			return live, err
		}
		t.c.ckDiscarded.Add(1)
		waited := !t.ckp.wait.since.IsZero()
		t.warnLostCheckpoint(ck, live != nil, waited)
		if waited { // the path had no file since: what is there is new
			return t.afterLostWaited(ctx, ck, live)
		}
		if err := t.afterLostCheckpoint(ctx, ck, live); err != nil {
			if live != nil {
				live.close()
			}
			return nil, err
		}
		if live != nil {
			t.applyStartAt(live)
			t.firstCheckpoint(live)
			return live, nil
		}
	}
	return t.startNew(ctx, ck)
}

// startNew is start after the checkpoint ck, if any, was found unusable
// (nil: none, or one given up for the path's wait record): it opens the
// file at the path, waiting for one, and positions it by StartAt, or, for
// a file that appeared (while the tailer waited, or after
// Config.NewSince), at 0 after the copies made since.
func (t *Tailer) startNew(ctx context.Context, ck *checkpoint.Position) (*logFile, error) {
	w := waitStart{first: ck == nil}
	if ck == nil {
		var err error
		if !t.cfg.NewSince.IsZero() {
			err = t.readRenamedAway(ctx, &w)
		} else if t.cfg.Matched != nil {
			err = t.readMatchedCopy(ctx, &w)
		}
		if err != nil {
			return nil, err
		}
	}
	live, err := t.openLive(ctx, &w)
	if err != nil {
		return nil, err
	}
	appeared := "the file appeared after the tailer started"
	if w.at.IsZero() && ck == nil && !t.cfg.NewSince.IsZero() {
		w.at = t.cfg.NewSince // the copies there then are not known
		appeared = "the file appeared after the path was last seen without one (by a glob's scan, or the agent's last wait for it)"
	}
	if w.at.IsZero() {
		t.applyStartAt(live)
		t.warnStartEndLate(live)
	} else {
		if t.cfg.StartAt == StartEnd {
			t.log.Info("tailer: " + appeared + "; reading it from its beginning (start_at applies to a file there at start)")
		}
		if err := t.readAppeared(ctx, &w, live); err != nil {
			live.close()
			return nil, err
		}
	}
	t.firstCheckpoint(live)
	return live, nil
}

// readRenamedAway reads, for a tailer with Config.NewSince and no
// checkpoint that finds no file at the path, the rotated copies last
// written after NewSince, oldest first (not a .gz whose header says it
// compresses a file last written before, an older copy compressed since:
// see waitStart.made; nor a copy Config.FollowedElsewhere says another
// tailer reads): the file the glob's scan matched was rotated
// away before the tailer could open it, and its lines are only there.
// It reads them at once, not when a file appears at the path, which may
// never happen. The oldest is checkpointed first (checkpointCopy), so that
// a restart before anything was committed reads them again. It begins w,
// the wait for the path, before listing the copies: those read are then
// known, and a file that appears later is read after its own copies
// only (readAppeared). With a file at the path it does nothing.
func (t *Tailer) readRenamedAway(ctx context.Context, w *waitStart) error {
	if _, err := os.Lstat(t.cfg.Path); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	w.begin(t)
	copies := t.copiesAfter(t.cfg.NewSince, func(s sibling) bool {
		return s.gz && !s.compressedAfter(t.cfg.NewSince) || t.cfg.FollowedElsewhere != nil && t.cfg.FollowedElsewhere(s.name, s.fi)
	})
	if len(copies) == 0 {
		return nil
	}
	t.checkpointCopy(copies[len(copies)-1], 0) // listed newest first
	w.noteRead(copies...)
	t.noteSkipped(w, nil)
	return t.drainListed(ctx, copies, nil, nil)
}

// readMatchedCopy reads, for a tailer with Config.Matched and neither a
// checkpoint nor NewSince, the file the glob's scan matched when it is no
// longer at the path (rotated away before the tailer could open it): its
// rotated copy with the same device and inode (not a .gz), from its
// beginning, or with StartEnd from the size it had when matched,
// checkpointed there first, so that a restart before anything was
// committed reads it again. It begins w, the wait for the path, before
// listing the copies: a file at the path, or one that appears later, is
// then read from its beginning after the copies made since, the matched
// one not again (readAppeared). With the matched file at the path, or no
// copy of it found, it does nothing more.
func (t *Tailer) readMatchedCopy(ctx context.Context, w *waitStart) error {
	m := t.cfg.Matched
	md, mino := devIno(m)
	if fi, err := os.Stat(t.cfg.Path); err == nil {
		if d, ino := devIno(fi); d == md && ino == mino {
			return nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil // openLive reports it
	}
	w.begin(t)
	sibs, err := rotatedSiblings(t.naming())
	if err != nil {
		return nil
	}
	for _, s := range sibs {
		if d, ino := devIno(s.fi); s.gz || d != md || ino != mino {
			continue
		}
		off := int64(0)
		if t.cfg.StartAt == StartEnd {
			off = min(m.Size(), s.fi.Size())
		}
		t.log.Info("tailer: the file was rotated away before the tailer opened it; reading its rotated copy", "file", s.name, "offset", off)
		t.checkpointCopy(s, off)
		w.noteRead(s)
		t.noteSkipped(w, nil)
		_, err := t.drainCopy(ctx, s, off)
		return err
	}
	return nil
}

// firstCheckpoint saves, durably and at once, a checkpoint at live's
// identity and the offset where reading starts in it (0, or its end with
// StartAt end), for a file the tailer has no usable checkpoint for and
// before any of its lines was read: else, until the consumer commits a
// batch (a collector down since the start), the store would hold nothing
// for the path, and a restart after a rotation would take the new file at
// the path for the first one and never read the rotated copies. With this
// checkpoint the restart finds the rotated copy by its identity and drains
// it first. Nothing is saved when lines were read already (rotated copies
// drained after a lost checkpoint: the old record stays until their
// commit) or when the tailer has no store. A failed write is logged and
// retried every CheckpointInterval, as the other writes are. A file empty
// when opened has no first bytes to fingerprint: saveHead saves them
// once they are read.
func (t *Tailer) firstCheckpoint(live *logFile) {
	if t.ckp.store == nil || t.rd.nread > 0 {
		return
	}
	t.mu.Lock()
	c := &t.ckp.com
	if c.valid {
		t.mu.Unlock()
		return
	}
	c.id, c.name, c.off = live.id, live.name, live.off
	c.valid, c.dirty = true, true
	t.mu.Unlock()
	if len(live.head) == 0 {
		t.ckp.headless = live
	}
	t.saveCheckpoint()
}

// saveHead saves, durably and at once, the checkpoint of src, the file
// checkpointed at its offset 0 while it was empty (Tailer.ckp.headless),
// with the fingerprint of its first bytes, read since; the offset stays 0.
// Without them, a restart after src was copytruncated and written again
// (the same inode) while nothing was committed would resume at offset 0
// of the new content and never read the rotated copies of the old one;
// with them it finds the old content's copy by its first bytes and drains
// it, and the newer copies, first. It is called before the first batch of
// src is handed out, once: nothing is saved when a commit has moved the
// checkpoint since (it then holds the first bytes already).
func (t *Tailer) saveHead(src *logFile) {
	t.ckp.headless = nil
	if t.ckp.store == nil {
		return
	}
	t.mu.Lock()
	c := &t.ckp.com
	switch {
	case !c.valid: // resumed from the previous run's checkpoint, at offset 0
		c.name, c.off = src.name, 0
	case c.id.SameFile(src.id) && c.id.FingerprintLen == 0 && c.off == 0:
	default:
		t.mu.Unlock()
		return
	}
	c.id = src.id
	c.valid, c.dirty = true, true
	t.mu.Unlock()
	t.saveCheckpoint()
}

// resume positions the file at the path from ck: in the file itself when
// it is the checkpoint's file, unchanged up to the offset; else after
// draining the rotated copy the checkpoint points into; else from 0 when
// the same file was truncated while stopped. The checkpoint's own file at
// the path that cannot be opened (its mode) is waited for until it can
// (openLive). ok is false when ck matches nothing; live is then the file
// at the path, if it could be opened.
func (t *Tailer) resume(ctx context.Context, ck *checkpoint.Position) (live *logFile, ok bool, err error) {
	id, _ := PositionFile(ck) // validated by loadPosition
	if err := t.waitVisible(ctx, id); err != nil {
		return nil, false, err
	}
	live, fi, err := openLogFile(t.cfg.Path)
	if err != nil {
		live = nil
		if ckFileUnopened(fi, err, id) {
			// The checkpoint's own file, which cannot be opened now (its
			// mode, an ACL): wait until it can, as for a file that
			// becomes unreadable while followed, and resume in it, not
			// as if no file were at the path (the checkpoint dropped,
			// the file read again whole).
			if live, err = t.openLive(ctx, nil); err != nil {
				return nil, false, err
			}
		}
	}
	if live != nil && live.id.SameFile(id) && !inodeOnly(id, ck) && headMatches(live, id) && t.resumeIn(live, ck) {
		if ck.FpLen == 0 && live.off == 0 {
			t.ckp.headless = live // checkpointed empty by a previous run
		}
		return live, true, nil
	}
	find := func() (sibling, bool) { return findCheckpointFile(t.naming(), id, ck) }
	if sib, found := find(); found {
		live, err := t.resumeRotated(ctx, ck, sib, find, live)
		return live, err == nil, err
	}
	if live != nil && live.id.SameFile(id) && !inodeOnly(id, ck) && t.ckp.wait.since.IsZero() {
		// Without a wait record: with one, the path had no file since
		// the checkpoint's, and this is a new file that reused its inode
		// (start reads it as one).
		t.c.truncations.Add(1)
		size, _ := fileSize(live.f)
		if short := shorterCopies(t.naming(), id, ck); len(short) > 0 {
			t.log.Warn("tailer: the file at the path was truncated (copytruncate) since the checkpoint's position in it, and its rotated copy ends before that position: "+
				"made before the last lines read, the copy holds nothing unread and is not read again; reading the file from its start; "+
				"lines written after the checkpoint's position and before the truncation are in no file: none after a clean stop (they were read), else they are lost",
				"copy", strings.Join(short, ", "), "checkpoint_offset", ck.Offset, "size_now", size)
		} else {
			t.c.uncopied.Add(1)
			t.warnUncopiedCut("tailer: the file at the path no longer begins with what was read before the stop, and no rotated copy does; "+
				"it was truncated while stopped, or it is a new file on the inode of the checkpoint's file, which logrotate rotated and deleted while stopped; "+
				"reading it from the start; lines the checkpoint's file held after the checkpoint offset, if any, are lost (how many is not known without the copy)",
				ck.Offset, "checkpoint_offset", ck.Offset, "size_now", size)
		}
		// Or it is a new file that reused the inode of the checkpoint's
		// file, removed by logrotate's rotate count: the rotated copies
		// written after the checkpoint come before it.
		if !ck.Updated.IsZero() {
			if err := t.drainSince(ctx, ck, savedSince(ck), live); err != nil {
				live.close()
				return nil, false, err
			}
		}
		live.off = 0
		return live, true, nil
	}
	if t.resumeNext(live, ck) {
		t.log.Warn("tailer: the rotated file the checkpoint points into is gone; lines written to it after the checkpoint, if any, are lost; the newer file resumes from its own position",
			"checkpoint_file", ck.File, "checkpoint_offset", ck.Offset, "offset", live.off)
		if err := t.drainKept(ctx, ck, live); err != nil {
			live.close()
			return nil, false, err
		}
		t.resumedAfterDrain(live)
		return live, true, nil
	}
	return live, false, nil
}

// inodeOnly reports whether the checkpoint ck, of the file id, cannot be
// in a file at the path that has id's device and inode: ck's file was
// empty when it was saved (fp_len 0: no first bytes to tell it from a
// newer file on its inode) and had been renamed away, as the position ck
// keeps for a newer file read meanwhile says (Next: kept only while the
// checkpoint stays in a file renamed away, which never comes back to the
// path). A file at the path on that inode is a new one, given the inode
// after logrotate compressed and removed ck's file while the agent was
// stopped; resumed in as ck's file, the newer file's lines after its kept
// position were never read (/tmp/dupe run F2b seed 8: 80 lines lost).
func inodeOnly(id FileID, ck *checkpoint.Position) bool {
	return id.FingerprintLen == 0 && ck.Next != nil
}

// ckFileUnopened reports whether err, from openLogFile, is not that no
// file is there, and fi, the regular file openLogFile found (stat needs no
// permission to read it), is the one of id, by device and inode.
func ckFileUnopened(fi os.FileInfo, err error, id FileID) bool {
	return !errors.Is(err, fs.ErrNotExist) && fi != nil && fi.Mode().IsRegular() && id.Dev|id.Ino != 0 && id.SameAs(fi)
}

// resumeNext positions live at the position of the newer file that ck
// keeps apart (checkpoint.Position.Next: it was read while the file the
// checkpoint points into was drained after a rename rotation), and
// reports whether it could: live is that file, its head unchanged, the
// offset within it and the bytes before it the ones hashed.
func (t *Tailer) resumeNext(live *logFile, ck *checkpoint.Position) bool {
	next, id, ok := nextPosition(ck)
	if !ok || live == nil || !live.id.SameFile(id) || !headMatches(live, id) {
		return false
	}
	size, err := fileSize(live.f)
	if err != nil || next.Offset > size || !preMatches(next, live.f) {
		return false
	}
	live.off = t.resumeOffset(live, next.Offset, size)
	t.log.Info("tailer: resuming the newer file from its own position in the checkpoint", "offset", live.off)
	return true
}

// laterFrom returns where to read a rotated copy drained at start, after
// the one the checkpoint points into: the position ck keeps for it when
// it is one of the files read after the checkpoint's own (Next and
// Between; by fingerprint, the inode too for a plain copy), or a copy of
// one made by copytruncate (a plain copy of another inode, by
// fingerprint, when no kept position has its inode), else 0. A copy that
// holds other bytes than the kept position hashed before its offset is
// not its file (it only begins alike; see preState), nor is one that
// ends before the offset: one holding them is preferred to one whose
// bytes there cannot be read. Results are kept per file, as the drain
// asks more than once.
func laterFrom(ck *checkpoint.Position) keptFrom {
	kept := laterPositionsOf(ck)
	type fileKey struct {
		name     string
		dev, ino uint64
		size     int64
		mod      time.Time
	}
	type found struct {
		off int64
		id  FileID
	}
	seen := map[fileKey]found{}
	return func(s sibling) (int64, FileID) {
		d, i := devIno(s.fi)
		key := fileKey{s.name, d, i, s.fi.Size(), s.fi.ModTime()}
		if f, ok := seen[key]; ok {
			return f.off, f.id
		}
		off, id := keptOffset(kept, s)
		seen[key] = found{off, id}
		return off, id
	}
}

// keptFrom returns where to read a rotated copy s (see laterFrom): the
// offset of the position a checkpoint keeps for the file s is, or is a
// copy of, and that file's identity as kept; 0 and the zero FileID when
// none.
type keptFrom func(s sibling) (off int64, kept FileID)

// offset returns f's offset for s; 0 when f is nil.
func (f keptFrom) offset(s sibling) int64 {
	if f == nil {
		return 0
	}
	off, _ := f(s)
	return off
}

// keptOffset returns the offset of the position in kept that s is the
// file of, or a copy of, as laterFrom says, and its identity; else 0.
func keptOffset(kept []keptPosition, s sibling) (int64, FileID) {
	head, err := s.readHead(FingerprintMax)
	if err != nil {
		return 0, FileID{}
	}
	state := func(k keptPosition) preState {
		if !k.id.fingerprinted(head) {
			return preDiffers
		}
		return s.pre(k.pos)
	}
	best, bestID, bestState := int64(0), FileID{}, preDiffers
	consider := func(k keptPosition) preState {
		st := state(k)
		// Of positions that fit s as well, the furthest: one file's
		// content kept twice, at two commits, under two identities (the
		// file's inode and that of its copy read at a restart).
		if st > bestState || st == bestState && st != preDiffers && k.pos.Offset > best {
			best, bestID, bestState = k.pos.Offset, k.id, st
		}
		return st
	}
	ownInode := false // a position kept for s's own file: not one of another file that had its inode
	for _, k := range kept {
		if s.gz || k.id.SameAs(s.fi) {
			ownInode = consider(k) != preDiffers && !s.gz || ownInode
		}
	}
	if bestState != preDiffers || s.gz || ownInode {
		return best, bestID
	}
	for _, k := range kept {
		consider(k) // its content before the cut
	}
	return best, bestID
}

// drainKept reads, oldest first, the rest of the rotated files between
// the checkpoint's own and the newest one (checkpoint.Position.Between),
// each from the position ck keeps for it, when the checkpoint's own file
// is gone.
func (t *Tailer) drainKept(ctx context.Context, ck *checkpoint.Position, live *logFile) error {
	if len(ck.Between) == 0 {
		return nil
	}
	sibs, err := rotatedSiblings(t.naming())
	if err != nil {
		return nil
	}
	from := laterFrom(ck)
	t.keepLaterOf(ck)
	defer func() { t.rd.keepLater = false }()
	return t.drainListed(ctx, filter(sibs, func(s sibling) bool { return from.offset(s) > 0 }), live, from)
}

// resumeIn positions live, the checkpoint's file with an unchanged head,
// at ck's offset, and reports whether it could: the offset is within the
// file and the bytes before it are the ones hashed.
func (t *Tailer) resumeIn(live *logFile, ck *checkpoint.Position) bool {
	size, err := fileSize(live.f)
	if err != nil || ck.Offset > size {
		return false
	}
	if !preMatches(ck, live.f) {
		t.log.Warn("tailer: the bytes before the checkpoint offset changed: the file was rewritten",
			"offset", ck.Offset)
		return false
	}
	if from, ok := partsFrom(ck); ok && (size > ck.Offset || !t.cfg.Complete) {
		// The lines before the offset were sent as parts of a line not
		// finished then, and the file has grown (the line may be
		// finished now) or will be followed (it may be finished later):
		// they are read again from the first part, so that the line can
		// be sent whole, as a plain file's last line is (resumeOffset).
		msg := "tailer: the checkpoint follows the parts of a line sent before its last part was written (run --once), and the file has grown since; reading them again from the first, so that the line is sent whole (the collector then has those parts twice)"
		if size == ck.Offset {
			msg = "tailer: the checkpoint follows the parts of a line sent before its last part was written (run --once); reading them again from the first, so that the line is sent whole once its last part is written (the collector then has those parts twice)"
		}
		t.log.Warn(msg, "parts_offset", from, "checkpoint_offset", ck.Offset)
		live.off = from
		t.log.Info("tailer: resuming from checkpoint", "offset", live.off)
		return true
	}
	live.off = t.resumeOffset(live, ck.Offset, size)
	if live.off == ck.Offset+1 {
		t.skipped(live) // the newline of a line delivered before
	}
	t.log.Info("tailer: resuming from checkpoint", "offset", live.off)
	return true
}

// partsFrom returns ck.PartsFrom, where the lines before ck's offset that
// were sent as parts of a line not finished then begin (see
// Tailer.UnholdSent), and whether ck has a valid one.
func partsFrom(ck *checkpoint.Position) (int64, bool) {
	if p := ck.PartsFrom; p != nil && *p >= 0 && *p < ck.Offset {
		return *p, true
	}
	return 0, false
}

// resumeRotated drains sib, the rotated copy the checkpoint points into,
// from the checkpoint's offset, then the rotated files newer than it, and
// returns the file at the path (waiting for it), to be read from 0, or,
// when it is the newer file whose position the checkpoint keeps apart
// (checkpoint.Position.Next), from there; so is a rotated copy of that
// file, or of a file between (checkpoint.Position.Between).
func (t *Tailer) resumeRotated(ctx context.Context, ck *checkpoint.Position, sib sibling, find func() (sibling, bool), live *logFile) (*logFile, error) {
	t.log.Info("tailer: checkpoint points into a rotated file; draining it first",
		"file", sib.name, "offset", ck.Offset)
	from, parts := ck.Offset, false
	if p, ok := partsFrom(ck); ok {
		// The lines before the offset were sent as parts of a line not
		// finished then (run --once), and the file was rotated since:
		// its last part may be in a newer file. They are read again from
		// the first part, as resumeIn reads them in a file that grew.
		t.log.Warn("tailer: the checkpoint follows the parts of a line sent before its last part was written (run --once), and the file was rotated since; reading them again from the first, so that the line is sent whole (the collector then has those parts twice)",
			"parts_offset", p, "checkpoint_offset", ck.Offset)
		from, parts = p, true
	} else {
		from = t.copyResumeOffset(sib, from)
	}
	t.keepLaterOf(ck)
	var err error
	if id, _ := PositionFile(ck); parts || !t.stillWritten(sib, id) {
		sib, err = t.recoverCopy(ctx, sib, find, from)
	} else {
		err = t.followRenamed(ctx, sib, from)
	}
	if err == nil {
		err = t.drainNewer(ctx, sib, find, live, laterFrom(ck), ck.Updated)
	}
	t.rd.keepLater = false
	if err != nil {
		if live != nil {
			live.close()
		}
		return nil, err
	}
	if live == nil {
		if live, err = t.openLive(ctx, nil); err != nil {
			return nil, err
		}
	}
	if !t.resumeNext(live, ck) {
		live.off = 0
	}
	t.resumedAfterDrain(live)
	return live, nil
}

// stillWritten reports whether the rotated copy sib may still be written
// to: it is the checkpoint's file id itself (its device and inode:
// renamed, not copied), plain, and was last written less than RotateWait
// ago (a writer that keeps the file open after a rename rotation, as it
// did while the tailer was stopped). A copy (copytruncate's, another
// inode) is written once, by logrotate: following it for late writes
// would only keep the checkpoint in it for RotateWait, so that a crash
// then sends again all read since the restart.
func (t *Tailer) stillWritten(sib sibling, id FileID) bool {
	return id.SameAs(sib.fi) && t.recentlyWritten(sib)
}

// recentlyWritten reports whether sib is plain and was last written less
// than RotateWait ago.
func (t *Tailer) recentlyWritten(sib sibling) bool {
	return !sib.gz && time.Since(sib.fi.ModTime()) < t.cfg.RotateWait
}

// followRenamed reads sib, a rotated copy still written to (stillWritten),
// from offset from as a file renamed away while followed (see rotated): to
// its end until it has not grown for a fraction of a second, then among
// the files drained for late writes (Tailer.rot.draining), which the
// follow loop reads before each read of the newer files until it has not
// grown for RotateWait, and then delivers its incomplete last line. So a
// restart, like a run that saw the rotation, loses none of what a writer
// appends to the file after the restart read it. A copy that cannot be
// opened is read as recoverCopy reads it (which says why).
func (t *Tailer) followRenamed(ctx context.Context, sib sibling, from int64) error {
	f, sib, err := sib.open() // sib under its name now, if renamed since listed
	if err == nil && sib.gz {
		f.Close() // compressed since it was listed: no writer holds it
		_, err := t.drainCopy(ctx, sib, from)
		return err
	}
	if err != nil {
		_, err := t.recoverCopy(ctx, sib, func() (sibling, bool) { return sibling{}, false }, from)
		return err
	}
	src := &logFile{name: sib.name, f: f, off: from}
	src.id.Dev, src.id.Ino = devIno(sib.fi)
	if h, err := copyHead(f, false, FingerprintMax); err == nil {
		src.setHead(h)
	}
	t.log.Info("tailer: the rotated file was written to less than "+t.cfg.RotateWait.String()+" ago, so a writer may still hold it open; reading its late writes too, as after a rotation seen while running",
		"file", sib.name, "written", sib.fi.ModTime())
	t.noteRenamed(src, false)
	t.copyRead(sib.fi.ModTime(), src)
	now := time.Now()
	r := &renamed{src: src, since: now, grew: now, size: -1}
	quiet := min(switchQuiet, t.cfg.RotateWait)
	for {
		done, err := t.readRenamed(ctx, r)
		if err != nil {
			src.close()
			return err
		}
		if now := time.Now(); done || now.Sub(r.grew) >= quiet || now.Sub(r.since) >= switchMax*quiet {
			break
		}
		if err := sleep(ctx, min(t.cfg.PollInterval, drainPoll)); err != nil {
			src.close()
			return err
		}
	}
	t.rot.draining = append(t.rot.draining, r)
	return nil
}

// resumedAfterDrain records live, the file at the path positioned after
// the rotated copies were drained at start, as where reading is (Stats'
// ReadFile and ReadOffset), and has the checkpoint move there once the
// lines drained are committed (moveAnchor): the copies are done, and a
// run --once that finds nothing more in live is at its end. When nothing
// was drained, the checkpoint stays as it was, and so does Stats (no file
// read in this run), by which run --once takes the saved checkpoint for
// where reading is.
func (t *Tailer) resumedAfterDrain(live *logFile) {
	if t.rd.seq == 0 {
		return
	}
	t.mu.Lock()
	t.readID, t.readOff = live.id, live.off
	t.mu.Unlock()
	t.moveAnchor(live)
}

// keepLaterOf has the commits of the rotated copies drained from ck keep
// the positions ck keeps for the newer files (checkpoint.Position.Next
// and Between), as the commits of a file renamed away and drained while
// running keep them: a stop before the file at the path is read further
// then saves them, and the next start resumes that file from its own
// position instead of reading it again from 0.
func (t *Tailer) keepLaterOf(ck *checkpoint.Position) {
	var l laterFiles
	for _, k := range laterPositionsOf(ck) {
		l.set(position{k.id, k.pos.File, k.pos.Offset})
	}
	t.mu.Lock()
	t.ckp.com.later = l
	t.mu.Unlock()
	t.rd.keepLater = true
}

// rekeyLater makes the position kept for the file kept (see keepLaterOf)
// the position of s, the copy of that file on another inode (logrotate's
// compress, the kubelet's; copytruncate's copy of the file at the path,
// which holds other lines now), which is read from it: the
// commits of s's lines then move it, and a restart reads s from where
// they got to. Else the position stayed that of the file's inode, gone,
// which a later restart found again in s by its first bytes, and read s
// from the stale offset: lines sent again, and a container log's partial
// line at s's end joined to a line of another file (fresh-user trial 274).
func (t *Tailer) rekeyLater(kept FileID, s sibling) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := &t.ckp.com
	for _, l := range []*laterFiles{&c.later, &c.fullLater} {
		if p := l.find(kept); p != nil {
			p.id.Dev, p.id.Ino = devIno(s.fi)
			p.name = s.name
		}
	}
}

// hasInode reports whether one of sibs is the file id, by device and
// inode.
func hasInode(sibs []sibling, id FileID) bool {
	for _, s := range sibs {
		if id.SameAs(s.fi) {
			return true
		}
	}
	return false
}

func (t *Tailer) applyStartAt(s *logFile) {
	s.off = 0
	if t.cfg.StartAt == StartEnd {
		if size, err := fileSize(s.f); err == nil {
			s.off = size
			if !t.cfg.Complete { // else a last line without a newline is complete too
				var found bool
				s.off, found = t.lineStart(s.f, size)
				s.cutRest = !found
			}
		}
	}
}

// warnStartEndLate warns, for StartAt end applied to live, a file the
// tailer could not open at first (permission denied: unreadableSince)
// and that was written to since, that the lines written meanwhile are
// skipped with the rest, as end is where the file ends when it can be
// read, not when the tailer began: which bytes were written since is not
// known (fresh-user trial 284: 10 access lines skipped without a word).
func (t *Tailer) warnStartEndLate(live *logFile) {
	since := t.rd.unreadableSince
	if t.cfg.StartAt != StartEnd || since.IsZero() {
		return
	}
	fi, err := live.f.Stat()
	if err != nil || !fi.ModTime().After(since) {
		return
	}
	t.log.Warn("tailer: start_at: end applied only now that the file can be read; it was written to while it could not be read, and those lines are skipped with the ones before (which bytes is not known): send them once with gitlab-syslog send if they matter, or give the agent read access before it starts",
		"unreadable_since", since.UTC().Format(time.RFC3339), "last_written", fi.ModTime().UTC().Format(time.RFC3339), "skipped_bytes", live.off)
}

// headMatches reports whether the first id.FingerprintLen bytes of s hash to
// id.Fingerprint.
func headMatches(s *logFile, id FileID) bool {
	return id.FingerprintLen == 0 || id.fingerprinted(s.head)
}

// skipped records src.off as read and committed, after bytes that needed
// no delivery, so that Stats and the next checkpoint are past them.
func (t *Tailer) skipped(src *logFile) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.readID, t.readOff = src.id, src.off
	c := &t.ckp.com
	c.id, c.name, c.off = src.id, src.name, src.off
	c.valid, c.dirty = true, true
}

// afterLostCheckpoint handles the rotated copies of the path last written
// after ck was saved (savedSince), when ck's file is none of them
// (logrotate's rotate count removed it while the tailer was stopped): they
// hold lines written after the checkpoint, never read. With StartAt
// beginning they are read, oldest first, each from the position ck keeps
// for it if any (laterFrom), before the file at the path (live, skipped
// among them);
// with StartAt end they are named in a warning and counted in
// Stats.UnplacedRotated, as rotated copies the tailer could not place.
func (t *Tailer) afterLostCheckpoint(ctx context.Context, ck *checkpoint.Position, live *logFile) error {
	if ck.Updated.IsZero() {
		return nil
	}
	if t.cfg.StartAt == StartBeginning {
		return t.drainSince(ctx, ck, savedSince(ck), live)
	}
	sibs, err := rotatedSiblings(t.naming())
	if err != nil {
		return nil
	}
	var names []string
	for _, s := range sibs {
		d, ino := devIno(s.fi)
		if s.fi.ModTime().After(savedSince(ck)) && (live == nil || live.id.Dev != d || live.id.Ino != ino) {
			names = append(names, s.name)
		}
	}
	if len(names) > 0 {
		t.c.unplaced.Add(uint64(len(names)))
		t.log.Warn("tailer: rotated copies written after the checkpoint was saved may hold lines never read and are not read (start_at: end); "+
			"if lines are missing downstream, send these files by hand (zcat a .gz)", "files", names)
	}
	return nil
}

// afterLostWaited is start after ck's file was found neither at the path
// nor among its rotated copies, when the path's wait record says that it
// had no file since (the checkpoint's file was renamed away or deleted
// while followed): the copies last written since ck was saved or the wait
// began (.gz ones too: logrotate, the kubelet and Docker remove copies
// oldest first, so with ck's file gone those left are newer) are read,
// oldest first, each from the position ck keeps for it if any, then the
// file at the path, new, from 0, or, when there is none, the file that
// appears there (startNew).
func (t *Tailer) afterLostWaited(ctx context.Context, ck *checkpoint.Position, live *logFile) (*logFile, error) {
	since := savedSince(ck)
	if w := t.ckp.wait.since.Add(-waitSlack); w.Before(since) {
		since = w
	}
	t.log.Info("tailer: the path had no file when the agent last waited for it; its rotated copies made since, then the file there, are read as new",
		"waiting_since", t.ckp.wait.since.UTC().Format(time.RFC3339))
	if err := t.drainSince(ctx, ck, since, live); err != nil {
		if live != nil {
			live.close()
		}
		return nil, err
	}
	if live == nil {
		// The copies are read: a file that appears now is read from 0
		// after the copies made from now on only (readAppeared).
		t.cfg.NewSince = time.Now()
		return t.startNew(ctx, nil)
	}
	live.off = 0
	t.firstCheckpoint(live)
	return live, nil
}

// drainSince reads, oldest first, the rotated copies last written after
// since or for which ck keeps a position (laterFrom: a file read after
// ck's own, whose rest may be older than since), each from that position,
// else from 0, but for those of live (drainListed).
func (t *Tailer) drainSince(ctx context.Context, ck *checkpoint.Position, since time.Time, live *logFile) error {
	sibs, err := rotatedSiblings(t.naming())
	if err != nil {
		return nil
	}
	from := laterFrom(ck)
	id, _ := PositionFile(ck)
	return t.drainListed(ctx, filter(sibs, func(s sibling) bool {
		return (s.fi.ModTime().After(since) || from.offset(s) > 0) && !shorterCopy(s, id, ck)
	}), live, from)
}

// shorterCopies returns the names of the rotated copies that begin as
// the checkpoint's file id (its fingerprint: the same first bytes) and
// end before ck's offset: logrotate's copytruncate copy of that file made
// before its last lines were read and checkpointed. Everything such a
// copy holds was read.
func shorterCopies(r copyNaming, id FileID, ck *checkpoint.Position) []string {
	if id.FingerprintLen == 0 {
		return nil
	}
	sibs, err := rotatedSiblings(r)
	if err != nil {
		return nil
	}
	var names []string
	for _, s := range sibs {
		if shorterCopy(s, id, ck) {
			names = append(names, s.name)
		}
	}
	return names
}

// shorterCopy reports whether s is one of shorterCopies.
func shorterCopy(s sibling, id FileID, ck *checkpoint.Position) bool {
	if id.FingerprintLen == 0 {
		return false
	}
	ok, _ := s.hasID(id)
	return ok && s.endsBefore(ck.Offset)
}

// endsBefore reports whether s holds fewer than off bytes (decompressed,
// for a .gz; false when it cannot be read).
func (s sibling) endsBefore(off int64) bool {
	if !s.gz {
		return s.fi.Size() < off
	}
	opened, hdrErr, err := discardGzip(s.name, off)
	return opened && hdrErr == nil && err == io.EOF
}

// savedSince returns when a rotated copy last written since ck was saved
// may say it was: ck's time less waitSlack, as the kernel stamps files
// from a coarse clock (a copy written just after the save can carry a
// time just before it). A copy written in that margin before the save is
// read again (duplicates, not a skip), but for one whose position ck
// keeps (laterFrom).
func savedSince(ck *checkpoint.Position) time.Time { return ck.Updated.Add(-waitSlack) }

// Resumable reports whether the file at path is the one ck points into,
// unchanged up to ck's offset: the same device and inode, the same first
// bytes (its fingerprint) and the same bytes just before the offset, so
// that a Tailer given ck resumes in it at the offset. It is false for a
// file truncated or rewritten in place while nothing followed it (a
// copytruncate rotation, a new file that reused the inode), for another
// file (a rename rotation), for a position it cannot read, and when the
// file cannot be opened.
func Resumable(path string, ck *checkpoint.Position) bool {
	id, err := PositionFile(ck)
	if err != nil {
		return false
	}
	live, _, err := openLogFile(path)
	if err != nil {
		return false
	}
	defer live.close()
	if !live.id.SameFile(id) || !headMatches(live, id) {
		return false
	}
	size, err := fileSize(live.f)
	return err == nil && ck.Offset <= size && preMatches(ck, live.f)
}

// TruncatedSince reports whether the file at path is the one ck points
// into by device and inode (not by its first bytes, which a truncation
// and new writes change) and holds fewer bytes than ck's offset: it was
// truncated since ck was saved. size is its size then, in bytes. It is
// false for a file that cannot be opened, on a system without inodes, and
// for a position it cannot read.
func TruncatedSince(path string, ck *checkpoint.Position) (size int64, ok bool) {
	id, err := PositionFile(ck)
	if err != nil || id.Dev|id.Ino == 0 {
		return 0, false
	}
	live, _, err := openLogFile(path)
	if err != nil {
		return 0, false
	}
	defer live.close()
	size, err = fileSize(live.f)
	return size, err == nil && live.id.SameFile(id) && size < ck.Offset
}

// RotatedCopy returns the name of the rotated copy of the file c follows
// (c.Path.1, c.Path.1.gz, c.Path-20240101, ...; see the package doc) whose first
// id.FingerprintLen bytes, decompressed for a .gz, hash to id.Fingerprint:
// the copy a copytruncate rotation made of the file id identifies, found
// as a restart finds the file a checkpoint points into (the plain copy
// with id's device and inode preferred, else the newest), in its
// directory or in c.OldDir, named as c.Extension says; of c only these
// and Path are read. ok is false when none matches or id has no
// fingerprint (FingerprintLen 0).
func RotatedCopy(c Config, id FileID) (name string, ok bool) {
	if id.FingerprintLen <= 0 || id.FingerprintLen > FingerprintMax {
		return "", false
	}
	s, ok := findByFingerprint(c.naming(), id)
	return s.name, ok
}
