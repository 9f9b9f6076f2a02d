package agent

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

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
// parsed and, when a rule wanted it, folded.
type position struct {
	FileID string `json:"file_id"`
	Offset int64  `json:"offset"`
}

// srcPos is the position of one source, written by its sender.
type srcPos struct {
	mu  sync.Mutex
	pos position
}

func (p *srcPos) set(tb *tailer.Batch) {
	if tb.Len() == 0 {
		return
	}
	p.mu.Lock()
	p.pos = position{FileID: fileKey(tb.File), Offset: tb.Offsets[tb.Len()-1]}
	p.mu.Unlock()
}

func (p *srcPos) get() position {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pos
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
func (d *detector) register(name string, ck position) *srcPos {
	d.e.Hold(name) // the watermark waits for its first event (MinWatermark)
	d.mu.Lock()
	defer d.mu.Unlock()
	p := &srcPos{pos: ck}
	d.pos[name] = p
	if _, ok := d.saved[name]; !ok && ck.FileID != "" {
		// A source new to the detection state starts at its checkpoint:
		// record that at once, so that a crash before the first save
		// catches up from there and not from the start of the file. The
		// other sources keep their saved positions: the engine's state on
		// disk is still the last save's, whatever was caught up since.
		d.saved[name] = ck
		if err := d.savePositions(false); err != nil {
			d.log.Warn("detection positions not saved", "err", err)
		}
	}
	return p
}

// replaced records that the file of source name whose key is ck.FileID
// was replaced in place while the agent was stopped (replacedInPlace):
// the engine forgets its positions in it (detect.Engine.Replaced), and
// the source's saved position becomes ck, the file's start, so that a
// crash before the next save does not take its lines for folded ones.
func (d *detector) replaced(name string, ck position) {
	d.e.Replaced(name, ck.FileID)
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.saved[name]; ok {
		d.saved[name] = ck
		if err := d.savePositions(false); err != nil {
			d.log.Warn("detection positions not saved", "err", err)
		}
	}
}

// catchUp makes the engine's state match the tailer's checkpoint before
// the source starts. The tailer resumes after its checkpoint, but the
// engine's saved state may end before it: lines acknowledged (and
// checkpointed) after the last state save, before a crash. Those lines are
// read again here, parsed and folded, and the alerts they cause are
// dropped: they rode in batches the forwarder acknowledged, so they were
// delivered. Lines at or below the engine's own restored offset are
// skipped by the engine (never folded twice). The file caught up is the
// one the engine's position is in (see catchUpRange): the checkpoint's,
// or the newer file whose position the checkpoint keeps apart after a
// rename rotation, which the tailer resumes from that position. It
// returns the number of lines read.
func (s *source) catchUp(d *detector, w *worker, from position, ck *checkpoint.Position) (int, error) {
	path, id, end, ok := catchUpRange(from, ck)
	if !ok {
		return 0, nil
	}
	ckID := fileKey(id)
	if path == "" {
		path = s.cfg.Path
	}
	if strings.HasSuffix(path, ".gz") {
		return 0, fmt.Errorf("%s is compressed; its lines after the last detection save are not folded", path)
	}
	f, err := openFile(path, ckID)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	tb := &tailer.Batch{File: id, Name: path}
	var ar detect.EventArena // each event is processed at once
	var one [1]*detect.Event
	w.arena = &ar
	defer func() { w.arena = nil }()
	d.mu.Lock()
	defer d.mu.Unlock()
	keeps := d.e.KeepsDeclined()
	d.dropping = true
	defer func() { d.dropping = false }()
	return forEachLine(io.NewSectionReader(f, from.Offset, end-from.Offset), from.Offset, func(line []byte, end int64) {
		tb.Data = append(tb.Data[:0], line...)
		tb.Ends = append(tb.Ends[:0], len(tb.Data))
		tb.Offsets = append(tb.Offsets[:0], end)
		if text, err := w.parseAny(tb.Data); err == nil {
			set := w.want()
			declined := set.Declined() && keeps
			if !set.Wanted() && !declined {
				return
			}
			ar.Reset()
			one[0] = w.event(tb, 0, text, set)
			if set.Wanted() && !one[0].Time.IsZero() { // as process: see dropUntimed
				d.e.Process(one[0])
			}
			if declined {
				d.e.Declined(one[:])
			}
			one[0] = nil
		}
	})
}

// openFile opens the file whose fileKey is id: path, or, when path is
// another file now (renamed away by a rotation since the checkpoint), the
// rotated copy of path (a name starting with path, such as path.1 or
// path-20240101) that is that file. It returns an error when there is none.
func openFile(path, id string) (*os.File, error) {
	names, err := filepath.Glob(globEscape(path) + "*")
	if err != nil {
		return nil, err
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

// catchUpRange returns the file (its name as checkpointed, its device and
// inode) and the offset up to which the lines after from must be folded
// to match the tailer's checkpoint ck: ck's own file, or a newer file
// whose position ck keeps apart while its own file, renamed away, was
// drained (checkpoint.Position.Next and Between), whichever from is in.
// ok is false when from is in none, or not before the checkpointed offset.
func catchUpRange(from position, ck *checkpoint.Position) (name string, id tailer.FileID, end int64, ok bool) {
	name, id, end = ck.File, tailer.FileID{Dev: ck.Dev, Ino: ck.Ino}, ck.Offset
	if ck.Next != nil {
		for _, n := range append([]checkpoint.FilePosition{*ck.Next}, ck.Between...) {
			if from.FileID == fileKey(tailer.FileID{Dev: n.Dev, Ino: n.Ino}) {
				name, id, end = n.File, tailer.FileID{Dev: n.Dev, Ino: n.Ino}, n.Offset
				break
			}
		}
	}
	return name, id, end, from.FileID == fileKey(id) && from.Offset < end
}

// forEachLine calls fn with every complete line of r (without its "\n" or
// "\r\n") and the offset just after it, counting from off; a line longer
// than the read buffer is cut to the buffer's length, as the tailer cuts
// lines at max_line_bytes. It returns the number of lines.
func forEachLine(r io.Reader, off int64, fn func(line []byte, end int64)) (int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var head []byte
	n := 0
	for {
		line, err := br.ReadSlice('\n')
		off += int64(len(line))
		if errors.Is(err, bufio.ErrBufferFull) {
			head = append(head[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				off += int64(len(line))
			}
			if len(line) > 0 && line[len(line)-1] == '\n' {
				line = append(head, '\n')
			}
		}
		if len(line) > 0 && line[len(line)-1] == '\n' {
			n++
			fn(trimCR(line[:len(line)-1]), off)
		}
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
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
