package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// TestDetectOutlierLine: a line dated far ahead of the lines before and
// after it in its input (a line in another time zone, a clock that stepped
// and came back) moves no watermark, whether a rule wants it or not: the
// failed logins after it are counted and sentinel.bruteforce alerts, and a
// warning names the line (fresh-user trial 211: one line 22 hours ahead
// made the twelve failures after it late, and nothing alerted), also when
// it is the input's first line with a time. Two lines ahead in a row are a
// step in time: the failures after them that go back are late, as before.
func TestDetectOutlierLine(t *testing.T) {
	t0 := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC)
	failure := func(at time.Time, n int) string {
		return fmt.Sprintf(`{"severity":"INFO","time":%q,"correlation_id":"01OUTLIER%017d","meta.caller_id":"SessionsController#create","meta.remote_ip":"81.2.69.142","message":"Failed Login: username=alice ip=81.2.69.142"}`,
			at.Format("2006-01-02T15:04:05.000Z"), n)
	}
	noise := func(at time.Time, n int) string {
		return fmt.Sprintf(`{"severity":"INFO","time":%q,"correlation_id":"01NOISE%019d","meta.caller_id":"ProjectsController#show","meta.remote_ip":"10.0.0.1","message":"noise"}`,
			at.Format("2006-01-02T15:04:05.000Z"), n)
	}
	ahead := t0.Add(22 * time.Hour)
	for _, tc := range []struct {
		name   string
		ahead  []string // the lines dated ahead, after the second failure
		first  bool     // the lines dated ahead come first instead
		alerts int
		late   int
		warn   string
	}{
		{"a line no rule wants", []string{noise(ahead, 1)}, false, 1, 0, "application_json.log:3: dated 21h59m30s after the line before it and 21h59m after the line after it"},
		{"a failed login", []string{failure(ahead, 99)}, false, 1, 0, "application_json.log:3: dated 21h59m30s after the line before it and 21h59m after the line after it"},
		{"two lines in a row: a step", []string{noise(ahead, 1), noise(ahead.Add(time.Second), 2)}, false, 0, 10, ""},
		// fresh-user trial 212: the first line ahead hid the whole attack
		{"the first line", []string{failure(ahead, 99)}, true, 1, 0, "application_json.log:1: the input's first line with a time, dated 22h after the line after it"},
		{"the first line with a time", []string{`{"severity":"INFO","time":"not a time","correlation_id":"01NOTIME","meta.caller_id":"ProjectsController#show","meta.remote_ip":"10.0.0.1","message":"noise"}`, failure(ahead, 99)},
			true, 1, 0, "application_json.log:2: the input's first line with a time, dated 22h after the line after it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines := []string{failure(t0, 0), failure(t0.Add(30*time.Second), 1)}
			if tc.first {
				lines = append(slices.Clone(tc.ahead), lines...)
			} else {
				lines = append(lines, tc.ahead...)
			}
			for i := 2; i < 12; i++ {
				lines = append(lines, failure(t0.Add(time.Duration(i)*30*time.Second), i))
			}
			_, stdout, stderr := detectBruteforce(t, lines)
			if n := strings.Count(stdout.String(), `"rule":"sentinel.bruteforce"`); n != tc.alerts {
				t.Errorf("%d alerts, want %d\n%s\n%s", n, tc.alerts, stdout.String(), stderr.String())
			}
			if want := fmt.Sprintf(", %d late", tc.late); !strings.Contains(stderr.String(), want) {
				t.Errorf("summary\n%s\nwant %q", stderr.String(), want)
			}
			if tc.warn != "" && !strings.Contains(stderr.String(), tc.warn) {
				t.Errorf("stderr\n%s\nwant a warning naming the line: %q", stderr.String(), tc.warn)
			}
			if tc.warn == "" && strings.Contains(stderr.String(), "taken for a wrong time") {
				t.Errorf("stderr\n%s\nwarns of an outlier in a step", stderr.String())
			}
		})
	}
}

// TestDetectLogsAfterClock: logs dated more than 24 hours after the clock
// of the machine detect runs on (a copy analysed where the clock is
// behind) reach only the per-event rules, and a warning names the last
// such line and says to set the clock right, instead of a silent "0
// alerts" (fresh-user trial 213).
func TestDetectLogsAfterClock(t *testing.T) {
	t0 := time.Date(2027, 6, 10, 9, 0, 0, 0, time.UTC)
	var lines []string
	for i := range 12 {
		lines = append(lines, fmt.Sprintf(`{"severity":"INFO","time":%q,"correlation_id":"01CLOCK%019d","meta.caller_id":"SessionsController#create","meta.remote_ip":"81.2.69.142","message":"Failed Login: username=alice ip=81.2.69.142"}`,
			t0.Add(time.Duration(i)*30*time.Second).Format("2006-01-02T15:04:05.000Z"), i))
	}
	path, _, stderr := detectBruteforce(t, lines)
	want := path + ":12: dated 2027-06-10T09:05:30Z, more than 24h after this host's clock (2026-01-02T03:04:05Z), as 12 events are"
	if !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), "set it right and run again") {
		t.Errorf("stderr\n%s\nwant a warning %q", stderr.String(), want)
	}
}

// detectBruteforce writes lines to an application_json.log and runs detect
// with sentinel.bruteforce alone over it, at a wall clock of 2026-01-02;
// it returns the file's path, detect's stdout and its stderr.
func detectBruteforce(t *testing.T, lines []string) (path string, stdout, stderr *bytes.Buffer) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "application_json.log")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := &detectOptions{rules: []string{"sentinel.bruteforce"}, format: "json",
		now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
	stdout, stderr = new(bytes.Buffer), new(bytes.Buffer)
	if err := runDetect(context.Background(), o, []string{path}, strings.NewReader(""), stdout, stderr); err != nil {
		t.Fatalf("detect: %v\n%s", err, stderr.String())
	}
	return path, stdout, stderr
}

// TestDetectOutlierWarnedOnce: a second run with the --state-dir over the
// same input (or the input grown) does not warn again of an outlier line
// an earlier run folded and warned of: the engine skips its event as
// already folded (trials 212 and 213 saw the warning repeated).
func TestDetectOutlierWarnedOnce(t *testing.T) {
	t0 := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC)
	line := func(at time.Time, n int) string {
		return fmt.Sprintf(`{"severity":"INFO","time":%q,"correlation_id":"01ONCE%020d","meta.caller_id":"SessionsController#create","meta.remote_ip":"81.2.69.142","message":"Failed Login: username=alice ip=81.2.69.142"}`,
			at.Format("2006-01-02T15:04:05.000Z"), n)
	}
	path := filepath.Join(t.TempDir(), "application_json.log")
	state := t.TempDir()
	write := func(lines ...string) {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(strings.Join(lines, "\n") + "\n"); err != nil {
			t.Fatal(err)
		}
	}
	const warning = "application_json.log:3: dated 5h59m after the line before it and 5h58m after the line after it"
	write(line(t0, 0), line(t0.Add(time.Minute), 1), line(t0.Add(6*time.Hour), 99), line(t0.Add(2*time.Minute), 2))
	for run, grow := range []bool{false, false, true} {
		if grow {
			write(line(t0.Add(3*time.Minute), 3))
		}
		o := &detectOptions{rules: []string{"sentinel.bruteforce"}, format: "json", stateDir: state,
			now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
		var stdout, stderr bytes.Buffer
		if err := runDetect(context.Background(), o, []string{path}, strings.NewReader(""), &stdout, &stderr); err != nil {
			t.Fatalf("run %d: %v\n%s", run+1, err, stderr.String())
		}
		if got := strings.Contains(stderr.String(), warning); got != (run == 0) {
			t.Errorf("run %d warns of the line ahead: %v, want %v (only the run that folds it)\n%s", run+1, got, run == 0, stderr.String())
		}
	}
}

// TestSmallLatenessOutOfOrder: with a lateness of a second, a failed
// login written 3 s ahead of the one after it is an ordinary line out of
// order, not a wrong time kept from the windowed rules: the eleventh
// failure of the hour alerts in detect and in run --once (fresh-user
// trial 273: the line was dropped from sentinel.bruteforce and the
// burst missed). A line more than detect.MinAheadGap ahead still is one.
func TestSmallLatenessOutOfOrder(t *testing.T) {
	t0 := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC)
	line := func(at time.Time, n int) string {
		return fmt.Sprintf(`{"severity":"INFO","time":%q,"correlation_id":"01SWAP%020d","meta.caller_id":"SessionsController#create","meta.remote_ip":"1.2.3.4","message":"Failed Login: username=judy ip=1.2.3.4"}`,
			at.Format("2006-01-02T15:04:05.000Z"), n)
	}
	for _, tc := range []struct {
		name   string
		ahead  time.Duration // how far the sixth line is ahead of the seventh
		alerts int
	}{
		{"3s ahead", 3 * time.Second, 1},
		{"past the gap", detect.MinAheadGap + time.Minute, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var lines []string
			for i := range 11 {
				at := t0.Add(time.Duration(i) * 30 * time.Second)
				if i == 5 {
					at = t0.Add(6*30*time.Second + tc.ahead)
				}
				lines = append(lines, line(at, i))
			}
			dir := t.TempDir()
			path := writeFile(t, filepath.Join(dir, "application_json.log"), strings.Join(lines, "\n")+"\n")
			cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\nsources:\n  - {type: application, path: "+path+"}\n"+
				"detections:\n  lateness: 1s\n  rules:\n    sentinel.bruteforce: {}\n")
			o := &detectOptions{rules: []string{"sentinel.bruteforce"}, config: cfg, format: "json",
				now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
			var stdout, stderr bytes.Buffer
			if err := runDetect(context.Background(), o, []string{path}, strings.NewReader(""), &stdout, &stderr); err != nil {
				t.Fatalf("detect: %v\n%s", err, stderr.String())
			}
			if n := strings.Count(stdout.String(), `"rule":"sentinel.bruteforce"`); n != tc.alerts {
				t.Errorf("detect: %d alerts, want %d\n%s\n%s", n, tc.alerts, stdout.String(), stderr.String())
			}
			r := runCmd(t, "--config", cfg, "--once")
			if r.err != nil {
				t.Fatalf("run --once: %v\n%s", r.err, r.stderr)
			}
			if n := strings.Count(r.stdout, " GitLab-Detections - sentinel.bruteforce "); n != tc.alerts {
				t.Errorf("run --once: %d alerts, want %d\n%s", n, tc.alerts, r.stderr)
			}
		})
	}
}
