package tailer

import (
	"os"
	"path/filepath"
	"testing"
)

// TestResumeKubeletRotation: a container log followed through its
// /var/log/containers symlink, rotated by the kubelet while the tailer was
// stopped (0.log renamed to 0.log.<YYYYMMDD-hhmmss>, then compressed, and
// a new 0.log), is resumed from the rotated copy next to the file the
// symlink names, then the new file from 0: nothing lost, nothing twice.
func TestResumeKubeletRotation(t *testing.T) {
	for _, gz := range []bool{false, true} {
		name := "renamed"
		if gz {
			name = "renamed and compressed"
		}
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			ctrDir := filepath.Join(root, "pods", "gitlab_web-0_uid", "webservice")
			if err := os.MkdirAll(ctrDir, 0o755); err != nil {
				t.Fatal(err)
			}
			os.MkdirAll(filepath.Join(root, "containers"), 0o755)
			real := filepath.Join(ctrDir, "0.log")
			link := filepath.Join(root, "containers", "web-0_gitlab_webservice-abc.log")
			if err := os.Symlink(real, link); err != nil {
				t.Fatal(err)
			}
			first, more, after := numbered("a", 0, 5), numbered("b", 0, 4), numbered("c", 0, 3)
			writeFile(t, real, first)
			cfg := testConfig(t, link)
			checkExactly(t, runOnce(t, cfg, 5), linesOf(first))

			appendFile(t, real, more)
			rotated := real + ".20240501-120000"
			if gz {
				data, _ := os.ReadFile(real)
				gzipFile(t, rotated+".gz", data)
				os.Remove(real)
			} else if err := os.Rename(real, rotated); err != nil {
				t.Fatal(err)
			}
			writeFile(t, real, after)

			tl, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			c := startTailer(t, tl, nil)
			want := append(linesOf(more), linesOf(after)...)
			c.waitN(len(want))
			waitStats(t, tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
			c.stop()
			checkExactly(t, c.texts(), want)
			if s := tl.Stats(); s.CheckpointDiscarded != 0 {
				t.Errorf("CheckpointDiscarded = %d, want 0", s.CheckpointDiscarded)
			}
		})
	}
}

// TestKubeletRotationLive: a container log followed through its
// /var/log/containers symlink, whose name is longer than the rotated
// names next to the file it names, is rotated by the kubelet while
// followed (0.log renamed to 0.log.<YYYYMMDD-hhmmss>, a new 0.log): the
// old file's lines, then the new file's, each once.
func TestKubeletRotationLive(t *testing.T) {
	root := t.TempDir()
	ctrDir := filepath.Join(root, "pods", "gitlab_web-0_uid", "webservice")
	if err := os.MkdirAll(ctrDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "containers"), 0o755); err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(ctrDir, "0.log")
	link := filepath.Join(root, "containers", "gitlab-webservice-default-5d8f9c7b6-x2x7q_gitlab_webservice-0123456789abcdef.log")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	writeFile(t, real, numbered("a", 0, 5))
	c := start(t, testConfig(t, link))
	c.waitN(5)
	appendFile(t, real, numbered("a", 5, 8))
	if err := os.Rename(real, real+".20240501-120000"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, real, numbered("b", 0, 4))
	want := linesOf(numbered("a", 0, 8) + numbered("b", 0, 4))
	c.waitN(len(want))
	c.stop()
	checkExactly(t, c.texts(), want)
}
