package agent

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestEncoderChangesCounted: values repaired to valid UTF-8, by the parser
// (an audit line's JSON strings) or by the encoder (an access line's
// bytes), show in encoder_changes_total{change="utf8_repaired"} and in
// the --once summary, as send prints them (fresh-user trial 103: run
// counted none of them); MSG keeps the line's bytes. A line break made a
// space for standard output is counted too (line_breaks_spaced; trial
// 106: run counted none).
func TestEncoderChangesCounted(t *testing.T) {
	dir := t.TempDir()
	audit := filepath.Join(dir, "audit_json.log")
	access := filepath.Join(dir, "gitlab_access.log")
	app := filepath.Join(dir, "application.log")
	auditLine := "{\"severity\":\"INFO\",\"time\":\"2026-08-22T10:00:00.000Z\",\"author_id\":1,\"author_name\":\"a\xffb\",\"entity_path\":\"\xc3\x28\",\"entity_id\":1,\"entity_type\":\"Project\"}"
	accessLine := "1.2.3.4 - - [22/Aug/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"agent\xfe\""
	appLine := "2026-08-22T10:00:00.000Z: a\rb"
	for path, line := range map[string]string{audit: auditLine, access: accessLine, app: appLine} {
		if err := os.WriteFile(path, []byte(line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srcs := []config.Source{{Type: "audit", Path: audit}, {Type: "access", Path: access}, {Type: "application", Path: app}}
	c := newConfig(t, "stdout://", srcs...)
	var out, logs bytes.Buffer
	runToEOFWith(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Stdout: &out})

	for _, m := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		msg, err := syslogtest.Parse([]byte(m))
		if err != nil {
			t.Fatalf("%v: %q", err, m)
		}
		if got := string(msg.Msg); got != auditLine && got != accessLine && got != strings.ReplaceAll(appLine, "\r", " ") {
			t.Errorf("MSG %q is not a line of the files", got)
		}
	}
	for _, want := range []string{"sd_values_utf8_repaired=3", "messages_line_breaks_spaced=1"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the --once log lacks %s:\n%s", want, logs.String())
		}
	}

	// A daemon's scrape, while it runs.
	c = newConfig(t, "stdout://", srcs...)
	var out2 syslogtest.Buffer
	a, _, stop := runInBackground(t, c, Options{Stdout: &out2})
	defer stop()
	got := map[string]float64{}
	waitFor(t, "utf8_repaired counted", 10*time.Second, func() bool {
		mfs, err := a.Metrics().Registry().Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == "gitlab_syslog_encoder_changes_total" {
				for _, m := range mf.GetMetric() {
					got[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
				}
			}
		}
		return got["utf8_repaired"] >= 3 && got["line_breaks_spaced"] >= 1
	})
	want := map[string]float64{"utf8_repaired": 3, "header_clamped": 0, "sd_name_short": 0, "bom_removed": 0, "timestamp_nil": 0, "line_breaks_spaced": 1}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("encoder_changes_total{change=%q} = %v (present %v), want %v", k, g, ok, v)
		}
	}
}
