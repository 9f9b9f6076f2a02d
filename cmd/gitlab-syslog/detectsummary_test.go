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
)

// TestDetectSummaryDrops: the summary names the events the rules could
// not use, so that "no alert" is not taken for "nothing happened": failed
// logins older than a brute-force window already closed (out of order in
// the file) and a line dated far after the clock. Before, the dropped
// events were only "late" among the events the engine folded, and the
// rule was not listed at all when it raised no alert.
func TestDetectSummaryDrops(t *testing.T) {
	line := func(ts time.Time) string {
		return fmt.Sprintf(`{"severity":"INFO","time":%q,"meta.caller_id":"SessionsController#create","meta.remote_ip":"81.2.69.142","message":"Failed Login: username=alice ip=81.2.69.142"}`+"\n",
			ts.UTC().Format("2006-01-02T15:04:05.000Z"))
	}
	t0 := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		times []time.Time
		want  []string
	}{
		// two lines ahead first: one alone is taken for a wrong time (TestDetectOutlierLine)
		{"out of order beyond the window", append([]time.Time{t0.Add(3 * time.Hour), t0.Add(3*time.Hour + time.Second)}, func() (ts []time.Time) {
			for i := range 12 {
				ts = append(ts, t0.Add(time.Duration(i)*time.Minute))
			}
			return ts
		}()...), []string{"sentinel.bruteforce", "12 dropped as too late"}},
		{"dated after the clock", []time.Time{t0.AddDate(80, 0, 0), t0}, []string{"1 dated more than 24h after the clock, or more than 2m (the lateness, at least 2m) ahead of the lines before and after them"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var in strings.Builder
			for _, ts := range c.times {
				in.WriteString(line(ts))
			}
			path := filepath.Join(t.TempDir(), "application_json.log")
			if err := os.WriteFile(path, []byte(in.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			o := &detectOptions{rules: []string{"sentinel.bruteforce"}, format: "json", now: func() time.Time { return detectedAt }}
			var stdout, stderr bytes.Buffer
			if err := runDetect(context.Background(), o, []string{path}, strings.NewReader(""), &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("summary lacks %q:\n%s", w, stderr.String())
				}
			}
		})
	}
}

// TestDetectWarnings: the engine's warnings reach detect's standard
// error: an indicator line of ti_file that is skipped (with its file and
// line) and a state file of --state-dir that cannot be restored. Before,
// detect gave the engine no logger and both passed in silence.
func TestDetectWarnings(t *testing.T) {
	dir := t.TempDir()
	ti := filepath.Join(dir, "ti.txt")
	if err := os.WriteFile(ti, []byte("203.0.113.0/24\nnot-an-ip\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	if err := os.MkdirAll(filepath.Join(state, "detect"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(state, "detect", "sentinel.bruteforce.json"), []byte("garbage{"), 0o644); err != nil {
		t.Fatal(err)
	}
	access := filepath.Join("..", "..", "testdata", "detections", "sentinel.ti_malicious_ip", "gitlab_access.log")
	o := &detectOptions{params: []string{"ti_file=" + ti}, stateDir: state, format: "json", now: func() time.Time { return detectedAt }}
	var stdout, stderr bytes.Buffer
	if err := runDetect(context.Background(), o, []string{access}, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"detect: WARNING: " + ti + `:2: threat-intelligence indicator skipped: "not-an-ip" is not an IP address or CIDR` + "\n",
		"detect: WARNING: detection state not restored", "sentinel.bruteforce.json: corrupt state file"} {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("standard error lacks %q:\n%s", w, stderr.String())
		}
	}
	if strings.Contains(stderr.String(), "level=") || strings.Contains(stderr.String(), "indicators loaded") {
		t.Errorf("informational messages of the agent's log on standard error:\n%s", stderr.String())
	}
}

// TestDetectSummaryOneLine: the summary of one line read says "1 line",
// of one event for the rules "1 event".
func TestDetectSummaryOneLine(t *testing.T) {
	line := `{"severity":"INFO","time":"2025-03-03T09:00:00.000Z","author_id":1,"entity_type":"User","custom_message":"Hello"}` + "\n"
	var out, errOut bytes.Buffer
	o := &detectOptions{format: "json"}
	if err := runDetect(context.Background(), o, []string{"audit:-"}, strings.NewReader(line), &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if s := errOut.String(); !strings.Contains(s, "detect: read 1 line (") {
		t.Errorf("summary of one line read:\n%s", s)
	}
	// One line a rule wants: "1 event for the rules".
	locked := `{"id":1,"author_id":1,"entity_id":1,"entity_type":"User","created_at":"2025-03-03T09:00:00Z","event_type":"user_access_locked"}` + "\n"
	out.Reset()
	errOut.Reset()
	if err := runDetect(context.Background(), &detectOptions{format: "json"}, []string{"audit:-"}, strings.NewReader(locked), &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if s := errOut.String(); !strings.Contains(s, "detect: read 1 line (0 not parsed), 1 event for the rules;") {
		t.Errorf("summary of one event for the rules:\n%s", s)
	}
	// Blank lines are skipped, not read, and said so (fresh-user trial 146:
	// "read 5 lines" of a file of 7).
	out.Reset()
	errOut.Reset()
	if err := runDetect(context.Background(), &detectOptions{format: "json"}, []string{"audit:-"}, strings.NewReader("\n"+locked+"  \n"), &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if s := errOut.String(); !strings.Contains(s, "detect: read 1 line (0 not parsed, 2 blank lines skipped besides), 1 event for the rules;") {
		t.Errorf("summary of a line between blank lines:\n%s", s)
	}
}

// TestDetectTIFileUnusable: detect warns on standard error when ti_file
// lists no address or CIDR (naming the file and saying the rule matches
// nothing), and logs the first 5 bad lines of a CSV feed and the count of
// the rest rather than a line each.
func TestDetectTIFileUnusable(t *testing.T) {
	dir := t.TempDir()
	var feed strings.Builder
	for i := range 100 {
		fmt.Fprintf(&feed, "203.0.113.%d,2024-01-01\n", i)
	}
	access := filepath.Join("..", "..", "testdata", "detections", "sentinel.ti_malicious_ip", "gitlab_access.log")
	for _, tc := range []struct {
		name, file string
		want       []string
		lines      int // lines of standard error before the summary
	}{
		{"comments only", "# none yet\n", []string{"matches nothing (skipped: 0); "}, 1},
		{"CSV feed", feed.String(), []string{"matches nothing (skipped: 100); ", `ti.txt:5: threat-intelligence indicator skipped: "203.0.113.4,2024-01-01" is not`,
			"ti.txt: more threat-intelligence indicator lines skipped (lines: 95); only the first 5"}, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ti := filepath.Join(dir, "ti.txt")
			if err := os.WriteFile(ti, []byte(tc.file), 0o644); err != nil {
				t.Fatal(err)
			}
			o := &detectOptions{params: []string{"ti_file=" + ti}, rules: []string{"sentinel.ti_malicious_ip"}, format: "json", now: func() time.Time { return detectedAt }}
			var stdout, stderr bytes.Buffer
			if err := runDetect(context.Background(), o, []string{access}, strings.NewReader(""), &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			for _, w := range append(tc.want, "detect: WARNING: "+ti+": ") {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("standard error lacks %q:\n%s", w, stderr.String())
				}
			}
			if n := strings.Count(stderr.String(), "detect: WARNING: "+ti); n != tc.lines {
				t.Errorf("%d warnings, want %d:\n%s", n, tc.lines, stderr.String())
			}
		})
	}
}

// TestDetectSummaryNoAlert: the summary lists every rule that evaluated
// events, also with 0 alerts, and counts the running rules given no event
// without listing them. Before, a rule that evaluated events and raised
// nothing was missing from the list, as if it had not run.
func TestDetectSummaryNoAlert(t *testing.T) {
	audit := filepath.Join("..", "..", "testdata", "audit_json.log")
	o := &detectOptions{rules: []string{"falco.pat_created", "sentinel.pat_over_time", "falco.user_locked"}, format: "json", now: func() time.Time { return detectedAt }}
	var stdout, stderr bytes.Buffer
	if err := runDetect(context.Background(), o, []string{audit}, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	want := "detect: 1 alert from 3 rules running\n" +
		"  falco.pat_created                        1 alert (0 suppressed), 1 event matched\n" +
		"  sentinel.pat_over_time                   0 alerts (0 suppressed), 1 event matched\n" +
		"  (1 other rule running was given no event)\n"
	if !strings.Contains(stderr.String(), want) {
		t.Errorf("summary lacks\n%s\ngot:\n%s", want, stderr.String())
	}
	if strings.Contains(stderr.String(), "falco.user_locked") {
		t.Errorf("a rule given no event is listed:\n%s", stderr.String())
	}
	o = &detectOptions{rules: []string{"falco.user_locked"}, format: "json", now: func() time.Time { return detectedAt }}
	stderr.Reset()
	if err := runDetect(context.Background(), o, []string{audit}, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if want := "detect: 0 alerts from 1 rule running\n  (no rule running was given an event)\n"; !strings.Contains(stderr.String(), want) {
		t.Errorf("summary lacks\n%s\ngot:\n%s", want, stderr.String())
	}
}

// TestDetectSummaryUnreadLog: when no rule running was given an event,
// the summary says which of them alert only on logs no input is, and
// what else turns them on (sentinel.ti_malicious_ip's all_logs), as check
// does; a run given such a log has no such note (fresh-user trial 34, F8:
// "0 events" and nothing more).
func TestDetectSummaryUnreadLog(t *testing.T) {
	dir := t.TempDir()
	ti := writeFile(t, filepath.Join(dir, "ti.txt"), "198.51.100.20\n")
	const note = "detect: sentinel.ti_malicious_ip was given no event: it alerts on lines of the access log (nginx/gitlab_access.log), and no input is one, or give --param all_logs=true to match the addresses of audit and application lines too\n"
	for _, tc := range []struct {
		input string
		want  bool
	}{
		{"audit:" + filepath.Join(samples, "audit_json.log"), true},
		{filepath.Join(samples, "gitlab_access.log"), false},
	} {
		o := &detectOptions{format: "json", rules: []string{"sentinel.ti_malicious_ip"}, params: []string{"ti_file=" + ti}}
		var stdout, stderr bytes.Buffer
		if err := runDetect(context.Background(), o, []string{tc.input}, strings.NewReader(""), &stdout, &stderr); err != nil {
			t.Fatalf("detect %s: %v\n%s", tc.input, err, stderr.String())
		}
		got := strings.Contains(stderr.String(), note)
		if !tc.want {
			got = strings.Contains(stderr.String(), "seen by no rule")
		}
		if got != tc.want {
			t.Errorf("detect %s: note %v, want %v\n%s", tc.input, got, tc.want, stderr.String())
		}
	}
}

// TestDetectSummaryUnreadLogWants: a rule that declares no logs is named
// by the logs its Wants read (sentinel.bruteforce: the application log),
// and rules that share logs are named in one note (fresh-user trial 35,
// F3: only the rules that declare their logs were named).
func TestDetectSummaryUnreadLogWants(t *testing.T) {
	audit := "audit:" + filepath.Join(samples, "audit_json.log")
	for _, tc := range []struct {
		rules []string
		want  string
	}{
		{[]string{"sentinel.bruteforce"}, "detect: sentinel.bruteforce was given no event: it alerts on lines of the application log (gitlab-rails/application_json.log or application.log), and no input is one\n"},
		{[]string{"sentinel.bruteforce", "gitlab.password_spray"}, "detect: 2 rules were given no event: they alert on lines of the application log (gitlab-rails/application_json.log or application.log), and no input is one: gitlab.password_spray, sentinel.bruteforce\n"},
	} {
		o := &detectOptions{format: "json", rules: tc.rules}
		var stdout, stderr bytes.Buffer
		if err := runDetect(context.Background(), o, []string{audit}, strings.NewReader(""), &stdout, &stderr); err != nil {
			t.Fatalf("detect: %v\n%s", err, stderr.String())
		}
		if !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("detect --rule %v: no %q in\n%s", tc.rules, tc.want, stderr.String())
		}
	}
}

// TestDetectSummaryUnwatchedLog: lines of a log no rule running alerts on
// (the auth log, Rack::Attack's) are said to be seen by no rule, whatever
// else the run reads, and a run whose logs all have rules has no such
// note (trial 234: detect over auth_json.log said "0 events" and named
// the rules of other logs only).
func TestDetectSummaryUnwatchedLog(t *testing.T) {
	const note = "detect: NOTE: no rule running alerts on lines of the auth log (gitlab-rails/auth_json.log): the inputs' lines of it were read and parsed, and seen by no rule\n"
	auth, audit := filepath.Join(samples, "auth_json.log"), filepath.Join(samples, "audit_json.log")
	for _, tc := range []struct {
		inputs, rules []string
		want          bool
	}{
		{[]string{auth}, nil, true},
		{[]string{auth, audit}, nil, true},
		{[]string{audit}, nil, false},
		// sentinel.external_user alerts on the application log and
		// reads the audit log for the creator (trial 251: the note said
		// the audit lines were seen by no rule).
		{[]string{audit, filepath.Join(samples, "application_json.log")}, []string{"sentinel.external_user"}, false},
	} {
		o := &detectOptions{format: "json", rules: tc.rules, params: []string{"allowed_domains=example.com"}}
		var stdout, stderr bytes.Buffer
		if err := runDetect(context.Background(), o, tc.inputs, strings.NewReader(""), &stdout, &stderr); err != nil {
			t.Fatalf("detect %s: %v\n%s", tc.inputs, err, stderr.String())
		}
		got := strings.Contains(stderr.String(), note)
		if !tc.want {
			got = strings.Contains(stderr.String(), "seen by no rule")
		}
		if got != tc.want {
			t.Errorf("detect --rule %v %s: note %v, want %v\n%s", tc.rules, tc.inputs, got, tc.want, stderr.String())
		}
	}
}

// TestDetectSummaryUnreadStreamOnly: falco.git_op_unknown_country's audit
// events (repository_git_operation) come by Audit Event Streaming only,
// so its note points to stream: inputs, not to audit_json.log, and a
// stream: input, even an empty one, is what it reads (hunt 159 #2: with
// access_log false the note said it alerts on lines of the audit log).
func TestDetectSummaryUnreadStreamOnly(t *testing.T) {
	const streamed = "repository_git_operation audit events, which GitLab sends only by Audit Event Streaming, never to audit_json.log (give their bodies as stream:FILE), and no input is one\n"
	empty := writeFile(t, filepath.Join(t.TempDir(), "events.log"), "")
	application := "application:" + filepath.Join(samples, "application_json.log")
	for _, tc := range []struct {
		accessLog, input string
		want             string // "": no note
	}{
		{"false", filepath.Join(samples, "gitlab_access.log"), "detect: falco.git_op_unknown_country was given no event: it alerts on " + streamed},
		{"true", application, "detect: falco.git_op_unknown_country was given no event: it alerts on lines of the access log (nginx/gitlab_access.log) and on " + streamed},
		{"false", "stream:" + empty, ""},
		{"true", "stream:" + empty, ""},
	} {
		o := &detectOptions{format: "json", rules: []string{"falco.git_op_unknown_country"}, params: []string{
			"access_log=" + tc.accessLog, "known_countries=DE", "geoip_db=" + filepath.Join(samples, "geoip", "GeoIP2-City-Test.mmdb")}}
		var stdout, stderr bytes.Buffer
		if err := runDetect(context.Background(), o, []string{tc.input}, strings.NewReader(""), &stdout, &stderr); err != nil {
			t.Fatalf("detect %s: %v\n%s", tc.input, err, stderr.String())
		}
		got := stderr.String()
		if tc.want == "" && strings.Contains(got, "was given no event") || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("detect --param access_log=%s %s: want note %q, got\n%s", tc.accessLog, tc.input, tc.want, got)
		}
	}
}

// TestDetectSummarySuppressed: the alerts a windowed rule holds back
// within its suppression period are counted as suppressed, as the
// engine's own suppression counts those of the other rules: 15 failed
// logins of one user from one address alert once, at the 11th, and hold
// back 4; failures for 14 user names from one address alert once, at the
// 11th name, and hold back 3 (fresh-user trial 63: "0 suppressed").
func TestDetectSummarySuppressed(t *testing.T) {
	t0 := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC)
	var in strings.Builder
	failed := func(ts time.Time, user, ip string) {
		fmt.Fprintf(&in, `{"severity":"INFO","time":%q,"meta.caller_id":"SessionsController#create","meta.remote_ip":%q,"message":"Failed Login: username=%s ip=%s"}`+"\n",
			ts.Format("2006-01-02T15:04:05.000Z"), ip, user, ip)
	}
	for i := range 15 {
		failed(t0.Add(time.Duration(i)*time.Minute), "alice", "81.2.69.142")
		if i < 14 {
			failed(t0.Add(time.Duration(i)*time.Minute+time.Second), fmt.Sprintf("user%d", i), "81.2.69.160")
		}
	}
	path := filepath.Join(t.TempDir(), "application_json.log")
	if err := os.WriteFile(path, []byte(in.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	o := &detectOptions{rules: []string{"sentinel.bruteforce", "gitlab.password_spray"}, format: "json", now: func() time.Time { return detectedAt }}
	var stdout, stderr bytes.Buffer
	if err := runDetect(context.Background(), o, []string{path}, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"sentinel.bruteforce                      1 alert (4 suppressed)",
		"gitlab.password_spray                    1 alert (3 suppressed)",
	} {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("summary lacks %q:\n%s", w, stderr.String())
		}
	}
	if n := strings.Count(stdout.String(), "\n"); n != 2 {
		t.Errorf("%d alerts, want 2:\n%s", n, stdout.String())
	}
}

// TestDetectStreamUnparsed: a line of a stream: input that does not parse
// is named as not an Audit Event Streaming body, not as an audit line,
// which the input does not claim to hold (fresh-user trial 173).
func TestDetectStreamUnparsed(t *testing.T) {
	stream := filepath.Join(t.TempDir(), "events.log")
	if err := os.WriteFile(stream, []byte(`{"id":1,"author_id":1,"created_at":"2026-12-05T10:00:00.000Z","event_type":"user_access_locked"}`+"\nnot json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := &detectOptions{format: "json", now: func() time.Time { return detectedAt }}
	var stdout, stderr bytes.Buffer
	if err := runDetect(context.Background(), o, []string{"stream:" + stream}, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if w := stream + ":2: not an Audit Event Streaming body: invalid JSON"; !strings.Contains(stderr.String(), w) {
		t.Errorf("standard error lacks %q:\n%s", w, stderr.String())
	}
}
