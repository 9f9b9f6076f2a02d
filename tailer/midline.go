package tailer

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
)

// resumeOffset returns where to resume reading live, size bytes long,
// from a checkpoint at off (see resumeAt), and sets live.cutRest when the
// bytes from there to the next newline are the rest of a cut line.
func (t *Tailer) resumeOffset(live *logFile, off, size int64) int64 {
	from, cut := t.resumeAt(live.f, live.name, off, size, t.cfg.Complete)
	live.cutRest = cut
	return from
}

// resumeAt returns where to resume reading f, size bytes long, from a
// checkpoint at off; complete says that nothing will follow a last line
// without a newline (Config.Complete, or a rotated copy). A checkpoint
// inside a line follows a last line that had no newline: one delivered
// without it (Config.Complete, or the end of a rotated file), or skipped
// by StartEnd. When the file has only got that newline since, reading
// resumes after it; when nothing follows it and f is complete, at off;
// otherwise at the start of the line, so that the line is delivered whole
// (the collector may then have its first part twice, which a warning
// says) rather than its rest as a line of its own. A line of
// MaxLineBytes or more before off was delivered cut, as the reader cuts
// it (or, exactly MaxLineBytes long, is cut now that it goes on): cut
// reports that what follows off up to its newline is the rest of a cut
// line, to be dropped (skipCutRest), as the reader drops it. f is the
// file called name, for the log.
func (t *Tailer) resumeAt(f io.ReaderAt, name string, off, size int64, complete bool) (from int64, cut bool) {
	start, found := t.lineStart(f, off)
	if found && start == off {
		return off, false
	}
	var next [1]byte
	switch {
	case off < size && readByteAt(f, next[:], off) && next[0] == '\n':
		t.logGotNewline(name, off)
		return off + 1, false
	case !found || off-start >= int64(t.cfg.MaxLineBytes):
		return off, true
	case off == size && complete:
		return off, false
	case off == size:
		t.log.Warn("tailer: the checkpoint is inside a last line without a newline (sent without it by run --once, or skipped by start_at end); the line is sent whole, from its start, once its newline is written (if a run sent its first part, the collector has that twice)",
			"file", name, "line_offset", start, "checkpoint_offset", off)
	default:
		t.log.Warn("tailer: the checkpoint is inside a last line that had no newline (sent without it by run --once, or skipped by start_at end), and the line was continued since; sending it whole, from its start (if a run sent its first part, the collector has that twice)",
			"file", name, "line_offset", start, "checkpoint_offset", off)
	}
	return start, false
}

// logGotNewline logs that the last line of file name, which ends at off
// and was delivered without its newline (or skipped), has got it.
func (t *Tailer) logGotNewline(name string, off int64) {
	t.log.Info("tailer: the last line, delivered without its newline by the previous run, has got its newline; resuming after it",
		"file", name, "offset", off+1)
}

// lineStart returns the start of the line containing offset off-1, that is
// off itself when off is 0 or follows a newline, and whether it found it.
// It looks back at most MaxLineBytes+1 bytes: when the line began before
// that (a line longer than MaxLineBytes, which a reader cuts), it returns
// off and false.
func (t *Tailer) lineStart(f io.ReaderAt, off int64) (int64, bool) {
	if off <= 0 {
		return 0, true
	}
	var buf [64 << 10]byte
	limit := max(0, off-int64(t.cfg.MaxLineBytes)-1)
	end := off
	first := true
	for end > limit {
		start := max(limit, end-int64(len(buf)))
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && err != io.EOF || int64(n) != end-start {
			return off, true
		}
		chunk := buf[:n]
		if first {
			if chunk[n-1] == '\n' {
				return off, true
			}
			first = false
		}
		for i := len(chunk) - 1; i >= 0; i-- {
			if chunk[i] == '\n' {
				return start + int64(i) + 1, true
			}
		}
		end = start
	}
	if limit == 0 {
		return 0, true
	}
	return off, false
}

// copyResumeOffset returns where to read sib, the rotated copy (plain or
// gzip) a checkpoint at off points into: resumeAt for a file that will
// not grow, after the rest of a cut line (dropCutRest) when off is inside
// one; for gzip, off is in the decompressed data. It returns off when the
// copy cannot be read to off (drainCopy says why).
func (t *Tailer) copyResumeOffset(sib sibling, off int64) int64 {
	f, sib, err := sib.open() // not the next copy, renamed to its name since listed
	if err != nil {
		return off
	}
	defer f.Close()
	if sib.gz {
		return t.gzResumeOffset(f, sib.name, off)
	}
	size, err := fileSize(f)
	if err != nil || off > size {
		return off
	}
	from, cut := t.resumeAt(f, sib.name, off, size, true)
	if cut {
		from, _ = t.dropCutRest(f, sib.name, from, size)
	}
	return from
}

// gzResumeOffset is copyResumeOffset for f, a gzip-compressed copy named
// name. It decompresses f up to off+1, keeping the last MaxLineBytes+2
// bytes (as far back as lineStart looks), to place off, and on to the
// next newline when off is inside a cut line.
func (t *Tailer) gzResumeOffset(f *os.File, name string, off int64) int64 {
	gr, err := gzip.NewReader(f)
	if err != nil {
		return off
	}
	defer gr.Close()
	base := max(0, off-int64(t.cfg.MaxLineBytes)-1)
	if n, err := io.CopyN(io.Discard, gr, base); err != nil || n != base {
		return off
	}
	win := make([]byte, off-base+1)
	n, _ := io.ReadFull(gr, win)
	if int64(n) < off-base {
		return off // the copy ends before off: drainOpen says so
	}
	w := window{b: win[:n], base: base}
	size := base + int64(n) // off, or off+1 with the byte at off
	from, cut := t.resumeAt(w, name, off, size, true)
	if !cut {
		return from
	}
	// The rest: the byte at off, if the window has it, then the stream on.
	end, found := nextLine(io.MultiReader(bytes.NewReader(w.b[off-base:]), gr), off)
	t.logCutRest(name, off, end, found)
	return end
}

// window is an io.ReaderAt of b, the bytes of a stream from offset base on.
type window struct {
	b    []byte
	base int64
}

// ReadAt reads from b at off-base; it fails for an offset before base.
func (w window) ReadAt(p []byte, off int64) (int, error) {
	if off < w.base {
		return 0, errors.New("tailer: read before the window")
	}
	if off-w.base >= int64(len(w.b)) {
		return 0, io.EOF
	}
	n := copy(p, w.b[off-w.base:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// skipCutRest drops, when src.cutRest, the bytes from src.off up to and
// including the next newline, the rest of a line delivered cut, and
// records them as read and committed (skipped). With no newline yet it
// drops them to the end of the file and src.cutRest stays set. It reports
// whether src has lines to read after them.
func (t *Tailer) skipCutRest(src *logFile) bool {
	if !src.cutRest {
		return true
	}
	size, err := fileSize(src.f)
	if err != nil || size <= src.off {
		return false
	}
	end, found := t.dropCutRest(src.f, src.name, src.off, size)
	src.off, src.cutRest = end, !found
	t.skipped(src)
	return found
}

// dropCutRest returns where the line after the rest of a cut line that
// begins at off in f (size bytes) starts: after the next newline, and
// true; or size and false when f has no newline after off. It logs what
// it drops (logCutRest).
func (t *Tailer) dropCutRest(f io.ReaderAt, name string, off, size int64) (int64, bool) {
	end, found := nextLine(io.NewSectionReader(f, off, size-off), off)
	t.logCutRest(name, off, end, found)
	return end, found
}

// logCutRest logs and counts (Stats.CutRestBytes) that the bytes of file
// name from off to end, the rest of a cut line (up to its newline when
// found), were dropped.
func (t *Tailer) logCutRest(name string, off, end int64, found bool) {
	if end == off+1 && found { // only the newline: nothing of the line dropped
		t.logGotNewline(name, off)
		return
	}
	if end > off {
		t.c.cutRest.Add(uint64(end - off))
		t.log.Warn("tailer: dropped the rest of a line longer than max_line_bytes, as the rest of a cut line always is: the checkpoint was inside the line, whose start an earlier run sent cut (run --once) or skipped (start_at end)",
			"file", name, "offset", off, "bytes", end-off, "newline_found", found, "max_line_bytes", t.cfg.MaxLineBytes)
	}
}

// nextLine reads r, whose first byte is at offset off, up to its first
// newline, and returns the offset after it and true; or the offset where
// r ended (or failed) and false when r has none.
func nextLine(r io.Reader, off int64) (int64, bool) {
	var buf [64 << 10]byte
	for {
		n, err := r.Read(buf[:])
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return off + int64(i) + 1, true
		}
		off += int64(n)
		if err != nil {
			return off, false
		}
	}
}

func readByteAt(f io.ReaderAt, b []byte, off int64) bool {
	n, _ := f.ReadAt(b, off)
	return n == len(b)
}
