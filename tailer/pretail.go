package tailer

import (
	"crypto/sha256"
	"encoding/hex"
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
// the "\n" (or "\r\n") b took off. It is unknown (n 0) when a line it
// needs was cut (to Config.MaxLineBytes, or NUL padding cut), so that b
// does not hold it as the file does, or when the bytes before Start are
// needed and Start is not the file's beginning.
func (b *Batch) tailBefore(i int) preTail {
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
	if preWindow-pos < want {
		return preTail{} // the bytes before the batch are needed
	}
	copy(t.b[:], t.b[pos:])
	t.n = want
	return t
}

// preTails keeps, for the last files committed in, the bytes before the
// offset of their latest commit (see preTail), so that a checkpoint saved
// after such a file was deleted still hashes them. It holds at most
// maxPreTails files, the oldest dropped first.
type preTails []preTailAt

type preTailAt struct {
	id  FileID
	off int64
	t   preTail
}

// maxPreTails bounds preTails: the files a checkpoint keeps positions for
// are the one drained and the few rotated while it was (Config.RotateWait).
const maxPreTails = 32

// note records t, the bytes before off in the file id, replacing what was
// kept for id.
func (p *preTails) note(id FileID, off int64, t preTail) {
	if t.n == 0 {
		return
	}
	s := slices.DeleteFunc(*p, func(e preTailAt) bool { return e.id == id })
	if len(s) >= maxPreTails {
		s = slices.Delete(s, 0, 1)
	}
	*p = append(s, preTailAt{id, off, t})
}

// hash returns the length and hex SHA-256 of the bytes kept before off in
// the file id, as preHash does, or 0 and "" when none are kept for that
// offset.
func (p preTails) hash(id FileID, off int64) (int, string) {
	for _, e := range p {
		if e.id == id && e.off == off {
			sum := sha256.Sum256(e.t.b[:e.t.n])
			return e.t.n, hex.EncodeToString(sum[:])
		}
	}
	return 0, ""
}
