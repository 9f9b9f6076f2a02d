package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/gziptest"
)

// TestDetectRerunSameFirstLine: with a kept --state-dir, a file that
// begins with the first line of a file an earlier run folded, and so has
// its identity, has its lines skipped as folded only when it is that file
// (or that file appended to): detect checks the last line the earlier run
// read of it. Another file with the same first line (another day's log,
// a file rewritten after its first line) is read whole, and its alerts
// raised; the line it shares with the folded file is the same event,
// deduplicated. A state saved before the check was kept is read as
// before. Before (trial 218), the other file's lines were skipped up to
// the number of lines the folded file had, counted as already folded, and
// their alerts missed.
func TestDetectRerunSameFirstLine(t *testing.T) {
	day1 := time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	day2 := day1.Add(24 * time.Hour)
	folded := patLines(7000, 6, day1)                   // six tokens created (runreplaced_test.go)
	first := folded[:strings.IndexByte(folded, '\n')+1] // the line both files begin with
	run := detectPATCreated
	for _, c := range []struct {
		name    string
		then    string // the file the second run reads
		gz      bool   // compressed, as audit_json.log.1.gz
		old     bool   // the first run's state as saved before the check was kept
		alerts  int    // the second run's
		skipped int    // events the second run counts as already folded; 0: none, and no such phrase
		other   bool   // the second run notes the file is another one
	}{
		{name: "unchanged", then: folded, skipped: 6},
		{name: "appended", then: folded + patLines(7006, 3, day1.Add(6*time.Second)), alerts: 3, skipped: 6},
		{name: "appended, then rotated and compressed", then: folded + patLines(7006, 3, day1.Add(6*time.Second)), gz: true, alerts: 3, skipped: 6},
		{name: "another day's log, same first line", then: first + patLines(8000, 99, day2), alerts: 99, other: true},
		{name: "another file, same first line, compressed", then: first + patLines(8000, 99, day2), gz: true, alerts: 99, other: true},
		{name: "rewritten after its first line, as long", then: first + patLines(8000, 5, day2), alerts: 5, other: true},
		{name: "another file, same first line, shorter", then: first + patLines(8000, 2, day2), alerts: 2, other: true},
		{name: "state of an older version, unchanged", then: folded, old: true, skipped: 6},
		{name: "state of an older version, appended", then: folded + patLines(7006, 3, day1.Add(6*time.Second)), old: true, alerts: 3, skipped: 6},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			state := filepath.Join(dir, "state")
			file := writeFile(t, filepath.Join(dir, "audit_json.log"), folded)
			firstRun(t, state, 6, file)
			if c.old {
				dropChecks(t, state)
			}
			then := []byte(c.then)
			if c.gz {
				if err := os.Remove(file); err != nil {
					t.Fatal(err)
				}
				file, then = filepath.Join(dir, "audit_json.log.1.gz"), gziptest.Compress(t, then)
			}
			if err := os.WriteFile(file, then, 0o644); err != nil {
				t.Fatal(err)
			}
			alerts, summary := run(t, state, file)
			if len(alerts) != c.alerts {
				t.Errorf("second run: %d alerts, want %d\n%s", len(alerts), c.alerts, summary)
			}
			skipped := fmt.Sprintf(", %d already folded by an earlier run", c.skipped)
			if c.skipped == 0 {
				skipped = "already folded by an earlier run"
			}
			if strings.Contains(summary, skipped) != (c.skipped > 0) {
				t.Errorf("second run: want %d events skipped as already folded; summary:\n%s", c.skipped, summary)
			}
			if got := strings.Contains(summary, "is not that file"); got != c.other {
				t.Errorf("second run: noted another file: %v, want %v; summary:\n%s", got, c.other, summary)
			}
			if c.other && !strings.Contains(summary, "; 1 deduplicated") {
				t.Errorf("second run: the first line, the folded file's event, is not deduplicated; summary:\n%s", summary)
			}
			if !c.old {
				return
			}
			// The run over the older state saved a check: a third run
			// tells another file with the same first line apart.
			if err := os.WriteFile(file, []byte(first+patLines(8000, 20, day2)), 0o644); err != nil {
				t.Fatal(err)
			}
			if alerts, summary := run(t, state, file); len(alerts) != 20 || strings.Contains(summary, "already folded by an earlier run") {
				t.Errorf("third run, another file: %d alerts, want 20, none skipped\n%s", len(alerts), summary)
			}
		})
	}
}

// TestDetectRerunCopyKeepsCheck: a run that reads a folded file together
// with a copy of it (the .1 beside its .1.gz, a backup) saves the check
// of the file it read, so that a later run still tells another file with
// the same first line apart. Before (trial 221), the two interleaved
// copies made the engine drop the restored position and, with it, the
// check the run had given: the position was saved without one, and the
// other file's first 9 lines were skipped as already folded.
func TestDetectRerunCopyKeepsCheck(t *testing.T) {
	day1 := time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	folded := patLines(7000, 6, day1)
	first := folded[:strings.IndexByte(folded, '\n')+1]
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	file := writeFile(t, filepath.Join(dir, "audit_json.log"), folded)
	firstRun(t, state, 6, file)
	backup := writeFile(t, filepath.Join(dir, "audit_json.log.bak"), folded)
	writeFile(t, file, folded+patLines(7006, 3, day1.Add(6*time.Second)))
	if alerts, summary := detectPATCreated(t, state, file, "audit:"+backup); len(alerts) != 3 {
		t.Fatalf("second run, the file grown and its copy: %d alerts, want 3\n%s", len(alerts), summary)
	}
	other := writeFile(t, filepath.Join(dir, "node2.log"), first+patLines(8000, 20, day1.Add(24*time.Hour)))
	alerts, summary := detectPATCreated(t, state, "audit:"+other)
	if len(alerts) != 20 || strings.Contains(summary, "already folded by an earlier run") || !strings.Contains(summary, "is not that file") {
		t.Errorf("third run, another file with the same first line: %d alerts, want 20, none skipped, noted as another file\n%s", len(alerts), summary)
	}
}

// keptDirOptions returns detect's options for rule alone, with the state
// dir state, JSON output and the tests' clock.
func keptDirOptions(rule, state string) *detectOptions {
	return &detectOptions{rules: []string{rule}, stateDir: state, format: "json", now: func() time.Time { return detectedAt }}
}

// detectPATCreated runs detect with falco.pat_created alone over files
// with the state dir state and returns its alerts, one JSON line each,
// and its stderr, failing on an error.
func detectPATCreated(t *testing.T, state string, files ...string) ([]string, string) {
	t.Helper()
	return detectRules(t, state, []string{"falco.pat_created"}, files...)
}

// firstRun runs detectPATCreated over files with the state dir state,
// failing unless it raises want alerts.
func firstRun(t *testing.T, state string, want int, files ...string) {
	t.Helper()
	if alerts, summary := detectPATCreated(t, state, files...); len(alerts) != want {
		t.Fatalf("first run: %d alerts, want %d\n%s", len(alerts), want, summary)
	}
}

// detectRules runs detect with rules over files with the state dir state
// and returns its alerts, one JSON line each, and its stderr, failing on
// an error.
func detectRules(t *testing.T, state string, rules []string, files ...string) ([]string, string) {
	t.Helper()
	o := keptDirOptions(rules[0], state)
	o.rules = rules
	return detectWith(t, o, files...)
}

// detectWith runs detect with the options o over files and returns its
// alerts, one JSON line each, and its stderr, failing on an error.
func detectWith(t *testing.T, o *detectOptions, files ...string) ([]string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := runDetect(context.Background(), o, files, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatalf("detect %s: %v\n%s", files, err, stderr.String())
	}
	var alerts []string
	if s := strings.TrimSpace(stdout.String()); s != "" {
		alerts = strings.Split(s, "\n")
	}
	return alerts, stderr.String()
}

// checkField matches the check of a position in the engine's state file.
var checkField = regexp.MustCompile(`,"check":\{"line":\d+,"sum":"[0-9a-f]*"\}`)

// dropChecks rewrites the engine's state file in state as a version
// that kept no check with the positions wrote it, failing unless it held
// one.
func dropChecks(t *testing.T, state string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(state, "detect", detect.StateName+"*"))
	if err != nil || len(files) != 1 {
		all, _ := filepath.Glob(filepath.Join(state, "*", "*"))
		t.Fatalf("the engine's state file in %s: %v %v; files: %v", state, files, err, all)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if !checkField.Match(b) {
		t.Fatalf("%s holds no check:\n%s", files[0], b)
	}
	if err := os.WriteFile(files[0], checkField.ReplaceAll(b, nil), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDetectOutputFailedNotSaved: when the alerts cannot all be written
// (a full disk: /dev/full), detect fails and does not save the state, so
// that a later run with the --state-dir reads the lines again and raises
// their alerts. Before (trial 221), the state was saved before the output
// was flushed: the failed run's lines counted as already folded, and
// their alerts were lost.
func TestDetectOutputFailedNotSaved(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full to fail the writes: %v", err)
	}
	defer full.Close()
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	file := writeFile(t, filepath.Join(dir, "audit_json.log"), patLines(7000, 6, time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)))
	o := keptDirOptions("falco.pat_created", state)
	var stderr bytes.Buffer
	err = runDetect(context.Background(), o, []string{file}, strings.NewReader(""), full, &stderr)
	if err == nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("detect writing to /dev/full: error %v, want the write's\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "the state was NOT saved") {
		t.Errorf("detect writing to /dev/full does not say the state was not saved:\n%s", stderr.String())
	}
	if alerts, summary := detectPATCreated(t, state, file); len(alerts) != 6 || strings.Contains(summary, "already folded") {
		t.Errorf("the run after the failed one: %d alerts, want 6, none skipped\n%s", len(alerts), summary)
	}
}

// TestDetectLastLineUnended: with a kept --state-dir, the last line of a
// file read while it is being written (no newline yet) is left out, with
// a note, and the next run reads it once whole, the file taken for the
// one folded. Before (trial 221), the half line was folded as read: half
// a JSON line's event was lost, or the next run took the file for another
// one and read it whole, and failed logins of the text application.log
// counted twice made sentinel.bruteforce alert on 7 failures.
func TestDetectLastLineUnended(t *testing.T) {
	t0 := time.Date(2020, 4, 9, 14, 0, 0, 667e6, time.UTC)
	var failures strings.Builder
	for i := range 7 {
		fmt.Fprintf(&failures, "%s: Failed Login: username=bob ip=80.10.11.12\n", t0.Add(time.Duration(i)*time.Minute).Format("2006-01-02T15:04:05.000Z"))
	}
	// halfSixth is whole, 7 lines, as read while its 6th is written: but
	// the newline and last 20 bytes of its 6th line.
	halfSixth := func(whole string) string { return whole[:strings.LastIndexByte(whole[:len(whole)-1], '\n')+1-21] }
	pats, pat := patLines(7000, 7, t0), patLines(7000, 1, t0)
	for _, c := range []struct {
		name, rule, file string
		first, whole     string // the file as the first run reads it, and once written
		alerts           [2]int // per run
		events           [2]int // events for the rules, per run
	}{
		{"audit log, half a JSON line", "falco.pat_created", "audit_json.log", halfSixth(pats), pats, [2]int{5, 2}, [2]int{5, 2}},
		{"text application log, half a failed login", "sentinel.bruteforce", "application.log", halfSixth(failures.String()), failures.String(), [2]int{0, 0}, [2]int{5, 2}},
		{"one line, half written", "falco.pat_created", "audit_json.log", pat[:len(pat)-21], pat, [2]int{0, 1}, [2]int{0, 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			state := filepath.Join(dir, "state")
			file := writeFile(t, filepath.Join(dir, c.file), c.first)
			for run, note := range []bool{true, false} {
				o := keptDirOptions(c.rule, state)
				var stdout, stderr bytes.Buffer
				if err := runDetect(context.Background(), o, []string{file}, strings.NewReader(""), &stdout, &stderr); err != nil {
					t.Fatalf("run %d: %v\n%s", run+1, err, stderr.String())
				}
				summary := stderr.String()
				if got := strings.Count(stdout.String(), "\n"); got != c.alerts[run] {
					t.Errorf("run %d: %d alerts, want %d\n%s%s", run+1, got, c.alerts[run], stdout.String(), summary)
				}
				if want := regexp.MustCompile(fmt.Sprintf(` %d events? for the rules`, c.events[run])); !want.MatchString(summary) {
					t.Errorf("run %d: want %d events for the rules; summary:\n%s", run+1, c.events[run], summary)
				}
				if got := strings.Contains(summary, "ends in a line without its newline"); got != note {
					t.Errorf("run %d: noted the line without its newline: %v, want %v\n%s", run+1, got, note, summary)
				}
				if strings.Contains(summary, "is empty") {
					t.Errorf("run %d: a file whose last line was left out called empty\n%s", run+1, summary)
				}
				if strings.Contains(summary, "is not that file") {
					t.Errorf("run %d: took the file for another one\n%s", run+1, summary)
				}
				writeFile(t, file, c.whole) // the line ends, and one more is written
			}
		})
	}
	// A compressed file is read to its end, its last line too: logrotate
	// compressed what was written.
	t.Run("compressed, last line without its newline", func(t *testing.T) {
		dir := t.TempDir()
		gz := filepath.Join(dir, "audit_json.log.1.gz")
		if err := os.WriteFile(gz, gziptest.Compress(t, []byte(strings.TrimSuffix(pats, "\n"))), 0o644); err != nil {
			t.Fatal(err)
		}
		alerts, summary := detectPATCreated(t, filepath.Join(dir, "state"), gz)
		if len(alerts) != 7 || strings.Contains(summary, "without its newline") {
			t.Errorf("%d alerts, want 7, and no line left out\n%s", len(alerts), summary)
		}
	})
}

// TestWholeLinesEnd: how much of a file a run with a kept --state-dir
// reads: all of it as it was when opened, but a last line without its
// newline in a file written to within unendedWait (GitLab writing it);
// such a line in an older file is read as it is (a file cut by a crash,
// or written by hand: trial 222 saw one never read, run after run).
func TestWholeLinesEnd(t *testing.T) {
	now := time.Now()
	for _, c := range []struct {
		name    string
		data    string
		age     time.Duration // since the file was last written
		end     int64
		unended int64
		ok      bool
	}{
		{"whole lines", "a\nbb\n", 0, 5, 0, true},
		{"last line being written", "a\nbb\nccc", 0, 5, 3, true},
		{"one line being written", "ccc", 0, 0, 3, true},
		{"last line without its newline, file left a minute", "a\nbb\nccc", unendedWait, 8, 0, true},
		{"CRLF, the LF not written yet", "a\r\nbb\r", 0, 3, 3, true},
		{"empty", "", 0, 0, 0, false},
		{"compressed", string(gziptest.Compress(t, []byte("a\nbb"))), 0, 0, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "audit_json.log"), c.data)
			at := now.Add(-c.age)
			if err := os.Chtimes(path, at, at); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			end, unended, ok := wholeLinesEnd(f, now)
			if end != c.end || unended != c.unended || ok != c.ok {
				t.Errorf("wholeLinesEnd = %d, %d, %v; want %d, %d, %v", end, unended, ok, c.end, c.unended, c.ok)
			}
			if !ok {
				return
			}
			// readLines reads no further, whatever is written meanwhile.
			if err := os.WriteFile(path, []byte(c.data+"ddd\neee\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			var read []string
			err = readLines(context.Background(), path, &heldFile{f: f, cut: true, end: end}, true, 0, func(_ string, _ int, line []byte, _ int) error {
				read = append(read, string(line))
				return nil
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.Split(strings.TrimSuffix(strings.ReplaceAll(c.data[:end], "\r\n", "\n"), "\n"), "\n"); end > 0 && !slices.Equal(read, want) || end == 0 && len(read) != 0 {
				t.Errorf("read %q, want the first %d bytes' lines", read, end)
			}
		})
	}
}

// TestDetectRerunWithCopy: a file an earlier run with the --state-dir
// folded, given again with a whole copy of it (the .2 beside its .2.gz
// while logrotate compresses it, a backup), or grown and with a copy of
// it as it was, has its folded lines skipped in both, and only its new
// lines read. Before (trial 222), the two inputs' line numbers going
// back made the engine read both from their start: the events older than
// the dedupe's 24 hours before the newest alerted again, and the position
// saved went back to the copy's.
func TestDetectRerunWithCopy(t *testing.T) {
	day := time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	folded := patLines(7000, 3, day) + patLines(7003, 3, day.Add(30*time.Hour)) + patLines(7006, 3, day.Add(60*time.Hour))
	grown := folded + patLines(7009, 2, day.Add(61*time.Hour))
	for _, c := range []struct {
		name       string
		file, copy string // the file and its copy in the second run
		alerts     int
	}{
		{"a whole copy", folded, folded, 0},
		{"grown, with a copy as it was", grown, folded, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			state := filepath.Join(dir, "state")
			file := writeFile(t, filepath.Join(dir, "audit_json.log.2"), folded)
			firstRun(t, state, 9, file)
			writeFile(t, file, c.file)
			gz := filepath.Join(dir, "audit_json.log.2.gz")
			if err := os.WriteFile(gz, gziptest.Compress(t, []byte(c.copy)), 0o644); err != nil {
				t.Fatal(err)
			}
			alerts, summary := detectPATCreated(t, state, file, gz)
			if len(alerts) != c.alerts || !strings.Contains(summary, ", 18 already folded by an earlier run") {
				t.Errorf("second run, the file and its copy: %d alerts, want %d, and 18 events skipped as already folded\n%s", len(alerts), c.alerts, summary)
			}
			// The position saved is the file's, not the copy's.
			if alerts, summary := detectPATCreated(t, state, file); len(alerts) != 0 {
				t.Errorf("third run, the file again: %d alerts, want 0\n%s", len(alerts), summary)
			}
		})
	}
}

// TestDetectRerunPositionOfFileRead: the position a run saves for a
// first line is that of the file it read to its end with it, through the
// file's last line, whatever the run's events were. Before (trial 223),
// a run over a file and another with the same first line saved one's
// line count with the other's check, so a later run over the first file
// alone skipped too few lines and, its events by then more than 24 hours
// before the newest seen, alerted 8 of them again; and a run whose
// events were all deduplicated saved no position, so the file was read
// whole from then on.
func TestDetectRerunPositionOfFileRead(t *testing.T) {
	day := time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	main := patLines(7000, 10, day)
	first := main[:strings.IndexByte(main, '\n')+1]
	t.Run("another file with the same first line in the same run", func(t *testing.T) {
		dir := t.TempDir()
		state := filepath.Join(dir, "state")
		file := writeFile(t, filepath.Join(dir, "audit_json.log"), main)
		detectPATCreated(t, state, file)
		writeFile(t, file, main+patLines(7010, 5, day.Add(10*time.Second)))
		other := writeFile(t, filepath.Join(dir, "b", "audit_json.log"), first+patLines(7200, 6, day.Add(time.Hour)))
		if alerts, summary := detectPATCreated(t, state, file, other); len(alerts) != 11 {
			t.Fatalf("second run: %d alerts, want 11 (5 of the file, 6 of the other)\n%s", len(alerts), summary)
		}
		later := writeFile(t, filepath.Join(dir, "new", "audit.log"), patLines(9000, 3, day.Add(72*time.Hour)))
		detectPATCreated(t, state, "audit:"+later) // the events above are now more than 24 hours old
		if alerts, summary := detectPATCreated(t, state, file); len(alerts) != 0 || !strings.Contains(summary, ", 15 already folded") {
			t.Errorf("the file again: %d alerts, want 0, its 15 lines already folded\n%s", len(alerts), summary)
		}
	})
	t.Run("a run whose events were all deduplicated", func(t *testing.T) {
		dir := t.TempDir()
		state := filepath.Join(dir, "state")
		file := writeFile(t, filepath.Join(dir, "audit_json.log"), main)
		detectPATCreated(t, state, file)
		backup := writeFile(t, filepath.Join(dir, "bak", "audit_json.log"), patLines(7000, 5, day))
		if alerts, summary := detectPATCreated(t, state, backup); len(alerts) != 0 || !strings.Contains(summary, "5 deduplicated") {
			t.Fatalf("the backup: %d alerts, want 0, its 5 events deduplicated\n%s", len(alerts), summary)
		}
		if alerts, summary := detectPATCreated(t, state, file); len(alerts) != 0 || !strings.Contains(summary, ", 5 already folded") {
			t.Errorf("the file after its backup: %d alerts, want 0, the 5 lines the backup holds already folded\n%s", len(alerts), summary)
		}
		if alerts, summary := detectPATCreated(t, state, file); len(alerts) != 0 || !strings.Contains(summary, ", 10 already folded") {
			t.Errorf("the file again: %d alerts, want 0, its 10 lines already folded\n%s", len(alerts), summary)
		}
	})
}

// cancelOnWrite is an io.Writer that keeps what is written and cancels
// a context at its first write: an interrupt once the first alerts are
// out, while the inputs are still being read or merged.
type cancelOnWrite struct {
	bytes.Buffer
	cancel context.CancelFunc
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	w.cancel()
	return w.Buffer.Write(p)
}

// TestDetectInterruptedKeepsCheck: a run stopped before the end of its
// input saves, with the position of the last event the rules were given,
// the check of the last line it read, so that the next run still tells
// another file with the same first line apart, and the file itself loses
// and repeats no alert over the two runs. Before (trial 224), an
// interrupted run saved its position without a check: another node's
// log with the same first line had its first 37,888 lines skipped as
// already folded, their alerts never raised.
func TestDetectInterruptedKeepsCheck(t *testing.T) {
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	nodeA := patLines(10000, 3000, day)
	first := nodeA[:strings.IndexByte(nodeA, '\n')+1]
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	fileA := writeFile(t, filepath.Join(dir, "a", "audit_json.log"), nodeA)
	fileB := writeFile(t, filepath.Join(dir, "b", "audit_json.log"), first+patLines(20000, 100, day.Add(time.Hour)))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &cancelOnWrite{cancel: cancel}
	o := keptDirOptions("falco.pat_created", state)
	var stderr bytes.Buffer
	if err := runDetect(ctx, o, []string{fileA}, strings.NewReader(""), out, &stderr); !errors.Is(err, context.Canceled) {
		t.Fatalf("the interrupted run: %v, want it canceled\n%s", err, stderr.String())
	}
	if want := "detect: the state of the lines read until the interrupt was saved in --state-dir " + state + ": run the same command again to read on from there"; !strings.Contains(stderr.String(), want) {
		t.Errorf("the interrupted run's stderr lacks %q:\n%s", want, stderr.String())
	}
	first1 := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(first1) == 0 || len(first1) >= 3000 {
		t.Fatalf("the interrupted run wrote %d alerts, want some of 3000", len(first1))
	}
	alerts, summary := detectPATCreated(t, state, fileB)
	if len(alerts) != 100 || strings.Contains(summary, "already folded") || !strings.Contains(summary, "is not that file") {
		t.Errorf("another file with the same first line: %d alerts, want 100, none skipped, noted as another file\n%s", len(alerts), summary)
	}
	rest, summary := detectPATCreated(t, state, fileA)
	ids := map[string]bool{}
	for _, a := range append(first1, rest...) {
		var x struct {
			ID string `json:"alert_id"`
		}
		if err := json.Unmarshal([]byte(a), &x); err != nil {
			t.Fatalf("alert %q: %v", a, err)
		}
		ids[x.ID] = true
	}
	if n := len(first1) + len(rest); len(ids) != 3000 || n != 3000 {
		t.Errorf("the file over the interrupted run and one after it: %d alerts, %d distinct, want 3000 and 3000\n%s", n, len(ids), summary)
	}
}

// TestDetectRerunCutLine: with a kept --state-dir, a line cut to
// --max-line-bytes is not the check saved for its file: a file whose last
// line was cut is the same file to a rerun with a higher limit, which
// reads that line, now whole, and raises its alert alone; a cut line
// before others is recorded as folded with them, and the run says so.
// Before (trial 233), the cut last line was the check, and the rerun took
// the unchanged file for another, read it whole and raised its alerts
// again.
func TestDetectRerunCutLine(t *testing.T) {
	day := time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	long := strings.Replace(patLines(7005, 1, day.Add(5*time.Second)), "Created personal access token", strings.Repeat("x", 600)+" Created personal access token", 1)
	run := func(state, maxLine string, file string) ([]string, string) {
		t.Helper()
		o := keptDirOptions("falco.pat_created", state)
		o.maxLine = maxLine
		return detectWith(t, o, file)
	}
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	file := writeFile(t, filepath.Join(dir, "audit_json.log"), patLines(7000, 5, day)+long)
	old := time.Now().Add(-time.Hour) // written an hour ago: no line is GitLab's unfinished one
	if err := os.Chtimes(file, old, old); err != nil {
		t.Fatal(err)
	}
	alerts, summary := run(state, "500", file)
	if len(alerts) != 5 || !strings.Contains(summary, "records a cut line as folded") {
		t.Fatalf("first run, the last line cut: %d alerts, want 5, and the note\n%s", len(alerts), summary)
	}
	alerts, summary = run(state, "1MiB", file)
	if len(alerts) != 1 || !strings.Contains(alerts[0], `"event_ids":["7005"]`) || strings.Contains(summary, "is not that file") {
		t.Errorf("rerun with a higher limit: %d alerts %q, want the cut line's alone, and the file the same\n%s", len(alerts), alerts, summary)
	}
}
