package agent

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestOnceDetectionStateNotSaved: --once exits with an error when the
// detection state could not be saved, as it does for a checkpoint: a
// backfill script otherwise reports success while the next run learns
// again and raises the alerts of the lines it re-reads. The engine's
// state file is made unwritable by a non-empty directory of its name
// (a rename onto it fails, even for root).
func TestOnceDetectionStateNotSaved(t *testing.T) {
	col, err := syslogtest.Listen("127.0.0.1:0", func([]byte) {})
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	audit := filepath.Join(t.TempDir(), "audit_json.log")
	if err := os.WriteFile(audit, []byte(auditPATLine(time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC), 800001)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: audit})
	if err := os.MkdirAll(filepath.Join(c.StateDir, "detect", "_engine.json", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	a, err := New(c, Options{Logger: testLogger(t), ExitAtEOF: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = a.Run(ctx)
	if ctx.Err() != nil {
		t.Fatal("--once did not exit at EOF")
	}
	if err == nil || !strings.Contains(err.Error(), "detection state not saved") {
		t.Fatalf("--once returned %v, want an error saying the detection state was not saved", err)
	}
}

// TestOnceTIFileUnusable: a --once run whose ti_file cannot be used (it
// does not exist; it holds nothing usable; it lists no address: empty, or
// only comments) ends with a warning that
// names the rule, the file and the cause and says the lines it read are
// not matched again, with the detect command that finds their alerts: the
// start-up error promises a re-read when the file returns, which a run
// that has ended never does. A usable file gives no such warning.
func TestOnceTIFileUnusable(t *testing.T) {
	const line = `203.0.113.9 - - [18/Sep/2025:12:30:00 +0000] "GET /api/v4/projects HTTP/1.1" 200 12 "" "curl/8.0"` + "\n"
	const warning = "--once: sentinel.ti_malicious_ip ran with no indicators"
	for _, tc := range []struct {
		name, ti string // ti: the file's content; "-": no file
		cause    string
		warns    bool
	}{
		{name: "missing", ti: "-", cause: "no such file or directory", warns: true},
		{name: "nothing-usable", ti: "not an address\n", cause: "not an address", warns: true},
		{name: "empty", ti: "", cause: "lists no IP address or CIDR", warns: true}, // trial 248
		{name: "only-comments", ti: "# feed empty today\n\n", cause: "lists no IP address or CIDR", warns: true},
		{name: "usable", ti: "203.0.113.0/24\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			col, err := syslogtest.Listen("127.0.0.1:0", func([]byte) {})
			if err != nil {
				t.Fatal(err)
			}
			defer col.Close()
			dir := t.TempDir()
			access, ti := filepath.Join(dir, "gitlab_access.log"), filepath.Join(dir, "indicators.txt")
			if err := os.WriteFile(access, []byte(line), 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.ti != "-" {
				if err := os.WriteFile(ti, []byte(tc.ti), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "access", Path: access})
			c.Detections.Rules = map[string]config.RuleConfig{"sentinel.ti_malicious_ip": {Params: map[string]string{"ti_file": ti}}}
			var logs syncBuffer
			runToEOFWith(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			out := logs.String()
			var got string
			for _, l := range strings.Split(out, "\n") {
				if strings.Contains(l, warning) {
					got = l
				}
			}
			if !tc.warns {
				if got != "" {
					t.Fatalf("a usable ti_file warned: %s", got)
				}
				return
			}
			for _, want := range []string{"level=WARN", "file=" + ti, tc.cause, "not matched again", "gitlab-syslog detect --rule sentinel.ti_malicious_ip --param ti_file=" + ti} {
				if !strings.Contains(got, want) {
					t.Errorf("want %q in the --once warning %q; log:\n%s", want, got, out)
				}
			}
		})
	}
}
