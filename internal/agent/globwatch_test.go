package agent

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// numbered returns n plain lines "<tag>-0" ... each ending in a newline.
func numbered(tag string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s-%d\n", tag, i)
	}
	return b.String()
}

// TestGlobWatchRecord: a file a glob matches without a checkpoint, at a
// restart or a scan after start, is read with its rotated copies written
// since the glob was first scanned (or forgot its path), not as a file
// there at a first start, whose copies are history (trials 162 and 171).
// Each case runs the agent
// over dir/*.log, stops it, does what while it is stopped, runs it again
// and lists the lines sent, each once.
func TestGlobWatchRecord(t *testing.T) {
	for _, tc := range []struct {
		name   string
		first  func(t *testing.T, dir string, sent func() int) // while the first run runs
		while  func(t *testing.T, dir string)                  // while stopped
		want   []string                                        // the lines sent, sorted
		logged string                                          // in the second run's log
	}{
		{
			name: "appeared and rotated while stopped",
			while: func(t *testing.T, dir string) {
				f := filepath.Join(dir, "f.log")
				writeFile(t, f, numbered("a", 3))
				rename(t, f, f+".1")
				writeFile(t, f, numbered("b", 2))
			},
			want:   []string{"a-0", "a-1", "a-2", "b-0", "b-1"},
			logged: "glob match without a checkpoint, never followed",
		},
		{
			// The kubelet compresses a rotated container log with no
			// time in the gzip header (fresh-user trial 266: its lines
			// were lost without a word).
			name: "appeared, rotated and compressed while stopped",
			while: func(t *testing.T, dir string) {
				f := filepath.Join(dir, "f.log")
				writeFile(t, f, numbered("a", 3))
				rename(t, f, f+".20261207-120000")
				writeFile(t, f, numbered("b", 2))
				gzipFile(t, f+".20261207-120000")
			},
			want: []string{"a-0", "a-1", "a-2", "b-0", "b-1"},
		},
		{
			name: "appeared, rotated twice while stopped",
			while: func(t *testing.T, dir string) {
				f := filepath.Join(dir, "f.log")
				writeFile(t, f, numbered("a", 2))
				rename(t, f, f+".1")
				writeFile(t, f, numbered("b", 2))
				rename(t, f+".1", f+".2")
				rename(t, f, f+".1")
				writeFile(t, f, numbered("c", 1))
			},
			want: []string{"a-0", "a-1", "b-0", "b-1", "c-0"},
		},
		{
			// A file that lived less than a scan (renamed away before any
			// scan saw it) while another match changed, then a new file
			// while stopped (trial 171, loss A).
			name: "renamed away before a scan, new file while stopped",
			first: func(t *testing.T, dir string, sent func() int) {
				f := filepath.Join(dir, "x.log")
				writeFile(t, f, numbered("a", 3))
				rename(t, f, f+".1")
				time.Sleep(100 * time.Millisecond) // scans see no x.log
				writeFile(t, filepath.Join(dir, "other.log"), numbered("o", 1))
				waitFor(t, "the other file's line", 10*time.Second, func() bool { return sent() >= 1 })
			},
			while: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "x.log"), numbered("b", 2))
			},
			want: []string{"a-0", "a-1", "a-2", "b-0", "b-1", "o-0"},
		},
		{
			// The same while running: the new file appears a scan after
			// the first was renamed away (trial 171, loss A).
			name: "renamed away before a scan, new file a scan later",
			first: func(t *testing.T, dir string, sent func() int) {
				f := filepath.Join(dir, "x.log")
				writeFile(t, f, numbered("a", 3))
				rename(t, f, f+".1")
				time.Sleep(100 * time.Millisecond) // scans see no x.log
				writeFile(t, f, numbered("b", 2))
				waitFor(t, "the lines", 30*time.Second, func() bool { return sent() >= 5 })
			},
			while: func(t *testing.T, dir string) {},
			want:  []string{"a-0", "a-1", "a-2", "b-0", "b-1"},
		},
		{
			// The file followed in the first run was rotated away and
			// forgotten; a new one appears while stopped: the old copy,
			// sent before, is not sent again.
			name: "forgotten, then a new file while stopped",
			first: func(t *testing.T, dir string, sent func() int) {
				f := filepath.Join(dir, "f.log")
				writeFile(t, f, numbered("a", 3))
				waitFor(t, "the first lines", 10*time.Second, func() bool { return sent() >= 3 })
				rename(t, f, f+".1")
				time.Sleep(2 * time.Second) // drained, forgotten
			},
			while: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "f.log"), numbered("b", 2))
			},
			want: []string{"a-0", "a-1", "a-2", "b-0", "b-1"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			addr, got := appMsgCollector(t)
			c := newConfig(t, "tcp://"+addr, config.Source{Type: "application", Path: filepath.Join(dir, "*.log")})
			c.Detections.Enabled = new(bool)
			c.Tailer.RotateWait = 50 * time.Millisecond
			opts := Options{GlobInterval: 20 * time.Millisecond}
			_, _, stop := runInBackground(t, c, opts)
			if tc.first != nil {
				tc.first(t, dir, func() int { return len(got()) })
			}
			time.Sleep(100 * time.Millisecond)
			stop()
			tc.while(t, dir)
			logs := &syncBuffer{}
			opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
			_, _, stop = runInBackground(t, c, opts)
			waitFor(t, "the lines", 30*time.Second, func() bool { return len(got()) >= len(tc.want) })
			time.Sleep(300 * time.Millisecond) // many scans: nothing more
			stop()
			if s := sentLines(got()); !slices.Equal(s, tc.want) {
				t.Errorf("sent %q, want each once: %q", s, tc.want)
			}
			if !strings.Contains(logs.String(), tc.logged) {
				t.Errorf("log lacks %q:\n%s", tc.logged, logs.String())
			}
		})
	}
}

// TestGlobFirstStartCopies: at a glob's first start (no watch record
// saved), or when its watch record cannot be read, a match's rotated copies
// are history, as a configured path's are: not read, and logged with
// how to send them.
func TestGlobFirstStartCopies(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mark   string // the watch record's content; "": none
		logged string
	}{
		{"no record", "", "rotated copies older than this first start are not read"},
		{"record not JSON", "{not json", "glob watch record not usable"},
		{"record a directory", "DIR", "it is a directory, which no record can replace: remove it"},
		{"record of another glob", `{"version":1,"glob":"/elsewhere/*.log","listed":"2026-12-01T00:00:00Z"}`, "the record of another glob"},
		{"record in the future", `{"version":1,"glob":"GLOB","listed":"2099-01-01T00:00:00Z"}`, "is in the future"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			f := filepath.Join(dir, "f.log")
			writeFile(t, f, numbered("a", 3))
			rename(t, f, f+".1")
			writeFile(t, f, numbered("b", 2))
			addr, got := appMsgCollector(t)
			glob := filepath.Join(dir, "*.log")
			c := newConfig(t, "tcp://"+addr, config.Source{Type: "application", Path: glob})
			c.Detections.Enabled = new(bool)
			switch rec := filepath.Join(c.StateDir, recordKey(glob)+".json"); tc.mark {
			case "":
			case "DIR":
				if err := os.MkdirAll(rec, 0o700); err != nil {
					t.Fatal(err)
				}
			default:
				writeFile(t, rec, strings.ReplaceAll(tc.mark, "GLOB", glob))
			}
			logs := &syncBuffer{}
			opts := Options{GlobInterval: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(logs, nil))}
			_, _, stop := runInBackground(t, c, opts)
			waitFor(t, "the live file's lines", 10*time.Second, func() bool { return len(got()) >= 2 })
			time.Sleep(300 * time.Millisecond)
			stop()
			if s, want := sentLines(got()), []string{"b-0", "b-1"}; !slices.Equal(s, want) {
				t.Errorf("sent %q, want %q", s, want)
			}
			if !strings.Contains(logs.String(), tc.logged) {
				t.Errorf("log lacks %q:\n%s", tc.logged, logs.String())
			}
			if tc.mark == "DIR" && strings.Contains(logs.String(), "the record is saved again") {
				t.Errorf("log says a directory in the record's place is saved again:\n%s", logs.String())
			}
		})
	}
}

// TestKillGlobBeforeFirstCheckpoint kills the agent with SIGKILL as soon
// as a glob scan picked up new files, each rotated once before it (its
// .1 copy only the new file's tailer reads), before their tailers saved a
// first checkpoint, and restarts it: every line of the files and their
// copies is sent (trial 162: 7,000 of 12,000 lines lost with 40 files,
// their copies taken at the restart for history older than a first start).
func TestKillGlobBeforeFirstCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("starts agent processes; not run with -short")
	}
	const files, lines = 30, 50
	got, col := listenCollected(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	logs := filepath.Join(dir, "logs")
	if err := os.Mkdir(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Minute)
	loginsOf := func(tag string) string {
		var b strings.Builder
		for i := range lines {
			fmt.Fprintf(&b, `{"severity":"INFO","time":%q,"message":"%s-%d"}`+"\n", at.Format(time.RFC3339Nano), tag, i)
		}
		return b.String()
	}
	writeFile(t, filepath.Join(logs, "first.log"), loginsOf("first"))
	h := startKillHelper(t, col.Addr(), filepath.Join(logs, "*.log"), state)
	waitFor(t, "the first file's lines", 10*time.Second, func() bool { return got.count("GitLab-Application-Logs") >= lines })
	for i := range files {
		f := filepath.Join(logs, fmt.Sprintf("f%d.log", i))
		writeFile(t, f, loginsOf(fmt.Sprintf("f%d-a", i)))
		rename(t, f, f+".1")
		writeFile(t, f, loginsOf(fmt.Sprintf("f%d-b", i)))
	}
	waitFor(t, "the scan of the new files", 10*time.Second, func() bool {
		return strings.Contains(h.log(), `msg="following (glob match)"`)
	})
	h.kill(t)
	h = startKillHelper(t, col.Addr(), filepath.Join(logs, "*.log"), state)
	defer h.kill(t)
	want := lines * (1 + 2*files)
	deadline := time.Now().Add(20 * time.Second)
	for got.distinct("GitLab-Application-Logs") < want && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := got.distinct("GitLab-Application-Logs"); n != want {
		t.Errorf("%d distinct lines sent, want %d; log after the restart:\n%s", n, want, h.log())
	}
}

// distinct returns the number of distinct log lines of APP-NAME app
// received.
func (c *collected) distinct(app string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]bool, len(c.lines[app]))
	for _, x := range c.lines[app] {
		m[x] = true
	}
	return len(m)
}

// sentLines returns the MSG of each of msgs, as appMsgCollector lists
// them ("APP-NAME MSG"), sorted.
func sentLines(msgs []string) []string {
	var out []string
	for _, m := range msgs {
		_, msg, _ := strings.Cut(m, " ")
		out = append(out, msg)
	}
	slices.Sort(out)
	return out
}

// rename renames old to new, failing t on error.
func rename(t *testing.T, old, new string) {
	t.Helper()
	if err := os.Rename(old, new); err != nil {
		t.Fatal(err)
	}
}

// TestPruneForgot: a watch record keeps the paths forgotten in the last
// forgetMemory, at most forgetMax of them, the most recently forgotten.
func TestPruneForgot(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		ages []time.Duration // how long ago each path p<i> was forgotten
		want int             // paths kept
		kept string          // one of them
		gone string          // one dropped
	}{
		{"recent kept", []time.Duration{time.Hour, 29 * 24 * time.Hour}, 2, "p1", ""},
		{"older than forgetMemory dropped", []time.Duration{time.Hour, 31 * 24 * time.Hour}, 1, "p0", "p1"},
		{"beyond forgetMax, the oldest dropped", func() []time.Duration {
			ages := make([]time.Duration, forgetMax+2)
			for i := range ages {
				ages[i] = time.Duration(i) * time.Second // p0 the newest
			}
			return ages
		}(), forgetMax, "p0", fmt.Sprintf("p%d", forgetMax+1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := &globSource{forgot: map[string]time.Time{}}
			for i, age := range tc.ages {
				g.forgot[fmt.Sprintf("p%d", i)] = now.Add(-age)
			}
			g.pruneForgot(now)
			if len(g.forgot) != tc.want {
				t.Errorf("%d paths kept, want %d", len(g.forgot), tc.want)
			}
			if _, ok := g.forgot[tc.kept]; !ok {
				t.Errorf("%s dropped, want it kept", tc.kept)
			}
			if _, ok := g.forgot[tc.gone]; ok && tc.gone != "" {
				t.Errorf("%s kept, want it dropped", tc.gone)
			}
		})
	}
}
