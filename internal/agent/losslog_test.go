package agent

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/loadgen"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestDetectionLossesLogged: in run, what the rules lose without an
// alert is logged: a rule's keys evicted at max_keys (naming the rule,
// max_keys and what to do) and events dropped as too late after a line
// dated 8 hours ahead (naming the rules, the file, the line that moved the
// watermark and by how much), each once for the file's lines read at
// once; lines appended within 10s are only counted, and logged with the
// count since at shutdown. The step is two lines of the same time: one
// line alone ahead of the lines around it is an outlier, which moves no
// watermark (TestDetectionsLineAheadOfClock). Before, both lost the brute-force alert and
// nothing was logged (trial 25, F5 and F9).
func TestDetectionLossesLogged(t *testing.T) {
	line := func(ts time.Time, user, ip string) string { return loadgen.FailedLogin(ts, user, ip) + "\n" }
	t0 := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	flood := loadgen.FailedLoginFlood(t0, 30) // bob 30 times, each between two one-off users
	var skew, more strings.Builder
	ahead := line(t0.Add(8*time.Hour+40*time.Second), "bob", "203.0.113.9")
	var aheadEnd int
	for i := range 20 {
		if i == 3 { // a step of two lines: one line alone is an outlier (readMark.lookAhead)
			skew.WriteString(ahead)
			aheadEnd = skew.Len()
			skew.WriteString(line(t0.Add(8*time.Hour+40*time.Second), "bob", "203.0.113.10"))
		}
		skew.WriteString(line(t0.Add(time.Duration(i)*20*time.Second), "bob", "203.0.113.9"))
	}
	for i := range 5 { // still late: before the watermark the line 8h ahead set
		more.WriteString(line(t0.Add(time.Hour+time.Duration(i)*time.Second), "bob", "203.0.113.9"))
	}
	for _, c := range []struct {
		name     string
		in       string
		more     string // appended once in was read: late, held back, logged at shutdown
		maxKeys  string
		want     func(path string) []string
		count    string // the warning that must be logged exactly once
		notWants []string
	}{
		{"keys evicted", flood, "", "2", func(string) []string {
			return []string{"rule reached max_keys and evicted its oldest keys", "rule=sentinel.bruteforce", "max_keys=2", "raise the rule's max_keys"}
		}, "rule reached max_keys", []string{"dropped as too late"}},
		{"a line hours ahead", skew.String(), more.String(), "", func(path string) []string {
			return []string{"events dropped as too late", "sentinel.bruteforce=", "file=" + path, "watermark_moved_by=" + path,
				fmt.Sprintf("line_end_offset=%d ", aheadEnd), "line_time=2025-03-03T18:00:40Z", "ahead_of_line_before=8h0m0s"}
		}, "events dropped as too late", []string{"max_keys"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var mu sync.Mutex
			var lines int
			col, err := syslogtest.Listen("127.0.0.1:0", func(m []byte) {
				mu.Lock()
				defer mu.Unlock()
				if bytes.Contains(m, []byte(" "+config.AppNameApplication+" ")) {
					lines++
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			defer col.Close()
			path := filepath.Join(t.TempDir(), "application_json.log")
			if err := os.WriteFile(path, []byte(c.in), 0o644); err != nil {
				t.Fatal(err)
			}
			var logBuf syncBuffer
			cfg := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "application", Path: path})
			if c.maxKeys != "" {
				cfg.Detections.Rules = map[string]config.RuleConfig{"sentinel.bruteforce": {Params: map[string]string{"max_keys": c.maxKeys}}}
			}
			a, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(&logBuf, nil))})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- a.Run(ctx) }()
			stopped := false
			stop := func() {
				if !stopped {
					stopped = true
					cancel()
					if err := <-done; err != nil {
						t.Error(err)
					}
				}
			}
			defer stop()
			want := strings.Count(c.in, "\n")
			waitFor(t, "the file's lines", 10*time.Second, func() bool {
				mu.Lock()
				defer mu.Unlock()
				return lines == want
			})
			log := logBuf.String()
			for _, w := range c.want(path) {
				if !strings.Contains(log, w) {
					t.Errorf("log lacks %q:\n%s", w, log)
				}
			}
			for _, w := range c.notWants {
				if strings.Contains(log, w) {
					t.Errorf("log has %q:\n%s", w, log)
				}
			}
			if n := strings.Count(log, c.count); n != 1 {
				t.Errorf("%d warnings %q, want 1 (later ones within 10s are counted, not logged):\n%s", n, c.count, log)
			}
			if c.more == "" {
				return
			}
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(c.more); err != nil {
				t.Fatal(err)
			}
			f.Close()
			want += strings.Count(c.more, "\n")
			waitFor(t, "the appended lines", 10*time.Second, func() bool {
				mu.Lock()
				defer mu.Unlock()
				return lines == want
			})
			if n := strings.Count(logBuf.String(), c.count); n != 1 {
				t.Errorf("%d warnings %q before shutdown, want 1 (within 10s of the first):\n%s", n, c.count, logBuf.String())
			}
			stop()
			log = logBuf.String()
			if n := strings.Count(log, c.count); n != 2 {
				t.Errorf("%d warnings %q after shutdown, want 2 (the appended lines' at shutdown):\n%s", n, c.count, log)
			}
			if w := fmt.Sprintf("sentinel.bruteforce=%d", strings.Count(c.more, "\n")); !strings.Contains(log[strings.LastIndex(log, c.count):], w) {
				t.Errorf("the warning at shutdown lacks %q:\n%s", w, log)
			}
		})
	}
}

// TestLogLateAdvice: run's late-drop warning takes a line 30 minutes or
// more ahead for a clock step or another time zone, and a smaller jump
// for lines a little out of order, for which it says to raise the
// lateness (final trial: the bundled sample, 3m26s out of order, was
// called a clock step); late lines older than the lines before the jump
// are put down to the file going back in time, or to a watermark set
// elsewhere (detect.LateCause), not to the jump.
func TestLogLateAdvice(t *testing.T) {
	t0 := time.Date(2025, 9, 18, 12, 0, 1, 0, time.UTC)
	jump := func(ahead time.Duration) detect.Jump {
		return detect.Jump{Source: "audit_json.log", Time: t0.Add(ahead), Prev: t0, Watermark: t0.Add(ahead - 2*time.Minute)}
	}
	const lateness = 2 * time.Minute
	for _, tc := range []struct {
		name string
		jump detect.Jump
		back detect.Back
		wm   time.Time
		want string
	}{
		{"3m26s ahead", jump(3*time.Minute + 26*time.Second), detect.Back{}, t0.Add(86 * time.Second),
			"a line moved its source's watermark ahead of lines read after it: if the file's lines are this much out of order, raise detections.lateness"},
		{"30m ahead", jump(30 * time.Minute), detect.Back{}, t0.Add(28 * time.Minute),
			"a line moved its source's watermark far ahead (a clock step, or a line in local time among UTC ones?): check it"},
		// fresh-user trial 111: lines ten days older than those before
		// them in the file, after a jump within the newer lines, were
		// blamed on the jump
		{"back in time", jump(30 * time.Minute),
			detect.Back{Source: "audit_json.log", FileID: "1:2", Offset: 4096, Time: t0.Add(-240 * time.Hour), Newest: t0.Add(time.Hour), Watermark: t0.Add(58 * time.Minute), Lateness: lateness},
			t0.Add(58 * time.Minute),
			"the lines of a file go back in time (a log appended with lines older than those read before, or logs concatenated in the wrong order?)"},
		// fresh-user trial 111: lines appended after a run --once had
		// moved the watermark to the clock were blamed on a jump among them
		{"older than the watermark an earlier run left", jump(30 * time.Minute),
			detect.Back{Source: "audit_json.log", FileID: "1:2", Offset: 300, Time: t0.Add(-time.Minute), Watermark: t0.Add(10000 * time.Hour), Lateness: lateness},
			t0.Add(10000 * time.Hour),
			"no line of this run moved it that far: it is another file's, or the one an earlier run saved in state_dir"},
	} {
		var logs syncBuffer
		l := &lossLog{buf: []detect.RuleLoss{{Rule: "sentinel.repo_deletion", LateDropped: 1}}}
		l.logLate(slog.New(slog.NewTextHandler(&logs, nil)), "audit_json.log", tc.jump, tc.back, tc.wm)
		if !strings.Contains(logs.String(), tc.want) {
			t.Errorf("%s: %s\nwant %q", tc.name, logs.String(), tc.want)
		}
	}
}

// TestDetectionLossesLoggedOnRelease: events the reorder buffer holds
// reach the rules on the agent's tick (detect.Engine.Caught), outside any
// batch; when the rules drop them as late, the warning is logged then,
// not when the next batch comes (fresh-user trial 131: 50 s, until a
// line was appended). Here an application log and an empty audit log are
// read to their end; then a clock step and 12 failed logins dated before
// it are written to the application log at once: the audit log, read to
// its end with no line yet, holds them for OrderGrace.
func TestDetectionLossesLoggedOnRelease(t *testing.T) {
	got, col := listenCollected(t)
	dir := t.TempDir()
	audit, app := filepath.Join(dir, "audit_json.log"), filepath.Join(dir, "application_json.log")
	appendBytes(t, audit, "")
	appendBytes(t, app, "")
	var logBuf syncBuffer
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: audit}, config.Source{Type: "application", Path: app})
	a, _, stop := runInBackground(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logBuf, nil))})
	defer stop()
	time.Sleep(600 * time.Millisecond) // both files found at their end
	t0 := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	var in strings.Builder
	// the step is two lines: one alone is an outlier (readMark.lookAhead)
	for i, at := range []time.Duration{0, time.Second, 3*time.Hour + 5*time.Second, 3*time.Hour + 5*time.Second} {
		in.WriteString(noiseLine(t0.Add(at), i) + "\n")
	}
	for i := range 12 {
		in.WriteString(failedLoginLine(t0.Add(time.Duration(10+i)*time.Second), i) + "\n")
	}
	appendBytes(t, app, in.String())
	waitFor(t, "every line forwarded", 10*time.Second, func() bool { return got.count(config.AppNameApplication) == 16 })
	waitFor(t, "the late drops", 10*time.Second, func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return a.det.e.Stats().Rules["sentinel.bruteforce"].LateDrop == 12
	})
	waitFor(t, "the warning", 3*time.Second, func() bool { return strings.Contains(logBuf.String(), "events dropped as too late") })
}

// TestAppendLineAt checks where the detection warnings say a line is: in
// the file at the source's path while it is the file the line was read
// from, in the rotated copy that is once the path was rotated (renamed
// away, or copied and truncated, the line then read from the copy), and
// nowhere, said so, once that file is gone; the find_line command prints
// the line.
func TestAppendLineAt(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to run find_line's command with")
	}
	lines := []string{`{"n":1}`, `{"n":2}`, `{"n":3}`}
	end := int64(len(lines[0]) + 1 + len(lines[1]) + 1) // the end of line 2
	for _, c := range []struct {
		name   string
		rotate func(t *testing.T, path string) string // returns the id of the file the line is in
		in     string                                 // line_in: the file's name relative to the directory; "" for none
		gone   bool
	}{
		{"at the path", func(t *testing.T, path string) string { return fileKeyOf(t, path) }, "", false},
		{"renamed away", func(t *testing.T, path string) string {
			id := fileKeyOf(t, path)
			mustRename(t, path, path+".1")
			appendLines(t, path, []string{`{"n":9}`})
			return id
		}, "gitlab.log.1", false},
		{"copied and truncated", func(t *testing.T, path string) string {
			copyTruncate(t, path)
			return fileKeyOf(t, path+".1") // the catch-up read it there
		}, "gitlab.log.1", false},
		{"deleted", func(t *testing.T, path string) string {
			id := fileKeyOf(t, path)
			mustRename(t, path, path+".1")
			appendLines(t, path, lines) // before the remove: not given the freed inode
			if err := os.Remove(path + ".1"); err != nil {
				t.Fatal(err)
			}
			return id
		}, "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "gitlab.log")
			appendLines(t, path, lines)
			id := c.rotate(t, path)
			args := appendLineAt(nil, path, id, end)
			got := map[string]any{}
			for i := 0; i+1 < len(args); i += 2 {
				got[args[i].(string)] = args[i+1]
			}
			in, _ := got["line_in"].(string)
			if want := ""; c.in != "" {
				want = filepath.Join(dir, c.in)
				if in != want {
					t.Errorf("line_in = %q, want %q", in, want)
				}
			} else if in != want {
				t.Errorf("line_in = %q, want none", in)
			}
			find, _ := got["find_line"].(string)
			if c.gone {
				if !strings.Contains(find, "any more") {
					t.Errorf("find_line = %q, want it to say the file is gone", find)
				}
				return
			}
			show := strings.SplitN(find, " (the line)", 2)[0]
			out, err := exec.Command(sh, "-c", show).Output()
			if err != nil {
				t.Fatalf("%s: %v", show, err)
			}
			if got := strings.TrimSpace(string(out)); got != lines[1] {
				t.Errorf("%s printed %q, want %q", show, got, lines[1])
			}
		})
	}
}

// mustRename renames from to to, as a rotation does.
func mustRename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

// fileKeyOf returns the fileKey of the file at path.
func fileKeyOf(t *testing.T, path string) string {
	t.Helper()
	key, _, _ := keyOfFile(t, path)
	return key
}

// TestLogLateStreamSpool: the late-drop warning about streamed events
// (source streamSource) names the line in the streaming spool, the file
// they were read from, and prints it with find_line. Before (trial 228),
// it looked for a file named "stream" and said the spool was gone.
func TestLogLateStreamSpool(t *testing.T) {
	spool := filepath.Join(t.TempDir(), "events.log")
	appendLines(t, spool, []string{`{"id":1}`, `{"id":2}`})
	t0 := time.Date(2025, 9, 18, 12, 0, 1, 0, time.UTC)
	back := detect.Back{Source: streamSource, FileID: fileKeyOf(t, spool), Offset: int64(len(`{"id":1}`) + 1), Time: t0.Add(-72 * time.Hour),
		Watermark: t0, Lateness: 2 * time.Minute}
	var logs syncBuffer
	l := &lossLog{buf: []detect.RuleLoss{{Rule: "sentinel.repo_deletion", LateDropped: 1}}}
	l.nameFile(streamSource, spool)
	l.logLate(slog.New(slog.NewTextHandler(&logs, nil)), spool, detect.Jump{}, back, t0)
	got := logs.String()
	if strings.Contains(got, "any more") || !strings.Contains(got, "find_line=") || !strings.Contains(got, spool) {
		t.Errorf("the warning does not show the line in the spool %s:\n%s", spool, got)
	}
}
