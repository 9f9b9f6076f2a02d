package tailer

import (
	"os"
	"path/filepath"
	"testing"
)

// TestHeadMatches: a FileID matches the file at a path when that file
// begins with the bytes its fingerprint covers (the file, renamed or
// grown), not another file (a file created on the same device and inode
// after the first was deleted), nor a file shorter than those bytes or
// missing; an id without a fingerprint matches any file.
func TestHeadMatches(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	id := FileID{Dev: 1, Ino: 2, Fingerprint: fingerprint([]byte("old pod line 1\n")), FingerprintLen: len("old pod line 1\n")}
	for _, tc := range []struct {
		name string
		id   FileID
		path string
		want bool
	}{
		{"the same file, grown", id, write("grown.log", "old pod line 1\nold pod line 2\n"), true},
		{"another file", id, write("new.log", "new pod line 1\n"), false},
		{"shorter than the fingerprint", id, write("short.log", "old pod"), false},
		{"missing", id, filepath.Join(dir, "missing.log"), false},
		{"no fingerprint", FileID{Dev: 1, Ino: 2}, write("any.log", "anything\n"), true},
	} {
		if got := tc.id.HeadMatches(tc.path); got != tc.want {
			t.Errorf("%s: HeadMatches = %v, want %v", tc.name, got, tc.want)
		}
	}
}
