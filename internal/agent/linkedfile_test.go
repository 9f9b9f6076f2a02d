package agent

import (
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestLinkedFileFollowedOnce: a file two sources reach through two paths
// (a /var/log/containers symlink and the /var/log/pods file it names, a
// hard link) is followed once, by the source that names it, else the
// first glob that matches it, and the other's skip is logged once
// (fresh-user trial 72: every line of the webservice pods sent twice).
// Each case lays out the files under a temporary root: pods/<pod>/0.log,
// with links made by link from the root and the file's path.
func TestLinkedFileFollowedOnce(t *testing.T) {
	symlink := func(t *testing.T, root, file string) string {
		l := filepath.Join(root, "containers", filepath.Base(filepath.Dir(file))+".log")
		if err := os.Symlink(file, l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	hardlink := func(t *testing.T, root, file string) string {
		l := filepath.Join(root, "containers", filepath.Base(filepath.Dir(file))+".log")
		if err := os.Link(file, l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	const links, pods = "containers/*.log", "pods/*/0.log"
	for _, tc := range []struct {
		name    string
		link    func(t *testing.T, root, file string) string
		sources []string // globs under the root, or "PLAIN" for the first pod's file by path
		// follower is the source (as sources has it) that follows the
		// files; skips are the other's matches skipped, each logged once.
		follower string
		skips    int
	}{
		{"symlinks first", symlink, []string{links, pods}, links, 2},
		{"files first", symlink, []string{pods, links}, pods, 2},
		{"hard links", hardlink, []string{links, pods}, links, 2},
		{"path and glob", symlink, []string{links, "PLAIN"}, "PLAIN", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			var files []string
			for _, pod := range []string{"web-a", "web-b"} {
				f := filepath.Join(root, "pods", pod, "0.log")
				if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
					t.Fatal(err)
				}
				files = append(files, f)
			}
			if err := os.MkdirAll(filepath.Join(root, "containers"), 0o755); err != nil {
				t.Fatal(err)
			}
			for i, f := range files {
				writeAccessLines(t, f, i*100, 5)
				tc.link(t, root, f)
			}
			var scs []config.Source
			for _, s := range tc.sources {
				p := filepath.Join(root, s)
				if s == "PLAIN" {
					p = files[0]
				}
				scs = append(scs, config.Source{Type: "access", Path: p})
			}
			c := newConfig(t, "stdout://", scs...)
			c.Detections.Enabled = new(bool)
			var logs syncBuffer
			var out syncBuffer
			runToEOFWith(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Stdout: &out})
			var got []string
			for l := range strings.Lines(out.String()) {
				got = append(got, l[strings.Index(l, "/line/")+6:][:6])
			}
			slices.Sort(got)
			want := []string{"000000", "000001", "000002", "000003", "000004", "000100", "000101", "000102", "000103", "000104"}
			if !slices.Equal(got, want) {
				t.Errorf("lines sent %q, want each of %q once", got, want)
			}
			if n := strings.Count(logs.String(), "which source"); n != tc.skips {
				t.Errorf("%d skips logged, want %d:\n%s", n, tc.skips, logs.String())
			}
			follower := filepath.Join(root, tc.follower)
			if tc.follower == "PLAIN" {
				follower = files[0]
			}
			if want := "which source " + follower + " follows"; !strings.Contains(logs.String(), want) {
				t.Errorf("the log does not say %q:\n%s", want, logs.String())
			}
		})
	}
}

// TestLinkedFileAppearingLater: the files of a new pod, which two globs
// reach (its /var/log/containers symlink and its /var/log/pods file), are
// followed once, whichever path appears first.
func TestLinkedFileAppearingLater(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"containers", "pods/web-a"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	addr, got := appMsgCollector(t)
	c := newConfig(t, "tcp://"+addr,
		config.Source{Type: "access", Path: filepath.Join(root, "containers", "*.log")},
		config.Source{Type: "access", Path: filepath.Join(root, "pods", "*", "*.log")})
	c.Detections.Enabled = new(bool)
	var logs syncBuffer
	_, _, stop := runInBackground(t, c, Options{GlobInterval: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	defer stop()
	file := filepath.Join(root, "pods", "web-a", "0.log")
	writeAccessLines(t, file, 0, 5)
	time.Sleep(100 * time.Millisecond) // the file followed before its symlink is made
	if err := os.Symlink(file, filepath.Join(root, "containers", "web-a.log")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	writeAccessLines(t, file, 5, 5)
	waitFor(t, "the 10 lines", 10*time.Second, func() bool { return len(got()) >= 10 })
	time.Sleep(300 * time.Millisecond) // any duplicate arrives
	if n := len(got()); n != 10 {
		t.Errorf("%d messages, want 10 (each line once): %q", n, got())
	}
	if n := strings.Count(logs.String(), "which source"); n != 1 {
		t.Errorf("%d skips logged, want 1:\n%s", n, logs.String())
	}
}
