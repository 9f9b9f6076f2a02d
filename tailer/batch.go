package tailer

import (
	"context"
	"slices"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/nulrun"
)

// Batch is a run of consecutive complete lines read from one file.
// Batches come from Tailer.Batches; give each back with Tailer.Release once
// done (after Tailer.Commit).
type Batch struct {
	// File identifies the file the lines were read from.
	File FileID
	// Name is the file's name when it was read: the configured path, or a
	// rotated sibling such as "audit_json.log.1.gz" (full path).
	Name string
	// Data holds the lines back to back, without "\n" and a trailing "\r".
	Data []byte
	// Ends[i] is the end of line i in Data; line i starts at Ends[i-1] (0 for i = 0).
	Ends []int
	// Offsets[i] is the file offset just after line i and its newline.
	// For a .gz sibling it is the offset in the decompressed stream.
	Offsets []int64
	// Start is the file offset where line 0 begins (Offsets[i-1] for
	// line i > 0); see StartOf.
	Start int64
	// Cut lists, in ascending order, the indexes of the lines that were
	// cut to Config.MaxLineBytes (see IsCut). It is empty for almost every
	// batch.
	Cut []int

	seq uint64
	// anchored: committing the batch moves the checkpoint to anchor, not
	// into File: the batch was read while an older file was still read
	// for late writes.
	anchored bool
	anchor   position
	// drained: the batch was read from the oldest file still drained, or
	// from a rotated copy drained at start before the newer files whose
	// positions the checkpoint kept (reading.keepLater), so committing
	// it keeps the newer files' positions (commitState.later).
	drained bool
	// copied, when its id is set, is how far the rotated copy of File's
	// content before a truncation (copytruncate) was read; committing an
	// anchored batch keeps it before File's own position, so that a
	// restart does not read the copy again (see Tailer.truncated).
	copied position
}

// Mark is the place where a line begins: the file (by identity, and its
// name when read) and the byte offset in it. It is what Tailer.CommitHeld
// holds a checkpoint at; the zero Mark names no place.
type Mark struct {
	File   FileID
	Name   string
	Offset int64
}

// IsZero reports whether m names no place.
func (m Mark) IsZero() bool { return m.File == (FileID{}) }

// StartOf returns where line i of b begins, for Tailer.CommitHeld. The
// Mark is a copy: it stays valid after Release.
func (b *Batch) StartOf(i int) Mark {
	off := b.Start
	if i > 0 {
		off = b.Offsets[i-1]
	}
	return Mark{File: b.File, Name: b.Name, Offset: off}
}

// position is a place in a file, as a checkpoint records it.
type position struct {
	id   FileID
	name string
	off  int64
}

// positionOf returns where src was read to.
func positionOf(src *logFile) position { return position{src.id, src.name, src.off} }

// reanchor moves the checkpoint to a position once the batch seq is
// committed in full (see Tailer.moveAnchor); clearNext drops the newer
// file's position, the checkpoint being in that file then.
type reanchor struct {
	seq       uint64
	to        position
	clearNext bool
}

// Len returns the number of lines in b.
func (b *Batch) Len() int { return len(b.Ends) }

// Line returns line i. The slice aliases b.Data: copy it to keep it after Release.
func (b *Batch) Line(i int) []byte {
	start := 0
	if i > 0 {
		start = b.Ends[i-1]
	}
	return b.Data[start:b.Ends[i]:b.Ends[i]]
}

// IsCut reports whether line i was cut to Config.MaxLineBytes: its end is
// missing, so it is not the line the application wrote. It costs one
// comparison when no line of b was cut.
func (b *Batch) IsCut(i int) bool {
	if len(b.Cut) == 0 {
		return false
	}
	_, found := slices.BinarySearch(b.Cut, i)
	return found
}

func (b *Batch) reset() {
	b.File = FileID{}
	b.Name = ""
	b.Data = b.Data[:0]
	b.Ends = b.Ends[:0]
	b.Offsets = b.Offsets[:0]
	b.Cut = b.Cut[:0]
	b.Start = 0
	b.seq = 0
	b.anchored, b.drained = false, false
	b.copied = position{}
}

// truncate keeps the first n lines of b.
func (b *Batch) truncate(n int) {
	end := 0
	if n > 0 {
		end = b.Ends[n-1]
	}
	b.Data, b.Ends, b.Offsets = b.Data[:end], b.Ends[:n], b.Offsets[:n]
	for len(b.Cut) > 0 && b.Cut[len(b.Cut)-1] >= n {
		b.Cut = b.Cut[:len(b.Cut)-1]
	}
}

func (t *Tailer) batch() *Batch {
	if t.rd.cur == nil {
		t.rd.cur = t.getBatch()
	}
	return t.rd.cur
}

// add appends a line read by the tailer's reader, which starts at offset
// start and ends (after its newline) at end. over says the reader already
// cut it.
func (t *Tailer) add(src *logFile, line []byte, start, end int64, over bool) {
	addLine(t, src.name, line, start, end, true, over)
}

// addString appends a line received from github.com/nxadm/tail.
func (t *Tailer) addString(src *logFile, line string, end int64) {
	addLine(t, src.name, line, end-int64(len(line))-1, end, true, false)
}

// addLine removes a trailing "\r" (unless the line was cut), cuts NUL
// padding that takes it over MaxLineBytes (nulrun.Cut), cuts the line to
// MaxLineBytes, counts and reports it when cut, and appends it to the
// current batch (recording its index in Batch.Cut when cut). The line
// is from start to end in the file called name; nl says end is after its
// newline.
func addLine[T []byte | string](t *Tailer, name string, line T, start, end int64, nl, over bool) {
	if !over && len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if !over {
		// NUL padding that takes the line over the limit is cut to one
		// NUL, with part of a line before it, so GitLab's line after it
		// is kept (a line over the limit across reads had it cut by its
		// lineReader).
		line = nulrun.Cut(line, t.cfg.MaxLineBytes)
	}
	if len(line) > t.cfg.MaxLineBytes {
		line, over = line[:t.cfg.MaxLineBytes], true
	}
	if over {
		t.c.truncLines.Add(1)
		length := end - start
		if nl {
			length--
		}
		longest := max(length, t.c.longestCut.Load())
		t.c.longestCut.Store(longest) // written by the Run goroutine only
		t.rd.truncLog.report(t.log, name, start, length, longest, t.cfg.MaxLineBytes)
	}
	b := t.batch()
	if len(b.Ends) == 0 {
		b.Start = start
	}
	if over {
		b.Cut = append(b.Cut, len(b.Ends))
	}
	t.rd.nread++
	b.Data = append(b.Data, line...)
	b.Ends = append(b.Ends, len(b.Data))
	b.Offsets = append(b.Offsets, end)
}

func (t *Tailer) full() bool {
	b := t.rd.cur
	return b != nil && (len(b.Ends) >= t.cfg.BatchLines || len(b.Data) >= t.cfg.BatchBytes)
}

// discard drops the lines collected but not sent.
func (t *Tailer) discard() {
	if t.rd.cur != nil {
		t.rd.cur.reset()
	}
	t.rd.confirmed = 0
}

// readEnd is the offset in src just after the last line read: src.off, or
// the end of the lines in hand.
func (t *Tailer) readEnd(src *logFile) int64 {
	if b := t.rd.cur; b != nil && len(b.Offsets) > 0 {
		return b.Offsets[len(b.Offsets)-1]
	}
	return src.off
}

// send hands the current batch out as read from src and advances src.off.
func (t *Tailer) send(ctx context.Context, src *logFile) error {
	b := t.rd.cur
	if b == nil || len(b.Ends) == 0 {
		return nil
	}
	if t.ckp.headless == src && len(src.head) > 0 {
		t.saveHead(src) // once per file: its first bytes are known now
	}
	b.File, b.Name = src.id, src.name
	b.anchored, b.drained = false, false
	if len(t.rot.draining) > 0 {
		// An older file renamed away is still read for late writes: the
		// checkpoint stays in it until it is done (see Tailer.Commit).
		b.anchored = t.rot.draining[0].src != src
		b.drained = !b.anchored
		b.anchor = positionOf(t.rot.draining[0].src)
	} else {
		b.drained = t.rd.keepLater
	}
	if t.rd.copiedOf == src {
		if b.anchored {
			b.copied = t.rd.copied
		}
		t.rd.copiedOf = nil
	}
	t.rd.seq++
	b.seq = t.rd.seq
	// b belongs to the consumer once sent: take what is needed first.
	end := b.Offsets[len(b.Offsets)-1]
	nLines, nBytes := uint64(len(b.Ends)), uint64(len(b.Data))
	t.c.outstanding.Add(1)
	select {
	case t.out <- b:
	default:
		if err := t.sendBlocked(ctx, b, src); err != nil {
			t.c.outstanding.Add(-1)
			b.seq = 0
			return err
		}
	}
	t.rd.cur = nil
	t.rd.confirmed = 0
	src.off = end
	t.c.lines.Add(nLines)
	t.c.bytes.Add(nBytes)
	t.mu.Lock()
	t.readID, t.readOff = src.id, end
	t.mu.Unlock()
	return nil
}

// sendBlocked sends b, a batch of src, once the consumer takes it; until
// then, every PollInterval, it opens the files that appear at Path
// (watchBlocked), so that a rotation while the consumer is stalled (a
// collector down) loses no file the rotations remove before the reader is
// free again. It returns ctx's error when ctx ends first.
func (t *Tailer) sendBlocked(ctx context.Context, b *Batch, src *logFile) error {
	tick := time.NewTicker(t.cfg.PollInterval)
	defer tick.Stop()
	for {
		select {
		case t.out <- b:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			t.watchBlocked(src)
		}
	}
}
