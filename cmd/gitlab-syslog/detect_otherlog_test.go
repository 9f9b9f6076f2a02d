package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDetectRerunOtherLog: runs with one --state-dir that each read
// another log of the same day (the audit log, then the application log,
// or the other way round) raise the alerts one run over both raises: the
// first run's lines do not close the windows of the rules that count the
// second log's lines, nor make those lines late (Config.LogWatermarks).
// Before (trial 226), the application log's brute force was dropped as
// too late after a run over the audit log of the day, and the audit
// log's mass deletion after a run over the application log.
func TestDetectRerunOtherLog(t *testing.T) {
	day := time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)
	// eleven failed sign-ins of alice from one address at 09:00 (a brute
	// force), and the audit log's eleven deletions at 10:00 (a mass
	// deletion), each log ending with a line late in the day
	app := failedLogins(11, day.Add(9*time.Hour)) + failedLogins(1, day.Add(23*time.Hour+50*time.Minute))
	audit := projectDeletions(11, day.Add(10*time.Hour)) + patLines(9000, 1, day.Add(23*time.Hour+49*time.Minute))
	rules := []string{"sentinel.bruteforce", "sentinel.repo_deletion"}
	for _, c := range []struct {
		name  string
		first string // the log the first run reads: "application" or "audit"
	}{{"audit log, then application log", "audit"}, {"application log, then audit log", "application"}} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			appFile := writeFile(t, filepath.Join(dir, "application_json.log"), app)
			auditFile := writeFile(t, filepath.Join(dir, "audit_json.log"), audit)
			one, _ := detectRules(t, filepath.Join(dir, "one"), rules, appFile, auditFile)
			if want := []string{"sentinel.bruteforce", "sentinel.repo_deletion"}; strings.Join(alertRules(one), ",") != strings.Join(want, ",") {
				t.Fatalf("one run over both logs: alerts of %v, want %v", alertRules(one), want)
			}
			state := filepath.Join(dir, "state")
			files := []string{auditFile, appFile}
			if c.first == "application" {
				files = []string{appFile, auditFile}
			}
			a1, s1 := detectRules(t, state, rules, files[0])
			a2, s2 := detectRules(t, state, rules, files[1])
			got := append(alertIDs(a1), alertIDs(a2)...)
			if want := alertIDs(one); !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
				t.Errorf("two runs: alerts %v (of %v), want those of one run, %v\nfirst run:\n%s\nsecond run:\n%s", got, append(alertRules(a1), alertRules(a2)...), want, s1, s2)
			}
			for i, s := range []string{s1, s2} {
				if strings.Contains(s, "too late") || strings.Contains(s, " late (") {
					t.Errorf("run %d: its summary counts late events:\n%s", i+1, s)
				}
			}
		})
	}
}

// failedLogins returns n lines of application_json.log, failed password
// sign-ins of alice from 81.2.69.142, 30 s apart from at.
func failedLogins(n int, at time.Time) string {
	var b strings.Builder
	for i := range n {
		t := at.Add(time.Duration(i) * 30 * time.Second).Format("2006-01-02T15:04:05.000Z")
		fmt.Fprintf(&b, `{"severity":"INFO","time":%q,"correlation_id":"01FL%022d","meta.caller_id":"SessionsController#create","meta.remote_ip":"81.2.69.142","meta.feature_category":"system_access","message":"Failed Login: username=alice ip=81.2.69.142"}`+"\n",
			t, at.Unix()+int64(i))
	}
	return b.String()
}

// projectDeletions returns n lines of audit_json.log, projects destroyed
// by eve, a minute apart from at.
func projectDeletions(n int, at time.Time) string {
	var b strings.Builder
	for i := range n {
		t := at.Add(time.Duration(i) * time.Minute).Format("2006-01-02T15:04:05.000Z")
		fmt.Fprintf(&b, `{"severity":"INFO","time":%q,"id":%d,"author_id":7,"entity_id":%d,"entity_type":"Project","author_name":"Eve Mallory","entity_path":"acme/p-%02d","target_id":%d,"target_type":"Project","target_details":"acme/p-%02d","ip_address":"81.2.69.150","created_at":%q,"event_name":"project_destroyed","custom_message":"Project destroyed","remove":"project"}`+"\n",
			t, 600000+i, 900+i, i, 900+i, i, t)
	}
	return b.String()
}

// alertIDs returns the alert_id of each alert line.
func alertIDs(alerts []string) []string {
	return alertField(alerts, `"alert_id":"`)
}

// alertRules returns the rule of each alert line.
func alertRules(alerts []string) []string {
	return alertField(alerts, `"rule":"`)
}

// alertField returns, of each alert line, the string value after prefix.
func alertField(alerts []string, prefix string) []string {
	var out []string
	for _, a := range alerts {
		if _, v, ok := strings.Cut(a, prefix); ok {
			v, _, _ = strings.Cut(v, `"`)
			out = append(out, v)
		}
	}
	return out
}

// TestDetectRerunOlderSameLog: a log older than the lines of the same log
// an earlier run with the --state-dir read is late, and the summary says
// so: the newest time of each log is saved with the state (log_newest).
// Before (trial 232), it was not saved, and such a run said "0 late".
func TestDetectRerunOlderSameLog(t *testing.T) {
	day := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	newer := writeFile(t, filepath.Join(dir, "application_json.log"), failedLogins(3, day.Add(24*time.Hour)))
	older := writeFile(t, filepath.Join(dir, "application_json.log.1"), failedLogins(3, day.Add(9*time.Hour)))
	state := filepath.Join(dir, "state")
	detectRules(t, state, []string{"sentinel.bruteforce"}, newer)
	_, summary := detectRules(t, state, []string{"sentinel.bruteforce"}, older)
	if !strings.Contains(summary, "0 deduplicated, 3 late") {
		t.Errorf("the older file's summary does not count its 3 lines late:\n%s", summary)
	}
}

// TestDetectSplitLogsNote: a run with a kept --state-dir whose inputs
// hold some of the logs a rule joins (the audit log, not the application
// log, for sentinel.impersonation) says that a later run over the others
// does not join with it (trial 232: impersonation and the local-auth
// enrichment were lost in runs of one log each, with nothing said); a
// run over both logs, or without a kept DIR, says nothing of it.
func TestDetectSplitLogsNote(t *testing.T) {
	day := time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	audit := writeFile(t, filepath.Join(dir, "audit_json.log"), projectDeletions(2, day.Add(10*time.Hour)))
	app := writeFile(t, filepath.Join(dir, "application_json.log"), failedLogins(2, day.Add(9*time.Hour)))
	rules := []string{"sentinel.impersonation"}
	const note = "detect: NOTE: rule sentinel.impersonation joins lines of the audit and application logs, and this run read the audit log and no application log: each run closes its windows at its end"
	_, summary := detectRules(t, filepath.Join(dir, "kept"), rules, audit)
	if !strings.Contains(summary, note) {
		t.Errorf("the audit log alone with a kept DIR: no note\n%s", summary)
	}
	_, summary = detectRules(t, filepath.Join(dir, "both"), rules, audit, app)
	if strings.Contains(summary, "joins lines") {
		t.Errorf("both logs: a note\n%s", summary)
	}
	_, summary = detectRules(t, "", rules, audit)
	if strings.Contains(summary, "joins lines") {
		t.Errorf("no kept DIR: a note\n%s", summary)
	}
}
