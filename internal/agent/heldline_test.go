package agent

import (
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestDetectionsLineAheadAcrossBatches: a line dated more than the
// lateness ahead of the lines before it is judged by the line after it
// also when the two are in different batches (detector.judgeRead), as a
// live source is read a line at a time: a line ahead alone, or first or
// last in its batch, whose next line carries on from the lines before
// it, is an outlier and moves no watermark, so the failed logins after
// it are counted; two lines ahead, each alone, are a step, as in detect.
// The first line read, with no line before it, is an outlier when the line
// after it is more than an hour older, as in detect (trial 214: `run
// --once` dropped the failures after it, where detect alerted).
// Before, a line ahead at a batch's edge moved the watermark, and the
// twelve failures after it were dropped as late: no alert (fresh-user
// trials 213 and 214). The log is dated a month back, as a backlog read
// behind the clock is; the lines ahead stay behind the clock.
func TestDetectionsLineAheadAcrossBatches(t *testing.T) {
	t0 := time.Now().Add(-30 * 24 * time.Hour).UTC().Truncate(time.Second)
	fl := func(d time.Duration, n int) string { return failedLoginLine(t0.Add(d), n) }
	ahead := 6 * time.Hour
	// failures returns the failed logins at minutes from..to, a batch each.
	failures := func(from, to int) [][]string {
		var out [][]string
		for i := from; i <= to; i++ {
			out = append(out, []string{fl(time.Duration(i)*time.Minute, i)})
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		batches  [][]string // each written at once, once the one before was forwarded
		alerts   int        // sentinel.bruteforce alerts; -1: not checked, nor late
		late     uint64     // events dropped as late
		jump     bool       // the engine recorded the step at t0+ahead
		outliers uint64     // events taken for outliers (detect.Stats.Outliers)
	}{
		{"a line ahead alone", append([][]string{{fl(0, 0)}, {noiseLine(t0.Add(ahead), 1)}}, failures(1, 11)...), 1, 0, false, 0},
		{"a failed login ahead alone", append([][]string{{fl(0, 0)}, {fl(ahead, 99)}}, failures(1, 11)...), 1, 0, false, 1},
		{"a line ahead first in its batch", append([][]string{{fl(0, 0)}, {noiseLine(t0.Add(ahead), 1), fl(time.Minute, 1)}}, failures(2, 11)...), 1, 0, false, 0},
		{"a line ahead last in its batch", append([][]string{{fl(0, 0)}, {fl(time.Minute, 1), noiseLine(t0.Add(ahead), 1)}}, failures(2, 11)...), 1, 0, false, 0},
		{"the first line read ahead, the line after it back", append([][]string{{fl(ahead, 99), fl(0, 0)}}, failures(1, 11)...), 1, 0, false, 1},
		// less than an hour: not an outlier (the windows are another matter: at start, run sorts them)
		{"the first line read ahead, the line after it back less than an hour", append([][]string{{fl(30*time.Minute, 99), fl(0, 0)}}, failures(1, 11)...), -1, 0, false, 0},
		{"a step: two lines ahead, each alone", append([][]string{{fl(0, 0)}, {noiseLine(t0.Add(ahead), 1)}, {noiseLine(t0.Add(ahead+time.Second), 2)}}, failures(1, 11)...), 0, 11, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, col := listenCollected(t)
			app := filepath.Join(t.TempDir(), "application_json.log")
			appendLines(t, app, tc.batches[0])
			c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "application", Path: app})
			a, _, stop := runInBackground(t, c, Options{})
			defer stop()
			n := len(tc.batches[0])
			waitFor(t, "the first batch", 10*time.Second, func() bool { return got.count(config.AppNameApplication) == n })
			for _, b := range tc.batches[1:] {
				appendLines(t, app, b)
				n += len(b)
				waitFor(t, "the batch forwarded", 10*time.Second, func() bool { return got.count(config.AppNameApplication) == n })
			}
			deadline := time.Now().Add(3 * time.Second)
			for got.alertsOf("sentinel.bruteforce") < tc.alerts && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(200 * time.Millisecond) // a further alert would be here by now
			if got := got.alertsOf("sentinel.bruteforce"); tc.alerts >= 0 && got != tc.alerts {
				t.Errorf("%d sentinel.bruteforce alerts, want %d", got, tc.alerts)
			}
			a.mu.Lock()
			st := a.det.e.Stats()
			a.mu.Unlock()
			if tc.alerts >= 0 && st.Late != tc.late || st.Jump.Time.Equal(t0.Add(ahead)) != tc.jump {
				t.Errorf("%d events late, the step recorded at %v: want %d late, a step at %v: %v", st.Late, st.Jump.Time, tc.late, t0.Add(ahead), tc.jump)
			}
			if st.Outliers != tc.outliers {
				t.Errorf("%d events taken for outliers, want %d", st.Outliers, tc.outliers)
			}
		})
	}
}

// TestDetectionsHeldLineSettled: a line held at a batch's end is settled
// once the log stayed quiet for heldLineWait (a step, for a line behind
// the clock), and while it is held, the positions saved give its start,
// so that a restart reads it again rather than skip a line the engine
// has not folded.
func TestDetectionsHeldLineSettled(t *testing.T) {
	got, col := listenCollected(t)
	t0 := time.Now().Add(-30 * 24 * time.Hour).UTC().Truncate(time.Second)
	app := filepath.Join(t.TempDir(), "application_json.log")
	first := failedLoginLine(t0, 0)
	appendLine(t, app, first)
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "application", Path: app})
	a, _, stop := runInBackground(t, c, Options{})
	defer stop()
	waitFor(t, "the first line", 10*time.Second, func() bool { return got.count(config.AppNameApplication) == 1 })
	appendLine(t, app, noiseLine(t0.Add(6*time.Hour), 1))
	waitFor(t, "the line ahead", 10*time.Second, func() bool { return got.count(config.AppNameApplication) == 2 })

	a.mu.Lock()
	d := a.det
	a.mu.Unlock()
	var pos position
	waitFor(t, "the line held", 2*time.Second, func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		for _, p := range d.pos {
			pos = p.get()
			return p.held != nil
		}
		return false
	})
	if want := int64(len(first) + 1); pos.Offset != want {
		b, _ := json.Marshal(pos)
		t.Errorf("position while the line is held: %s, want offset %d (the held line's start)", b, want)
	}
	waitFor(t, "the line settled as a step", 10*time.Second, func() bool {
		return d.e.Stats().Jump.Time.Equal(t0.Add(6 * time.Hour))
	})
	d.mu.Lock()
	for _, p := range d.pos {
		if p.held != nil || p.get().Offset != pos.Offset+int64(len(noiseLine(t0.Add(6*time.Hour), 1))+1) {
			t.Errorf("after the settle: held %v, position %+v", p.held != nil, p.get())
		}
	}
	d.mu.Unlock()
}

// TestDetectionsHeldLineAtStop: a line held at a batch's end when the
// agent stops is read again at the next start, since the positions saved
// start at it: its per-event alert comes then, once (within heldLineWait:
// the catch-up holds it again, and no line follows it). Without that, the
// saved positions passed a line the engine never folded, and the token
// creation it logged never alerted.
func TestDetectionsHeldLineAtStop(t *testing.T) {
	if testing.Short() {
		t.Skip("starts agent processes; not run with -short")
	}
	got, col := listenCollected(t)
	dir := t.TempDir()
	app, audit, state := filepath.Join(dir, "application_json.log"), filepath.Join(dir, "audit_json.log"), filepath.Join(dir, "state")
	appendLines(t, app, nil)
	appendLines(t, audit, nil)
	t0 := time.Now().Add(-30 * 24 * time.Hour).UTC().Truncate(time.Second)
	checkpointed := checkpointedIn(t, state)
	tokens := func() int { return got.alertsOf("falco.pat_created") }
	env := "KILL_HELPER_AUDIT=" + audit

	p := startKillHelper(t, col.Addr(), app, state, env)
	appendLines(t, audit, []string{auditPATLine(t0, 1)})
	waitFor(t, "the first token's alert", 10*time.Second, func() bool { return tokens() == 1 })
	appendLines(t, audit, []string{auditPATLine(t0.Add(6*time.Hour), 2)}) // held: 6 h ahead, alone
	waitFor(t, "the checkpoint at the token ahead", 10*time.Second, func() bool { return checkpointed(audit) })
	time.Sleep(200 * time.Millisecond)
	if n := tokens(); n != 1 {
		t.Fatalf("%d falco.pat_created alerts with the line ahead held, want 1: the test checks nothing", n)
	}
	p.stop(t)

	p = startKillHelper(t, col.Addr(), app, state, env)
	defer p.kill(t)
	// read again and held again, then judged by the clock (no line follows)
	deadline := time.Now().Add(heldLineWait + 5*time.Second)
	for tokens() < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // a third alert would be here by now
	if n := tokens(); n != 2 {
		t.Errorf("%d falco.pat_created alerts after the restart, want 2: the token created in the line held at the stop alerts once; restart log:\n%s", n, p.log())
	}
}

// TestDetectionsHeldLineJudgedAfterRestart: a line ahead that the agent
// held when it stopped (SIGTERM) or died (SIGKILL) is judged after the
// restart as it would have been: the catch-up reads it again, holds it
// (it is more than the lateness ahead of the newest time saved with the
// positions, position.Newest, or of the lines caught up before it) and
// hands it to the sender, which takes it for an outlier by the next line,
// so the failed logins after it are counted as detect counts them.
// Before, the catch-up folded it as any line: the watermark followed it
// and the seven failures after the restart were dropped as late
// (fresh-user trial 215); after a copytruncate while stopped, the line
// read again in the copy was taken for a step (trial 216).
func TestDetectionsHeldLineJudgedAfterRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts agent processes; not run with -short")
	}
	for _, tc := range []struct {
		name      string
		kill      bool
		copyTrunc bool // copytruncate while stopped: the held line is read again in the copy
	}{{"stopped", false, false}, {"killed", true, false}, {"stopped, copytruncate while stopped", false, true}} {
		kill := tc.kill
		t.Run(tc.name, func(t *testing.T) {
			got, col := listenCollected(t)
			dir := t.TempDir()
			app, state := filepath.Join(dir, "application_json.log"), filepath.Join(dir, "state")
			appendLines(t, app, nil)
			t0 := time.Now().Add(-30 * 24 * time.Hour).UTC().Truncate(time.Second)
			checkpointed := checkpointedIn(t, state)
			p := startKillHelper(t, col.Addr(), app, state)
			for i := range 5 {
				appendLines(t, app, []string{failedLoginLine(t0.Add(time.Duration(i)*20*time.Second), i)})
				waitFor(t, "the failed login", 10*time.Second, func() bool { return checkpointed(app) })
			}
			appendLines(t, app, []string{failedLoginLine(t0.Add(5*time.Hour), 99)}) // held: 5 h ahead, alone
			waitFor(t, "the line ahead", 10*time.Second, func() bool { return checkpointed(app) })
			if kill {
				p.kill(t)
			} else {
				p.stop(t)
			}
			if tc.copyTrunc {
				copyTruncate(t, app) // trial 216: the held line was then taken for a step
			}
			p = startKillHelper(t, col.Addr(), app, state)
			defer p.kill(t)
			for i := 5; i < 12; i++ {
				appendLines(t, app, []string{failedLoginLine(t0.Add(time.Duration(i)*20*time.Second), i)})
				waitFor(t, "the failed login", 10*time.Second, func() bool { return checkpointed(app) })
			}
			settleAlerts(func() int { return got.alertsOf("sentinel.bruteforce") }, 1)
			if n := got.alertsOf("sentinel.bruteforce"); n != 1 {
				t.Errorf("%d sentinel.bruteforce alerts for 12 failed logins around a line 5 h ahead held at the restart, want 1 (detect's); restart log:\n%s", n, p.log())
			}
		})
	}
}

// TestDetectionsLineFarAheadNotHeld: a line more than detect.LiveMaxAhead
// after the clock is not held for the next line: the engine keeps it
// from the windowed rules whatever follows, and holding it only delayed
// its per-event alert by heldLineWait (trial 215). Its alert goes out
// with the line's batch, and the warning counts it as ahead of the clock.
func TestDetectionsLineFarAheadNotHeld(t *testing.T) {
	got, col := listenCollected(t)
	audit := filepath.Join(t.TempDir(), "audit_json.log")
	now := time.Now().UTC()
	appendLine(t, audit, auditPATLine(now, 1))
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: audit})
	var logBuf syncBuffer
	a, _, stop := runInBackground(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logBuf, nil))})
	defer stop()
	waitFor(t, "the first token's alert", 10*time.Second, func() bool { return got.alertsOf("falco.pat_created") == 1 })
	appendLine(t, audit, auditPATLine(now.Add(3*24*time.Hour), 2))
	waitFor(t, "the token 3 days ahead forwarded", 10*time.Second, func() bool { return got.count(config.AppNameAudit) == 2 })
	a.mu.Lock()
	d := a.det
	a.mu.Unlock()
	d.mu.Lock()
	for _, p := range d.pos {
		if p.held != nil {
			t.Errorf("the line 3 days ahead of the clock is held (until %v)", p.held.at.Add(heldLineWait))
		}
	}
	d.mu.Unlock()
	waitFor(t, "its alert", time.Second, func() bool { return got.alertsOf("falco.pat_created") == 2 })
	waitFor(t, "the warning", 3*time.Second, func() bool {
		return strings.Contains(logBuf.String(), "ahead_of_clock_total=1 ahead_of_lines_around_total=0 ")
	})
}
