package tailer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// TestResumable: Resumable says whether a Tailer would resume in the file
// at the path at a checkpoint taken at its end: yes when lines were only
// appended; no when the file was truncated and written again in place
// (copytruncate), rewritten with the same first line, replaced by a
// rename, removed, or when the checkpoint is past its end.
func TestResumable(t *testing.T) {
	head := strings.Repeat("the same first line, longer than nothing at all\n", 3)
	old := head + "line 4 of the old file\nline 5 of the old file\n"
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, path string)
		want   bool
	}{
		{"unchanged", func(*testing.T, string) {}, true},
		{"appended", func(t *testing.T, p string) { appendFile(t, p, "line 6\n") }, true},
		{"copytruncate", func(t *testing.T, p string) {
			if err := os.Truncate(p, 0); err != nil {
				t.Fatal(err)
			}
			appendFile(t, p, "a new file's line 1\nand its line 2, long enough to pass the offset......\n")
		}, false},
		{"rewritten, the same head", func(t *testing.T, p string) {
			if err := os.WriteFile(p, []byte(head+"line 4 of a new file\nline 5 of a new file\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"renamed away, a new file at the path", func(t *testing.T, p string) {
			if err := os.Rename(p, p+".1"); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(old), 0o644); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"removed", func(t *testing.T, p string) {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"shorter than the offset", func(t *testing.T, p string) {
			if err := os.Truncate(p, int64(len(head))); err != nil {
				t.Fatal(err)
			}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit_json.log")
			if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
				t.Fatal(err)
			}
			ck := checkpointAtEnd(t, path)
			tc.change(t, path)
			if got := Resumable(path, &ck); got != tc.want {
				t.Errorf("Resumable = %v, want %v", got, tc.want)
			}
		})
	}
}

// checkpointAtEnd returns the checkpoint a Tailer saves after delivering
// every line of the file at path: its identity and the hash of the bytes
// before its end.
func checkpointAtEnd(t *testing.T, path string) checkpoint.Position {
	t.Helper()
	s, fi, err := openLogFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	fp := filePosition(position{s.id, path, fi.Size()}, nil)
	return checkpoint.Position{Version: checkpoint.PositionVersion, Path: path, File: fp.File, Dev: fp.Dev, Ino: fp.Ino,
		Fingerprint: fp.Fingerprint, FpLen: fp.FpLen, Offset: fp.Offset, PreLen: fp.PreLen, PreHash: fp.PreHash}
}
