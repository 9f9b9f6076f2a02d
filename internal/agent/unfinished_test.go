package agent

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestOnceUnfinishedParts: a container log that ends in the parts of a line
// whose last part never comes (P records without their F). --once ends
// (after carryTimeout) with the parts sent raw on their own, counted as
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
		{"stderr forwarded", "2024-05-01T12:00:01.1Z stderr P panic: \n2024-05-01T12:00:01.2Z stderr P runtime error\n", "forward",
			[]string{"GitLab-Logs panic: runtime error"}, 1, 0},
		{"stderr dropped", "2024-05-01T12:00:01.1Z stderr P panic: \n", "drop", nil, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each waits carryTimeout
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
