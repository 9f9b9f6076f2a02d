package tailer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// preWindow is how many bytes before the offset PreHash covers.
const preWindow = 32

// preHash reads the preWindow bytes before off in the plain file name, if
// it is still the file id names (its device and inode, and its first
// bytes when id has a fingerprint), and returns their length and hash;
// 0 and "" otherwise. The first bytes tell a file from a newer one on its
// inode: logrotate's copytruncate can make its copy on the inode of an
// earlier copy, compressed and deleted since, and give it the same name.
func preHash(name string, id FileID, off int64) (int, string) {
	n := int(min(off, preWindow))
	if n == 0 || name == "" {
		return 0, ""
	}
	f, err := os.Open(name)
	if err != nil {
		return 0, ""
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return 0, ""
	}
	if d, i := devIno(fi); d != id.Dev || i != id.Ino {
		return 0, ""
	}
	if id.FingerprintLen > 0 {
		head := make([]byte, id.FingerprintLen)
		if m, _ := f.ReadAt(head, 0); !id.fingerprinted(head[:m]) {
			return 0, ""
		}
	}
	buf := make([]byte, n)
	if m, err := f.ReadAt(buf, off-int64(n)); m != n || (err != nil && err != io.EOF) {
		return 0, ""
	}
	return n, preSum(buf)
}

// preSum returns the hex SHA-256 of b, bytes before an offset, as
// checkpoint.Position.PreHash holds it.
func preSum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// preMatches reports whether f holds, just before c.Offset, the bytes the
// checkpoint hashed (true when it hashed none).
func preMatches(c *checkpoint.Position, f *os.File) bool {
	if c.PreLen <= 0 {
		return true
	}
	if int64(c.PreLen) > c.Offset || c.PreLen > preWindow {
		return false
	}
	buf := make([]byte, c.PreLen)
	if m, err := f.ReadAt(buf, c.Offset-int64(c.PreLen)); m != c.PreLen || (err != nil && err != io.EOF) {
		return false
	}
	return preSum(buf) == c.PreHash
}

// PositionFile returns the file the record c points into, its device,
// inode and fingerprint, and an error when c's fingerprint is not 64 hex
// digits, its fp_len is out of range or its offset negative (the id is
// then as far as it was read).
func PositionFile(c *checkpoint.Position) (FileID, error) {
	id := FileID{Dev: c.Dev, Ino: c.Ino, FingerprintLen: c.FpLen}
	b, err := hex.DecodeString(c.Fingerprint)
	if err != nil || len(b) != sha256.Size {
		return id, fmt.Errorf("bad fingerprint %q", c.Fingerprint)
	}
	copy(id.Fingerprint[:], b)
	if c.FpLen < 0 || c.FpLen > FingerprintMax {
		return id, fmt.Errorf("bad fp_len %d (want 0 to %d)", c.FpLen, FingerprintMax)
	}
	if c.Offset < 0 {
		return id, fmt.Errorf("bad offset %d (negative)", c.Offset)
	}
	return id, nil
}

// CheckPosition returns why the tailer cannot use the record p, read from
// a state directory (checkpoint.ReadPosition): an impossible fingerprint,
// fp_len or offset. A tailer that finds such a record ignores it and
// starts its file from Config.StartAt. nil when p is usable.
func CheckPosition(p *checkpoint.Position) error {
	_, err := PositionFile(p)
	return err
}

// loadPosition reads the position saved for path in store. None saved
// returns (nil, nil); a record that cannot be used is an error saying it
// will be ignored.
func loadPosition(store *checkpoint.Store, path string) (*checkpoint.Position, error) {
	p, err := store.LoadPosition(path)
	if err != nil {
		return nil, fmt.Errorf("tailer: %w; it will be ignored", err)
	}
	if p == nil {
		return nil, nil
	}
	if _, err := PositionFile(p); err != nil {
		return nil, fmt.Errorf("tailer: checkpoint %s: %v; it will be ignored", store.File(checkpoint.PositionKey(path)), err)
	}
	return p, nil
}

// filePosition returns p as saved, with the hash of the bytes before the
// offset when the file is plain, as pre gives it (nil: read at the file's
// name; see Tailer.preOf).
func filePosition(p position, pre func(position) (int, string)) checkpoint.FilePosition {
	preLen, preSum := 0, ""
	if !strings.HasSuffix(p.name, ".gz") {
		if pre == nil {
			pre = func(p position) (int, string) { return preHash(p.name, p.id, p.off) }
		}
		preLen, preSum = pre(p)
	}
	return checkpoint.FilePosition{
		File:        p.name,
		Dev:         p.id.Dev,
		Ino:         p.id.Ino,
		Fingerprint: hex.EncodeToString(p.id.Fingerprint[:]),
		FpLen:       p.id.FingerprintLen,
		Offset:      p.off,
		PreLen:      preLen,
		PreHash:     preSum,
	}
}

// nextPosition returns the position of the newer file that ck keeps
// apart (checkpoint.Position.Next) as a record of its own, and its
// identity; ok is false when ck has none or it holds an impossible value.
func nextPosition(ck *checkpoint.Position) (next *checkpoint.Position, id FileID, ok bool) {
	n := ck.Next
	if n == nil {
		return nil, FileID{}, false
	}
	next = &checkpoint.Position{Version: ck.Version, Path: ck.Path, File: n.File, Dev: n.Dev, Ino: n.Ino,
		Fingerprint: n.Fingerprint, FpLen: n.FpLen, Offset: n.Offset, PreLen: n.PreLen, PreHash: n.PreHash}
	id, err := PositionFile(next)
	return next, id, err == nil
}

// laterPositions returns the positions kept for the files read after the
// checkpoint's file anchor (see laterFiles), as saved (filePosition, with
// pre): the newest one,
// nil when none, and those between, oldest first.
func laterPositions(l laterFiles, anchor FileID, pre func(position) (int, string)) (next *checkpoint.FilePosition, between []checkpoint.FilePosition) {
	var kept []checkpoint.FilePosition
	for _, p := range l.files {
		if p.id != anchor {
			kept = append(kept, filePosition(p, pre))
		}
	}
	switch len(kept) {
	case 0:
		return nil, nil
	case 1:
		return &kept[0], nil
	}
	return &kept[len(kept)-1], kept[: len(kept)-1 : len(kept)-1]
}

// keptPosition is a position a checkpoint keeps for a file read after its
// own (checkpoint.Position.Next and Between), and the file's identity.
type keptPosition struct {
	pos *checkpoint.Position
	id  FileID
}

// laterPositionsOf returns the positions ck keeps for the files read
// after its own, oldest first, leaving out those that hold an impossible
// value.
func laterPositionsOf(ck *checkpoint.Position) []keptPosition {
	var out []keptPosition
	add := func(n checkpoint.FilePosition) {
		p := &checkpoint.Position{Version: ck.Version, Path: ck.Path, File: n.File, Dev: n.Dev, Ino: n.Ino,
			Fingerprint: n.Fingerprint, FpLen: n.FpLen, Offset: n.Offset, PreLen: n.PreLen, PreHash: n.PreHash}
		if id, err := PositionFile(p); err == nil {
			out = append(out, keptPosition{p, id})
		}
	}
	if ck.Next == nil {
		return nil // Between is kept only with Next
	}
	for _, n := range ck.Between {
		add(n)
	}
	add(*ck.Next)
	return out
}

// saveCheckpoint writes the checkpoint if a commit changed it.
func (t *Tailer) saveCheckpoint() error {
	t.ckp.saveMu.Lock()
	defer t.ckp.saveMu.Unlock()
	t.mu.Lock()
	c := t.ckp.com
	c.later = c.later.clone() // changed in place by commits
	t.ckp.com.dirty = false
	tails := slices.Clone(t.ckp.tails)
	t.mu.Unlock()
	if !c.dirty || !c.valid {
		return nil
	}
	pre := t.preOf(tails)
	at := filePosition(position{c.id, c.name, c.off}, pre)
	p := checkpoint.Position{
		Path:        t.cfg.Path,
		File:        at.File,
		Dev:         at.Dev,
		Ino:         at.Ino,
		Fingerprint: at.Fingerprint,
		FpLen:       at.FpLen,
		Offset:      at.Offset,
		PreLen:      at.PreLen,
		PreHash:     at.PreHash,
		Updated:     time.Now().UTC(),
	}
	p.Next, p.Between = laterPositions(c.later, c.id, pre)
	if c.sent && c.parts.id.SameFile(c.id) && c.parts.off < c.off && p.Next == nil {
		p.PartsFrom = &c.parts.off
	}
	err := t.ckp.store.SavePosition(p)
	if err != nil {
		err = fmt.Errorf("tailer: %w", err)
	}
	t.mu.Lock()
	t.ckp.ckErr = err
	if err != nil {
		t.ckp.com.dirty = true
	}
	t.mu.Unlock()
	t.logSave(err)
	if err != nil {
		t.c.ckErrors.Add(1)
		return err
	}
	t.c.ckWrites.Add(1)
	t.dropWait(c.id)
	return nil
}

// preOf returns the function that gives a position's PreLen and PreHash
// at a save: read at the file's name (preHash); else from tails, the
// bytes committed batches held (a file deleted while still drained); else
// read at the name of the plain rotated copy that is the file, by device
// and inode (renamed away by a rotation: the copies are listed once, at
// the first such position); else none.
func (t *Tailer) preOf(tails preTails) func(position) (int, string) {
	var sibs []sibling
	listed := false
	return func(p position) (int, string) {
		if n, sum := preHash(p.name, p.id, p.off); n > 0 || p.off == 0 {
			return n, sum
		}
		if n, sum := tails.hash(p.id, p.off); n > 0 {
			return n, sum
		}
		if !listed {
			sibs, _ = rotatedSiblings(t.naming())
			listed = true
		}
		for _, s := range sibs {
			if d, i := devIno(s.fi); !s.gz && d == p.id.Dev && i == p.id.Ino && (d|i) != 0 {
				return preHash(s.name, p.id, p.off)
			}
		}
		return 0, ""
	}
}

// logSave logs a failed checkpoint write when the failures begin or
// their cause (ckCause) changes, with what to do, and the first success
// after them; saveMu is held. Every failure is counted
// (Stats.CheckpointErrors) and retried at each checkpoint interval.
func (t *Tailer) logSave(err error) {
	switch {
	case err != nil:
		cause := ckCause(err)
		if cause == t.ckp.failing {
			return
		}
		t.ckp.failing = cause
		t.log.Error("tailer: checkpoint not saved; retried at every checkpoint interval and logged again once saved or if the cause changes; until then a restart sends again the lines delivered since the last checkpoint saved",
			"err", err, "hint", CheckpointHint(err))
	case t.ckp.failing != "":
		t.ckp.failing = ""
		t.log.Info("tailer: checkpoint saved again")
	}
}

// ckCause returns what tells one cause of failed checkpoint writes from
// another: the system error number when there is one (the file names of
// the error may change from write to write), else the error's text.
func ckCause(err error) string {
	var en syscall.Errno
	if errors.As(err, &en) {
		return en.Error()
	}
	return err.Error()
}

// CheckpointHint returns what to do, in words for a log line, about err,
// the error of a failed checkpoint write (Tailer.CheckpointError): fix
// permissions, free space, remount, remove a directory in the record's
// place, or, for another cause, make state_dir a writable directory.
func CheckpointHint(err error) string {
	switch {
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return "make state_dir and its files writable by the agent's user (chown, chmod)"
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return "free space (or quota) on state_dir's file system"
	case errors.Is(err, syscall.EROFS):
		return "state_dir's file system is read-only: remount it read-write, or give state_dir a writable place"
	case errors.Is(err, checkpoint.ErrDirInPlace):
		return "remove the directory err names (rm -r); the next save writes the checkpoint there"
	}
	return "make state_dir a writable directory (the error names the file)"
}
