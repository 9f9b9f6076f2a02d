package agent

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// inotifyInstances returns how many inotify instances this process holds
// (its descriptors that name anon_inode:inotify), or -1 without /proc.
func inotifyInstances(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	n := 0
	for _, e := range ents {
		if l, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && l == "anon_inode:inotify" {
			n++
		}
	}
	return n
}

// TestSourcesShareInotify: the files an agent follows share one inotify
// instance, however many: 200 files, more than the 128 instances
// fs.inotify.max_user_instances allows a user by default, hold one, and a
// line appended to each is read at once (fresh-user trial 88: one
// instance per file, and past the limit every file polled, with a warning
// each).
func TestSourcesShareInotify(t *testing.T) {
	before := inotifyInstances(t)
	if before < 0 {
		t.Skip("no /proc/self/fd")
	}
	const files = 200
	root := t.TempDir()
	for i := range files {
		writeFile(t, filepath.Join(root, fmt.Sprintf("f%03d.log", i)), fmt.Sprintf("2026-11-29T12:00:00Z stdout F first-%d\n", i))
	}
	addr, got := appMsgCollector(t)
	c := newConfig(t, "tcp://"+addr, config.Source{Path: filepath.Join(root, "*.log"), Format: "cri", OtherSubcomponents: "forward"})
	c.Detections.Enabled = new(bool)
	_, _, stop := runInBackground(t, c, Options{GlobInterval: 20 * time.Millisecond})
	defer stop()
	waitFor(t, "the first lines", 20*time.Second, func() bool { return len(got()) >= files })
	if n := inotifyInstances(t) - before; n != 1 {
		t.Errorf("the agent holds %d inotify instances for %d files, want 1", n, files)
	}
	for i := range files {
		f, err := os.OpenFile(filepath.Join(root, fmt.Sprintf("f%03d.log", i)), os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(f, "2026-11-29T12:00:01Z stdout F second-%d\n", i)
		f.Close()
	}
	waitFor(t, "the appended lines", 20*time.Second, func() bool { return len(got()) >= 2*files })
}
