package agent

import (
	"bufio"
	"compress/gzip"
	"container/heap"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// positionsName is the Store name of the agent's per-source positions,
// saved with the engine's state.
const positionsName = "_positions"

// PositionsFile is the name of the file, in the engine's state directory
// (state_dir/detect, detect.OpenStore), that holds the agent's
// per-source positions. Only the agent writes it, at its first save of
// the detection state (periodic, or at shutdown), whether or not it has
// read a file: detect --state-dir tells an agent's state by it.
const PositionsFile = positionsName + ".json"

// positionsVersion is the schema of the positions file.
const positionsVersion = 1

// position is how far the engine has considered a source's file: every
// line up to Offset (the end of a line) of the file FileID (fileKey) was
// parsed and, when a rule wanted it, folded. FileID is empty when the
// saved state folded no line of the source (its file did not exist when
// the agent started). Then lists, in the order the tailer began them, the
// files (fileKey) the running agent began reading after that one, since
// the save: their lines, from their start, are not in the saved state
// (a file created, or rotated in, after the save). Cuts lists, in order,
// the truncations in place (copytruncate) the running agent saw since the
// save of FileID or of a file of Then, or told by a copy of a file of
// Then that it read before the file (detector.reorder). Both are written as each file
// begins or is cut, before any of its lines can be checkpointed, so that a
// crash before the next save catches them up (catchUpRanges). Heads has,
// for FileID and the files of Then (fileKey), the first bytes the tailer
// knew of each: a file compressed since (logrotate's compress makes
// name.2.gz, another inode, of name.2) is found by them (compressedCopies).
type position struct {
	FileID string          `json:"file_id"`
	Offset int64           `json:"offset"`
	Then   []string        `json:"then,omitempty"`
	Cuts   []cut           `json:"cuts,omitempty"`
	Heads  map[string]head `json:"heads,omitempty"`
	// Newest is the newest time of the source's lines the engine was
	// given before Offset (zero: not known), by which the catch-up judges
	// a line dated ahead at Offset, as the sender would have (judgeRead).
	Newest time.Time `json:"newest,omitzero"`
}

// head is the SHA-256 (hex) of a file's first FpLen bytes (tailer.FileID).
type head struct {
	Fingerprint string `json:"fingerprint"`
	FpLen       int    `json:"fp_len"`
}

// headOf returns the first bytes id records; FpLen 0 when none.
func headOf(id tailer.FileID) head {
	if id.FingerprintLen == 0 {
		return head{}
	}
	return head{Fingerprint: hex.EncodeToString(id.Fingerprint[:]), FpLen: id.FingerprintLen}
}

// withHead returns heads (not modified) with h for key added, when h
// records first bytes.
func withHead(heads map[string]head, key string, h head) map[string]head {
	if h.FpLen == 0 || heads[key] == h {
		return heads
	}
	out := make(map[string]head, len(heads)+1)
	maps.Copy(out, heads)
	out[key] = h
	return out
}

// cut records that the file File (fileKey) was truncated in place while
// the agent read it (copytruncate): its lines before the truncation are
// in a rotated copy whose first FpLen bytes hash to Fingerprint (SHA-256,
// hex), as the tailer knew the file's head when it read its last line
// before the truncation (tailer.FileID), and its lines after it start
// again at offset 0.
type cut struct {
	File        string `json:"file_id"`
	Fingerprint string `json:"fingerprint"`
	FpLen       int    `json:"fp_len"`
}

// srcPos is the position of one source, written by its sender.
type srcPos struct {
	name string // the source's name in the engine (Event.Source)
	mu   sync.Mutex
	pos  position
	head head // the first bytes of the saved pos.FileID, until a batch of it is read: then seen's (get)
	// headless is the file of the saved position when the positions
	// saved hold no first bytes for it (checkpointed empty, or saved by
	// an older version): set records them from its first line read.
	headless string
	// seen is, for the files read since the start (fileKey; a few at
	// most), how far and with which head: a batch starting below that
	// is the file read again after a truncation.
	seen map[string]seenFile
	// fromStart lists, in order, the files the running agent began
	// (mark.began) with a first batch at offset 0: read whole by the
	// tailer, in file order (at most maxSeen; see detector.began).
	fromStart []string
	// heldFrom is where the line the sender holds begins (heldLine), in
	// pos's file, while holding. get returns it as the position: the
	// engine has not folded that line, so a restart or a reload reads it
	// again.
	heldFrom int64
	heldKey  string // the fileKey of the held line's file
	holding  bool

	// The sender's, under detector.mu (see judgeRead): the newest time
	// of the lines it gave the engine (hasNewest; written under mu too,
	// for get), and the line it holds.
	newest    time.Time
	newestSec int64
	hasNewest bool
	held      *heldLine
}

// setNewest records t as the newest time of the lines the sender gave
// the engine. d.mu is held.
func (p *srcPos) setNewest(t time.Time) {
	p.mu.Lock()
	p.newest, p.newestSec, p.hasNewest = t, t.Unix(), true
	p.mu.Unlock()
}

// holdFrom records the line h as the one the sender holds, or with h nil
// that it holds none.
func (p *srcPos) holdFrom(h *heldLine) {
	p.mu.Lock()
	p.holding = h != nil
	if h != nil {
		p.heldFrom, p.heldKey = h.from, h.key
	}
	p.mu.Unlock()
}

// seenFile is where the last line read of a file ended, and the file's
// identity (with its head's fingerprint) then.
type seenFile struct {
	off int64
	id  tailer.FileID
}

// maxSeen bounds srcPos.seen: past it, only the current file is kept (a
// truncation of an older file is then not told from a late write).
const maxSeen = 16

// mark is what srcPos.set found out about a batch: the file it began
// (fileKey; empty: none), or the truncation it shows (nil: none).
type mark struct {
	began string
	head  head // began's or learned's first bytes
	cut   *cut
	// learned is the file of the saved position (srcPos.headless) when
	// its first bytes are read at last.
	learned string
}

// set records the position of the last line of tb. It returns, in m,
// the fileKey of tb's file when that is another file than the last
// batch's (a file begun: created, or rotated in, even with the device and
// inode of a file read before and deleted since, or an older file read
// again for late writes once no longer in seen), or the truncation tb
// shows: tb starts below the end of the last line read from its file,
// that file being the one read last (the file read again from 0 after a
// copytruncate), or tb is the first batch of another file and starts
// inside it while the current file was read this run, its first bytes
// not known to differ from the current file's (otherHead: the rotated
// copy of the current file, drained from where it was read to after its
// truncation: the tailer reads a file it begins from 0).
func (p *srcPos) set(tb *tailer.Batch) (m mark) {
	if tb.Len() == 0 {
		return mark{}
	}
	id := fileKey(tb.File)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen == nil || len(p.seen) >= maxSeen {
		cur, ok := p.seen[p.pos.FileID]
		p.seen = map[string]seenFile{}
		if ok {
			p.seen[p.pos.FileID] = cur
		}
	}
	cur, curSeen := p.seen[p.pos.FileID]
	s, ok := p.seen[id]
	if ok && tb.Start < s.off && id != p.pos.FileID {
		// Not the file read last, and below where its key was read to:
		// a new file that took the inode number of one read before and
		// deleted since (a rename rotation deleting its oldest copy, as
		// logrotate's rotate N and the kubelet do), not a truncation,
		// which the tailer sees while it reads the file. Begun, as any.
		delete(p.seen, id)
		p.fromStart = slices.DeleteFunc(p.fromStart, func(f string) bool { return f == id })
		ok = false
	}
	switch {
	case ok && tb.Start < s.off:
		m.cut = cutOf(id, s.id)
	case !ok && id != p.pos.FileID && tb.Start > 0 && curSeen && !otherHead(tb.File, cur.id):
		m.cut = cutOf(p.pos.FileID, cur.id)
		cur.off = 0 // its lines from 0, next, are not another truncation
		p.seen[p.pos.FileID] = cur
	case id != p.pos.FileID:
		m.began, m.head = id, headOf(tb.File)
		if tb.Start == 0 && len(p.fromStart) < maxSeen && !slices.Contains(p.fromStart, id) {
			p.fromStart = append(p.fromStart, id)
		}
	case id == p.headless && tb.File.FingerprintLen > 0:
		m.learned, m.head = id, headOf(tb.File)
		p.headless = ""
	}
	end := tb.Offsets[tb.Len()-1]
	p.seen[id] = seenFile{off: end, id: tb.File}
	p.pos = position{FileID: id, Offset: end}
	return m
}

// otherHead reports whether the files a and b have first bytes that can
// be compared (fingerprints of as many bytes) and differ: then neither is
// a copy of the other's content, such as the lines of an older file
// (renamed, read for late writes, and no longer in srcPos.seen) read
// after the current one, which are no copy of it.
func otherHead(a, b tailer.FileID) bool {
	return a.FingerprintLen > 0 && a.FingerprintLen == b.FingerprintLen && a.Fingerprint != b.Fingerprint
}

// cutOf returns the truncation of the file key whose head, before it,
// is the one id names.
func cutOf(key string, id tailer.FileID) *cut {
	return &cut{File: key, Fingerprint: hex.EncodeToString(id.Fingerprint[:]), FpLen: id.FingerprintLen}
}

// begunBefore returns the files the running agent began from their start
// before id (srcPos.fromStart), when it began id from its start too; ok
// is false otherwise.
func (p *srcPos) begunBefore(id string) (before []string, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := slices.Index(p.fromStart, id)
	if i < 0 {
		return nil, false
	}
	return slices.Clone(p.fromStart[:i]), true
}

// get returns the position of the last line read, or the start of the
// line the sender holds (heldFrom), with the first bytes of its file
// (position.Heads) and the newest time before it (position.Newest).
func (p *srcPos) get() position {
	p.mu.Lock()
	defer p.mu.Unlock()
	pos := p.pos
	if p.holding && p.heldKey == pos.FileID && p.heldFrom < pos.Offset {
		pos.Offset = p.heldFrom
	}
	if p.hasNewest {
		pos.Newest = p.newest
	}
	h := p.head
	if s, ok := p.seen[pos.FileID]; ok {
		h = headOf(s.id)
	}
	if h.FpLen > 0 && pos.FileID != "" {
		pos.Heads = map[string]head{pos.FileID: h}
	}
	return pos
}

// loadPositions reads the positions saved by the last run; none when the
// file is absent or unreadable (then nothing is caught up).
func (d *detector) loadPositions() {
	d.saved = map[string]position{}
	if d.store == nil {
		return
	}
	b, err := d.store.Load(positionsName, positionsVersion)
	if err != nil {
		if !errors.Is(err, detect.ErrNoState) {
			d.log.Warn("detection positions not restored; lines read before the last crash and after the last state save are not folded", "err", err)
		}
		return
	}
	if err := json.Unmarshal(b, &d.saved); err != nil {
		d.log.Warn("detection positions not restored", "err", err)
		d.saved = map[string]position{}
	}
}

// savePositions writes the positions of the last save, updated with those
// of the running sources when live (right after the engine's state was
// saved: they match it); d.mu is held.
func (d *detector) savePositions(live bool) error {
	if d.store == nil {
		return nil
	}
	out := make(map[string]position, len(d.saved)+len(d.pos))
	for k, v := range d.saved {
		out[k] = v
	}
	if live {
		for k, p := range d.pos {
			if v := p.get(); v.FileID != "" {
				out[k] = v
			}
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	if err := d.store.Save(positionsName, positionsVersion, b); err != nil {
		return err
	}
	d.saved = out
	return nil
}

// from returns where the engine's folds of source name end: the position
// of the running source when this engine followed it before (a reload),
// else the position saved by the last run.
func (d *detector) from(name string) (position, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p, ok := d.pos[name]; ok {
		return p.get(), true
	}
	pos, ok := d.saved[name]
	return pos, ok
}

// register returns the position tracker of source name, starting at the
// tailer's checkpoint ck (zero: none yet), and holds the engine's
// watermark for the source until its first event (detect.Engine.Hold).
// absent says that the source's file does not exist yet.
func (d *detector) register(name string, ck position, absent bool) *srcPos {
	d.e.Hold(name) // the watermark waits for its first event (MinWatermark)
	d.mu.Lock()
	defer d.mu.Unlock()
	p := &srcPos{name: name, pos: ck, head: ck.Heads[ck.FileID]}
	d.pos[name] = p
	defer func() {
		if s, ok := d.saved[name]; ok && s.FileID != "" && s.Heads[s.FileID].FpLen == 0 {
			p.headless = s.FileID
		}
	}()
	if _, ok := d.saved[name]; !ok && (ck.FileID != "" || absent) {
		// A source new to the detection state starts at its checkpoint
		// (or, when its file does not exist yet, before any file):
		// record that at once, so that a crash before the first save
		// catches up from there and not from the start of the file,
		// and the files begun meanwhile are recorded (began). The
		// other sources keep their saved positions: the engine's state
		// on disk is still the last save's, whatever was caught up
		// since.
		d.saved[name] = ck
		if err := d.savePositions(false); err != nil {
			d.log.Warn("detection positions not saved", "err", err)
		}
	}
	return p
}

// noted records what srcPos.set found out (see began and cutAt); d.mu
// is held.
func (d *detector) noted(name string, m mark) {
	switch {
	case m.began != "":
		d.began(name, m.began, m.head)
	case m.cut != nil:
		d.cutAt(name, *m.cut)
	case m.learned != "":
		d.learned(name, m.learned, m.head)
	}
}

// learned records h, the first bytes of the file id (fileKey) of the
// saved position of source name, which it did not hold
// (srcPos.headless), so that the catch-up after a crash finds the file
// once compressed (compressedCopies). d.mu is held.
func (d *detector) learned(name, id string, h head) {
	p, ok := d.saved[name]
	if !ok || p.FileID != id || h.FpLen == 0 {
		return
	}
	p.Heads = withHead(p.Heads, id, h)
	d.saved[name] = p
	if err := d.savePositions(false); err != nil {
		d.log.Warn("detection positions not saved", "file_id", id, "err", err)
	}
}

// began records that source name began reading the file id (fileKey)
// since the last save (srcPos.set): it is added to the saved position's
// Then, with its first bytes h (position.Heads), and the positions are written before any line of the file can
// be checkpointed, so that a crash before the next save catches its
// lines up; a file Then lists already (begun by a run before this one)
// may move after files this run began before it (reorder). A source the
// saved positions do not list (start_at: end before its first save) is
// left as it is. d.mu is held.
func (d *detector) began(name, id string, h head) {
	p, ok := d.saved[name]
	if !ok || p.FileID == id {
		return
	}
	if i := slices.Index(p.Then, id); i >= 0 {
		d.reorder(name, p, i)
		return
	}
	p.Then = append(slices.Clip(p.Then), id)
	p.Heads = withHead(p.Heads, id, h)
	d.saved[name] = p
	if err := d.savePositions(false); err != nil {
		d.log.Warn("detection positions not saved; lines of this file checkpointed before the next state save are not folded again after a crash", "file_id", id, "err", err)
	}
}

// reorder records, for the file id = p.Then[i] that the running agent
// began again from its start (a run before this one began it: the
// checkpoint did not pass it), the files of p.Then after it that this run
// began from their start before it (srcPos.begunBefore): the tailer read
// them before it, so their lines come first. Listed after it, they are a
// copy of its old content, made by a copytruncate that the run before
// did not record (it was killed before it read a line after the
// truncation, or the truncation came while the agent was stopped): the
// catch-up would fold the file's new lines, then its old ones, which the
// rules drop as too late. Each such copy whose first bytes are known
// (position.Heads) is recorded as a truncation of id (p.Cuts), after
// those recorded already: its content is the newest id had before its
// present one, so the catch-up folds id's older copies, then it, then id
// from its start (catchUpRanges), and, when the checkpoint is in an older
// copy, none of it. A copy without known first bytes is listed before id
// in p.Then. The positions are written at once, before the file's lines
// can be checkpointed. d.mu is held.
func (d *detector) reorder(name string, p position, i int) {
	id := p.Then[i]
	sp := d.pos[name]
	if sp == nil {
		return
	}
	before, ok := sp.begunBefore(id)
	if !ok {
		return
	}
	after := p.Then[i+1:]
	var cuts []cut
	var moved []string
	for _, f := range before {
		if !slices.Contains(after, f) {
			continue
		}
		h := p.Heads[f]
		if h.FpLen == 0 {
			moved = append(moved, f)
			continue
		}
		// Listed as a copy of id, not before it in p.Then: id's copies
		// recorded already hold older content, and come first.
		c := cut{File: id, Fingerprint: h.Fingerprint, FpLen: h.FpLen}
		if !slices.Contains(p.Cuts, c) && !slices.Contains(cuts, c) {
			cuts = append(cuts, c)
		}
	}
	if len(moved) == 0 && len(cuts) == 0 {
		return
	}
	if len(moved) > 0 {
		var rest []string
		for _, f := range after {
			if !slices.Contains(moved, f) {
				rest = append(rest, f)
			}
		}
		p.Then = slices.Concat(p.Then[:i], moved, []string{id}, rest)
	}
	p.Cuts = slices.Concat(p.Cuts, cuts)
	d.saved[name] = p
	if err := d.savePositions(false); err != nil {
		d.log.Warn("detection positions not saved; lines of this file checkpointed before the next state save may be folded out of order after a crash", "file_id", id, "err", err)
	}
}

// cutAt records that the file c.File of source name was truncated in
// place since the last save (srcPos.set): c is added to the saved
// position's Cuts, and the positions are written before any line the
// file got after the truncation can be checkpointed, so that a crash
// before the next save catches up the lines before the truncation from
// the rotated copy, then the file from 0. A file the saved position does
// not lead to is left as it is. d.mu is held.
func (d *detector) cutAt(name string, c cut) {
	p, ok := d.saved[name]
	if !ok || p.FileID != c.File && !slices.Contains(p.Then, c.File) {
		return
	}
	p.Cuts = append(slices.Clip(p.Cuts), c)
	d.saved[name] = p
	if err := d.savePositions(false); err != nil {
		d.log.Warn("detection positions not saved; lines of this truncated file read before the next state save are not folded again after a crash", "file_id", c.File, "err", err)
	}
}

// cutWhileStopped returns from with the truncations cs, made while the
// agent was stopped (source.truncatedWhileStopped), added to its Cuts,
// so that the catch-up reads the lines the checkpoint passed in those
// files from their rotated copies, and none of their new lines as old
// ones (catchUpRanges). It records them in the saved position of source
// name too (cutAt), at once: a crash before the next save catches up the
// copies, then the files from 0, whatever the checkpoint says by then.
func (d *detector) cutWhileStopped(name string, from position, cs []cut) position {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range cs {
		if !slices.Contains(from.Cuts, c) {
			from.Cuts = append(slices.Clip(from.Cuts), c)
		}
		if p, ok := d.saved[name]; ok && !slices.Contains(p.Cuts, c) {
			d.cutAt(name, c)
		}
	}
	return from
}

// rebase makes ck the saved position of source name: the saved state's
// position does not lead to the tailer's checkpoint (catchUpRanges found
// no range), so the state covers no line before the checkpoint, as when
// detections are newly on; a crash before the next save catches up from
// there. A source this engine follows already (a reload) keeps its
// position.
func (d *detector) rebase(name string, ck position) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, live := d.pos[name]; live {
		return
	}
	d.saved[name] = ck
	if err := d.savePositions(false); err != nil {
		d.log.Warn("detection positions not saved", "err", err)
	}
}

// replaced records that the file of source name whose key is file was
// replaced in place while the agent was stopped (replacedInPlace): the
// engine forgets its positions in it (detect.Engine.Replaced), and the
// source's saved position becomes saved (the file's start, or, when a
// rotated copy holds its old content, the last save's position with that
// truncation recorded: see copyCatchUp), so that a crash before the next
// save neither takes its lines for folded ones nor leaves out the copy's.
func (d *detector) replaced(name, file string, saved position) {
	d.e.Replaced(name, file)
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.saved[name]; ok {
		d.saved[name] = saved
		if err := d.savePositions(false); err != nil {
			d.log.Warn("detection positions not saved", "err", err)
		}
	}
}

// catchUp makes the engine's state match the tailer's checkpoint before
// the source starts, the source alone (the agent catches up all the
// sources it starts together: detector.attach). The tailer resumes after
// its checkpoint, but the engine's saved state may end before it: lines
// acknowledged (and checkpointed) after the last state save, before a
// crash. Those lines are read again here, parsed and folded, and the
// alerts they cause are dropped (this catch-up of one source has no
// sink to send those not delivered: see foldCaughtUp). Lines at or below
// the engine's own restored offset are skipped by the engine (never
// folded twice). The files caught up, in file order, are those of
// catchUpRanges: the rest of the file the saved position is in, then each file begun since the save
// (created or rotated in), up to where the checkpoint has it. linked is
// false when the saved position does not lead to the checkpoint: nothing
// is caught up. It returns the number of lines read; an error for one
// file does not stop the others.
func (s *source) catchUp(d *detector, w *worker, from position, ck *checkpoint.Position) (n int, linked bool, err error) {
	c, linked := s.catchUpReader(w, from, ck)
	d.foldCaughtUp(context.Background(), []*catchUpReader{c}, nil)
	if c.held != nil { // no sender to judge it: a step, as at a batch's end before
		d.mu.Lock()
		c.settle(d, false)
		d.mu.Unlock()
	}
	return c.n, linked, errors.Join(c.errs...)
}

// catchUpReader returns the reader of the source's catch-up ranges from
// the saved position from to the tailer's checkpoint ck (catchUpRanges),
// parsed by w; linked is false when from does not lead to ck (no range).
func (s *source) catchUpReader(w *worker, from position, ck *checkpoint.Position) (c *catchUpReader, linked bool) {
	from, ck = s.compressedCopies(from, ck)
	ranges, linked := catchUpRanges(from, ck, s.rotatedCopy)
	return &catchUpReader{s: s, w: w, ranges: ranges, newest: from.Newest}, linked
}

// rotatedCopy returns the name and fileKey of the rotated copy of the
// source's file that the truncation c made (tailer.RotatedCopy).
func (s *source) rotatedCopy(c cut) (name, key string, ok bool) {
	name, dev, ino, ok := s.copyWithHead(head{c.Fingerprint, c.FpLen})
	if !ok {
		return "", "", false
	}
	return name, fileKey(tailer.FileID{Dev: dev, Ino: ino}), true
}

// copyWithHead returns the rotated copy of the source's file that begins
// with the first bytes h (tailer.RotatedCopy; a .gz by its decompressed
// start), with its device and inode; ok is false when none does.
func (s *source) copyWithHead(h head) (name string, dev, ino uint64, ok bool) {
	id := tailer.FileID{FingerprintLen: h.FpLen}
	b, err := hex.DecodeString(h.Fingerprint)
	if err != nil || len(b) != len(id.Fingerprint) {
		return "", 0, 0, false
	}
	copy(id.Fingerprint[:], b)
	if name, ok = tailer.RotatedCopy(copiesOf(s.cfg), id); !ok {
		return "", 0, 0, false
	}
	fi, err := os.Stat(name)
	if err != nil {
		return "", 0, 0, false
	}
	dev, ino = checkpoint.DevIno(fi)
	return name, dev, ino, true
}

// compressedCopies returns from and ck with each file they name (by
// fileKey) that is no longer the source's file nor one of its rotated
// copies (openFile) with those first bytes (a file with its device and
// inode may be another one: gzip frees the inode number of the file it
// compresses; one with other first bytes that begin a plain copy, or
// with a cut recorded, was truncated in place and is kept), and whose
// first bytes (from.Heads, or the checkpoint's for its files) begin a
// compressed rotated copy
// (tailer.RotatedCopy: name.2.gz made of name.2 by logrotate's compress,
// another inode), named by that copy instead: its fileKey and, in ck, its
// name. The catch-up then reads the copy decompressed, once, where the
// file's lines were (a file begun from such a copy, drained by the
// tailer after a restart, is the same file: catchUpRanges folds it once).
// from and ck are not modified; they are returned as they are when no
// file is so renamed.
func (s *source) compressedCopies(from position, ck *checkpoint.Position) (position, *checkpoint.Position) {
	heads := maps.Clone(from.Heads)
	var kept []checkpoint.FilePosition
	kept = append(kept, checkpoint.FilePosition{File: ck.File, Dev: ck.Dev, Ino: ck.Ino, Fingerprint: ck.Fingerprint, FpLen: ck.FpLen})
	if ck.Next != nil {
		kept = append(append(kept, *ck.Next), ck.Between...)
	}
	for _, k := range kept {
		key := fileKey(tailer.FileID{Dev: k.Dev, Ino: k.Ino})
		if _, ok := heads[key]; !ok {
			heads = withHead(heads, key, head{k.Fingerprint, k.FpLen})
		}
	}
	type moved struct {
		key, name string
		dev, ino  uint64
	}
	alias := map[string]moved{}
	found := false // an alias with a key
	resolve := func(id string) {
		h, ok := heads[id]
		if _, done := alias[id]; done || id == "" || !ok || h.FpLen <= 0 {
			return
		}
		if f, err := openFile(s.cfg.Path, copiesOf(s.cfg), id); err == nil {
			same := headIs(f, h)
			f.Close()
			if same {
				return
			}
			// Another file with its device and inode when its
			// recorded first bytes begin a .gz (below): the number
			// was reused once the file was compressed and removed.
			// When they begin a plain copy, the file was truncated in
			// place (copytruncate) and is left as it is.
		}
		name, dev, ino, ok := s.copyWithHead(h)
		if !ok || !strings.HasSuffix(name, ".gz") {
			return
		}
		alias[id] = moved{fileKey(tailer.FileID{Dev: dev, Ino: ino}), name, dev, ino}
		found = true
	}
	for _, c := range from.Cuts {
		alias[c.File] = moved{} // its copies are found by the cut (catchUpRanges)
	}
	resolve(from.FileID)
	for _, id := range from.Then {
		resolve(id)
	}
	for _, k := range kept {
		resolve(fileKey(tailer.FileID{Dev: k.Dev, Ino: k.Ino}))
	}
	to := func(id string) string {
		if m := alias[id]; m.key != "" {
			return m.key
		}
		return id
	}
	if !found {
		return from, ck
	}
	from.FileID = to(from.FileID)
	then := make([]string, 0, len(from.Then))
	for _, id := range from.Then {
		if id = to(id); !slices.Contains(then, id) {
			then = append(then, id)
		}
	}
	from.Then = then
	newCk := *ck
	at := func(p *checkpoint.FilePosition) {
		if m := alias[fileKey(tailer.FileID{Dev: p.Dev, Ino: p.Ino})]; m.key != "" {
			p.File, p.Dev, p.Ino = m.name, m.dev, m.ino
		}
	}
	own := kept[0]
	at(&own)
	newCk.File, newCk.Dev, newCk.Ino = own.File, own.Dev, own.Ino
	if ck.Next != nil {
		next := *ck.Next
		at(&next)
		newCk.Next = &next
		newCk.Between = slices.Clone(ck.Between)
		for i := range newCk.Between {
			at(&newCk.Between[i])
		}
	}
	return from, &newCk
}

// headIs reports whether the first h.FpLen bytes of f, as stored (not
// decompressed), hash to h.Fingerprint; f is read from its start, at
// offset 0, without moving its offset. A file that cannot be read is
// not that file.
func headIs(f *os.File, h head) bool {
	b := make([]byte, h.FpLen)
	if _, err := f.ReadAt(b, 0); err != nil {
		return false
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]) == h.Fingerprint
}

// catchUpReader reads the catch-up ranges of one source (catchUpRanges),
// in order, line by line, and holds the next line parsed by the source's
// worker w (one line ahead), so that the lines of several sources can be
// folded merged by event time (foldCaughtUp). Whether a rule wants the
// line is asked when it is folded, not when it is read: the answer
// depends on what was folded before it, from any source (the audit log's
// actions of a user are wanted once the application log's start of an
// impersonation of the user was folded).
type catchUpReader struct {
	s      *source
	w      *worker
	ranges []catchRange
	next   int // the index in ranges of the range to open next

	lines *lineReader // the open range's lines; nil: none open
	close func()      // closes the open range's file
	tb    tailer.Batch
	ar    detect.EventArena

	ok   bool      // a current line: false once every range was read
	text []byte    // the current line as parsed (w.rec)
	key  time.Time // the current line's time, or the last time before it (untimed)
	idx  int       // the reader's place in foldCaughtUp's list

	n    int     // lines read
	errs []error // why a range was not read to its end, one per range

	// newest is the newest time of the lines folded (from the saved
	// position's Newest on); start is where the current line begins; held
	// is a line more than the lateness ahead of newest, held for the next
	// line with a time to judge, as the sender judges one (judgeRead),
	// and at the end given to the sender (detector.handOver).
	newest time.Time
	start  int64
	held   *heldLine
}

// addErr records err, why a range was not read to its end, unless an
// error of the same text is recorded already: the ranges may name one
// file, or one truncation's missing copy, more than once (a key that
// several files had in turn), and each cause is said once.
func (c *catchUpReader) addErr(err error) {
	if !slices.ContainsFunc(c.errs, func(e error) bool { return e.Error() == err.Error() }) {
		c.errs = append(c.errs, err)
	}
}

// advance parses the next line of c's ranges into c.w.rec (ok false
// after the last), opening the ranges in turn. It runs under d.mu.
func (c *catchUpReader) advance(d *detector) {
	c.ok, c.text = false, nil
	for {
		if c.lines == nil {
			if c.next == len(c.ranges) {
				return
			}
			r := c.ranges[c.next]
			c.next++
			if err := c.open(d, r); err != nil {
				c.addErr(err)
			}
			continue
		}
		start := c.lines.off
		line, end, err := c.lines.next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				c.addErr(fmt.Errorf("%s: %w; its lines after offset %d are not folded", c.tb.Name, err, c.lines.off))
			}
			c.close()
			c.lines, c.close = nil, nil
			continue
		}
		c.n++
		c.start = start
		c.tb.Data = append(c.tb.Data[:0], line...)
		c.tb.Ends = append(c.tb.Ends[:0], len(c.tb.Data))
		c.tb.Offsets = append(c.tb.Offsets[:0], end)
		text, err := c.w.parseAny(c.tb.Data)
		if err != nil {
			continue
		}
		c.ok, c.text = true, text
		if t := c.w.rec.Time; !t.IsZero() { // the event's time (detect.Event.Time)
			c.key = t
		}
		return
	}
}

// fold folds c's current line: as process does when a rule wants it (one
// without a usable time is not processed: see dropUntimed), and to
// Declined when a rule's WantFilter declined it and a rule keeps a
// look-back (keeps). A line more than the lateness ahead of the lines
// before it is held instead, and judged by the next line with a time
// (judge). It runs under d.mu.
func (c *catchUpReader) fold(d *detector, keeps bool) {
	if t := c.w.rec.Time; !t.IsZero() {
		if c.held != nil {
			c.judge(d, t)
		}
		if !c.newest.IsZero() && t.Sub(c.newest) > d.e.Lateness() {
			c.hold(d)
			return
		}
		if t.After(c.newest) {
			c.newest = t
		}
	}
	set := c.w.want()
	declined := set.Declined() && keeps
	if !set.Wanted() && !declined {
		return
	}
	c.ar.Reset() // each event is processed at once
	ev := c.w.event(&c.tb, 0, c.text, set)
	if set.Wanted() && !ev.Time.IsZero() {
		d.e.Process(ev)
	}
	if declined {
		one := [1]*detect.Event{ev}
		d.e.Declined(one[:])
	}
}

// hold holds c's current line, more than the lateness ahead of the lines
// before it, with a copy of its event when a rule wants it. It runs
// under d.mu.
func (c *catchUpReader) hold(d *detector) {
	t := c.w.rec.Time
	h := &heldLine{t: t, sec: t.Unix(), prevSec: c.newest.Unix(), key: fileKey(c.tb.File), end: c.tb.Offsets[0], from: c.start}
	if set := c.w.want(); set.Wanted() {
		c.ar.Reset()
		h.ev = c.w.event(&c.tb, 0, c.text, set).Clone()
	}
	c.held = h
}

// judge gives the engine the line c holds, judged by the time t of the
// line with a time after it: an outlier when t goes back by more than
// the lateness and carries on from the lines before it (its event reaches
// the per-event rules only), else a step (its time is the newest). It
// runs under d.mu.
func (c *catchUpReader) judge(d *detector, t time.Time) {
	late := d.e.Lateness()
	outlier := c.held.t.Sub(t) > late && c.newest.Sub(t) <= late
	c.settle(d, outlier)
}

// settle gives the engine the line c holds, as an outlier or a step. It
// runs under d.mu.
func (c *catchUpReader) settle(d *detector, outlier bool) {
	h := c.held
	c.held = nil
	if h.ev != nil {
		h.ev.Outlier = outlier
		d.e.Process(h.ev)
	}
	if !outlier && h.t.After(c.newest) {
		c.newest = h.t
	}
}

// open opens the range r for advance; c.lines stays nil when r holds no
// line.
func (c *catchUpReader) open(d *detector, r catchRange) error {
	if r.fresh {
		// Truncated since the state's position in it: the engine's
		// restored positions in it are the old content's.
		d.e.Replaced(c.w.src, r.id)
	}
	if r.end == 0 {
		return nil // no line of it to fold
	}
	path := r.name
	if path == "" {
		path = c.s.cfg.Path
	}
	var f *os.File
	var err error
	switch {
	case r.copied && r.id == "":
		return fmt.Errorf("%s was truncated in place (copytruncate), or deleted and its inode taken by a new file, after the last detection save, and no rotated copy begins with its old first bytes; its lines before that are not given to the detection rules again", c.s.cfg.Path)
	case r.copied:
		f, err = os.Open(path)
	default:
		f, err = openFile(path, copiesOf(c.s.cfg), r.id)
		if err != nil && path != c.s.cfg.Path {
			// Renamed again since the checkpoint named it.
			f, err = openFile(c.s.cfg.Path, copiesOf(c.s.cfg), r.id)
		}
	}
	if err != nil {
		return err
	}
	path = f.Name()
	in, closeIn, err := rangeReader(f, path, r)
	if err != nil || in == nil {
		f.Close()
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		closeIn()
		f.Close()
		return err
	}
	dev, ino := checkpoint.DevIno(fi)
	c.tb.File, c.tb.Name = tailer.FileID{Dev: dev, Ino: ino}, f.Name()
	c.lines = newLineReader(in, r.start)
	c.close = func() {
		closeIn()
		f.Close()
	}
	return nil
}

// rangeReader returns the bytes of r in f, the file at path (decompressed
// when path ends in .gz), and the function that closes the reader (not
// f); in is nil, with no error, when r holds no byte.
func rangeReader(f *os.File, path string, r catchRange) (in io.Reader, closeIn func(), err error) {
	if strings.HasSuffix(path, ".gz") {
		gr, err := gzip.NewReader(f)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w; its lines after the last detection save are not folded", path, err)
		}
		if _, err := io.CopyN(io.Discard, gr, r.start); err != nil {
			gr.Close()
			return nil, nil, fmt.Errorf("%s: %w before offset %d; its lines after the last detection save are not folded", path, err, r.start)
		}
		in = gr
		if r.end >= 0 {
			in = io.LimitReader(gr, r.end-r.start)
		}
		return in, func() { gr.Close() }, nil
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	end := r.end
	if end < 0 || end > fi.Size() {
		end = fi.Size()
	}
	if r.start >= end {
		return nil, nil, nil
	}
	return io.NewSectionReader(f, r.start, end-r.start), func() {}, nil
}

// foldCaughtUp folds the lines of the readers' ranges into the engine
// (catchUpReader.fold). Of the alerts they cause, those delivered before
// the restart (in the journal of delivered alerts) are dropped; the
// others, which the rules still held for the watermark when the process
// died, are sent through snk in a batch of their own once the lines are
// folded, and count as sent. With a nil snk, or a journal that could not
// be read (detector.trusted), every alert is dropped. The lines are
// merged by event time as the engine gets
// the sources live, and as detect merges its inputs: each reader's lines
// in their own order, the reader whose current line is the oldest first
// (a line without a time sorts at the time of the reader's line before
// it; equal times in the readers' order). So a rule that joins two logs
// (the application log's impersonation start, the audit log's actions)
// sees a session's start before its actions, whichever source comes
// first. Each reader's n and errs tell its lines read and its errors.
func (d *detector) foldCaughtUp(ctx context.Context, rs []*catchUpReader, snk sink) {
	var fb *forwarder.Batch
	if snk != nil {
		fb = new(forwarder.Batch)
	}
	d.mu.Lock()
	d.cur, d.n, d.limit, d.ids = fb, 0, maxMessageBytes(snk), nil
	d.takeEarly()
	d.dropping, d.discard = true, fb == nil
	d.foldMerged(rs)
	n, ids := d.n, d.ids
	d.cur, d.n, d.ids, d.dropping, d.discard = nil, 0, nil, false, false
	d.pending.Add(int64(n))
	d.mu.Unlock()
	d.send(ctx, snk, fb, n, ids)
}

// foldMerged folds the lines of the readers' ranges merged by event time
// (see foldCaughtUp); d.mu is held.
func (d *detector) foldMerged(rs []*catchUpReader) {
	keeps := d.e.KeepsDeclined()
	h := make(catchUpHeap, 0, len(rs))
	defer func() {
		for _, c := range rs {
			c.w.arena = nil
			if c.close != nil {
				c.close()
				c.lines, c.close = nil, nil
			}
		}
	}()
	for i, c := range rs {
		c.idx = i
		c.w.arena = &c.ar
		c.advance(d)
		if c.ok {
			h = append(h, c)
		}
	}
	heap.Init(&h)
	for h.Len() > 0 {
		c := h[0]
		c.fold(d, keeps)
		c.advance(d)
		if !c.ok {
			heap.Pop(&h)
			continue
		}
		heap.Fix(&h, 0)
	}
	for _, c := range rs {
		switch n := len(c.tb.Offsets); {
		case c.held != nil: // its time is not known to be the source's (handOver)
			d.e.Progress(c.w.src, c.held.key, c.held.from, c.newest)
		case n > 0 && !c.key.IsZero():
			// Its lines no rule wanted were read too (see Progress).
			d.e.Progress(c.w.src, fileKey(c.tb.File), c.tb.Offsets[n-1], c.key)
		}
	}
}

// catchUpHeap orders catch-up readers by the time of their current line,
// then by their place in the list.
type catchUpHeap []*catchUpReader

func (h catchUpHeap) Len() int { return len(h) }
func (h catchUpHeap) Less(i, j int) bool {
	if !h[i].key.Equal(h[j].key) {
		return h[i].key.Before(h[j].key)
	}
	return h[i].idx < h[j].idx
}
func (h catchUpHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *catchUpHeap) Push(x any)   { *h = append(*h, x.(*catchUpReader)) }
func (h *catchUpHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// copiesOf returns the tailer configuration that says where the rotated
// copies of the source configured as sc are and how they are named
// (tailer.RotatedCopies, tailer.RotatedCopy): its path, olddir and
// logrotate extension.
func copiesOf(sc config.Source) tailer.Config {
	return tailer.Config{Path: sc.Path, OldDir: sc.OldDir, Extension: sc.Extension}
}

// openFile opens the file whose fileKey is id: path, or, when path is
// another file now (renamed away by a rotation since the checkpoint), the
// rotated copy of path that is that file: a name starting with path (such
// as path.1 or path-20240101), or one of the rotated copies the tailer
// finds for src (tailer.RotatedCopies: in its olddir, named with its
// logrotate extension); for a path that is a symlink (Kubernetes'
// /var/log/containers/*.log), the rotated copies are those of the file it
// names (tailer.RotatedPath). The file is known by its device and inode,
// so a name that only looks like a copy is not taken for one. It returns
// an error when there is none.
func openFile(path string, src tailer.Config, id string) (*os.File, error) {
	names, err := filepath.Glob(globEscape(path) + "*")
	if err != nil {
		return nil, err
	}
	if real := tailer.RotatedPath(path); real != path {
		copies, err := filepath.Glob(globEscape(real) + "*")
		if err != nil {
			return nil, err
		}
		names = append(names, copies...)
	}
	if src.Path != "" {
		copies, _ := tailer.RotatedCopies(src) // a directory that cannot be listed holds none to open
		names = append(names, copies...)
	}
	for _, name := range append([]string{path}, names...) {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			if dev, ino := checkpoint.DevIno(fi); fileKey(tailer.FileID{Dev: dev, Ino: ino}) == id {
				return f, nil
			}
		}
		f.Close()
	}
	return nil, fmt.Errorf("%s is no longer the checkpointed file, and none of its rotated copies is", path)
}

// globEscape escapes the characters filepath.Match treats as special.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// catchRange is a part of one file to catch up: the lines ending after
// start and at or before end (bytes; end < 0: the file's end) of the file
// whose fileKey is id, found under name (empty: the source's path) or one
// of its rotated copies (openFile). copied says that name is the rotated
// copy a truncation of the file cut made (cut.File; found by its head,
// catchUpRanges), opened by its name (decompressed for a .gz); id is then
// the copy's own fileKey, or empty when no copy was found (the range
// cannot be caught up). fresh says that the file was truncated in place
// after the state's position in it: its lines, from 0, are all new.
type catchRange struct {
	name       string
	id         string
	start, end int64
	copied     bool
	cut        string
	fresh      bool
	// held says that the tailer's checkpoint is in this copy (it did not
	// pass the truncation: see catchUpRanges), and end is its offset;
	// beyond, that the range comes after such a copy: none of its lines
	// was checkpointed, and end is 0.
	held, beyond bool
}

// catchUpRanges returns, in file order, the parts of files whose lines
// the tailer's checkpoint ck passed and the saved state from did not
// fold. The files the state leads to are from's file (from its offset)
// and the files of from.Then (from their start); a file truncated in
// place since (from.Cuts) stands for, in turn, each rotated copy its
// truncations made (the first from the file's start offset, the next
// from 0), which find returns by name and fileKey (ok false: not found),
// then the file itself from 0. The checkpoint has positions in its own
// file and, after a rename rotation, in the newer files it keeps apart
// (checkpoint.Position.Between and Next). Each state file up to the last
// one the checkpoint has a position in is caught up: to that position
// when the checkpoint has one in it, else (a file drained and rotated
// away before the checkpoint moved on, or a copy) to its end. When the
// checkpoint's position in a file truncated since is in its content
// before a truncation (its first bytes are those the truncation records:
// a crash came before the checkpoint passed it), that truncation's copy
// is caught up to the position, and nothing after it: the file's lines
// after the truncation were not checkpointed, whatever their offsets. A
// file of from.Then that is already in the chain (a truncation's copy,
// which a restart drained from the checkpoint in it) is not caught up
// twice; a file truncated since with none of its new lines checkpointed
// gets an empty range, so that the engine forgets its old content's
// positions. A file the
// checkpoint resumes that the state does not lead to is older than the
// state's (nothing to fold) or was begun by a run without detections
// (nothing this state ever followed). linked is false when no state file
// is the checkpoint's: the saved state is older than the checkpoint's
// files (detections off in between), and nothing is caught up.
func catchUpRanges(from position, ck *checkpoint.Position, find func(cut) (name, key string, ok bool)) (ranges []catchRange, linked bool) {
	type fileAt struct {
		name  string
		off   int64
		fp    string // the file's first bytes then (SHA-256, hex)
		fpLen int
	}
	at := map[string]fileAt{fileKey(tailer.FileID{Dev: ck.Dev, Ino: ck.Ino}): {ck.File, ck.Offset, ck.Fingerprint, ck.FpLen}}
	if ck.Next != nil {
		for _, n := range append([]checkpoint.FilePosition{*ck.Next}, ck.Between...) {
			at[fileKey(tailer.FileID{Dev: n.Dev, Ino: n.Ino})] = fileAt{n.File, n.Offset, n.Fingerprint, n.FpLen}
		}
	}
	// inCopy returns the checkpoint's position in the file the
	// truncation c cut when it is in the content before c (the same
	// first bytes): the checkpoint did not pass c, its offset is in c's
	// copy, and no line after it was checkpointed.
	inCopy := func(c cut) (int64, bool) {
		a, ok := at[c.File]
		return a.off, ok && c.FpLen > 0 && a.fpLen == c.FpLen && a.fp == c.Fingerprint
	}
	var chain []catchRange
	add := func(id string, start int64) {
		fresh, held := false, false
		for _, c := range from.Cuts {
			if c.File != id {
				continue
			}
			r := catchRange{start: start, copied: true, cut: id, beyond: held}
			if name, key, ok := find(c); ok {
				r.name, r.id = name, key
			}
			if r.id != "" && slices.ContainsFunc(chain, func(x catchRange) bool { return x.id == r.id }) {
				// The copy is a file of from.Then before this one
				// (detector.reorder, for a copy without known first
				// bytes): its range is there.
				start, fresh = 0, true
				continue
			}
			if off, ok := inCopy(c); ok && !held {
				r.end, r.held, held = off, true, true
			}
			chain = append(chain, r)
			start, fresh = 0, true
		}
		chain = append(chain, catchRange{id: id, start: start, fresh: fresh, beyond: held})
	}
	if from.FileID != "" {
		add(from.FileID, from.Offset)
	}
	for _, id := range from.Then {
		if slices.ContainsFunc(chain, func(r catchRange) bool { return r.id == id }) {
			// A truncation's copy, begun by the tailer after a restart
			// (drained from the checkpoint in it): its range is there.
			continue
		}
		add(id, 0)
	}
	last := -1
	for i := range chain {
		a, ok := at[chain[i].id]
		switch {
		case chain[i].held:
			last = i // its end is the checkpoint's offset (add)
		case chain[i].beyond:
			// After the copy the checkpoint is in: no line of it was
			// checkpointed (the file's own range is kept empty, below).
			chain[i].end = 0
		case ok && chain[i].id != "":
			if !chain[i].copied {
				chain[i].name = a.name
			}
			chain[i].end, last = a.off, i
		default:
			chain[i].end = -1
		}
	}
	for i, r := range chain {
		switch {
		case i <= last && (r.end < 0 || r.start < r.end || r.fresh):
			ranges = append(ranges, r)
		case i > last && r.fresh && last >= 0:
			// Truncated since, and none of its new lines checkpointed:
			// kept empty, so that the engine forgets the old content's
			// positions in it (open) before the tailer reads it.
			r.end = 0
			ranges = append(ranges, r)
		}
	}
	return ranges, last >= 0
}

// forEachLine calls fn with every complete line of r (without its "\n" or
// "\r\n") and the offset just after it, counting from off; a line longer
// than the read buffer is cut to the buffer's length, as the tailer cuts
// lines at max_line_bytes. It returns the number of lines.
func forEachLine(r io.Reader, off int64, fn func(line []byte, end int64)) (int, error) {
	lr := newLineReader(r, off)
	n := 0
	for {
		line, end, err := lr.next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
		fn(line, end)
	}
}

// lineReader reads the complete lines of a reader one at a time (see
// forEachLine).
type lineReader struct {
	br   *bufio.Reader
	off  int64 // the offset after the bytes read so far
	head []byte
}

// newLineReader returns a lineReader of r, whose first byte is at offset
// off.
func newLineReader(r io.Reader, off int64) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10), off: off}
}

// next returns the next complete line (without its "\n" or "\r\n"),
// valid until the next call, and the offset just after it; a line longer
// than the read buffer is cut to the buffer's length. The error is io.EOF
// after the last complete line (an unterminated last line is not
// returned), or the read error.
func (lr *lineReader) next() (line []byte, end int64, err error) {
	for {
		line, err = lr.br.ReadSlice('\n')
		lr.off += int64(len(line))
		if errors.Is(err, bufio.ErrBufferFull) {
			lr.head = append(lr.head[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = lr.br.ReadSlice('\n')
				lr.off += int64(len(line))
			}
			if len(line) > 0 && line[len(line)-1] == '\n' {
				line = append(lr.head, '\n')
			}
		}
		if len(line) > 0 && line[len(line)-1] == '\n' {
			return trimCR(line[:len(line)-1]), lr.off, nil
		}
		if err != nil {
			return nil, lr.off, err
		}
	}
}

func trimCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}

// forget drops the position of source name, whose file was deleted and
// forgotten (glob sources): the next save no longer lists it.
func (d *detector) forget(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.pos, name)
	delete(d.saved, name)
}
