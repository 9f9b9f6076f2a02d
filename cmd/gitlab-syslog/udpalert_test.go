package main

import (
	"encoding/json"
	"errors"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestRunUDPAlertFits: over udp:// with the default max_message_bytes
// (8192), a detection alert longer than that arrives as one valid JSON
// MSG with its rule and alert_id, the values shortened listed in its
// "truncated" member, where it used to be cut as a log line (fresh-user
// trial 33, F2: STRUCTURED-DATA dropped and MSG cut in the middle of the
// JSON). An audit line whose 20 KB target_details is a column of the
// alert too gets STRUCTURED-DATA dropped and raw and TargetDetails
// shortened; one whose long value is in the line alone keeps its
// STRUCTURED-DATA and gets raw shortened. run logs that an alert was
// shortened, and what.
func TestRunUDPAlertFits(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	sample, err := os.ReadFile("../../testdata/detections/falco.pat_created/audit_json.log")
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(strings.SplitN(string(sample), "\n", 2)[0])
	if strings.Count(line, `"target_details":"Alice Example"`) != 2 || !strings.Contains(line, `"id":5064`) {
		t.Fatalf("the sample line changed: %s", line)
	}
	long := strings.ReplaceAll(line, `"target_details":"Alice Example"`, `"target_details":"`+strings.Repeat("z", 20000)+`"`)
	other := strings.NewReplacer(`"id":5064`, `"id":5099`, "01HQ0000000000000000000000", "01HQ0000000000000000000009",
		"token with id 13", "token with id 14").Replace(line)
	other = strings.TrimSuffix(other, "}") + `,"unknown_key":"` + strings.Repeat("u", 9000) + `"}`
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "audit_json.log"), []byte(long+"\n"+other+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, "--log-dir", dir, "--to", "udp://"+pc.LocalAddr().String(), "--once", "--state-dir", t.TempDir())
	if r.err != nil {
		t.Fatalf("run: %v\n%s", r.err, r.stderr)
	}
	alerts := map[string]syslogtest.Message{} // by EventID
	buf := make([]byte, 65536)
	for {
		_ = pc.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, _, err := pc.ReadFrom(buf)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		d := slices.Clone(buf[:n])
		m, err := syslogtest.Parse(d)
		if err != nil {
			t.Fatalf("%v: %.300q", err, d)
		}
		if string(m.AppName) != "GitLab-Detections" || string(m.MsgID) != "falco.pat_created" {
			continue
		}
		if n > 8192 {
			t.Errorf("alert datagram of %d bytes, over max_message_bytes 8192", n)
		}
		var a struct {
			EventID string
		}
		if err := json.Unmarshal(m.Msg, &a); err != nil {
			t.Fatalf("alert MSG (%d bytes) is not valid JSON: %v\n...%s", len(m.Msg), err, m.Msg[max(len(m.Msg)-200, 0):])
		}
		alerts[a.EventID] = m
	}
	for _, tc := range []struct {
		name, eventID string
		sd            bool     // STRUCTURED-DATA kept
		cut           []string // the "truncated" member
	}{
		{"a 20 KB column", "5064", false, []string{"raw", "TargetDetails"}},
		{"a long value in the line alone", "5099", true, []string{"raw"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, ok := alerts[tc.eventID]
			if !ok {
				t.Fatalf("no alert for event %s (alerts for %v); log:\n%s", tc.eventID, slices.Collect(maps.Keys(alerts)), r.stderr)
			}
			var a struct {
				Rule      string   `json:"rule"`
				AlertID   string   `json:"alert_id"`
				Time      string   `json:"time"`
				Raw       string   `json:"raw"`
				Truncated []string `json:"truncated"`
			}
			if err := json.Unmarshal(m.Msg, &a); err != nil {
				t.Fatal(err)
			}
			if a.Rule != "falco.pat_created" || len(a.AlertID) != 32 || a.Time != "2025-03-04T12:10:00Z" {
				t.Errorf("rule %q, alert_id %q, time %q: identifying members lost", a.Rule, a.AlertID, a.Time)
			}
			if !slices.Equal(a.Truncated, tc.cut) {
				t.Errorf("truncated = %q, want %q", a.Truncated, tc.cut)
			}
			if !strings.HasPrefix(long, a.Raw) && !strings.HasPrefix(other, a.Raw) {
				t.Errorf("raw is not the start of the line: %.100q", a.Raw)
			}
			if sd := string(m.SD); tc.sd != strings.HasPrefix(sd, "[alert@32473 ") {
				t.Errorf("STRUCTURED-DATA %.80q; kept: %v, want %v", sd, !tc.sd, tc.sd)
			}
			if id, _ := m.Param("alert_id"); tc.sd && id != a.AlertID {
				t.Errorf("STRUCTURED-DATA alert_id %q, MSG's %q", id, a.AlertID)
			}
		})
	}
	const warn = `detection alert longer than max_message_bytes shortened to fit a datagram: its JSON (MSG) stays valid, with its identifying members whole; the values shortened are listed in its "truncated" member; STRUCTURED-DATA dropped`
	recs := r.records(warn)
	if len(recs) != 1 || recs[0]["rule"] != "falco.pat_created" || recs[0]["shortened"] != "raw,TargetDetails" ||
		!strings.Contains(recs[0]["hint"].(string), "raise max_message_bytes") {
		t.Errorf("want one warning %q naming the rule, what was shortened and what to do; log:\n%s", warn, r.stderr)
	}
}
