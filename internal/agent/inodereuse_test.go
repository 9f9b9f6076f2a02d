package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/tailer"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// TestGlobInodeReused: a glob match whose device and inode are those of
// a file a source's tailer read renamed (or a forgotten match's
// checkpoint points into) is that file only when it begins with that
// file's first bytes: a new file created on the inode after the old one
// was deleted (pods coming and going on ext4) is followed as a match of
// its own, and is not handed the old file's checkpoint (fresh-user trial
// 247: a new pod's log was taken for the renamed log of a deleted pod,
// never followed, and its lines lost).
func TestGlobInodeReused(t *testing.T) {
	const oldHead = "old pod line 1\n"
	dir := t.TempDir()
	p := filepath.Join(dir, "new-pod.log")
	if err := os.WriteFile(p, []byte("new pod line 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	id, ok := idOf(fi)
	if !ok {
		t.Skip("no inode numbers here")
	}
	for _, tc := range []struct {
		name, head string
		same       bool
	}{
		{"another file on the inode", oldHead, false},
		{"the renamed file", "new pod line 1\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			read := tailer.FileID{Dev: id.dev, Ino: id.ino, Fingerprint: sha256.Sum256([]byte(tc.head)), FingerprintLen: len(tc.head)}
			followed := newFollowedSet()
			followed.addReading(read, filepath.Join(dir, "old-pod.log"), filepath.Join(dir, "*.log"))
			g := &globSource{}
			if got := g.sameFile(p, fi, followed); got != tc.same {
				t.Errorf("sameFile = %v, want %v", got, tc.same)
			}

			store, err := checkpoint.Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			old := filepath.Join(dir, "old-pod.log")
			if err := store.SavePosition(checkpoint.Position{Path: old, File: old, Dev: id.dev, Ino: id.ino,
				Fingerprint: hex.EncodeToString(read.Fingerprint[:]), FpLen: read.FingerprintLen, Offset: int64(len(tc.head))}); err != nil {
				t.Fatal(err)
			}
			g.paths = []string{p}
			g.handOver(store, old)
			pos, err := store.LoadPosition(p)
			if err != nil {
				t.Fatal(err)
			}
			if handed := pos != nil; handed != tc.same {
				t.Errorf("checkpoint handed over to %s: %v, want %v", p, handed, tc.same)
			}
		})
	}
}
