package tailer

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// TestUnreadCopies checks the copies UnreadCopies names against those a
// tailer of the same Config, started with the same NewSince, reads: the
// two are complementary, so a copy is either read or named, never both
// and never neither.
func TestUnreadCopies(t *testing.T) {
	hourAgo := time.Now().Add(-time.Hour)
	cases := []struct {
		name       string
		since      bool // NewSince half an hour ago
		checkpoint bool // a checkpoint of the path saved before
		noFile     bool // no file at the path
		want       []string
		wantRead   []string // the lines a tailer reads before the file's
	}{
		{name: "first start: every copy, start_at applies", want: []string{".1", ".2.gz", ".3"}},
		{name: "waited: the .gz and the copies from before the wait", since: true,
			want: []string{".2.gz", ".3"}, wantRead: []string{"one"}},
		{name: "a checkpoint: none", checkpoint: true},
		{name: "no file at the path: none", noFile: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "app.log")
			writeFile(t, path, "live\n")
			writeFile(t, path+".1", "one\n") // written now: after since
			writeGzip(t, path+".2.gz", []byte("two\n"))
			writeFile(t, path+".3", "three\n")
			for _, n := range []string{".2.gz", ".3"} {
				if err := os.Chtimes(path+n, hourAgo, hourAgo); err != nil {
					t.Fatal(err)
				}
			}
			cfg := testConfig(t, path)
			store, err := checkpoint.Open(cfg.StateDir)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Checkpoints = store
			if tc.checkpoint {
				if err := store.SavePosition(checkpoint.Position{Path: path, File: path}); err != nil {
					t.Fatal(err)
				}
			}
			if tc.noFile {
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
			}
			var since time.Time
			if tc.since {
				since = time.Now().Add(-30 * time.Minute)
			}
			got := UnreadCopies(cfg, since)
			var want []string
			for _, n := range tc.want {
				want = append(want, path+n)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("UnreadCopies = %q, want %q", got, want)
			}
			if tc.checkpoint || tc.noFile || !tc.since {
				return
			}
			// The tailer, given that NewSince, reads exactly the others.
			cfg.NewSince = since
			tl, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			c := startTailer(t, tl, nil)
			c.waitN(len(tc.wantRead) + 1)
			c.stop()
			checkExactly(t, c.texts(), append(slices.Clone(tc.wantRead), "live"))
			if skipped := tl.SkippedCopies(); !slices.Equal(skipped, want) {
				t.Errorf("SkippedCopies = %q, want UnreadCopies' %q", skipped, want)
			}
		})
	}
}

// TestSkippedCopies checks SkippedCopies for a tailer started without a
// checkpoint: after a file appeared at the path, the copies there before
// it began waiting, which it does not read, and not those made while it
// waited, which it reads first; nothing for a file there at start.
func TestSkippedCopies(t *testing.T) {
	cases := []struct {
		name     string
		atStart  bool // the file is at the path when the tailer starts
		during   bool // a copy .1 is made while the tailer waits
		want     []string
		wantRead []string
	}{
		{name: "appeared: the copies from before", want: []string{".2", ".3.gz"}, wantRead: []string{"live"}},
		{name: "appeared after a copy made while waiting", during: true,
			want: []string{".2", ".3.gz"}, wantRead: []string{"during", "live"}},
		{name: "there at start: none (UnreadCopies names them)", atStart: true, wantRead: []string{"live"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "app.log")
			writeFile(t, path+".2", "two\n")
			writeGzip(t, path+".3.gz", []byte("three\n"))
			if tc.atStart {
				writeFile(t, path, "live\n")
			}
			cfg := testConfig(t, path)
			store, err := checkpoint.Open(cfg.StateDir)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Checkpoints = store
			tl, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			c := startTailer(t, tl, nil)
			if !tc.atStart {
				waitStats(t, tl, "waiting", func(s Stats) bool { return s.Mode == ModeWaiting })
				if got := tl.SkippedCopies(); got != nil {
					t.Errorf("SkippedCopies while waiting = %q, want none", got)
				}
				if tc.during {
					writeFile(t, path+".1", "during\n")
				}
				writeFile(t, path, "live\n")
			}
			c.waitN(len(tc.wantRead))
			c.stop()
			checkExactly(t, c.texts(), tc.wantRead)
			var want []string
			for _, n := range tc.want {
				want = append(want, path+n)
			}
			if got := tl.SkippedCopies(); !slices.Equal(got, want) {
				t.Errorf("SkippedCopies = %q, want %q", got, want)
			}
		})
	}
}
