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

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/loadgen"
)

// TestDetectSummaryLosses: the summary says why an alert may be missing
// when the engine lost data without an alert: a rule's keys evicted at
// max_keys (with the limit and what to do), and the line that moved its
// file's watermark hours ahead, making the lines after it late (with its
// line number, its time and the jump). Before, evictions were not in the
// summary at all and late drops were counted without naming the line
// (trial 25, F5 and F9). Each step here is two lines of the same time,
// the second confirming the first: one line alone ahead of the lines on
// both sides of it is an outlier, which moves no watermark
// (TestDetectOutlierLine).
func TestDetectSummaryLosses(t *testing.T) {
	line := func(ts time.Time, user, ip string) string { return loadgen.FailedLogin(ts, user, ip) + "\n" }
	t0 := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	flood := loadgen.FailedLoginFlood(t0, 30) // bob 30 times, each between two one-off users
	var skew strings.Builder
	for i := range 20 {
		if i == 3 { // lines 4 and 5: a step 8 hours ahead
			skew.WriteString(line(t0.Add(8*time.Hour+40*time.Second), "bob", "203.0.113.9"))
			skew.WriteString(line(t0.Add(8*time.Hour+40*time.Second), "bob", "203.0.113.10"))
		}
		skew.WriteString(line(t0.Add(time.Duration(i)*20*time.Second), "bob", "203.0.113.9"))
	}
	// logs concatenated newest first: 12 lines of 2025-03-13, then 11
	// failed sign-ins of bob ten days older (fresh-user trial 111: the
	// summary blamed a valid line of the newer log; TestLateCause has
	// the lateness raised, which made it say nothing)
	var backwards strings.Builder
	for i := range 12 {
		backwards.WriteString(line(t0.Add(10*24*time.Hour+time.Duration(i)*time.Minute), "carol", "198.51.100.7"))
	}
	for i := range 11 {
		backwards.WriteString(line(t0.Add(time.Duration(i)*time.Second), "bob", "203.0.113.9"))
	}
	// the input's first two lines 6 hours ahead of the 12 after them
	// (fresh-user trial 213: only "the lines go back in time at :3" was
	// said, when the two lines before may be the wrong ones)
	var startStep strings.Builder
	for i := range 2 {
		startStep.WriteString(line(t0.Add(6*time.Hour+time.Duration(i)*time.Minute), "bob", "203.0.113.9"))
	}
	for i := range 12 {
		startStep.WriteString(line(t0.Add(time.Duration(2+i)*time.Minute), "bob", "203.0.113.9"))
	}
	// two lines no rule reads, then a failed sign-in 3 hours ahead and a
	// line no rule reads after it, then 11 back in time (fresh-user trial 129: with the lines before the
	// step not counted, the summary blamed the first honest line after it
	// and spoke of logs concatenated in the wrong order)
	var unread strings.Builder
	for i := range 2 {
		fmt.Fprintf(&unread, `{"severity":"INFO","time":%q,"correlation_id":"01NOISE%d","meta.caller_id":"ProjectsController#show","meta.remote_ip":"10.0.0.1","message":"noise"}`+"\n",
			t0.Add(time.Duration(i)*time.Second).Format("2006-01-02T15:04:05.000Z"), i)
	}
	unread.WriteString(line(t0.Add(3*time.Hour+time.Second), "bob", "203.0.113.9"))
	fmt.Fprintf(&unread, `{"severity":"INFO","time":%q,"correlation_id":"01NOISE2","meta.caller_id":"ProjectsController#show","meta.remote_ip":"10.0.0.1","message":"noise"}`+"\n",
		t0.Add(3*time.Hour+time.Second).Format("2006-01-02T15:04:05.000Z"))
	for i := range 11 {
		unread.WriteString(line(t0.Add(time.Duration(5+i)*time.Second), "bob", "203.0.113.9"))
	}
	// the same, the lines 3 hours ahead themselves ones no rule reads
	var unreadStep strings.Builder
	for i, at := range []time.Duration{0, time.Second, 3*time.Hour + 5*time.Second, 3*time.Hour + 5*time.Second} {
		fmt.Fprintf(&unreadStep, `{"severity":"INFO","time":%q,"correlation_id":"01STEP%d","meta.caller_id":"ProjectsController#show","meta.remote_ip":"10.0.0.1","message":"noise"}`+"\n",
			t0.Add(at).Format("2006-01-02T15:04:05.000Z"), i)
	}
	for i := range 12 {
		unreadStep.WriteString(line(t0.Add(time.Duration(10+i)*time.Second), "bob", "203.0.113.9"))
	}
	// a step of three lines no rule reads, a second apart: the first is
	// named, not the last (each moved the watermark a little further)
	var longStep strings.Builder
	for i, at := range []time.Duration{0, time.Second, 3*time.Hour + 5*time.Second, 3*time.Hour + 6*time.Second, 3*time.Hour + 7*time.Second} {
		fmt.Fprintf(&longStep, `{"severity":"INFO","time":%q,"correlation_id":"01LONG%d","meta.caller_id":"ProjectsController#show","meta.remote_ip":"10.0.0.1","message":"noise"}`+"\n",
			t0.Add(at).Format("2006-01-02T15:04:05.000Z"), i)
	}
	for i := range 12 {
		longStep.WriteString(line(t0.Add(time.Duration(10+i)*time.Second), "bob", "203.0.113.9"))
	}
	for _, c := range []struct {
		name   string
		in     string
		params []string
		want   func(path string) []string
		twin   bool // a second input with the same lines (its first line the same)
	}{
		{"keys evicted at max_keys", flood, []string{"max_keys=2"}, func(string) []string {
			return []string{"sentinel.bruteforce", "keys evicted (max_keys 2:", "raise max_keys"}
		}, false},
		{"not at the default max_keys", flood, nil, func(string) []string {
			return []string{"sentinel.bruteforce                      1 alert (19 suppressed), 90 events matched\n"}
		}, false},
		{"a step hours ahead", skew.String(), nil, func(path string) []string {
			return []string{"dropped as too late",
				"the watermark was moved to 2025-03-03T17:58:40Z by " + path + ":4 (time 2025-03-03T18:00:40Z, 8h after the newest line before it, 2025-03-03T10:00:40Z)",
				"a clock step, or a line in local time among UTC ones?"}
		}, false},
		{"a step hours ahead after lines no rule reads", unread.String(), nil, func(path string) []string {
			return []string{"11 dropped as too late",
				"the watermark was moved to 2025-03-03T12:58:01Z by " + path + ":3 (time 2025-03-03T13:00:01Z, 3h after the newest line before it, 2025-03-03T10:00:01Z)",
				"a clock step, or a line in local time among UTC ones?"}
		}, false},
		{"a step of lines no rule reads hours ahead", unreadStep.String(), nil, func(path string) []string {
			return []string{"12 dropped as too late",
				"the watermark was moved to 2025-03-03T12:58:05Z by " + path + ":3 (time 2025-03-03T13:00:05Z, 3h0m4s after the newest line before it, 2025-03-03T10:00:01Z)",
				"a clock step, or a line in local time among UTC ones?"}
		}, false},
		{"a step of three lines no rule reads", longStep.String(), nil, func(path string) []string {
			return []string{"12 dropped as too late",
				"the watermark was moved to 2025-03-03T12:58:05Z by " + path + ":3 (time 2025-03-03T13:00:05Z, 3h0m4s after the newest line before it, 2025-03-03T10:00:01Z)"}
		}, false},
		{"logs concatenated newest first", backwards.String(), nil, func(path string) []string {
			return []string{"11 dropped as too late",
				"the lines go back in time at " + path + ":13 (time 2025-03-03T10:00:00Z, 10d before the newest line before it, 2025-03-13T10:11:00Z)",
				"logs concatenated in the wrong order? Give each file as an input of its own, or concatenate them oldest first"}
		}, false},
		{"a step in the input's first two lines", startStep.String(), nil, func(path string) []string {
			return []string{"12 dropped as too late", "the lines go back in time at " + path + ":3 ",
				"; the 2 lines before it begin its input: if they are the ones dated wrong (a clock step at its start), correct or remove them;"}
		}, false},
		{"inputs that begin with the same line", skew.String(), nil, func(path string) []string {
			return []string{"by " + path + ":4 or " + path + ".twin:4 (these inputs begin with the same line, which is how detect tells files apart)"}
		}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "application_json.log")
			if err := os.WriteFile(path, []byte(c.in), 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{path}
			if c.twin {
				if err := os.WriteFile(path+".twin", []byte(c.in), 0o644); err != nil {
					t.Fatal(err)
				}
				args = append(args, "application:"+path+".twin")
			}
			o := &detectOptions{rules: []string{"sentinel.bruteforce"}, params: c.params, format: "json", now: func() time.Time { return detectedAt }}
			var stdout, stderr bytes.Buffer
			if err := runDetect(context.Background(), o, args, strings.NewReader(""), &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want(path) {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("summary lacks %q:\n%s", w, stderr.String())
				}
			}
			if c.params == nil && strings.Contains(stderr.String(), "evicted") {
				t.Errorf("summary speaks of evictions with none:\n%s", stderr.String())
			}
		})
	}
}

// TestLateCauseAdvice: the line that moved the watermark is taken for a
// clock step or another time zone (look at it) when it is clockStep or
// more ahead of the line before it, and for lines a little out of order
// (raise the lateness) when less: the bundled sample's lines, 3m26s out
// of order, were called a clock step.
func TestLateCauseAdvice(t *testing.T) {
	t0 := time.Date(2025, 9, 18, 12, 0, 1, 0, time.UTC)
	in := []detectInput{{path: "audit_json.log"}}
	counts := []inputCounts{{source: "line1:x"}}
	for _, tc := range []struct {
		ahead time.Duration
		want  string
	}{
		{3*time.Minute + 26*time.Second, "by audit_json.log:23 (time 2025-09-18T12:03:27Z, 3m26s after the newest line before it, 2025-09-18T12:00:01Z); if the file's lines are this much out of order, raise detections.lateness (2m now) with detect --config;"},
		{29 * time.Minute, "29m after the newest line before it, 2025-09-18T12:00:01Z); if the file's lines are this much out of order, raise detections.lateness (2m now)"},
		{30 * time.Minute, "30m after the newest line before it, 2025-09-18T12:00:01Z); a clock step, or a line in local time among UTC ones? Correct or remove that line"},
		{8 * time.Hour, "8h after the newest line before it, 2025-09-18T12:00:01Z); a clock step, or a line in local time among UTC ones?"},
	} {
		jt := t0.Add(tc.ahead)
		st := detect.Stats{Late: 16, Rules: map[string]detect.RuleStats{"sentinel.repo_deletion": {LateDrop: 1}},
			Jump: detect.Jump{Source: "line1:x", Offset: 23, Time: jt, Prev: t0, Watermark: jt.Add(-2 * time.Minute)}}
		if got := lateCause(st, in, counts); !strings.Contains(got, tc.want) {
			t.Errorf("%s ahead: %q\nwant it to contain %q", tc.ahead, got, tc.want)
		}
	}
}

// TestLateNote: the summary's late count says whether a rule dropped
// late events (trial 213: reversed logs showed "8 late" with nothing
// dropped, and nothing said so).
func TestLateNote(t *testing.T) {
	for _, tc := range []struct {
		name string
		st   detect.Stats
		want string
	}{
		{"none late", detect.Stats{}, ""},
		{"late, none dropped", detect.Stats{Late: 8, Rules: map[string]detect.RuleStats{"sentinel.bruteforce": {Evaluated: 9}}}, "none dropped"},
		{"late, some dropped", detect.Stats{Late: 8, Rules: map[string]detect.RuleStats{"sentinel.bruteforce": {LateDrop: 2}}}, "the drops are per rule below"},
	} {
		got := lateNote(tc.st)
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want it to contain %q", tc.name, got, tc.want)
		}
	}
}

// TestDetectLateCauseOwnSource: when an input goes back in time by more
// than the lateness, its late lines are blamed on that step in their own
// input, not on a jump ahead in another input read before them (trial
// 251: the summary named the application log's line, and the advice to
// correct it, for project deletions of the audit log that went back a
// year at its line 3).
func TestDetectLateCauseOwnSource(t *testing.T) {
	dir := t.TempDir()
	var app, audit strings.Builder
	t0 := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		fmt.Fprintf(&app, `{"severity":"INFO","time":%q,"correlation_id":"CA%d","meta.caller_id":"SessionsController#create","meta.remote_ip":"81.2.69.142","message":"Failed Login: username=alice ip=81.2.69.142"}`+"\n",
			t0.Add(time.Duration(i)*time.Minute).Format(time.RFC3339Nano), i)
	}
	for i := range 2 { // a step 268 days ahead, confirmed by the line after it
		fmt.Fprintf(&app, `{"severity":"INFO","time":%q,"correlation_id":"CJ%d","meta.caller_id":"Admin::UsersController#create","meta.remote_ip":"198.51.100.4","meta.user":"root","message":"User \"A%d\" (a%d@example.com) was created"}`+"\n",
			t0.Add(268*24*time.Hour+time.Duration(i)*10*time.Minute).Format(time.RFC3339Nano), i, i, i)
	}
	for _, d := range []time.Duration{466 * 24 * time.Hour, 466*24*time.Hour + time.Hour, 22 * 24 * time.Hour, 22*24*time.Hour + 5*time.Minute} {
		fmt.Fprintf(&audit, `{"severity":"INFO","time":%q,"author_id":8,"entity_id":900,"entity_type":"Project","remove":"project","target_id":900,"target_type":"Project","target_details":"acme/s0","author_name":"Oscar Ops","ip_address":"81.2.69.150","entity_path":"acme/s0"}`+"\n",
			t0.Add(d).Format(time.RFC3339Nano))
	}
	appPath, auditPath := filepath.Join(dir, "application_json.log"), filepath.Join(dir, "audit_json.log")
	for p, s := range map[string]string{appPath: app.String(), auditPath: audit.String()} {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	o := &detectOptions{rules: []string{"sentinel.repo_deletion"}, format: "json", now: func() time.Time { return detectedAt }}
	var stdout, stderr bytes.Buffer
	if err := runDetect(context.Background(), o, []string{appPath, auditPath}, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	got := stderr.String()
	if want := "dropped as too late"; !strings.Contains(got, want) {
		t.Fatalf("summary lacks %q:\n%s", want, got)
	}
	if want := "the lines go back in time at " + auditPath + ":3 "; !strings.Contains(got, want) {
		t.Errorf("summary lacks %q:\n%s", want, got)
	}
	if strings.Contains(got, "by "+appPath) {
		t.Errorf("summary blames the application log:\n%s", got)
	}
}
