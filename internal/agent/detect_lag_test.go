package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// failedLoginLine is an application_json.log failed password login of
// alice from 81.2.69.142 at t.
func failedLoginLine(t time.Time, n int) string {
	return fmt.Sprintf(`{"severity":"INFO","time":%q,"correlation_id":"01LAG%021d","meta.caller_id":"SessionsController#create","meta.remote_ip":"81.2.69.142","message":"Failed Login: username=alice ip=81.2.69.142"}`,
		t.UTC().Format("2006-01-02T15:04:05.000Z"), n)
}

// auditPATLine is an audit_json.log personal access token creation at t.
func auditPATLine(t time.Time, id int) string {
	ts := t.UTC().Format("2006-01-02T15:04:05.000Z")
	return fmt.Sprintf(`{"severity":"INFO","time":%q,"id":%d,"author_id":42,"entity_id":42,"entity_type":"User","author_name":"Alice Example","entity_path":"alice","target_id":%d,"target_type":"PersonalAccessToken","target_details":"t","created_at":%q,"event_name":"personal_access_token_created","custom_message":"Created personal access token with id %d"}`,
		ts, id, id, ts, id)
}

// TestDetectionsLaggingSource: the agent reads its files at once, each at
// its own speed, so when it catches up a backlog one file can be hours of
// event time ahead of another. The failed logins of the file read behind
// must still be counted: the watermark follows the source read behind
// (detect.Config.MinWatermark), not the one ahead. Before, the audit line
// three hours ahead closed the brute-force windows, and the twelve failed
// logins read after it were dropped as late: no alert.
func TestDetectionsLaggingSource(t *testing.T) {
	got, col := listenCollected(t)
	dir := t.TempDir()
	audit, app := filepath.Join(dir, "audit_json.log"), filepath.Join(dir, "application_json.log")
	alerts := func(rule string) int {
		got.mu.Lock()
		defer got.mu.Unlock()
		n := 0
		for _, a := range got.alerts {
			if a.msgID == rule {
				n++
			}
		}
		return n
	}
	t0 := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC)
	appendLine(t, app, failedLoginLine(t0, 0))
	if err := os.WriteFile(audit, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: audit}, config.Source{Type: "application", Path: app})
	_, _, stop := runInBackground(t, c, Options{})
	defer stop()
	waitFor(t, "the first failed login", 10*time.Second, func() bool { return got.count(config.AppNameApplication) == 1 })

	// The audit file runs three hours ahead.
	appendLine(t, audit, auditPATLine(t0.Add(3*time.Hour), 700001))
	waitFor(t, "the token alert", 10*time.Second, func() bool { return alerts("falco.pat_created") == 1 })

	// The application file, read behind, goes on: twelve failures in eleven minutes.
	for i := 1; i <= 11; i++ {
		appendLine(t, app, failedLoginLine(t0.Add(time.Duration(i)*time.Minute), i))
	}
	waitFor(t, "every failed login forwarded", 10*time.Second, func() bool { return got.count(config.AppNameApplication) == 12 })
	deadline := time.Now().Add(5 * time.Second)
	for alerts("sentinel.bruteforce") == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := alerts("sentinel.bruteforce"); n != 1 {
		t.Fatalf("%d sentinel.bruteforce alerts for 12 failed logins of one user and address in 11 minutes, want 1: the lagging file's events were dropped as late", n)
	}
}

// noiseLine is an application_json.log line no rule wants, at t.
func noiseLine(t time.Time, n int) string {
	return fmt.Sprintf(`{"severity":"INFO","time":%q,"correlation_id":"01NOISE%d","meta.caller_id":"ProjectsController#show","meta.remote_ip":"10.0.0.1","message":"noise %d"}`,
		t.UTC().Format("2006-01-02T15:04:05.000Z"), n, n)
}

// TestDetectionsUnwantedLinesMoveWatermark: the lines no rule wants still
// move their file's watermark (detect.Engine.Progress). An application log
// whose admin sign-in is followed only by such lines used to hold the
// watermark at the sign-in, so sentinel.local_auth_no_mfa, which waits
// for the watermark to pass the sign-in's ±60 s join with the audit log,
// alerted only once the agent had been idle for lateness (2 minutes of
// wall clock here), and never from an agent restarted more often than
// that (fresh-user trial 127).
func TestDetectionsUnwantedLinesMoveWatermark(t *testing.T) {
	got, col := listenCollected(t)
	dir := t.TempDir()
	audit, app := filepath.Join(dir, "audit_json.log"), filepath.Join(dir, "application_json.log")
	t0 := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC)
	appendLine(t, app, strings.TrimSuffix(adminSignInLine(t0.Format(time.RFC3339Nano), "01ADMIN", "root", "1"), "\n"))
	for i := 1; i <= 10; i++ {
		appendLine(t, app, noiseLine(t0.Add(time.Duration(i)*time.Minute), i))
		appendLine(t, audit, auditPATLine(t0.Add(time.Duration(i)*time.Minute), 800000+i))
	}
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: audit}, config.Source{Type: "application", Path: app})
	if c.Detections.Lateness < time.Minute {
		t.Fatalf("lateness %v: the test needs the default, longer than it waits", c.Detections.Lateness)
	}
	_, _, stop := runInBackground(t, c, Options{})
	defer stop()
	waitFor(t, "every line forwarded", 10*time.Second, func() bool {
		return got.count(config.AppNameApplication) == 11 && got.count(config.AppNameAudit) == 10
	})
	waitFor(t, "the admin sign-in's alert, well before lateness", 10*time.Second, func() bool {
		return got.alertsOf("sentinel.local_auth_no_mfa") > 0
	})
}

// TestDetectionsNearSimultaneousAppends: two files read to their end are
// appended in the same moment, the newer line first: file a's failed
// login of alice at 9m30s, 50 ms before file b's at 9m, the eleventh in
// event time, which completes the count. The
// engine holds a's event until b is found at its end again a grace after
// it (detect.Config.OrderGrace), so b's line reaches sentinel.bruteforce
// first and the alert is detect's, at 9m. Before, b counted as read to
// its end at the last check, a's line completed the count and the alert
// took its time (fresh-user trial 126).
func TestDetectionsNearSimultaneousAppends(t *testing.T) {
	got, col := listenCollected(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a", "application_json.log"), filepath.Join(dir, "b", "application_json.log")
	for _, d := range []string{filepath.Dir(a), filepath.Dir(b)} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC)
	for i := range 9 {
		appendLine(t, a, failedLoginLine(t0.Add(time.Duration(i)*time.Minute), i))
	}
	appendLine(t, b, failedLoginLine(t0.Add(8*time.Minute+30*time.Second), 9))
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "application", Path: a}, config.Source{Type: "application", Path: b})
	_, _, stop := runInBackground(t, c, Options{})
	defer stop()
	waitFor(t, "the first 10 lines", 10*time.Second, func() bool { return got.count(config.AppNameApplication) == 10 })
	time.Sleep(600 * time.Millisecond) // both files found at their end
	appendLine(t, a, failedLoginLine(t0.Add(9*time.Minute+30*time.Second), 10))
	time.Sleep(50 * time.Millisecond)
	appendLine(t, b, failedLoginLine(t0.Add(9*time.Minute), 11))
	var alert wireAlert
	waitFor(t, "the brute-force alert", 10*time.Second, func() bool {
		got.mu.Lock()
		defer got.mu.Unlock()
		for _, w := range got.alerts {
			if w.msgID == "sentinel.bruteforce" {
				alert = w
				return true
			}
		}
		return false
	})
	if tm, want := alert.json["time"], "2024-06-10T09:09:00Z"; tm != want {
		t.Errorf("alert time %v, want %s (b's older line first, as detect merges them)", tm, want)
	}
}

// TestDetectionsQuietAcrossRestart: what is newer than the watermark on
// files that stay quiet is decided after lateness of quiet
// (advanceIdle), counted from the last event before a restart, not from
// the agent's start (the time is saved in the state: activity.go).
// An admin sign-in is the last line; the first agent is stopped before
// lateness passed, the second starts once it has: its
// sentinel.local_auth_no_mfa alert comes at once, where it came lateness
// after the start (and never from an agent restarted more often than
// that: fresh-user trial 127).
func TestDetectionsQuietAcrossRestart(t *testing.T) {
	got, c := quietSignInScene(t)
	_, _, stop := runInBackground(t, c, Options{})
	waitFor(t, "the sign-in forwarded", 10*time.Second, func() bool { return got.count(config.AppNameApplication) == 1 })
	time.Sleep(quietLateness / 2)
	stop()
	if got.alertsOf("sentinel.local_auth_no_mfa") > 0 {
		t.Fatal("the sign-in's alert came before lateness of quiet: the test checks nothing")
	}
	time.Sleep(quietLateness/2 + 500*time.Millisecond) // quiet for longer than lateness in all
	restartAlertsAtOnce(t, got, c)
}

// quietLateness is the lateness of quietSignInScene's agent.
const quietLateness = 3 * time.Second

// quietSignInScene returns a collector (got) and an agent configuration
// with lateness quietLateness over an audit log and an application log
// whose last line is an admin sign-in without MFA, after which the files
// stay quiet.
func quietSignInScene(t *testing.T) (*collected, *config.Config) {
	t.Helper()
	got, col := listenCollected(t)
	dir := t.TempDir()
	audit, app := filepath.Join(dir, "audit_json.log"), filepath.Join(dir, "application_json.log")
	t0 := time.Date(2024, 6, 10, 9, 0, 0, 0, time.UTC)
	appendLine(t, audit, auditPATLine(t0.Add(-time.Minute), 900001))
	appendLine(t, app, strings.TrimSuffix(adminSignInLine(t0.Format(time.RFC3339Nano), "01QUIET", "root", "1"), "\n"))
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: audit}, config.Source{Type: "application", Path: app})
	c.Detections.Lateness = quietLateness
	return got, c
}

// restartAlertsAtOnce starts an agent on c, whose files were quiet for
// longer than quietLateness, and fails t unless the sign-in's
// sentinel.local_auth_no_mfa alert reaches got within two thirds of it.
func restartAlertsAtOnce(t *testing.T, got *collected, c *config.Config) {
	t.Helper()
	started := time.Now()
	_, _, stop := runInBackground(t, c, Options{})
	defer stop()
	waitFor(t, "the sign-in's alert", 10*time.Second, func() bool { return got.alertsOf("sentinel.local_auth_no_mfa") > 0 })
	if took := time.Since(started); took > quietLateness*2/3 {
		t.Errorf("the alert came %v after the restart, want at once (the files were quiet for longer than lateness %v before it)", took, quietLateness)
	}
}

// TestDetectionsQuietAcrossCrash: the time of the last event is written
// a second after it (saveQuiet), not only at the state saves every
// state_save_interval and at a clean stop, so an agent killed before
// its next state save still counts the quiet from that event when it
// restarts. The crash is the state directory as the running agent left
// it, copied; before, it held no _activity.json, and the restarted agent
// alerted lateness after its start (fresh-user trial 130: a kill -9
// loop put the alert off until the loop stopped).
func TestDetectionsQuietAcrossCrash(t *testing.T) {
	got, c := quietSignInScene(t)
	_, _, stop := runInBackground(t, c, Options{})
	waitFor(t, "the sign-in forwarded", 10*time.Second, func() bool { return got.count(config.AppNameApplication) == 1 })
	activity := filepath.Join(c.StateDir, "detect", activityName+".json")
	waitFor(t, "the time of the last event written", 5*time.Second, func() bool {
		_, err := os.Stat(activity)
		return err == nil
	})
	crashed := filepath.Join(t.TempDir(), "crashed-state")
	copyStateDir(t, c.StateDir, crashed)
	stop() // its shutdown save goes to c.StateDir, not to the copy
	if got.alertsOf("sentinel.local_auth_no_mfa") > 0 {
		t.Fatal("the sign-in's alert came before lateness of quiet: the test checks nothing")
	}
	time.Sleep(quietLateness)
	c.StateDir = crashed
	restartAlertsAtOnce(t, got, c)
}

// copyStateDir copies the regular files of the state directory src into
// dst, as a crash would leave them: a file that vanishes meanwhile (a
// save's temporary file, renamed) is skipped.
func copyStateDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDetectionsClockStepInBatch: a clock step on a line no rule reads
// makes the wanted lines after it late in run as in detect, also when
// they are in the same batch as the step (the sender gives the engine
// the events before the step, the step's time, then the events after
// it: processRead), and the engine names the step (Stats.Jump). Here
// the whole file is one batch: 4 lines no rule reads, the step 3 hours
// ahead (two lines no rule reads either), then 12 failed logins back at
// the first lines' time: detect drops them as late and raises no alert
// (fresh-user trial 130); before, run counted them and alerted.
func TestDetectionsClockStepInBatch(t *testing.T) {
	got, col := listenCollected(t)
	dir := t.TempDir()
	app := filepath.Join(dir, "application_json.log")
	t0 := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	for i := range 4 {
		appendLine(t, app, noiseLine(t0.Add(time.Duration(i)*time.Second), i))
	}
	step := t0.Add(3*time.Hour + 5*time.Second)
	appendLine(t, app, noiseLine(step, 4))
	appendLine(t, app, noiseLine(step, 5)) // a step is two lines: one alone is an outlier (readMark.lookAhead)
	for i := range 12 {
		appendLine(t, app, failedLoginLine(t0.Add(time.Duration(10+i)*time.Second), i))
	}
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "application", Path: app})
	a, _, stop := runInBackground(t, c, Options{})
	defer stop()
	waitFor(t, "every line forwarded", 10*time.Second, func() bool { return got.count(config.AppNameApplication) == 18 })
	a.mu.Lock()
	st := a.det.e.Stats()
	a.mu.Unlock()
	if st.Late != 12 || !st.Jump.Time.Equal(step) {
		t.Errorf("%d events late, the jump at %v: want the 12 failed logins late, and the step at %v", st.Late, st.Jump.Time, step)
	}
	time.Sleep(300 * time.Millisecond) // an alert would be here by now
	if n := got.alertsOf("sentinel.bruteforce"); n != 0 {
		t.Errorf("%d sentinel.bruteforce alerts on failed logins after a clock step, want 0 (detect drops them as late)", n)
	}
}

// TestDetectionsLineAheadOfClock: lines dated 22 hours ahead of the host's
// clock (a clock that stepped and came back, a line in another time zone),
// each read in a batch of its own, one no rule wants and one failed login,
// must not move the watermark: the failed logins after them, dated now,
// are counted (detect.LiveMaxAhead).
// Before, the watermark followed it and the twelve failures were dropped
// as late: no alert (fresh-user trial 211).
func TestDetectionsLineAheadOfClock(t *testing.T) {
	got, col := listenCollected(t)
	app := filepath.Join(t.TempDir(), "application_json.log")
	t0 := time.Now().Add(-30 * time.Minute)
	appendLine(t, app, failedLoginLine(t0, 0))
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "application", Path: app})
	var logBuf syncBuffer
	_, _, stop := runInBackground(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logBuf, nil))})
	defer stop()
	waitFor(t, "the first failed login", 10*time.Second, func() bool { return got.count(config.AppNameApplication) == 1 })
	appendLine(t, app, noiseLine(t0.Add(22*time.Hour), 1))
	waitFor(t, "the line ahead of the clock", 10*time.Second, func() bool { return got.count(config.AppNameApplication) == 2 })
	appendLine(t, app, failedLoginLine(t0.Add(22*time.Hour), 99))
	waitFor(t, "the failed login ahead of the clock", 10*time.Second, func() bool { return got.count(config.AppNameApplication) == 3 })
	for i := 1; i <= 11; i++ {
		appendLine(t, app, failedLoginLine(t0.Add(time.Duration(i)*time.Minute), i))
	}
	waitFor(t, "every failed login forwarded", 10*time.Second, func() bool { return got.count(config.AppNameApplication) == 14 })
	deadline := time.Now().Add(5 * time.Second)
	for got.alertsOf("sentinel.bruteforce") == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := got.alertsOf("sentinel.bruteforce"); n != 1 {
		t.Fatalf("%d sentinel.bruteforce alerts for 12 failed logins of one user and address in 11 minutes after a line 22h ahead of the clock, want 1: they were dropped as late", n)
	}
	// the warning names the failed login ahead (trial 212: it named none)
	end := len(failedLoginLine(t0, 0)) + len(noiseLine(t0.Add(22*time.Hour), 1)) + len(failedLoginLine(t0.Add(22*time.Hour), 99)) + 3
	waitFor(t, "the warning naming the line", 3*time.Second, func() bool {
		s := logBuf.String()
		return strings.Contains(s, "after this host's clock reached only the per-event rules") &&
			strings.Contains(s, fmt.Sprintf("line_end_offset=%d ", end)) && strings.Contains(s, "ahead_of_clock=21h") &&
			strings.Contains(s, "ahead_of_clock_total=1 ahead_of_lines_around_total=0 ")
	})
}
