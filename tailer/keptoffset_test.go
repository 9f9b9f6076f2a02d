package tailer

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// TestKeptOffsetReusedInode: a plain rotated copy on an inode for which
// the checkpoint keeps positions of other files (earlier copies on that
// inode, with other first bytes) is not taken for those files: the
// position kept for what it holds, the live file's before the cut, by its
// first bytes, gives where to read it from (fresh-user trial 275: it was
// read again from 0, and the lines written before the stop were sent
// twice).
func TestKeptOffsetReusedInode(t *testing.T) {
	dir := t.TempDir()
	copyPath := filepath.Join(dir, "audit_json.log.1")
	lines := numbered("l", 160, 163) + numbered("l", 163, 166) // read to 3 lines, 3 more written while stopped
	writeFile(t, copyPath, lines)
	fi, err := os.Stat(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	dev, ino := devIno(fi)
	read := int64(len(numbered("l", 160, 163)))
	kept := func(d, i uint64, head string, off int64) keptPosition {
		id := FileID{Dev: d, Ino: i, Fingerprint: fingerprint([]byte(head)), FingerprintLen: len(head)}
		return keptPosition{pos: &checkpoint.Position{Dev: d, Ino: i, Offset: off}, id: id}
	}
	s := sibling{name: copyPath, fi: fi}
	for _, tc := range []struct {
		name string
		kept []keptPosition
		want int64
	}{
		{"its own inode's position", []keptPosition{kept(dev, ino, lines[:20], read)}, read},
		{"its inode another file's, the live file's before the cut", []keptPosition{
			kept(dev, ino, "another copy's first bytes", 2760),
			kept(dev, ino+1000, lines[:read], read),
		}, read},
		{"its inode another file's only", []keptPosition{kept(dev, ino, "another copy's first bytes", 2760)}, 0},
		// Its content kept twice, at two commits (fresh-user trial 275,
		// logrotate's create: a .gz read again from the earlier one's
		// offset): the furthest.
		{"its own position kept twice, the furthest last", []keptPosition{kept(dev, ino, lines[:9], 9), kept(dev, ino, lines[:20], read)}, read},
		{"its own position kept twice, the furthest first", []keptPosition{kept(dev, ino, lines[:20], read), kept(dev, ino, lines[:9], 9)}, read},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, _ := keptOffset(tc.kept, s); got != tc.want {
				t.Errorf("keptOffset = %d, want %d", got, tc.want)
			}
		})
	}
}
