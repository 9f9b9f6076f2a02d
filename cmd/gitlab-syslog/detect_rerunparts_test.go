package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/loadgen"
)

// TestDetectRerunPartsNotCountedTwice: a first run with a kept
// --state-dir reads two application logs as one concatenation on
// standard input; a second run gives them by name, then a newer log. The
// parts, another file to detect than the concatenation, are read again;
// their lines more than a day (the dedupe window) behind the watermark
// the first run left are no longer among the event ids kept, and are not
// counted again. Before, sentinel.bruteforce added them to its user's
// hourly baseline a second time (an hour of 60 failures became 120), and
// the newer log's 15 failures, over the true baseline's threshold of
// about 14.2, stayed under the doubled one's 28.5: the alert was missed
// (fresh-user trial 258). The summary counts the lines left out.
func TestDetectRerunPartsNotCountedTwice(t *testing.T) {
	dir := t.TempDir()
	failures := func(at time.Time, user string, n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(loadgen.FailedLogin(at.Add(time.Duration(i)*time.Minute), user, "203.0.113.9") + "\n")
		}
		return b.String()
	}
	day := func(d, h int) time.Time { return time.Date(2025, 5, d, h, 0, 0, 0, time.UTC) }
	older := failures(day(1, 0).Add(10*time.Minute), "zed", 1) + failures(day(2, 3), "carol", 60)
	old := failures(day(5, 6), "erin", 1)
	newer := failures(day(8, 10), "carol", 15)
	olderFile := writeFile(t, filepath.Join(dir, "application_json.log.2"), older)
	oldFile := writeFile(t, filepath.Join(dir, "application_json.log.1"), old)
	newerFile := writeFile(t, filepath.Join(dir, "application_json.log"), newer)

	state := t.TempDir()
	run := func(stdin string, inputs ...string) (alerts, summary string) {
		t.Helper()
		o := &detectOptions{stateDir: state, format: "json", rules: []string{"sentinel.bruteforce"},
			now: func() time.Time { return detectedAt }}
		var stdout, stderr bytes.Buffer
		if err := runDetect(context.Background(), o, inputs, strings.NewReader(stdin), &stdout, &stderr); err != nil {
			t.Fatalf("detect %v: %v\n%s", inputs, err, stderr.String())
		}
		return stdout.String(), stderr.String()
	}
	if alerts, summary := run(older+old, "application:-"); !strings.Contains(alerts, `"Username":"carol"`) {
		t.Fatalf("first run: no alert of carol's 60 failures:\n%s\n%s", alerts, summary)
	}
	alerts, summary := run("", olderFile, oldFile, newerFile)
	if !strings.Contains(alerts, `"Username":"carol"`) || !strings.Contains(alerts, `"count":15`) {
		t.Errorf("second run: no alert of carol's 15 failures against the baseline of the first run's 60:\n%s\nsummary:\n%s", alerts, summary)
	}
	if !strings.Contains(summary, "61 not counted: older than lines of their log an earlier run with this --state-dir counted, and than the event ids kept to tell repeats (24h)") {
		t.Errorf("the summary does not count the 61 lines read again and left out:\n%s", summary)
	}
}

// TestDetectRerunOtherLogCounted: hunting one log per run with a kept
// --state-dir, the second log's events are not taken for repeats because
// the first run's log spanned more than the day of event ids kept: they
// are behind no line of their own log. A fix for lines read again
// (TestDetectRerunPartsNotCountedTwice) first held them all back from the
// counting rules, and the brute force of the second run was missed
// (fresh-user trial 260).
func TestDetectRerunOtherLogCounted(t *testing.T) {
	dir := t.TempDir()
	var audit strings.Builder
	for i, d := range []string{"2024-06-09", "2024-06-10", "2024-06-12"} {
		audit.WriteString(patCreatedLine(d, 7000+i))
	}
	auditFile := writeFile(t, filepath.Join(dir, "audit_json.log"), audit.String())
	state := t.TempDir()
	run := func(inputs ...string) (alerts, summary string) {
		t.Helper()
		o := &detectOptions{stateDir: state, format: "json", rules: []string{"sentinel.bruteforce"},
			now: func() time.Time { return detectedAt }}
		var stdout, stderr bytes.Buffer
		if err := runDetect(context.Background(), o, inputs, strings.NewReader(""), &stdout, &stderr); err != nil {
			t.Fatalf("detect %v: %v\n%s", inputs, err, stderr.String())
		}
		return stdout.String(), stderr.String()
	}
	run(auditFile)
	alerts, summary := run(filepath.Join("..", "..", "testdata", "detections", "sentinel.bruteforce", "application_json.log"))
	if !strings.Contains(alerts, `"rule":"sentinel.bruteforce"`) || strings.Contains(summary, "not counted") {
		t.Errorf("the application log hunted after the audit log: no brute force, or events not counted:\n%s\nsummary:\n%s", alerts, summary)
	}
}

// TestDetectAlertPrintedOnce: an event read again more than a day of
// event time after its first reading (logs concatenated newest first, a
// stream body sent again days later), beyond the event and alert ids the
// engine keeps, raises its per-event alert again with the same alert_id;
// detect prints it once and says how many it did not print again
// (fresh-user trial 258: three alert_ids were printed twice).
func TestDetectAlertPrintedOnce(t *testing.T) {
	pat := patCreatedLine
	// The older log, given first, has token 1; standard input, the logs
	// concatenated newest first, has it again after two newer ones: four
	// days behind, by when its ids were forgotten.
	older := writeFile(t, filepath.Join(t.TempDir(), "audit_json.log.1"), pat("2024-06-09", 1))
	in := pat("2024-06-13", 2) + pat("2024-06-13", 3) + pat("2024-06-09", 1)
	o := &detectOptions{format: "json", rules: []string{"falco.pat_created"}, now: func() time.Time { return detectedAt }}
	var stdout, stderr bytes.Buffer
	if err := runDetect(context.Background(), o, []string{older, "audit:-"}, strings.NewReader(in), &stdout, &stderr); err != nil {
		t.Fatalf("detect: %v\n%s", err, stderr.String())
	}
	if n := strings.Count(stdout.String(), "\n"); n != 3 {
		t.Errorf("%d alerts printed, want 3 (tokens 1, 2 and 3, the repeat of 1 not printed):\n%s", n, stdout.String())
	}
	if !strings.Contains(stderr.String(), "detect: 1 alert not printed again: its alert_id was printed earlier in this run") {
		t.Errorf("the summary does not count the alert not printed again:\n%s", stderr.String())
	}
}

// patCreatedLine returns an audit_json.log line, with its newline, of
// token id created by Pat at 10:00 UTC on day (YYYY-MM-DD), event id id.
func patCreatedLine(day string, id int) string {
	return fmt.Sprintf(`{"severity":"INFO","time":"%sT10:00:00.000Z","id":%d,"author_id":5,"entity_id":5,"entity_type":"User","details":{"event_name":"personal_access_token_created","custom_message":"Created personal access token with id %d","author_name":"Pat","target_id":5,"target_type":"User","target_details":"Pat","ip_address":"198.51.100.20","entity_path":"pat"},"ip_address":"198.51.100.20","author_name":"Pat","entity_path":"pat","target_details":"Pat","created_at":"%sT10:00:00.000Z","target_type":"User","target_id":5,"event_name":"personal_access_token_created","custom_message":"Created personal access token with id %d"}`+"\n", day, id, id, day, id)
}

// TestDetectLogBackInTimeCounted: in a run without earlier state, the
// lines of a log that goes back in time by more than a day are not taken
// for repeats: the sample audit log (it goes back at its line 16) read
// with the other sample logs but the text application.log gives
// sentinel.impersonation its two alerts. A first version of
// TestDetectRerunPartsNotCountedTwice's fix held its late actions back
// from the rule, in detect and, depending on how the sources
// interleaved, in run (fresh-user trial 263: 7 alerts instead of 8).
func TestDetectLogBackInTimeCounted(t *testing.T) {
	dir := t.TempDir()
	var inputs []string
	for _, name := range []string{"audit_json.log", "application_json.log", "gitlab_access.log", "auth_json.log"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, writeFile(t, filepath.Join(dir, name), string(data)))
	}
	o := &detectOptions{format: "json", rules: []string{"sentinel.impersonation"}, now: func() time.Time { return detectedAt }}
	var stdout, stderr bytes.Buffer
	if err := runDetect(context.Background(), o, inputs, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatalf("detect: %v\n%s", err, stderr.String())
	}
	if n := strings.Count(stdout.String(), "\n"); n != 2 || strings.Contains(stderr.String(), "not counted") {
		t.Errorf("%d sentinel.impersonation alerts, want 2, and no event held back:\n%s", n, stderr.String())
	}
}
