package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestEndpoint(t *testing.T) {
	m := New()
	s := m.Source("audit", "/var/log/gitlab/gitlab-rails/audit_json.log")
	s.LinesRead.Add(10)
	s.LinesSent.Add(9)
	s.ParseFailures.Inc()
	s.SetTailer(func() TailerStats {
		return TailerStats{CheckpointLag: 123, Rotations: 1, Truncations: 2, RecoveredBytes: 4096, CheckpointErrors: 5, TruncatedLines: 6, UnplacedRotated: 7, TruncationsWithoutCopy: 8, DamagedCopies: 9}
	})
	m.SetForwarder(func() ForwarderStats {
		return ForwarderStats{Connected: true, Reconnects: 2, QueueDepth: 3, Resent: 4, Truncated: 8, Unacknowledged: 2500 * time.Millisecond}
	})
	var healthErr, readyErr error
	srv, err := Listen("127.0.0.1:0", m.Handler(func() error { return healthErr }, func() error { return readyErr }), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background())
	base := "http://" + srv.Addr().String()

	code, body := get(t, base+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	if code, prof := get(t, base+"/debug/pprof/goroutine?debug=1"); code != 200 || !strings.Contains(prof, "goroutine profile:") {
		t.Errorf("/debug/pprof/goroutine: %d %.80q", code, prof)
	}
	for _, want := range []string{
		`gitlab_syslog_lines_read_total{path="/var/log/gitlab/gitlab-rails/audit_json.log",type="audit"} 10`,
		`gitlab_syslog_lines_sent_total{path="/var/log/gitlab/gitlab-rails/audit_json.log",type="audit"} 9`,
		`gitlab_syslog_parse_failures_total{path="/var/log/gitlab/gitlab-rails/audit_json.log",type="audit"} 1`,
		`gitlab_syslog_checkpoint_lag_bytes{path="/var/log/gitlab/gitlab-rails/audit_json.log",type="audit"} 123`,
		`gitlab_syslog_rotations_total{path="/var/log/gitlab/gitlab-rails/audit_json.log",type="audit"} 1`,
		`gitlab_syslog_truncations_total{path="/var/log/gitlab/gitlab-rails/audit_json.log",type="audit"} 2`,
		`gitlab_syslog_recovered_bytes_total{path="/var/log/gitlab/gitlab-rails/audit_json.log",type="audit"} 4096`,
		`gitlab_syslog_checkpoint_errors_total{path="/var/log/gitlab/gitlab-rails/audit_json.log",type="audit"} 5`,
		`gitlab_syslog_lines_truncated_total{path="/var/log/gitlab/gitlab-rails/audit_json.log",type="audit"} 6`,
		`gitlab_syslog_rotated_files_unread_total{path="/var/log/gitlab/gitlab-rails/audit_json.log",type="audit"} 7`,
		`gitlab_syslog_truncations_without_copy_total{path="/var/log/gitlab/gitlab-rails/audit_json.log",type="audit"} 8`,
		`gitlab_syslog_rotated_files_damaged_total{path="/var/log/gitlab/gitlab-rails/audit_json.log",type="audit"} 9`,
		"gitlab_syslog_reconnects_total 2",
		"gitlab_syslog_queue_depth 3",
		"gitlab_syslog_duplicates_total 4",
		"gitlab_syslog_messages_truncated_total 8",
		"gitlab_syslog_forwarder_connected 1",
		"gitlab_syslog_forwarder_unacknowledged_seconds 2.5",
		"go_goroutines ",
		"process_start_time_seconds ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	if code, body := get(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz healthy = %d %q", code, body)
	}
	healthErr = errors.New("forwarder: not connected to tcp://127.0.0.1:514")
	if code, body := get(t, base+"/healthz"); code != 503 || !strings.Contains(body, "not connected") {
		t.Errorf("/healthz unhealthy = %d %q", code, body)
	}
	// /readyz answers from its own check: ready while the collector is
	// down, not while the receiver refuses events.
	if code, body := get(t, base+"/readyz"); code != 200 || body != "ok\n" {
		t.Errorf("/readyz ready, /healthz not = %d %q", code, body)
	}
	readyErr = errors.New("streaming receiver: events are not persisted to the spool")
	if code, body := get(t, base+"/readyz"); code != 503 || !strings.Contains(body, "not persisted") {
		t.Errorf("/readyz not ready = %d %q", code, body)
	}

	m.RemoveSource("audit", "/var/log/gitlab/gitlab-rails/audit_json.log")
	_, body = get(t, base+"/metrics")
	if strings.Contains(body, "checkpoint_lag_bytes{") {
		t.Error("removed source's gauge still exported")
	}
	if !strings.Contains(body, `gitlab_syslog_rotations_total{path="/var/log/gitlab/gitlab-rails/audit_json.log",type="audit"} 1`) {
		t.Error("removed source's counters are no longer exported")
	}
}

// The tailer's counters are read at scrape time; over a reload (the
// source's tailer stopped and a new one started, counting from 0) and
// after a removal they keep growing from where they were.
func TestTailerCountersAtScrapeTime(t *testing.T) {
	m := New()
	value := func(name string) (float64, bool) {
		t.Helper()
		mfs, err := m.Registry().Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if ms := mf.GetMetric(); mf.GetName() == name && len(ms) > 0 {
				if ms[0].GetCounter() != nil {
					return ms[0].GetCounter().GetValue(), true
				}
				return ms[0].GetGauge().GetValue(), true
			}
		}
		return 0, false
	}
	var cur TailerStats // the running tailer's counters
	read := func() TailerStats { return cur }
	m.Source("access", "/a").SetTailer(read)
	steps := []struct {
		name        string
		do          func()
		rotations   float64
		lag         float64
		lagExported bool
	}{
		{"started", func() {}, 0, 0, true},
		{"counted", func() { cur = TailerStats{Rotations: 3, CheckpointLag: 10} }, 3, 10, true},
		{"read again at the next scrape", func() { cur.Rotations, cur.CheckpointLag = 4, 7 }, 4, 7, true},
		{"stopped by a reload", func() { m.RemoveSource("access", "/a") }, 4, 0, false},
		{"a new tailer from 0", func() { cur = TailerStats{}; m.Source("access", "/a").SetTailer(read) }, 4, 0, true},
		{"the new tailer counts", func() { cur = TailerStats{Rotations: 2, CheckpointLag: 5} }, 6, 5, true},
		{"replaced without a stop", func() { m.Source("access", "/a").SetTailer(func() TailerStats { return TailerStats{Rotations: 1} }) }, 7, 0, true},
	}
	for _, st := range steps {
		st.do()
		if got, _ := value("gitlab_syslog_rotations_total"); got != st.rotations {
			t.Errorf("%s: rotations_total = %v, want %v", st.name, got, st.rotations)
		}
		lag, ok := value("gitlab_syslog_checkpoint_lag_bytes")
		if ok != st.lagExported || lag != st.lag {
			t.Errorf("%s: checkpoint_lag_bytes = %v (exported %v), want %v (exported %v)", st.name, lag, ok, st.lag, st.lagExported)
		}
	}
}

func TestSeparateRegistries(t *testing.T) {
	// Two agents in one process (tests do this) must not collide.
	a, b := New(), New()
	a.Source("access", "/x").LinesRead.Inc()
	mfs, err := b.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "gitlab_syslog_lines_read_total" && len(mf.GetMetric()) > 0 {
			t.Error("a's source shows up in b's registry")
		}
	}
}

func TestDetectMetrics(t *testing.T) {
	m := New()
	body := func() string {
		t.Helper()
		srv, err := Listen("127.0.0.1:0", m.Handler(func() error { return nil }, func() error { return nil }), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close(context.Background())
		_, b := get(t, "http://"+srv.Addr().String()+"/metrics")
		return b
	}
	if b := body(); strings.Contains(b, "gitlab_syslog_detect_") {
		t.Errorf("detections off, yet detection metrics are exported:\n%s", b)
	}
	m.SetDetections(func() DetectStats {
		return DetectStats{
			Rules: map[string]RuleStats{
				"sentinel.bruteforce":    {Alerts: 2, Events: 40, Evicted: 7, LiveKeys: 12, LateDropped: 9},
				"falco.pat_created":      {Alerts: 3, Events: 3, Fallback: 1},
				"sentinel.impersonation": {LookBackEvicted: 11},
				"sentinel.signin_burst":  {Skipped: 13},
			},
			DedupeDrops: 5, LateEvents: 6, FutureEvents: 8, ReorderOverflow: 3, UntimedEvents: 10, StateSaveErrors: 1, AlertsPending: 4,
			AlertsFitted: AlertsFitted{SDDropped: 14, Shortened: 15, Cut: 16},
			LastSave:     time.Unix(1764590400, 500_000_000),
			Files:        map[string]RuleFile{"sentinel.ti_malicious_ip": {Entries: 42, Usable: false, Modified: time.Unix(1764500000, 0)}},
		}
	})
	b := body()
	for _, want := range []string{
		`gitlab_syslog_detect_alerts_total{rule="sentinel.bruteforce"} 2`,
		`gitlab_syslog_detect_alerts_total{rule="falco.pat_created"} 3`,
		`gitlab_syslog_detect_events_total{rule="sentinel.bruteforce"} 40`,
		"gitlab_syslog_detect_late_events_total 6",
		`gitlab_syslog_detect_fallback_matches_total{rule="falco.pat_created"} 1`,
		`gitlab_syslog_detect_evicted_keys_total{rule="sentinel.bruteforce"} 7`,
		`gitlab_syslog_detect_live_keys{rule="sentinel.bruteforce"} 12`,
		`gitlab_syslog_detect_live_keys{rule="falco.pat_created"} 0`,
		"gitlab_syslog_detect_dedupe_drops_total 5",
		`gitlab_syslog_detect_late_dropped_total{rule="sentinel.bruteforce"} 9`,
		`gitlab_syslog_detect_late_dropped_total{rule="falco.pat_created"} 0`,
		`gitlab_syslog_detect_lookback_evicted_total{rule="sentinel.impersonation"} 11`,
		`gitlab_syslog_detect_skipped_events_total{rule="sentinel.signin_burst"} 13`,
		"gitlab_syslog_detect_future_events_total 8",
		"gitlab_syslog_detect_reorder_overflow_total 3",
		"gitlab_syslog_detect_untimed_events_total 10",
		"gitlab_syslog_detect_state_save_errors_total 1",
		"gitlab_syslog_detect_alerts_pending 4",
		`gitlab_syslog_detect_alerts_fitted_total{how="sd_dropped"} 14`,
		`gitlab_syslog_detect_alerts_fitted_total{how="shortened"} 15`,
		`gitlab_syslog_detect_alerts_fitted_total{how="cut"} 16`,
		"gitlab_syslog_detect_state_last_save_timestamp_seconds 1.7645904005e+09",
		`gitlab_syslog_detect_rule_file_entries{rule="sentinel.ti_malicious_ip"} 42`,
		`gitlab_syslog_detect_rule_file_usable{rule="sentinel.ti_malicious_ip"} 0`,
		`gitlab_syslog_detect_rule_file_modified_timestamp_seconds{rule="sentinel.ti_malicious_ip"} 1.7645e+09`,
	} {
		if !strings.Contains(b, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// TestPprofLoopbackOnly: /debug/pprof/ answers a client on a loopback
// address and refuses others with 403 and what to do, while /metrics and
// /healthz answer every client (Prometheus scrapes them over the network).
func TestPprofLoopbackOnly(t *testing.T) {
	h := New().Handler(func() error { return nil }, func() error { return nil })
	for _, tc := range []struct {
		remote, path string
		want         int
	}{
		{"127.0.0.1:40000", "/debug/pprof/cmdline", 200},
		{"[::1]:40000", "/debug/pprof/cmdline", 200},
		{"192.0.2.10:40000", "/debug/pprof/cmdline", 403},
		{"192.0.2.10:40000", "/debug/pprof/", 403},
		{"[2001:db8::1]:40000", "/debug/pprof/symbol", 403},
		{"192.0.2.10:40000", "/metrics", 200},
		{"192.0.2.10:40000", "/healthz", 200},
	} {
		r := httptest.NewRequest("GET", tc.path, nil)
		r.RemoteAddr = tc.remote
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("%s from %s: %d, want %d", tc.path, tc.remote, w.Code, tc.want)
		}
		if tc.want == 403 && !strings.Contains(w.Body.String(), "loopback clients only") {
			t.Errorf("%s from %s: body %q does not say why", tc.path, tc.remote, w.Body.String())
		}
	}
}
