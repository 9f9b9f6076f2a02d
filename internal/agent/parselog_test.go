package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/shellcmd"
)

func TestParseLogNamesFileOffsetAndCauseAndLimits(t *testing.T) {
	var buf bytes.Buffer
	p := &parseLog{log: slog.New(slog.NewTextHandler(&buf, nil))}
	cause := errors.New("audit: invalid JSON: expected object key at byte 20")
	p.report("/var/log/gitlab/gitlab-rails/audit_json.log", 4096, cause)
	p.report("/var/log/gitlab/gitlab-rails/audit_json.log", 5000, cause)
	p.report("/var/log/gitlab/gitlab-rails/audit_json.log", 6000, cause)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d log lines within the interval, want 1:\n%s", len(lines), buf.String())
	}
	// True of a container line too, which keeps its kubernetes@ element.
	for _, want := range []string{`msg="line did not parse; forwarded raw, without parsed columns"`, "file=/var/log/gitlab/gitlab-rails/audit_json.log", "line_end_offset=4096",
		`err="audit: invalid JSON: expected object key at byte 20"`, "unreported_since_last=0"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("log line lacks %s: %s", want, lines[0])
		}
	}
	// Once the interval has passed, the next failure is logged with the
	// count of those left out.
	p.mu.Lock()
	p.parse.last = time.Now().Add(-parseLogInterval)
	p.mu.Unlock()
	p.report("/var/log/gitlab/gitlab-rails/audit_json.log", 7000, cause)
	lines = strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], "line_end_offset=7000") || !strings.Contains(lines[1], "unreported_since_last=2") {
		t.Errorf("after the interval: %q", lines)
	}
}

// TestParseLogUnfinishedPacedApart: the warning about the parts of a line
// whose last part never came is paced apart from the warnings of lines
// that did not parse: a line that did not parse just before does not hold
// it back (fresh-user trial 240: a container's stalled line went out raw
// without a word), while a second one within the interval is held back
// and counted.
func TestParseLogUnfinishedPacedApart(t *testing.T) {
	var buf bytes.Buffer
	p := &parseLog{log: slog.New(slog.NewTextHandler(&buf, nil))}
	const file = "/var/log/pods/gitlab_webservice-0_1/webservice/0.log"
	p.report(file, 100, errors.New("not a CRI log record"))
	p.reportUnfinished(file, 200, false, false, 1<<20)
	p.reportUnfinished(file, 300, false, false, 1<<20)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "line did not parse") ||
		!strings.Contains(lines[1], "parts of a line whose last part never came") || !strings.Contains(lines[1], "line_start_offset=200") {
		t.Fatalf("want the parse warning, then the parts' warning at 200, and no more:\n%s", buf.String())
	}
	if n := p.namedLines(); n != 2 {
		t.Errorf("namedLines = %d, want 2", n)
	}
}

// TestParseFailsReportedInOrder: lines that did not parse, recorded per
// batch by the workers (parseFails) and reported by the sender batch by
// batch, are logged as report logs them one by one in file order: the
// first batch's first line named, every other one counted (fresh-user
// trial 257: with two workers, the first warning could name a later
// line).
func TestParseFailsReportedInOrder(t *testing.T) {
	var buf bytes.Buffer
	p := &parseLog{log: slog.New(slog.NewTextHandler(&buf, nil))}
	cause := errors.New("audit: invalid JSON: unterminated string at byte 60")
	var first, second parseFails
	second.note("audit_json.log", 1100335, cause) // encoded first, by another worker
	first.note("audit_json.log", 323, cause)
	first.note("audit_json.log", 400, nil) // parsed: not recorded
	first.note("audit_json.log", 500, cause)
	p.reportFails(&first)
	p.reportFails(&second)
	if first.n != 0 || second.n != 0 {
		t.Errorf("reportFails left %+v, %+v; want them cleared", first, second)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "line_end_offset=323") {
		t.Fatalf("logged %d lines, want one naming the first batch's first line (323):\n%s", len(lines), buf.String())
	}
	p.mu.Lock()
	p.parse.last = time.Now().Add(-parseLogInterval)
	p.mu.Unlock()
	p.report("audit_json.log", 2000, cause)
	if !strings.Contains(buf.String(), "unreported_since_last=2") {
		t.Errorf("the next warning does not count the 2 lines not named:\n%s", buf.String())
	}
}

// TestParseLogFindLine: the warning of a line that did not parse gives
// in find_line the commands that print it and its line number
// (shellcmd.FindLine, which TestFindLine runs in a shell).
func TestParseLogFindLine(t *testing.T) {
	const path, end = "/var/log/gitlab/gitlab-rails/audit_json.log.1.gz", 4096
	var buf bytes.Buffer
	p := &parseLog{log: slog.New(slog.NewJSONHandler(&buf, nil))}
	p.report(path, end, errors.New("audit: invalid JSON"))
	var rec struct {
		FindLine string `json:"find_line"`
	}
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if want := shellcmd.FindLine(path, end); rec.FindLine != want {
		t.Errorf("warning's find_line = %q, want %q", rec.FindLine, want)
	}
}
