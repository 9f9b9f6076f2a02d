package tailer

import (
	"slices"
	"testing"
)

// TestLaterFiles: the positions kept for the files read while an older
// one is drained: one a file, updated in place by a late write, in the
// order first committed; dropped up to the file the checkpoint moves
// into; the oldest dropped for room beyond maxLater.
func TestLaterFiles(t *testing.T) {
	at := func(ino uint64, off int64) position { return position{id: FileID{Dev: 1, Ino: ino}, off: off} }
	inos := func(l laterFiles) (out [][2]int64) {
		for _, p := range l.files {
			out = append(out, [2]int64{int64(p.id.Ino), p.off})
		}
		return out
	}
	var l laterFiles
	for _, p := range []position{at(2, 10), at(3, 10), at(2, 15), at(4, 5)} {
		l.set(p)
	}
	if got, want := inos(l), [][2]int64{{2, 15}, {3, 10}, {4, 5}}; !slices.Equal(got, want) {
		t.Errorf("after set: %v, want %v", got, want)
	}
	held := l.clone()
	l.find(FileID{Dev: 1, Ino: 3}).off = 7
	if held.find(FileID{Dev: 1, Ino: 3}).off != 10 || l.equal(held) {
		t.Errorf("a clone changed with the original")
	}
	l.drop(FileID{Dev: 1, Ino: 3}, false) // the checkpoint moves into 3: 2 is done
	if got, want := inos(l), [][2]int64{{4, 5}}; !slices.Equal(got, want) {
		t.Errorf("after drop: %v, want %v", got, want)
	}
	l.drop(FileID{Dev: 1, Ino: 9}, false) // not kept: nothing dropped
	if len(l.files) != 1 {
		t.Errorf("drop of a file not kept dropped %v", inos(l))
	}
	l.drop(FileID{}, true)
	if len(l.files) != 0 {
		t.Errorf("drop all left %v", inos(l))
	}
	for i := 0; i <= maxLater; i++ {
		l.set(at(uint64(100+i), 1))
	}
	if len(l.files) != maxLater || l.files[0].id.Ino != 101 {
		t.Errorf("beyond maxLater: %d kept, the oldest %d; want %d, the oldest 101", len(l.files), l.files[0].id.Ino, maxLater)
	}
}

// TestLaterFilesReusedInode: two copies on one inode (copytruncate made
// the second on the inode of the first, compressed and deleted since)
// are two files, told apart by their first bytes, each keeping its own
// position; a file whose fingerprint grew (fingerprinted over more bytes)
// is still one (fresh-user trial 275: the second copy's position replaced
// the first's, and a restart read the first's .gz again from 0).
func TestLaterFilesReusedInode(t *testing.T) {
	id := func(ino uint64, head string) FileID {
		f := FileID{Dev: 1, Ino: ino}
		f.Fingerprint, f.FingerprintLen = fingerprint([]byte(head)), len(head)
		return f
	}
	var l laterFiles
	l.set(position{id: id(7, "copy one"), off: 2944})
	l.set(position{id: id(7, "copy two"), off: 2760}) // the same length, other bytes: another file
	l.set(position{id: id(8, "live"), off: 10})
	l.set(position{id: id(8, "live, grown"), off: 20}) // grown: the same file
	var got []int64
	for _, p := range l.files {
		got = append(got, p.off)
	}
	if want := []int64{2944, 2760, 20}; !slices.Equal(got, want) {
		t.Errorf("offsets kept %v, want %v", got, want)
	}
	if p := l.find(id(7, "copy one")); p == nil || p.off != 2944 {
		t.Errorf("the first copy's position: %v, want 2944", p)
	}
}
