package agent

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// TestGlobRotatedCopies: a glob that also matches the rotated names of the
// files it follows (*.log*) sends each line once: a kubelet-rotated copy
// is not followed as a file of its own (before or after a restart), and
// compressed files, by name (.gz) or by their gzip magic, are never
// followed as plain text.
func TestGlobRotatedCopies(t *testing.T) {
	root := t.TempDir()
	addr, got := appMsgCollector(t)
	count := func() int { return len(got()) }
	cri := criRecords
	live := filepath.Join(root, "0.log")
	writeFile(t, live, cri("first", 3))
	c := newConfig(t, "tcp://"+addr, config.Source{Path: filepath.Join(root, "*.log*"), Format: "cri", OtherSubcomponents: "forward"})
	c.Detections.Enabled = new(bool)
	c.Tailer.RotateWait = 50 * time.Millisecond
	opts := Options{GlobInterval: 20 * time.Millisecond}
	_, _, stop := runInBackground(t, c, opts)
	waitFor(t, "the first lines", 10*time.Second, func() bool { return count() >= 3 })

	rotated := live + ".20261129-120000"
	if err := os.Rename(live, rotated); err != nil {
		t.Fatal(err)
	}
	writeFile(t, live, cri("second", 2))
	waitFor(t, "the lines after the rotation", 10*time.Second, func() bool { return count() >= 5 })
	time.Sleep(time.Second) // many glob scans; the renamed file no longer read
	stop()
	if n := count(); n != 5 {
		t.Errorf("%d lines sent before the restart, want 5", n)
	}

	// The rotated copy compressed, as the kubelet does, and a compressed
	// file whose name says nothing.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(cri("first", 3)))
	zw.Close()
	writeFile(t, rotated+".gz", gz.String())
	if err := os.Remove(rotated); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "archive.log.bak"), gz.String())
	_, _, stop = runInBackground(t, c, opts)
	time.Sleep(500 * time.Millisecond) // many glob scans
	stop()

	want := []string{"first-0", "first-1", "first-2", "second-0", "second-1"}
	if sent := sentLines(got()); !slices.Equal(sent, want) {
		t.Errorf("sent %q, want each line once: %q", sent, want)
	}
}

// TestGlobSkip: which glob matches are not followed as files of their own.
// A rotated-looking name is skipped only when it is a rotated copy of a
// file the agent follows or the glob matches; compressed files always are.
func TestGlobSkip(t *testing.T) {
	dir := t.TempDir()
	gzMagic := "\x1f\x8b\x08\x00rest"
	for _, f := range []struct{ name, data string }{
		{"0.log", "x\n"}, {"0.log.20261129-120000", "x\n"}, {"0.log.20261128-120000.gz", gzMagic},
		{"app.log.1", "x\n"}, {"worker-1", "x\n"}, {"other.log", "x\n"}, {"other.log-20261129", "x\n"},
		{"packed.log", gzMagic}, {"zst.log", "\x28\xb5\x2f\xfdrest"},
		{"audit.log", "x\n"}, {"audit-20261129-1796135832.log", "x\n"}, {"audit.2.log", "x\n"}, {"solo.1.log", "x\n"},
	} {
		writeFile(t, filepath.Join(dir, f.name), f.data)
	}
	followed := newFollowedSet()
	followed.add(filepath.Join(dir, "other.log"), "other.log", nil)
	for _, tc := range []struct {
		glob, name string
		skip       bool
		ext        string // the source's extension (logrotate's)
		later      bool   // a scan after start (not initial), its base not followed yet
		before     string // the base's name, matched by the scan before (read since, by another source)
	}{
		{"*.log*", "0.log", false, "", false, ""},
		{"*.log*", "0.log.20261129-120000", true, "", false, ""},    // kubelet rotation; 0.log matched
		{"*.log*", "0.log.20261128-120000.gz", true, "", false, ""}, // and compressed
		{"*.1", "app.log.1", false, "", false, ""},                  // app.log neither followed nor matched
		{"*", "worker-1", false, "", false, ""},                     // no worker: not a rotated copy
		{"other.log-*", "other.log-20261129", true, "", false, ""},  // other.log followed by another source
		{"*.log", "packed.log", true, "", false, ""},                // gzip magic
		{"*.log", "zst.log", true, "", false, ""},                   // zstd magic
		{"*.log", "other.log", false, "", false, ""},
		// logrotate's extension .log, given (fresh-user trial 64: each copy
		// was followed, every line sent twice); without it, such names are
		// live files of their own (trial 65: worker-1.log was never sent).
		{"*.log", "audit-20261129-1796135832.log", true, ".log", false, ""},
		{"*.log", "audit.2.log", true, ".log", false, ""},
		{"*.log", "solo.1.log", false, ".log", false, ""}, // no solo.log
		{"*.log", "audit.2.log", false, "", false, ""},
		{"*.log", "audit-20261129-1796135832.log", false, "", false, ""},
		// A file that appeared since start, rotated before a scan saw it
		// (fresh-user trial 92: its copy was skipped as read by a tailer
		// that never read it, and its lines lost).
		{"*.log", "audit-20261129-1796135832.log", false, ".log", true, ""},
		{"*.log*", "0.log.20261129-120000", false, "", true, ""},
		{"other.log-*", "other.log-20261129", true, "", true, ""}, // other.log followed by another source
		// The base matched by the scan before, not followed by this glob
		// (a symbolic link's target another source follows): read.
		{"*.log*", "0.log.20261129-120000", true, "", true, "0.log"},
	} {
		g := &globSource{sc: config.Source{Path: filepath.Join(dir, tc.glob), Extension: tc.ext}, matched: map[string]*source{}}
		before := map[string]bool{}
		if tc.before != "" {
			before[filepath.Join(dir, tc.before)] = true
		}
		if got := g.skip(filepath.Join(dir, tc.name), followed, nil, before, !tc.later); got != tc.skip {
			t.Errorf("glob %s, %s: skip %v, want %v", tc.glob, tc.name, got, tc.skip)
		}
	}
}

// TestGlobOldDirCopies: a glob that also matches its files' olddir does
// not follow the rotated copies there as files of their own, whichever
// order the matches come in (fresh-user trial 65: 309,000 duplicates of
// 40,000 lines); another file there is followed.
func TestGlobOldDirCopies(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a/app.log", "0old/app.1.log", "0old/app.2.log.gz", "0old/other.log"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, f), "x\n")
	}
	var made []string
	mk := func(sc config.Source, _ tailer.Config) (*source, error) {
		made = append(made, sc.Path)
		return &source{}, nil
	}
	g := &globSource{sc: config.Source{Path: filepath.Join(dir, "*", "*.log"), OldDir: "../0old", Extension: ".log"}, matched: map[string]*source{}}
	if _, _, err := g.scan(mk, newFollowedSet(), true); err != nil {
		t.Fatal(err)
	}
	slices.Sort(made)
	if want := []string{filepath.Join(dir, "0old", "other.log"), filepath.Join(dir, "a", "app.log")}; !slices.Equal(made, want) {
		t.Errorf("followed %q, want %q", made, want)
	}
}

// TestGlobRenamedToMatch: a file the glob follows, renamed to another name
// the glob matches (archived.log for *.log) while a new file takes its
// path, is read to its end by its tailer and not followed again under its
// new name, during the drain or after it, also when lines written just
// before the rename are still unread then (fresh-user trials 88 and 91:
// every line of the renamed file was sent twice).
func TestGlobRenamedToMatch(t *testing.T) {
	for _, unread := range []int{0, 200} {
		t.Run(fmt.Sprintf("%d lines unread at the rename", unread), func(t *testing.T) {
			root := t.TempDir()
			addr, got := appMsgCollector(t)
			count := func() int { return len(got()) }
			live := filepath.Join(root, "a.log")
			writeFile(t, live, criRecords("first", 50))
			c := newConfig(t, "tcp://"+addr, config.Source{Path: filepath.Join(root, "*.log"), Format: "cri", OtherSubcomponents: "forward"})
			c.Detections.Enabled = new(bool)
			// The renamed file is drained for late writes while the new
			// one is read, and the glob looks after the tailer moved on
			// to the new one.
			c.Tailer.RotateWait = 2 * time.Second
			_, _, stop := runInBackground(t, c, Options{GlobInterval: 500 * time.Millisecond})
			waitFor(t, "the first lines", 10*time.Second, func() bool { return count() >= 50 })
			f, err := os.OpenFile(live, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprint(f, criRecords("unread", unread))
			f.Close()
			if err := os.Rename(live, filepath.Join(root, "archived.log")); err != nil {
				t.Fatal(err)
			}
			writeFile(t, live, criRecords("second", 1))
			want := 51 + unread
			waitFor(t, "the lines after the rename", 10*time.Second, func() bool { return count() >= want })
			time.Sleep(3 * time.Second) // glob scans during the drain and after it
			stop()
			sent := map[string]int{}
			for _, m := range got() {
				_, msg, _ := strings.Cut(m, " ")
				sent[msg]++
			}
			if n := count(); n != want || len(sent) != want {
				t.Errorf("%d messages, %d distinct lines; want each of the %d lines once", n, len(sent), want)
			}
		})
	}
}

// criRecords returns n CRI records (F, stdout) whose lines are prefix-0,
// prefix-1, ..., a second apart.
func criRecords(prefix string, n int) string {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "2026-11-29T12:00:%02dZ stdout F %s-%d\n", i%60, prefix, i)
	}
	return b.String()
}

// TestGlobFileRotatedBeforeSeen: a file that appears after start and is
// renamed to a name the glob matches as its rotated copy before a scan
// sees it (a log created and rotated within the scan interval) is sent
// whole: its copy is followed, as no tailer read it, and so is the new
// file at its path (fresh-user trial 92: the copy was skipped as read by
// that file's tailer, and its 100 lines lost).
func TestGlobFileRotatedBeforeSeen(t *testing.T) {
	root := t.TempDir()
	addr, got := appMsgCollector(t)
	c := newConfig(t, "tcp://"+addr, config.Source{Path: filepath.Join(root, "*.log"), Format: "cri", OtherSubcomponents: "forward", Extension: ".log"})
	c.Detections.Enabled = new(bool)
	_, _, stop := runInBackground(t, c, Options{GlobInterval: 500 * time.Millisecond})
	time.Sleep(600 * time.Millisecond) // a scan of the empty directory
	live := filepath.Join(root, "a.log")
	writeFile(t, live, criRecords("first", 100))
	if err := os.Rename(live, filepath.Join(root, "a-20261201.log")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, live, criRecords("second", 100))
	waitFor(t, "both files' lines", 10*time.Second, func() bool { return len(got()) >= 200 })
	time.Sleep(time.Second) // more scans
	stop()
	checkEachOnce(t, got(), 200)
}

// TestNewFileRotatedBeforeSeen: a file that appears after start and is
// rotated to a name no source follows (a.log.1 under *.log, or the
// rotated copy of a configured path) before the agent looks at it again
// is sent whole: its copy first, then the new file at its path, whatever
// start_at (fresh-user trial 93: the copy's 100 lines were lost; with
// start_at end, so were the first lines of a configured file that
// appeared after start).
func TestNewFileRotatedBeforeSeen(t *testing.T) {
	cases := []struct {
		name   string
		source func(root string) config.Source
		rotate func(t *testing.T, live string)
	}{
		{"glob, renamed", func(root string) config.Source {
			return config.Source{Path: filepath.Join(root, "*.log"), Format: "cri", OtherSubcomponents: "forward"}
		}, renameToFirst},
		{"glob, copied and truncated", func(root string) config.Source {
			return config.Source{Path: filepath.Join(root, "*.log"), Format: "cri", OtherSubcomponents: "forward"}
		}, copyTruncate},
		{"path, start_at end, renamed", func(root string) config.Source {
			return config.Source{Path: filepath.Join(root, "a.log"), Format: "cri", OtherSubcomponents: "forward", StartAt: "end"}
		}, renameToFirst},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			addr, got := appMsgCollector(t)
			c := newConfig(t, "tcp://"+addr, tc.source(root))
			c.Detections.Enabled = new(bool)
			// The tailer of a configured path looks for it every 250 ms:
			// the rotation below comes before its next look, most times.
			_, _, stop := runInBackground(t, c, Options{GlobInterval: 500 * time.Millisecond})
			time.Sleep(600 * time.Millisecond) // a scan of the empty directory
			live := filepath.Join(root, "a.log")
			writeFile(t, live, criRecords("first", 100))
			tc.rotate(t, live)
			writeFile(t, live, criRecords("second", 100))
			waitFor(t, "both files' lines", 10*time.Second, func() bool { return len(got()) >= 200 })
			time.Sleep(time.Second) // more scans
			stop()
			checkEachOnce(t, got(), 200)
		})
	}
}

// renameToFirst renames the file live to live.1, as logrotate's rename
// rotation does.
func renameToFirst(t *testing.T, live string) {
	t.Helper()
	if err := os.Rename(live, live+".1"); err != nil {
		t.Fatal(err)
	}
}

// TestGlobRenamedAwayThenNew: a followed file renamed to a name the glob
// does not match is read to its end and forgotten; a new file at its path
// later is read from its beginning, and the renamed file is not read
// again as a copy made before the new file was seen, also when a late
// writer appended to it after its tailer stopped (fresh-user trial 94:
// its lines were sent twice). The late lines themselves are not sent: the
// renamed file is read for rotate_wait after it stops growing.
func TestGlobRenamedAwayThenNew(t *testing.T) {
	root := t.TempDir()
	addr, got := appMsgCollector(t)
	c := newConfig(t, "tcp://"+addr, config.Source{Path: filepath.Join(root, "*.log"), Format: "cri", OtherSubcomponents: "forward"})
	c.Detections.Enabled = new(bool)
	a, _, stop := runInBackground(t, c, Options{GlobInterval: 100 * time.Millisecond})
	live := filepath.Join(root, "a.log")
	writeFile(t, live, criRecords("first", 100))
	waitFor(t, "the first file's lines", 10*time.Second, func() bool { return len(got()) >= 100 })
	renameToFirst(t, live)
	waitSources(t, a, "the renamed file forgotten", 0)
	appendTo(t, live+".1", criRecords("late", 2))
	writeFile(t, live, criRecords("second", 100))
	waitFor(t, "the new file's lines", 10*time.Second, func() bool { return len(got()) >= 200 })
	time.Sleep(time.Second) // more scans
	stop()
	checkEachOnce(t, got(), 200)
}

// checkEachOnce checks that msgs ("APP-NAME MSG", as appMsgCollector
// gives them) are want messages of want distinct lines: each line once.
func checkEachOnce(t *testing.T, msgs []string, want int) {
	t.Helper()
	sent := map[string]int{}
	for _, m := range msgs {
		_, msg, _ := strings.Cut(m, " ")
		sent[msg]++
	}
	if len(msgs) != want || len(sent) != want {
		t.Errorf("%d messages, %d distinct lines; want each of the %d lines once", len(msgs), len(sent), want)
	}
}

// TestGlobCopyUnsentAtRestart: a file that appears after start and is
// renamed to a name the glob matches as its rotated copy (extension .log)
// before a scan sees it is followed under both names; when the agent
// stops before the collector acknowledged the copy's lines (it was
// down), the restart follows the copy again from its checkpoint, not
// leaving it to the tailer of the file it was rotated from, which never
// read it (fresh-user trial 94: its 100 lines were lost).
func TestGlobCopyUnsentAtRestart(t *testing.T) {
	root := t.TempDir()
	down := fmt.Sprintf("127.0.0.1:%d", syslogtest.FreeTCPPort(t)) // nothing listens
	src := config.Source{Path: filepath.Join(root, "*.log"), Format: "cri", OtherSubcomponents: "forward", Extension: ".log"}
	c := newConfig(t, "tcp://"+down, src)
	c.Detections.Enabled = new(bool)
	a, _, stop := runInBackground(t, c, Options{GlobInterval: 500 * time.Millisecond})
	time.Sleep(600 * time.Millisecond) // a scan of the empty directory
	live := filepath.Join(root, "a.log")
	writeFile(t, live, criRecords("first", 100))
	copied := filepath.Join(root, "a-20261201.log")
	if err := os.Rename(live, copied); err != nil {
		t.Fatal(err)
	}
	writeFile(t, live, criRecords("second", 100))
	waitSources(t, a, "both files followed", 2)
	stop()

	got, stop2 := restartWithCollector(t, c, 500*time.Millisecond)
	waitFor(t, "both files' lines", 10*time.Second, func() bool { return len(got()) >= 200 })
	time.Sleep(time.Second) // more scans
	stop2()
	checkEachOnce(t, got(), 200)
}

// TestGlobRenamedAwayUnsentAtRestart: a followed file renamed away with
// no new file at its path, its lines not acknowledged (the collector
// down) when the agent stops: the restart resumes the file's checkpoint in
// its rotated copy, as for a configured path, and sends the lines once,
// the copy not followed as a file of its own when the glob matches its
// name (fresh-user trial 95: lost with a.log.1, sent twice with
// a-20261201.log and extension .log).
func TestGlobRenamedAwayUnsentAtRestart(t *testing.T) {
	for _, tc := range []struct {
		name, ext, copy string
		collectorUp     bool
		forgotten       bool // the renamed file read to its end and forgotten before the stop
	}{
		{"not matched", "", "a.log.1", false, false},
		{"matched, extension", ".log", "a-20261201.log", false, false},
		{"matched, extension, sent before", ".log", "a-20261201.log", true, false},
		// The checkpoint is handed over to the copy's name when the
		// glob forgets the file (handOver): the copy is not read
		// again from its beginning (fresh-user trial 95).
		{"matched, extension, sent and forgotten", ".log", "a-20261201.log", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			src := config.Source{Path: filepath.Join(root, "*.log"), Format: "cri", OtherSubcomponents: "forward", Extension: tc.ext}
			url := "tcp://" + fmt.Sprintf("127.0.0.1:%d", syslogtest.FreeTCPPort(t)) // nothing listens
			var got func() []string
			if tc.collectorUp {
				var addr string
				addr, got = appMsgCollector(t)
				url = "tcp://" + addr
			}
			c := newConfig(t, url, src)
			c.Detections.Enabled = new(bool)
			if tc.forgotten {
				c.Tailer.RotateWait = 300 * time.Millisecond
			}
			a, _, stop := runInBackground(t, c, Options{GlobInterval: 200 * time.Millisecond})
			live := filepath.Join(root, "a.log")
			writeFile(t, live, criRecords("first", 100))
			waitSources(t, a, "the file followed", 1)
			if tc.collectorUp {
				waitFor(t, "its lines", 10*time.Second, func() bool { return len(got()) >= 100 })
			}
			if err := os.Rename(live, filepath.Join(root, tc.copy)); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Second) // the tailer sees the rename
			if tc.forgotten {
				waitSources(t, a, "the renamed file forgotten", 0)
			}
			stop()

			got2, stop2 := restartWithCollector(t, c, 200*time.Millisecond)
			want := 100
			if tc.collectorUp {
				want = 0
			} else {
				waitFor(t, "the lines", 10*time.Second, func() bool { return len(got2()) >= want })
			}
			time.Sleep(1500 * time.Millisecond) // more scans
			stop2()
			checkEachOnce(t, got2(), want)
		})
	}
}

// TestGlobRenamedAwayOnce: run --once after a followed file of a glob was
// renamed away with its lines unsent reads them from the rotated copy and
// ends without taking the path, which has no file, for a missing source
// file (the restart resumes it: TestGlobRenamedAwayUnsentAtRestart).
func TestGlobRenamedAwayOnce(t *testing.T) {
	root := t.TempDir()
	src := config.Source{Path: filepath.Join(root, "*.log"), Format: "cri", OtherSubcomponents: "forward"}
	c := newConfig(t, "tcp://"+fmt.Sprintf("127.0.0.1:%d", syslogtest.FreeTCPPort(t)), src) // nothing listens
	c.Detections.Enabled = new(bool)
	a, _, stop := runInBackground(t, c, Options{GlobInterval: 200 * time.Millisecond})
	live := filepath.Join(root, "a.log")
	writeFile(t, live, criRecords("first", 100))
	waitSources(t, a, "the file followed", 1)
	renameToFirst(t, live)
	time.Sleep(time.Second) // the tailer sees the rename
	stop()

	c2 := *c
	c2.Forward.URL = "stdout://"
	_, msgs := runOnce(t, &c2)
	if len(msgs) != 100 {
		t.Errorf("--once sent %d messages, want the 100 lines of the renamed file", len(msgs))
	}
}

// TestGlobGoneFileCheckpointLeft: a glob's file deleted while the agent
// was stopped (a deleted pod's log) leaves a checkpoint whose file no
// rotated copy holds: the restart starts nothing for it and warns of
// nothing, as before absentCheckpoints.
func TestGlobGoneFileCheckpointLeft(t *testing.T) {
	root := t.TempDir()
	addr, got := appMsgCollector(t)
	src := config.Source{Path: filepath.Join(root, "*.log"), Format: "cri", OtherSubcomponents: "forward"}
	c := newConfig(t, "tcp://"+addr, src)
	c.Detections.Enabled = new(bool)
	_, _, stop := runInBackground(t, c, Options{GlobInterval: 200 * time.Millisecond})
	live := filepath.Join(root, "a.log")
	writeFile(t, live, criRecords("first", 10))
	waitFor(t, "the lines", 10*time.Second, func() bool { return len(got()) >= 10 })
	stop()
	if err := os.Remove(live); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	a, _, stop2 := runInBackground(t, c, Options{GlobInterval: 200 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	time.Sleep(500 * time.Millisecond)
	a.mu.Lock()
	n := len(a.sources)
	a.mu.Unlock()
	stop2()
	if n != 0 {
		t.Errorf("%d sources after the restart, want none", n)
	}
	if strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("the restart warns:\n%s", logs.String())
	}
	checkEachOnce(t, got(), 10)
}

// waitSources waits until the agent runs n sources (what says for what).
func waitSources(t *testing.T, a *Agent, what string, n int) {
	t.Helper()
	waitFor(t, what, 30*time.Second, func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return len(a.sources) == n
	})
}

// restartWithCollector starts a collector and the agent again on c's
// state, forwarding to that collector, with the glob scan interval
// every; it returns the collector's messages and the agent's stop.
func restartWithCollector(t *testing.T, c *config.Config, every time.Duration) (got func() []string, stop func()) {
	t.Helper()
	addr, got := appMsgCollector(t)
	c2 := *c
	c2.Forward.URL = "tcp://" + addr
	_, _, stop = runInBackground(t, &c2, Options{GlobInterval: every})
	return got, stop
}
