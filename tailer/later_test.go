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
