package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/bench"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"10MB", 10e6, true},
		{"10MB/s", 10e6, true},
		{"512KiB", 512 << 10, true},
		{"1.5GB", 1.5e9, true},
		{"2MiB", 2 << 20, true},
		{"1000", 1000, true},
		{"100B", 100, true},
		{"", 0, false},
		{"fast", 0, false},
		{"-1MB", 0, false},
		{"0", 0, false},
	}
	for _, tt := range tests {
		got, err := parseRate(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseRate(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseTypes(t *testing.T) {
	got, err := parseTypes(" audit, access ,")
	if err != nil || len(got) != 2 || got[0] != parser.TypeAudit || got[1] != parser.TypeAccess {
		t.Errorf("parseTypes = %v, %v", got, err)
	}
	for _, tc := range []struct{ in, want string }{
		{"", "no type given"},
		{"audit,nginx", `unknown log type "nginx"`},
		{"audit,access,audit", `-types "audit,access,audit": audit is given twice`},
	} {
		if _, err := parseTypes(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseTypes(%q) = %v, want an error containing %q", tc.in, err, tc.want)
		}
	}
}

func TestSetupPeersRejectsUnknown(t *testing.T) {
	if _, _, err := setupPeers("rsyslog,fluentd"); err == nil || !strings.Contains(err.Error(), "fluentd") {
		t.Errorf("setupPeers: %v, want an error naming fluentd", err)
	}
	if _, _, err := setupPeers("rsyslog,rsyslog"); err == nil || !strings.Contains(err.Error(), "rsyslog is given twice") {
		t.Errorf("setupPeers(rsyslog,rsyslog): %v, want an error saying rsyslog is given twice", err)
	}
}

func TestThousands(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567.4: "1,234,567", 100000: "100,000"} {
		if got := thousands(in); got != want {
			t.Errorf("thousands(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestMedianAndTable(t *testing.T) {
	job := bench.Job{Type: parser.TypeAudit, Lines: 1000, Bytes: 390_000}
	res := func(name string, frames int64, d time.Duration) bench.Result {
		t0 := time.Unix(0, 0)
		st := bench.SinkStats{Frames: frames, First: t0, Last: t0.Add(d)}
		return bench.Result{Shipper: name, Job: job, Sink: st, Final: st, Measured: true,
			Usage: bench.Usage{User: time.Second, MaxRSS: 20 << 20}}
	}
	m := median([]bench.Result{res("a", 1000, 4*time.Second), res("a", 1000, time.Second), res("a", 1000, 2*time.Second)})
	if m.LinesPerSec() != 500 || m.min != 250 || m.max != 1000 || m.runs != 3 {
		t.Fatalf("median = %.0f lines/s, range %v-%v over %d runs; want 500, 250-1000, 3", m.LinesPerSec(), m.min, m.max, m.runs)
	}
	var b strings.Builder
	writeTable(&b, job, []row{m, median([]bench.Result{res("peer", 900, time.Second)})}, true)
	out := b.String()
	for _, want := range []string{
		"| shipper | lines/s | MB/s | CPU s per 1M lines | peak RSS MiB | lost | agent ratio |",
		"| a | 500 (250–1,000) | 0.2 | 1000.00 | 20 | 0 | — |",
		"| peer | 900 | 0.4 | 1111.11 | 20 | 100 | 0.56× |",
		"agent ratio: a's lines/s divided by the row's (above 1×: the row is slower than a).",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "alerts") {
		t.Errorf("a table without alerts has an alerts column:\n%s", out)
	}

	// All frames at one instant: no rate, rather than 0 lines/s.
	instant := res("quick", 1000, 0)
	b.Reset()
	writeTable(&b, job, []row{m, median([]bench.Result{instant})}, true)
	out = b.String()
	for _, want := range []string{
		"| quick | — | — | 1000.00 | 20 | 0 | — |",
		"Not timed (every line arrived at once, too quick to time; give more -lines): quick.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	withAlerts := res("gitlab-syslog detections=all", 1000, 2*time.Second)
	withAlerts.Final.Alerts = 17
	b.Reset()
	writeTable(&b, job, []row{m, median([]bench.Result{withAlerts})}, true)
	out = b.String()
	for _, want := range []string{
		"| shipper | lines/s | MB/s | CPU s per 1M lines | peak RSS MiB | lost | agent ratio | alerts |",
		"| a | 500 (250–1,000) | 0.2 | 1000.00 | 20 | 0 | — | 0 |",
		"| gitlab-syslog detections=all | 500 | 0.2 | 1000.00 | 20 | 0 | 1.00× | 17 |",
		"alerts: detection alerts (APP-NAME GitLab-Detections)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

// TestRunBaselineOnly runs the whole harness with only the baseline framer,
// which it starts by re-executing itself; the test binary plays that part.
func TestRunBaselineOnly(t *testing.T) {
	out := t.TempDir()
	var stdout strings.Builder
	f := flags{lines: 5000, types: "access", peers: "", agent: "none", out: out, seed: 1, idle: 5 * time.Second, repeat: 1}
	if err := run(context.Background(), f, &stdout); err != nil {
		t.Fatal(err)
	}
	s := stdout.String()
	if !strings.Contains(s, "### access: 5000 lines") || !strings.Contains(s, "| baseline (framer) |") || !strings.Contains(s, "agent: not available (-agent none)") {
		t.Errorf("report:\n%s", s)
	}
	if strings.Contains(s, "Incomplete runs") {
		t.Errorf("the baseline did not deliver every line:\n%s", s)
	}
	b, err := os.ReadFile(filepath.Join(out, "results.md"))
	if err != nil || string(b) != s {
		t.Errorf("results.md differs from stdout (%v)", err)
	}
}

// TestRunBadFlags checks that bad -detections and -mix values are errors
// naming the accepted values, before anything runs.
func TestRunBadFlags(t *testing.T) {
	for _, tc := range []struct {
		detections, mix, want string
		lines                 int
	}{
		{"all,everything", "security", `-detections "everything": want off, default or all`, 10},
		{"off", "attack", `-mix "attack": want security or realistic`, 10},
		{"off,all,off", "security", `-detections "off,all,off": off is given twice`, 10},
		{"off", "security", `-lines 0: want a positive number of lines`, 0},
		{"off", "security", `-lines -5: want a positive number of lines`, -5},
	} {
		out := t.TempDir()
		f := flags{lines: tc.lines, types: "audit", peers: "", agent: "none", out: out, seed: 1, idle: time.Second, repeat: 1,
			detections: tc.detections, mix: tc.mix}
		err := run(context.Background(), f, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("-detections %q -mix %q: %v, want %q", tc.detections, tc.mix, err, tc.want)
		}
		if _, err := os.Stat(filepath.Join(out, "results.md")); err == nil {
			t.Errorf("-detections %q -mix %q: results.md written", tc.detections, tc.mix)
		}
	}
}

func TestMain(m *testing.M) {
	// As the baseline child the harness is run as "BINARY -frame FILE ADDR".
	if len(os.Args) == 4 && os.Args[1] == "-frame" {
		os.Exit(frameMain(os.Args[2:]))
	}
	os.Exit(m.Run())
}
