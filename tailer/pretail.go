package tailer

import (
	"slices"
)

// preTail is the up to preWindow bytes of a file just before an offset,
// as a batch held them when its lines were committed: what the checkpoint
// hashes before its offset (PreHash) when the file can no longer be read
// by name at the save (deleted while it was still drained, as the kubelet
// and Docker delete the oldest copy: the tailer reads it through its open
// descriptor). n is 0 when unknown.
type preTail struct {
	b [preWindow]byte
	n int
}

// tailBefore returns the bytes of the file just before Offsets[i], the
// end of line i with its newline, as b holds them: the lines' bytes with
// the "\n" (or "\r\n") b took off, after before, the bytes just before
// Start when they are needed (known from the batch before: see preTails).
// It is unknown (n 0) when a line it needs was cut (to
// Config.MaxLineBytes, or NUL padding cut), so that b does not hold it as
// the file does, or when bytes before Start are needed and before does
// not hold them.
func (b *Batch) tailBefore(i int, before preTail) preTail {
	var t preTail
	want := int(min(b.Offsets[i], preWindow))
	pos := preWindow // t.b[pos:] is filled
	for j := i; j >= 0 && preWindow-pos < want; j-- {
		line := b.Line(j)
		var end string
		switch b.Offsets[j] - b.StartOf(j).Offset - int64(len(line)) {
		case 1:
			end = "\n"
		case 2:
			end = "\r\n"
		default:
			return preTail{} // cut: b does not hold the file's bytes
		}
		if _, cut := slices.BinarySearch(b.Cut, j); cut {
			return preTail{}
		}
		k := min(len(end), pos-(preWindow-want))
		copy(t.b[pos-k:pos], end[len(end)-k:])
		pos -= k
		k = min(len(line), pos-(preWindow-want))
		copy(t.b[pos-k:pos], line[len(line)-k:])
		pos -= k
	}
	if k := want - (preWindow - pos); k > 0 {
		// The bytes before the batch are needed: before's last k.
		if before.n < k {
			return preTail{}
		}
		copy(t.b[pos-k:pos], before.b[before.n-k:before.n])
		pos -= k
	}
	copy(t.b[:], t.b[pos:])
	t.n = want
	return t
}

// tailBeforeMark returns the bytes of the file just before m, a line's
// start in b (Batch.StartOf) after its first line, as tailBefore does
// with before; unknown for another place (the start of b, whose bytes
// before it are the batch before's end, kept by preTails already).
func (b *Batch) tailBeforeMark(m Mark, before preTail) preTail {
	if m.IsZero() || m.File != b.File || m.Offset <= b.Start {
		return preTail{}
	}
	i, found := slices.BinarySearch(b.Offsets, m.Offset)
	if !found {
		return preTail{}
	}
	return b.tailBefore(i, before)
}

// preTails keeps, for the last files committed in, the bytes before the
// offsets of their latest commits (see preTail), so that a checkpoint
// saved after such a file was deleted still hashes them: a batch's end,
// and the place a CommitHeld holds (the start of a line whose last part
// is not read yet, or the end of the batch before). It holds the last
// tailsPerFile offsets of each of at most maxPreTails files, the file
// committed in least recently dropped first.
type preTails []preTailFile

// preTailFile is what preTails keeps for one file: the bytes before its
// last offsets committed at, in a ring (next is where the next one goes).
type preTailFile struct {
	id   FileID
	at   [tailsPerFile]preTailAt
	next int
}

type preTailAt struct {
	off int64
	t   preTail
}

// maxPreTails bounds the files preTails keeps: the files a checkpoint
// keeps positions for are the one drained and those rotated while it was
// (Config.RotateWait). tailsPerFile is how many offsets it keeps of each.
const (
	maxPreTails  = 32
	tailsPerFile = 4
)

// note records t, the bytes before off in the file id.
func (p *preTails) note(id FileID, off int64, t preTail) {
	if t.n == 0 {
		return
	}
	s := *p
	i := slices.IndexFunc(s, func(f preTailFile) bool { return f.id == id })
	var f preTailFile
	if i >= 0 {
		f = s[i]
		s = slices.Delete(s, i, i+1)
	} else {
		f.id = id
		if len(s) >= maxPreTails {
			s = slices.Delete(s, 0, 1)
		}
	}
	j := slices.IndexFunc(f.at[:], func(a preTailAt) bool { return a.t.n > 0 && a.off == off })
	if j < 0 {
		j, f.next = f.next, (f.next+1)%tailsPerFile
	}
	f.at[j] = preTailAt{off, t}
	*p = append(s, f)
}

// get returns the bytes kept before off in the file id; n 0 when none.
func (p preTails) get(id FileID, off int64) preTail {
	for _, f := range p {
		if f.id != id {
			continue
		}
		for _, a := range f.at {
			if a.t.n > 0 && a.off == off {
				return a.t
			}
		}
	}
	return preTail{}
}

// hash returns the length and hex SHA-256 of the bytes kept before off in
// the file id, as preHash does, or 0 and "" when none are kept for that
// offset.
func (p preTails) hash(id FileID, off int64) (int, string) {
	t := p.get(id, off)
	if t.n == 0 {
		return 0, ""
	}
	return t.n, preSum(t.b[:t.n])
}
