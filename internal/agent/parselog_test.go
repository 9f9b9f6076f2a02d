package agent

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
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
