package agent

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestOnceUnfinishedParts: a container log that ends in the parts of a line
// whose last part never comes (P records without their F). --once ends
// (after DefaultCarryTimeout) with the parts sent raw on their own, counted as
// unwrap errors and parse failures (stdout, and stderr with
// other_subcomponents: forward) or as dropped lines (stderr with drop); a
// second run starts after them and sends nothing.
func TestOnceUnfinishedParts(t *testing.T) {
	audit := `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"entity_type":"User"}`
	env := `{"date":"2024-05-01T12:00:00Z","component":"gitlab","subcomponent":"audit_json","level":"info","message":` + audit + `}`
	full := "2024-05-01T12:00:00.1Z stdout F " + env + "\n"
	for _, tc := range []struct {
		name, parts, others string
		want                []string // APP-NAME and MSG of the messages after the audit line
		unwrapErrs, dropped float64
	}{
		{"stdout", "2024-05-01T12:00:01.1Z stdout P " + env[:20] + "\n2024-05-01T12:00:01.2Z stdout P " + env[20:40] + "\n", "drop",
			[]string{"GitLab-Logs " + env[:40]}, 1, 0},
		// trial 231: the parts of an audit line, whose envelope names its
		// subcomponent, went out under GitLab-Logs
		{"stdout naming its subcomponent", "2024-05-01T12:00:01.1Z stdout P " + env[:60] + "\n2024-05-01T12:00:01.2Z stdout P " + env[60:120] + "\n", "drop",
			[]string{"GitLab-Audit-Logs " + env[:120]}, 1, 0},
		{"stderr forwarded", "2024-05-01T12:00:01.1Z stderr P panic: \n2024-05-01T12:00:01.2Z stderr P runtime error\n", "forward",
			[]string{"GitLab-Logs panic: runtime error"}, 1, 0},
		{"stderr dropped", "2024-05-01T12:00:01.1Z stderr P panic: \n", "drop", nil, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each waits DefaultCarryTimeout
			path := filepath.Join(t.TempDir(), "0.log")
			if err := os.WriteFile(path, []byte(full+tc.parts), 0o644); err != nil {
				t.Fatal(err)
			}
			c := newConfig(t, "stdout://", config.Source{Path: path, Format: "cri", OtherSubcomponents: tc.others})
			c.Detections.Enabled = new(bool)
			a, msgs := runOnce(t, c)
			want := append([]string{config.AppNameAudit + " " + audit}, tc.want...)
			var got []string
			for _, m := range msgs {
				got = append(got, string(m.AppName)+" "+string(m.Msg))
			}
			if !slices.Equal(got, want) {
				t.Errorf("messages:\n got %q\nwant %q", got, want)
			}
			if v := scrapedValue(t, a, "gitlab_syslog_unwrap_errors_total", path); v != tc.unwrapErrs {
				t.Errorf("unwrap_errors_total = %v, want %v", v, tc.unwrapErrs)
			}
			if v := scrapedValue(t, a, "gitlab_syslog_parse_failures_total", path); v != tc.unwrapErrs {
				t.Errorf("parse_failures_total = %v, want %v", v, tc.unwrapErrs)
			}
			if v := scrapedValue(t, a, "gitlab_syslog_lines_dropped_total", path); v != tc.dropped {
				t.Errorf("lines_dropped_total = %v, want %v", v, tc.dropped)
			}
			var out bytes.Buffer
			runToEOF(t, c, &out)
			if out.Len() != 0 {
				t.Errorf("second run sent %q, want nothing", out.String())
			}
		})
	}
}

// TestGlobDeletedWithParts: a container log deleted (its pod gone) while
// it ends in the parts of a line is forgotten only once those parts were
// sent raw, after Options.CarryTimeout; until then its checkpoint stays.
func TestGlobDeletedWithParts(t *testing.T) {
	root := t.TempDir()
	addr, got := appMsgCollector(t)
	c := newConfig(t, "tcp://"+addr, config.Source{Path: filepath.Join(root, "*_gitlab_webservice-*.log"), Format: "cri"})
	c.Detections.Enabled = new(bool)
	// Longer than the tailer's wait for late writes to a deleted file.
	const carry = 8 * time.Second
	a, _, stop := runInBackground(t, c, Options{GlobInterval: 20 * time.Millisecond, CarryTimeout: carry})
	defer stop()
	path := filepath.Join(root, "web-0_gitlab_webservice-abc.log")
	writeFile(t, path, "2024-05-01T12:00:01.1Z stdout P first part, \n")
	waitFor(t, "the file followed", 10*time.Second, func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return len(a.sources) == 1
	})
	waitFor(t, "the P record read", 10*time.Second, func() bool {
		return scrapedValue(t, a, "gitlab_syslog_lines_read_total", path) == 1
	})
	key := checkpointFile(t, c.StateDir, path)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	deleted := time.Now()
	waitFor(t, "the deleted file forgotten", 20*time.Second, func() bool {
		a.mu.Lock()
		n := len(a.sources)
		a.mu.Unlock()
		_, err := os.Stat(key)
		return n == 0 && os.IsNotExist(err)
	})
	if d := time.Since(deleted); d < carry-time.Second {
		t.Errorf("forgotten %v after the deletion, before the parts were sent", d)
	}
	msgs := got()
	if want := []string{"GitLab-Logs first part, "}; !slices.Equal(msgs, want) {
		t.Errorf("messages %q, want %q", msgs, want)
	}
}

// TestUnfinishedPartsWarningOffset: the warning for the parts of a line
// whose last part never came names where the first part begins in the
// real file (line_start_offset), and its find_line commands, run in a
// shell, print that P record and the number of lines before it. It used
// to give the start as a line end (line_end_offset), so that its
// commands printed the complete line before the parts.
func TestUnfinishedPartsWarningOffset(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	audit := `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"entity_type":"User"}`
	env := `{"date":"2024-05-01T12:00:00Z","component":"gitlab","subcomponent":"audit_json","level":"info","message":` + audit + `}`
	full := "2024-05-01T12:00:00.1Z stdout F " + env + "\n" + "2024-05-01T12:00:00.2Z stdout F " + env + "\n"
	first := "2024-05-01T12:00:01.1Z stdout P " + env[:20]
	parts := first + "\n2024-05-01T12:00:01.2Z stdout P " + env[20:40] + "\n"
	path := filepath.Join(t.TempDir(), "web-0_gitlab_pod's log.log")
	if err := os.WriteFile(path, []byte(full+parts), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, "stdout://", config.Source{Path: path, Format: "cri"})
	c.Detections.Enabled = new(bool)
	var logBuf bytes.Buffer
	var out bytes.Buffer
	runToEOFWith(t, c, Options{Logger: slog.New(slog.NewJSONHandler(&logBuf, nil)), Stdout: &out, CarryTimeout: 200 * time.Millisecond})
	var warning struct {
		Msg      string `json:"msg"`
		File     string `json:"file"`
		Start    *int64 `json:"line_start_offset"`
		End      *int64 `json:"line_end_offset"`
		FindLine string `json:"find_line"`
	}
	for _, l := range bytes.Split(logBuf.Bytes(), []byte("\n")) {
		if bytes.Contains(l, []byte("whose last part")) {
			if err := json.Unmarshal(l, &warning); err != nil {
				t.Fatal(err)
			}
		}
	}
	if warning.Start == nil || *warning.Start != int64(len(full)) || warning.End != nil || warning.File != path {
		t.Fatalf("warning %+v, want file %s, line_start_offset %d and no line_end_offset; log:\n%s",
			warning, path, len(full), logBuf.String())
	}
	cmds := strings.Split(warning.FindLine, "; ")
	if len(cmds) != 2 {
		t.Fatalf("find_line %q: want two commands", warning.FindLine)
	}
	for i, want := range []string{first, "2"} {
		cmd := cmds[i][:strings.LastIndex(cmds[i], " (")]
		got, err := exec.Command(sh, "-c", cmd).Output()
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		if strings.TrimSpace(string(got)) != want {
			t.Errorf("%s printed %q, want %q", cmd, got, want)
		}
	}
}

// TestOnceUnfinishedPartsCut: a container log whose last line's parts,
// its last part not written yet, are longer than max_line_bytes: --once
// sends them raw cut to max_line_bytes (the decoder holds up to
// container.EnvelopeSlack bytes more), counted as truncated, and its
// warning says the file ends there rather than that a part never came
// (fresh-user trial 105 got 5,120 bytes of a 1 KiB limit, truncated=0,
// and "never came (carry timeout)").
func TestOnceUnfinishedPartsCut(t *testing.T) {
	full := "2024-05-01T12:00:00.1Z stdout F first\n"
	var parts strings.Builder // 6,000 bytes in P records
	for i := range 6 {
		parts.WriteString("2024-05-01T12:00:01." + string(rune('1'+i)) + "Z stdout P " + strings.Repeat(string(rune('a'+i)), 1000) + "\n")
	}
	path := filepath.Join(t.TempDir(), "0.log")
	if err := os.WriteFile(path, []byte(full+parts.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, "stdout://", config.Source{Path: path, Format: "cri"})
	c.Detections.Enabled = new(bool)
	c.Tailer.MaxLineBytes = 1024
	var logBuf, out bytes.Buffer
	runToEOFWith(t, c, Options{Logger: slog.New(slog.NewJSONHandler(&logBuf, nil)), Stdout: &out, CarryTimeout: 200 * time.Millisecond})
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 1 { // "first" is not GitLab's: dropped (other_subcomponents)
		t.Fatalf("got %d messages, want 1:\n%s", len(lines), out.String())
	}
	want := strings.Repeat("a", 1000) + strings.Repeat("b", 24)
	if !strings.HasSuffix(lines[0], " "+want) {
		t.Errorf("the parts went out as %q..., want them cut to 1024 bytes: %q", lines[0][:min(len(lines[0]), 120)], want[:40]+"...")
	}
	var warned, summary bool
	for _, l := range bytes.Split(logBuf.Bytes(), []byte("\n")) {
		var rec map[string]any
		if json.Unmarshal(l, &rec) != nil {
			continue
		}
		switch rec["msg"] {
		case "the file ends in parts of a line whose last part is not written yet; forwarded raw, without parsed columns":
			warned = rec["cut_to_max_line_bytes"] == float64(1024)
		case "--once: file read":
			summary = rec["truncated"] == float64(1)
		}
	}
	if !warned || !summary {
		t.Errorf("warning with cut_to_max_line_bytes %v, --once summary with truncated=1 %v; log:\n%s", warned, summary, logBuf.String())
	}
}

// TestLateLastPart: the last part of a line written after the carry
// timeout sent its first parts raw is sent raw too, as the rest of that
// line, not dropped as a line of no GitLab log; the complete line after
// it is sent as usual (fresh-user trial 115: the tail was dropped and
// only lines_dropped_total said so). So it is when the agent restarted in
// between (fresh-user trial 117: the tail was dropped then).
func TestLateLastPart(t *testing.T) {
	for _, restart := range []bool{false, true} {
		t.Run(fmt.Sprintf("restart=%v", restart), func(t *testing.T) { testLateLastPart(t, restart) })
	}
}

func testLateLastPart(t *testing.T, restart bool) {
	audit := `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"entity_type":"User"}`
	env := `{"date":"2024-05-01T12:00:00Z","component":"gitlab","subcomponent":"audit_json","level":"info","message":` + audit + `}`
	full := "2024-05-01T12:00:00.1Z stdout F " + env + "\n"
	path := filepath.Join(t.TempDir(), "web-0_gitlab_webservice-abc.log")
	writeFile(t, path, full+"2024-05-01T12:00:01.1Z stdout P "+env[:20]+"\n2024-05-01T12:00:01.2Z stderr F a stderr line\n2024-05-01T12:00:01.3Z stdout P "+env[20:40]+"\n")
	addr, got := appMsgCollector(t)
	c := newConfig(t, "tcp://"+addr, config.Source{Path: path, Format: "cri"})
	c.Detections.Enabled = new(bool)
	a, _, stop := runInBackground(t, c, Options{CarryTimeout: 300 * time.Millisecond})
	head := []string{config.AppNameAudit + " " + audit, "GitLab-Logs " + env[:40]}
	waitFor(t, "the first parts sent raw", 10*time.Second, func() bool { return len(got()) == len(head) })
	unwrapErrs := 2.0 // the first parts, the rest
	if restart {
		waitFor(t, "the checkpoint past the parts", 10*time.Second, func() bool {
			data, _ := os.ReadFile(checkpointFile(t, c.StateDir, path))
			return strings.Contains(string(data), fmt.Sprintf(`"offset":%d`, fileSize(t, path)))
		})
		stop()
		a, _, stop = runInBackground(t, c, Options{CarryTimeout: 300 * time.Millisecond})
		unwrapErrs = 1 // the rest, counted by the new agent
	}
	defer stop()
	appendTo(t, path, "2024-05-01T12:00:07.1Z stdout P "+env[40:60]+"\n2024-05-01T12:00:07.2Z stdout F "+env[60:]+"\n"+full)
	want := append(head, "GitLab-Logs "+env[40:], config.AppNameAudit+" "+audit)
	waitFor(t, "the rest of the line and the line after it", 10*time.Second, func() bool { return len(got()) >= len(want) })
	if msgs := got(); !slices.Equal(msgs, want) {
		t.Errorf("messages:\n got %q\nwant %q", msgs, want)
	}
	dropped := 1.0 // the stderr line
	if restart {
		dropped = 0 // read by the first agent
	}
	for name, want := range map[string]float64{
		"gitlab_syslog_unwrap_errors_total": unwrapErrs,
		"gitlab_syslog_lines_dropped_total": dropped,
	} {
		if v := scrapedValue(t, a, name, path); v != want {
			t.Errorf("%s = %v, want %v", name, v, want)
		}
	}
}

// fileSize returns the size of the file at path.
func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestStalledPartsOfASubcomponent: the parts of a line whose last part
// comes after the carry timeout go out raw under the APP-NAME of the
// subcomponent their gitlab-logger envelope names, the first parts at the
// timeout and the rest when its last part comes, both the same (trial
// 231: an audit_json line's went out as GitLab-Logs, unseen by a SIEM
// that filters GitLab-Audit-Logs).
func TestStalledPartsOfASubcomponent(t *testing.T) {
	dir := t.TempDir()
	addr, got := appMsgCollector(t)
	path := filepath.Join(dir, "0.log")
	writeFile(t, path, "")
	c := newConfig(t, "tcp://"+addr, config.Source{Path: path, Format: "cri"})
	c.Detections.Enabled = new(bool)
	_, _, stop := runInBackground(t, c, Options{CarryTimeout: 300 * time.Millisecond})
	defer stop()
	audit := `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"entity_type":"User"}`
	env := `{"date":"2024-05-01T12:00:00Z","component":"gitlab","subcomponent":"audit_json","level":"info","message":` + audit + `}`
	appendBytes(t, path, "2024-05-01T12:00:01.1Z stdout P "+env[:60]+"\n2024-05-01T12:00:01.2Z stdout P "+env[60:120]+"\n")
	waitFor(t, "the first parts sent at the timeout", 10*time.Second, func() bool { return len(got()) == 1 })
	appendBytes(t, path, "2024-05-01T12:00:09.1Z stdout F "+env[120:]+"\n")
	waitFor(t, "the rest sent", 10*time.Second, func() bool { return len(got()) == 2 })
	if want := []string{config.AppNameAudit + " " + env[:120], config.AppNameAudit + " " + env[120:]}; !slices.Equal(got(), want) {
		t.Errorf("messages %q, want %q", got(), want)
	}
}
