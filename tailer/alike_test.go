package tailer

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRotatedWhileStoppedAlikeHeads: while the tailer is stopped, the
// file is rotated twice, and the copy made in between and the new file at
// the path begin with the same 2 KiB (container logs that each begin
// inside a long line logged again: its continuation), more than the
// fingerprint. The restart reads the rest of the checkpoint's file, then
// that copy, then the new file: the copy is not taken for a copy of the
// new file (trial 204: with format docker, 777 of 2,542 lines skipped, and
// the first part of a line joined to another's end).
func TestRotatedWhileStoppedAlikeHeads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "0.log")
	writeFile(t, path, numbered("a", 0, 3))
	cfg := testConfig(t, path)
	checkExactly(t, runOnce(t, cfg, 3), linesOf(numbered("a", 0, 3)))
	same := strings.Repeat("x", 2048) + "\n" // alike beginnings
	appendFile(t, path, "a-rest\n")
	rotateAway(t, path, "numbered", 1)
	appendFile(t, path, same+numbered("b", 0, 2))
	rotateAway(t, path, "numbered", 2)
	appendFile(t, path, same+numbered("c", 0, 2))
	want := append(append([]string{"a-rest"}, linesOf(same+numbered("b", 0, 2))...), linesOf(same+numbered("c", 0, 2))...)
	checkExactly(t, runOnce(t, cfg, len(want)), want)
}
