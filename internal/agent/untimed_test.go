package agent

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestDetectionsUntimed: in run, an audit line a rule wants whose time
// cannot be read is forwarded as any line, but not evaluated by the
// rules (no alert, which would carry no time), counted in
// detect_untimed_events_total and logged with its file, offset and cause.
// Before, its falco.pat_created alert went out with an empty time and
// nothing said why.
func TestDetectionsUntimed(t *testing.T) {
	var mu sync.Mutex
	var audit, alerts int
	col, err := syslogtest.Listen("127.0.0.1:0", func(m []byte) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case bytes.Contains(m, []byte(" "+config.AppNameAudit+" ")):
			audit++
		case bytes.Contains(m, []byte(" GitLab-Detections ")):
			alerts++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	good := auditPATLine(time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC), 800001)
	bad := strings.NewReplacer(`"time":"2025-03-04T12:00:00.000Z"`, `"time":"garbage"`,
		`"created_at":"2025-03-04T12:00:00.000Z"`, `"created_at":"bad"`, "800001", "800002").Replace(good)
	none := strings.NewReplacer(`"time":"2025-03-04T12:00:00.000Z",`, "",
		`"created_at":"2025-03-04T12:00:00.000Z",`, "", "800001", "800003").Replace(good)
	path := filepath.Join(t.TempDir(), "audit_json.log")
	if err := os.WriteFile(path, []byte(good+"\n"+bad+"\n"+none+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var logBuf syncBuffer
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: path})
	a, err := New(c, Options{Logger: slog.New(slog.NewTextHandler(&logBuf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	waitFor(t, "the three audit lines", 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return audit == 3
	})
	time.Sleep(300 * time.Millisecond) // a wrong further alert would be here by now
	mu.Lock()
	if alerts != 1 {
		t.Errorf("%d alerts, want 1 (the line with a time)", alerts)
	}
	mu.Unlock()
	mfs, err := a.Metrics().Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	untimed := -1.0
	for _, mf := range mfs {
		if mf.GetName() == "gitlab_syslog_detect_untimed_events_total" {
			untimed = mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	if untimed != 2 {
		t.Errorf("detect_untimed_events_total = %v, want 2 (-1: not exported)", untimed)
	}
	log := logBuf.String()
	for _, w := range []string{"event without a usable time", "file=" + path, "line_end_offset=" + strconv.Itoa(len(good)+1+len(bad)+1),
		`cause="\"time\" is \"garbage\" and \"created_at\" is \"bad\", neither an ISO 8601 time`} {
		if !strings.Contains(log, w) {
			t.Errorf("log lacks %q:\n%s", w, log)
		}
	}
	if n := strings.Count(log, "event without a usable time"); n != 1 {
		t.Errorf("%d warnings, want 1 (the second within 10s is counted, not logged):\n%s", n, log)
	}
}
