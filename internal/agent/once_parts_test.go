package agent

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestOnceUnfinishedLineSentWholeLater: --once on a container log whose
// last record is the first part of a line (CRI "P", Docker's partial
// record) sends that part raw at the end of the run, as it does a plain
// file's last line without its newline, and a run that finds nothing new
// sends nothing again; once the line's last part (and a stderr record) was
// appended, the next --once run reads the parts again from the first and
// the collector gets the line whole and parsed, never its tail as a
// message of its own. Before, the first run's checkpoint was put after
// the part, so the second run sent the last part raw on its own (fresh-user
// trial 80), while a daemon restarted after the append sent the line whole.
func TestOnceUnfinishedLineSentWholeLater(t *testing.T) {
	audit1 := `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"entity_type":"User"}`
	audit2 := `{"severity":"INFO","time":"2024-05-10T17:46:50.065Z","author_id":2,"entity_type":"Project","entity_path":"group/` +
		strings.Repeat("x", 20000) + `"}`
	split := auditEnvelope(audit2)
	part1, part2 := split[:16384], split[16384:]
	for _, tc := range []struct {
		name, format, typ string
		rotate            bool // the file is rotated (renamed to .1) before the last part is written
	}{
		{"cri", "cri", "", false},
		{"cri typed", "cri", "audit", false},
		{"docker", "docker", "", false},
		{"cri rotated", "cri", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := containerRecord(t, tc.format)
			path := filepath.Join(t.TempDir(), "web-0_gitlab_webservice-abc.log")
			writeFile(t, path, rec("stdout", false, auditEnvelope(audit1))+rec("stdout", true, part1))
			addr, got := appMsgCollector(t)
			c := newConfig(t, "tcp://"+addr, config.Source{Path: path, Format: tc.format, Type: tc.typ, OtherSubcomponents: "forward"})
			c.Detections.Enabled = new(bool)
			run := func(what string, want int) []string {
				t.Helper()
				before := len(got())
				runToEOFWith(t, c, Options{Logger: testLogger(t), CarryTimeout: 200 * time.Millisecond})
				// --once ends once its lines were acknowledged; the
				// collector may handle them a moment later.
				deadline := time.Now().Add(5 * time.Second)
				for len(got()) < before+want && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
				time.Sleep(50 * time.Millisecond)
				msgs := got()[before:]
				if len(msgs) != want {
					t.Fatalf("%s: %d messages, want %d: %.120q", what, len(msgs), want, msgs)
				}
				return msgs
			}
			first := run("first run", 2)
			if wantAudit := config.AppNameAudit + " " + audit1; first[0] != wantAudit {
				t.Errorf("first run sent %.120q first, want %.120q", first[0], wantAudit)
			}
			if !strings.HasSuffix(first[1], " "+part1) {
				t.Errorf("first run sent %.120q, want the pending part raw", first[1])
			}
			run("run before the append", 0)

			if tc.rotate {
				if err := os.Rename(path, path+".1"); err != nil {
					t.Fatal(err)
				}
			}
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(rec("stdout", false, part2) + rec("stderr", false, "boom")); err != nil {
				t.Fatal(err)
			}
			f.Close()
			second := run("second run", 2)
			wantLine := config.AppNameAudit + " " + audit2
			if !slices.Contains(second, wantLine) {
				t.Errorf("second run sent %.120q, want the line whole and parsed (%.120q)", second, wantLine)
			}
			for _, m := range second {
				if strings.HasSuffix(m, " "+part2) {
					t.Errorf("second run sent the line's last part on its own: %.120q", m)
				}
			}
			if !strings.HasSuffix(second[len(second)-1], " boom") {
				t.Errorf("second run sent %.120q last, want the stderr record", second[len(second)-1])
			}
			run("run after the line was sent", 0)
		})
	}
}

// TestDaemonAfterOnceUnfinishedLine: a daemon started after a --once run
// that sent the parts of an unfinished container line raw (nothing
// appended since) reads them again from the first part, as it does a
// plain file's last line sent without its newline, and sends the line
// whole once its last part is written, not that part on its own.
func TestDaemonAfterOnceUnfinishedLine(t *testing.T) {
	audit := `{"severity":"INFO","time":"2024-05-10T17:46:50.065Z","author_id":2,"entity_type":"Project","entity_path":"group/split-line"}`
	split := `{"date":"2024-05-01T12:00:00Z","component":"gitlab","subcomponent":"audit_json","level":"info","message":` + audit + `}`
	part1, part2 := split[:70], split[70:]
	path := filepath.Join(t.TempDir(), "web-0_gitlab_webservice-abc.log")
	writeFile(t, path, "2024-05-01T12:00:00.1Z stdout P "+part1+"\n")
	addr, got := appMsgCollector(t)
	c := newConfig(t, "tcp://"+addr, config.Source{Path: path, Format: "cri"})
	c.Detections.Enabled = new(bool)
	runToEOFWith(t, c, Options{Logger: testLogger(t), CarryTimeout: 200 * time.Millisecond})
	waitFor(t, "the part sent raw", 5*time.Second, func() bool { return len(got()) == 1 })
	_, _, stop := runInBackground(t, c, Options{CarryTimeout: time.Minute})
	defer stop()
	time.Sleep(300 * time.Millisecond) // the daemon read the part again
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("2024-05-01T12:00:00.2Z stdout F " + part2 + "\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	want := config.AppNameAudit + " " + audit
	waitFor(t, "the line sent whole", 10*time.Second, func() bool { return len(got()) >= 2 })
	time.Sleep(100 * time.Millisecond)
	if msgs := got(); len(msgs) != 2 || msgs[1] != want {
		t.Errorf("messages %q, want the raw part, then %q", msgs, want)
	}
}
