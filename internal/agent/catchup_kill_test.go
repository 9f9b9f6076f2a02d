package agent

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/gziptest"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// TestKillCatchUp runs the agent in a child process over
// application_json.log, kills it with SIGKILL before any detection state
// save (state_save_interval is 1 min) once its checkpoint passed the
// lines written so far, restarts it and writes the rest: 11 failed logins
// of one user and address, one sentinel.bruteforce alert (threshold 10).
// The lines checkpointed before the kill must be folded again at the
// restart (catch-up), whether the file was there at the first start (k1),
// was created after it (k2: no catch-up, 0 alerts), or was rotated (mv to
// .1, new file) after it, the checkpoint still draining the .1 (k3) or
// already in the new file (k4): the new file's lines were not folded
// again, 0 alerts (trial 37 F3); or copied to .1 and truncated in place
// (k5: copytruncate, Omnibus GitLab's logrotate): the 6 lines before the
// truncation, now in the .1, were not folded again, 0 alerts (trial 38
// F1). k8 writes the 11 lines before the kill: the alert, delivered
// before it, is raised again by the catch-up, which must drop it (its id
// is in the journal of delivered alerts): 2 alerts when it is sent again.
// k9 is k8 with the checkpoint kept at the start of the file (written
// once an hour): the 11 lines are read again after the kill, forwarded
// again (at-least-once), and raise the alert again outside the catch-up;
// it must be dropped too (its id is in the journal): 2 alerts when it is
// sent again. k6 follows two logs that one rule joins: see killCatchUpJoin; k7,
// alerts held at the kill: see killCatchUpHeld.
func TestKillCatchUp(t *testing.T) {
	if testing.Short() {
		t.Skip("starts agent processes; not run with -short")
	}
	for _, tc := range []struct {
		name   string
		exists bool // the file exists (empty) at the first start
		rotate bool // 6 lines, mv to .1, 3 lines in a new file
		next   bool // kill while the checkpoint keeps the new file apart (Next)
		copy   bool // rotate by cp to .1 and truncate in place (copytruncate)
		all    bool // the 11 lines before the kill: the alert is delivered before it
		stale  bool // the checkpoint stays at the file's start: all is read again
	}{
		{"k1 file there at start", true, false, false, false, false, false},
		{"k2 file created after start", false, false, false, false, false, false},
		{"k3 rotated, checkpoint draining the .1", true, true, true, false, false, false},
		{"k4 rotated, checkpoint in the new file", true, true, false, false, false, false},
		{"k5 copytruncate", true, true, false, true, false, false},
		{"k8 alert delivered before the kill", true, false, false, false, true, false},
		{"k9 alert delivered, lines not checkpointed before the kill", true, false, false, false, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, col := listenCollected(t)
			dir := t.TempDir()
			path, state := filepath.Join(dir, "application_json.log"), filepath.Join(dir, "state")
			if tc.exists {
				appendLines(t, path, nil)
			}
			lines := failedLogins(time.Now().Add(-time.Minute))
			ck := func() *checkpoint.Position {
				st, err := checkpoint.Open(state)
				if err != nil {
					return nil
				}
				var p checkpoint.Position
				if ok, err := st.Load(checkpoint.PositionKey(path), &p); !ok || err != nil {
					return nil
				}
				return &p
			}
			idOf := func(name string) (uint64, uint64, int64) {
				fi, err := os.Stat(name)
				if err != nil {
					t.Fatal(err)
				}
				dev, ino := checkpoint.DevIno(fi)
				return dev, ino, fi.Size()
			}

			var env []string
			if tc.stale {
				env = append(env, "KILL_HELPER_CHECKPOINT_INTERVAL=1h")
			}
			p := startKillHelper(t, col.Addr(), path, state, env...)
			if tc.rotate {
				appendLines(t, path, lines(0, 6))
				dev, ino, size := idOf(path)
				waitFor(t, "the checkpoint at the 6 lines", 10*time.Second, func() bool {
					c := ck()
					return c != nil && c.Dev == dev && c.Ino == ino && c.Offset == size
				})
				if tc.copy {
					copyTruncate(t, path)
				} else if err := os.Rename(path, path+".1"); err != nil {
					t.Fatal(err)
				}
				appendLines(t, path, lines(6, 3))
				dev, ino, size = idOf(path)
				waitFor(t, "the checkpoint at the new file's 3 lines", 10*time.Second, func() bool {
					c := ck()
					if c == nil {
						return false
					}
					if tc.next {
						return c.Next != nil && c.Next.Dev == dev && c.Next.Ino == ino && c.Next.Offset == size
					}
					return c.Next == nil && c.Dev == dev && c.Ino == ino && c.Offset == size
				})
			} else if tc.all {
				appendLines(t, path, lines(0, 11))
				dev, ino, size := idOf(path)
				if tc.stale {
					waitFor(t, "the alert", 10*time.Second, func() bool { return got.alertCount() == 1 })
					// Its acknowledgement journaled: on a new connection it
					// waits for the connection's proof (up to 1 s), longer
					// under load than a fixed sleep allowed.
					waitFor(t, "the alert's delivery journaled", 10*time.Second, func() bool {
						fi, err := os.Stat(filepath.Join(state, "detect", DeliveredFile))
						return err == nil && fi.Size() > 0
					})
					if c := ck(); c == nil || c.Offset != 0 {
						t.Fatalf("checkpoint %+v before the kill, want one at offset 0: the test checks nothing", c)
					}
				} else {
					waitFor(t, "the checkpoint at the 11 lines", 10*time.Second, func() bool {
						c := ck()
						return c != nil && c.Dev == dev && c.Ino == ino && c.Offset == size
					})
				}
			} else {
				appendLines(t, path, lines(0, 9))
				dev, ino, size := idOf(path)
				waitFor(t, "the checkpoint at the 9 lines", 10*time.Second, func() bool {
					c := ck()
					return c != nil && c.Dev == dev && c.Ino == ino && c.Offset == size
				})
			}
			p.kill(t)
			want := 9
			if tc.all {
				want = 11
			}
			if n := got.count(config.AppNameApplication); n != want {
				t.Fatalf("%d lines at the collector before the kill, want %d", n, want)
			}
			if tc.all && got.alertCount() != 1 {
				t.Fatalf("%d alerts before the kill, want 1: the test checks nothing", got.alertCount())
			}

			p = startKillHelper(t, col.Addr(), path, state, env...)
			defer p.kill(t)
			if !tc.all {
				appendLines(t, path, lines(9, 2))
			}
			forwarded := 11
			if tc.stale {
				forwarded = 22 // the 11 forwarded again
			}
			waitFor(t, fmt.Sprintf("%d lines", forwarded), 10*time.Second, func() bool { return got.count(config.AppNameApplication) >= forwarded })
			wantOneAlert(t, got, p, fmt.Sprintf(" with a kill -9 after the %dth", want))
		})
	}
	t.Run("k6 impersonation started in the application log, actions in the audit log", killCatchUpJoin)
	t.Run("k7 impersonation alerts held at the kill, released by the catch-up", killCatchUpHeld)
	t.Run("k10 copytruncate after the kill", func(t *testing.T) { killCatchUpStoppedCopy(t, false) })
	t.Run("k11 copytruncate after the kill, killed again", func(t *testing.T) { killCatchUpStoppedCopy(t, true) })
	t.Run("k12 rotated, then the new file copytruncated after the kill", func(t *testing.T) { killCatchUpStoppedCopyNext(t, false) })
	t.Run("k13 rotated, then the new file copytruncated after the kill, killed again", func(t *testing.T) { killCatchUpStoppedCopyNext(t, true) })
	t.Run("k14 copytruncate of a file begun, the checkpoint before it", killCatchUpUnrecordedCopy)
	t.Run("k15 rotated, then the .1 shifted and compressed after the kill", killCatchUpCompressed)
}

// killCatchUpCompressed is TestKillCatchUp with a rename rotation before
// the kill and logrotate's compress after it: the file, empty at the
// first start (the saved position has no first bytes for it until its
// first line is read), gets 6 failed logins, is renamed to .1, and the
// new file gets 3; the agent is killed once its checkpoint is at the new
// file's end, before any state save. While stopped, the .1 is shifted
// to .2 and compressed to .2.gz (gzip: another inode), as logrotate's
// compress with delaycompress does. The catch-up must fold the 6 from
// the .2.gz, found by its decompressed first bytes, then the new file's
// 3: with the 2 after the restart, one sentinel.bruteforce alert. It
// looked for the first file by its inode only, found none, and folded
// the 3 alone: no alert (trial 48 S3, lsched.sh renamez: 2 of 51 alerts).
func killCatchUpCompressed(t *testing.T) {
	got, col, path, state, lines, checkpointed := killScene(t)

	p := startKillHelper(t, col.Addr(), path, state)
	appendLines(t, path, lines(0, 6))
	waitFor(t, "the checkpoint at the 6 lines", 10*time.Second, func() bool { return checkpointed(path) })
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendLines(t, path, lines(6, 3))
	waitFor(t, "the checkpoint at the new file's 3 lines", 10*time.Second, func() bool { return checkpointed(path) })
	p.kill(t)
	if n := got.count(config.AppNameApplication); n != 9 {
		t.Fatalf("%d lines at the collector before the kill, want 9", n)
	}
	if err := os.Rename(path+".1", path+".2"); err != nil {
		t.Fatal(err)
	}
	gzipFile(t, path+".2")

	p = startKillHelper(t, col.Addr(), path, state)
	defer p.kill(t)
	appendLines(t, path, lines(9, 2))
	waitFor(t, "11 lines", 10*time.Second, func() bool { return got.count(config.AppNameApplication) >= 11 })
	wantOneAlert(t, got, p, ", 6 of them in a rotated copy compressed after the kill")
}

// gzipFile replaces name by name.gz, as logrotate's compress does.
func gzipFile(t *testing.T, name string) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name+".gz", gziptest.Compress(t, b), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(name); err != nil {
		t.Fatal(err)
	}
}

// killCatchUpUnrecordedCopy is TestKillCatchUp with a copytruncate that
// no run recorded: the first agent, whose checkpoint stays at the file's
// start (written once an hour), reads 6 failed logins, then, after a
// rename rotation, 3 in the new file, which it records as begun
// (position.Then), and is killed. While stopped, the new file is rotated
// by copytruncate (the .1 shifted to .2) and gets 1 more line. The second
// agent, its checkpoint at the first file's start, reads all again: the
// first file, the copy (a rotated file it never saw, begun after the new
// file), then the new file from 0; it is killed once its checkpoint is
// at the new file's end, before any state save. The third start must
// fold the 6, the copy's 3, then the file's line, in that order, and the
// 11th login after it raises one sentinel.bruteforce alert. The copy was
// listed after the file it copies, whose range, bounded by the
// checkpoint, had only its new line: the copy's 3 were never folded, and
// no alert came (trial 43 F2: with more lines, the copy's lines were
// folded after the file's new ones and dropped as too late).
func killCatchUpUnrecordedCopy(t *testing.T) {
	got, col, path, state, lines, checkpointed := killScene(t)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	dev, ino := checkpoint.DevIno(fi)
	ckAtStart := func() bool {
		st, err := checkpoint.Open(state)
		if err != nil {
			return false
		}
		var p checkpoint.Position
		ok, err := st.Load(checkpoint.PositionKey(path), &p)
		return ok && err == nil && p.Dev == dev && p.Ino == ino && p.Offset == 0 && p.Next == nil
	}
	stale := "KILL_HELPER_CHECKPOINT_INTERVAL=1h"

	p := startKillHelper(t, col.Addr(), path, state, stale)
	waitFor(t, "the checkpoint at the file's start", 10*time.Second, ckAtStart)
	appendLines(t, path, lines(0, 6))
	waitFor(t, "the 6 lines", 10*time.Second, func() bool { return got.count(config.AppNameApplication) >= 6 })
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendLines(t, path, lines(6, 3))
	fi, err = os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	newDev, newIno := checkpoint.DevIno(fi)
	newKey := fmt.Sprintf(`"%d:%d"`, newDev, newIno)
	waitFor(t, "the new file recorded as begun", 10*time.Second, func() bool {
		b, err := os.ReadFile(filepath.Join(state, "detect", PositionsFile))
		return err == nil && strings.Contains(string(b), newKey) && got.count(config.AppNameApplication) >= 9
	})
	if !ckAtStart() {
		t.Fatal("the checkpoint moved from the first file's start before the kill: the test checks nothing")
	}
	p.kill(t)
	if err := os.Rename(path+".1", path+".2"); err != nil {
		t.Fatal(err)
	}
	copyTruncate(t, path)
	appendLines(t, path, lines(9, 1))

	p = startKillHelper(t, col.Addr(), path, state)
	waitFor(t, "the checkpoint at the file's new line", 10*time.Second, func() bool { return checkpointed(path) })
	p.kill(t)
	p = startKillHelper(t, col.Addr(), path, state)
	defer p.kill(t)
	appendLines(t, path, lines(10, 1))
	waitFor(t, "the 11th login", 10*time.Second, func() bool { return got.count(config.AppNameApplication) >= 20 })
	wantOneAlert(t, got, p, ", 3 of them in the copy of a file copytruncated while no checkpoint had passed it")
}

// killCatchUpStoppedCopyNext is killCatchUpStoppedCopy with a rename
// rotation before the kill: 6 failed logins in the file, renamed to .1,
// then 3 in the new file, killed while the checkpoint keeps the new
// file's position apart (checkpoint.Position.Next: the .1 is still
// drained). While stopped, the new file is rotated by copytruncate (the
// .1 shifted to .2): its 3 lines are in the copy only, and 1 more is
// written to it, truncated in place; 1 after the restart. The catch-up
// must fold the 6, then the copy's 3, not the new file's line as one of
// the 3 (offsets the checkpoint passed in its old content): one
// sentinel.bruteforce alert for the 11. It folded the file's new line in
// place of the copy's 3, which were never folded, and no alert came
// (trial 43 F2, rdk.sh with a rename then a copytruncate per cycle under
// random kill -9s: the copy's lines, read after the new ones, were
// dropped as too late). With again, the restarted agent is killed too,
// once its checkpoint passed the new line, before any state save: the
// next start must fold the copy's 3 again, then the file's line: the
// truncation must be recorded at the first restart, the checkpoint no
// longer telling it.
func killCatchUpStoppedCopyNext(t *testing.T, again bool) {
	got, col, path, state, lines, checkpointed := killScene(t)
	ck := func() *checkpoint.Position {
		st, err := checkpoint.Open(state)
		if err != nil {
			return nil
		}
		var p checkpoint.Position
		if ok, err := st.Load(checkpoint.PositionKey(path), &p); !ok || err != nil {
			return nil
		}
		return &p
	}

	p := startKillHelper(t, col.Addr(), path, state)
	appendLines(t, path, lines(0, 6))
	waitFor(t, "the checkpoint at the 6 lines", 10*time.Second, func() bool { return checkpointed(path) })
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendLines(t, path, lines(6, 3))
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	dev, ino := checkpoint.DevIno(fi)
	waitFor(t, "the checkpoint's position in the new file at its 3 lines", 10*time.Second, func() bool {
		c := ck()
		return c != nil && c.Next != nil && c.Next.Dev == dev && c.Next.Ino == ino && c.Next.Offset == fi.Size()
	})
	p.kill(t)
	if err := os.Rename(path+".1", path+".2"); err != nil {
		t.Fatal(err)
	}
	copyTruncate(t, path)
	appendLines(t, path, lines(9, 1))

	p = startKillHelper(t, col.Addr(), path, state)
	defer func() { p.kill(t) }()
	if again {
		waitFor(t, "the checkpoint at the file's new line", 10*time.Second, func() bool { return checkpointed(path) })
		p.kill(t)
		p = startKillHelper(t, col.Addr(), path, state)
	}
	appendLines(t, path, lines(10, 1))
	waitFor(t, "the 11 lines", 10*time.Second, func() bool { return got.count(config.AppNameApplication) >= 11 })
	wantOneAlert(t, got, p, ", 3 of them in the copy of the newer file of a rename rotation, copytruncated after a kill -9")
	if n := got.count(config.AppNameApplication); n != 11 {
		t.Errorf("%d lines forwarded, want 11 (the copy drained from the checkpoint's position in the new file, the file from 0)", n)
	}
}

// killCatchUpStoppedCopy is TestKillCatchUp with the file rotated by
// copytruncate after the kill -9, before the restart: 6 failed logins,
// checkpointed and not saved in the detection state, are in the copy
// (.1) only; 3 more are written to the file, truncated in place, and 2
// after the restart. The tailer drains the copy from its checkpoint
// (nothing left), then reads the file from 0; the catch-up must fold the
// copy's 6 lines up to the checkpoint: one sentinel.bruteforce alert for
// the 11. They were left out, the file taken for one replaced in place
// (0 alerts: trial 39 V3, a kill within 0.5 s of a copytruncate, whose
// checkpoint had not passed the truncation yet). With again, the agent
// restarted is killed too, once its checkpoint passed the 3 lines,
// before any state save: the next start must fold the copy's 6 lines
// again, then the file's 3 (they were not: the saved position was the
// file's start, and only the 3 were: trial 41 F2).
func killCatchUpStoppedCopy(t *testing.T, again bool) {
	got, col, path, state, lines, checkpointed := killScene(t)

	p := startKillHelper(t, col.Addr(), path, state)
	appendLines(t, path, lines(0, 6))
	waitFor(t, "the checkpoint at the 6 lines", 10*time.Second, func() bool { return checkpointed(path) })
	p.kill(t)
	copyTruncate(t, path)
	appendLines(t, path, lines(6, 3))

	p = startKillHelper(t, col.Addr(), path, state)
	defer func() { p.kill(t) }()
	if again {
		waitFor(t, "the checkpoint at the file's 3 lines", 10*time.Second, func() bool { return checkpointed(path) })
		p.kill(t)
		p = startKillHelper(t, col.Addr(), path, state)
	}
	appendLines(t, path, lines(9, 2))
	waitFor(t, "the 11 lines", 10*time.Second, func() bool { return got.count(config.AppNameApplication) >= 11 })
	wantOneAlert(t, got, p, ", 6 of them in the copy of a file copytruncated after a kill -9")
	if n := got.count(config.AppNameApplication); n != 11 {
		t.Errorf("%d lines forwarded, want 11 (the copy drained from the checkpoint, the file from 0)", n)
	}
}

// killCatchUpJoin is TestKillCatchUp over two sources, audit_json.log
// listed first, then application_json.log: an administrator starts
// impersonating jdoe (the application log's "has started impersonating"
// line), then jdoe does 3 audit actions that name no impersonator, each
// an action of the session for sentinel.impersonation. Their alerts are
// held for lateness (2m), so none is sent before the kill -9, which comes
// once both checkpoints passed those lines, before any state save. After
// the restart, a line 10 minutes later in each log moves the watermark
// past them: the 3 alerts detect raises on the two files must come. The
// catch-up folded each source to its checkpoint in turn, the audit log
// first: its actions came before the session's start, were declined by
// the rule's filter (no start of jdoe seen), and no alert came (trial 38
// F2: 676 of about 10,500 missing after two kill -9s).
func killCatchUpJoin(t *testing.T) {
	got, col := listenCollected(t)
	dir := t.TempDir()
	app, audit, state := filepath.Join(dir, "application_json.log"), filepath.Join(dir, "audit_json.log"), filepath.Join(dir, "state")
	appendLines(t, app, nil)
	appendLines(t, audit, nil)
	base := time.Now().Add(-time.Minute)
	start, action := impersonationLines(base)
	checkpointed := checkpointedIn(t, state)
	impersonations := func() int { return got.alertsOf("sentinel.impersonation") }

	p := startKillHelper(t, col.Addr(), app, state, "KILL_HELPER_AUDIT="+audit)
	appendLines(t, app, []string{start})
	waitFor(t, "the checkpoint at the session's start", 10*time.Second, func() bool { return checkpointed(app) })
	appendLines(t, audit, []string{action(1), action(2), action(3)})
	waitFor(t, "the checkpoint at the 3 actions", 10*time.Second, func() bool { return checkpointed(audit) })
	p.kill(t)
	if n := got.count(config.AppNameAudit); n != 3 {
		t.Fatalf("%d audit lines at the collector before the kill, want 3", n)
	}
	if n := impersonations(); n != 0 {
		t.Fatalf("%d impersonation alerts before the kill, want 0 (held for lateness): the test checks nothing", n)
	}

	p = startKillHelper(t, col.Addr(), app, state, "KILL_HELPER_AUDIT="+audit)
	defer p.kill(t)
	later := base.Add(10 * time.Minute)
	appendLines(t, app, []string{failedLoginLine(later, 1)})
	appendLines(t, audit, []string{auditPATLine(later, 9001)})
	waitFor(t, "the later lines", 10*time.Second, func() bool {
		return got.count(config.AppNameApplication) >= 2 && got.count(config.AppNameAudit) >= 4
	})
	// The later lines, 9 minutes after the clock and alone, are each held
	// for a next line (heldLineWait), then taken for steps.
	waitFor(t, "the impersonation alerts", heldLineWait+5*time.Second, func() bool { return impersonations() >= 3 })
	settleAlerts(impersonations, 3)
	if n := impersonations(); n != 3 {
		t.Errorf("%d sentinel.impersonation alerts for 3 actions of a session started in the application log, caught up after a kill -9, want 3 (detect's); restart log:\n%s", n, p.log())
	}
}

// killCatchUpHeld is TestKillCatchUp with alerts the rules hold for the
// watermark when the process is killed, and that the catch-up releases:
// they were never sent, so the catch-up must send them, once. A first
// agent sees an administrator start impersonating jdoe and jdoe's 3
// audit actions (3 sentinel.impersonation alerts, held for lateness) and
// is stopped cleanly (SIGTERM): the state saved holds the session, no
// alert sent. A second agent reads an application line 10 minutes later;
// the audit log, which gave no event yet and ends in a line still being
// written (no newline yet, so it is not read to its end), holds the
// watermark (the agent holds every source until its first event), so
// the alerts stay held; it is killed (SIGKILL) once that line is
// checkpointed. A third agent folds that line again in its catch-up,
// which runs before the sources are held: the audit log holds nothing,
// the watermark passes the session and the 3 alerts come out of the
// rule. The audit line is then finished. Before the journal of delivered alerts,
// the catch-up dropped them as delivered, and they were lost (the
// known gap of the README: 562 of about 10,500 impersonation alerts
// lost to two kills in a trial).
func killCatchUpHeld(t *testing.T) {
	got, col := listenCollected(t)
	dir := t.TempDir()
	app, audit, state := filepath.Join(dir, "application_json.log"), filepath.Join(dir, "audit_json.log"), filepath.Join(dir, "state")
	appendLines(t, app, nil)
	appendLines(t, audit, nil)
	base := time.Now().Add(-time.Minute)
	start, action := impersonationLines(base)
	checkpointed := checkpointedIn(t, state)
	impersonations := func() int { return got.alertsOf("sentinel.impersonation") }
	env := "KILL_HELPER_AUDIT=" + audit

	p := startKillHelper(t, col.Addr(), app, state, env)
	appendLines(t, app, []string{start})
	waitFor(t, "the checkpoint at the session's start", 10*time.Second, func() bool { return checkpointed(app) })
	appendLines(t, audit, []string{action(1), action(2), action(3)})
	waitFor(t, "the checkpoint at the 3 actions", 10*time.Second, func() bool { return checkpointed(audit) })
	p.stop(t)
	if n := impersonations(); n != 0 {
		t.Fatalf("%d impersonation alerts before the kill, want 0 (held for lateness): the test checks nothing", n)
	}

	p = startKillHelper(t, col.Addr(), app, state, env)
	partial := auditPATLine(base.Add(10*time.Minute), 9000)
	appendBytes(t, audit, partial[:len(partial)/2])
	appendLines(t, app, []string{failedLoginLine(base.Add(10*time.Minute), 1)})
	waitFor(t, "the checkpoint at the later application line", 10*time.Second, func() bool { return checkpointed(app) })
	time.Sleep(200 * time.Millisecond) // an alert released now would come
	p.kill(t)
	if n := impersonations(); n != 0 {
		t.Fatalf("%d impersonation alerts before the kill -9, want 0 (the audit log holds the watermark): the test checks nothing", n)
	}

	p = startKillHelper(t, col.Addr(), app, state, env)
	defer p.kill(t)
	later := base.Add(11 * time.Minute)
	appendLines(t, app, []string{failedLoginLine(later, 2)})
	appendLines(t, audit, []string{partial[len(partial)/2:], auditPATLine(later, 9001)})
	waitFor(t, "the later lines", 10*time.Second, func() bool {
		return got.count(config.AppNameApplication) >= 3 && got.count(config.AppNameAudit) >= 4
	})
	settleAlerts(impersonations, 3)
	if n := impersonations(); n != 3 {
		t.Errorf("%d sentinel.impersonation alerts for 3 actions held at a kill -9 and released by the catch-up, want 3 (detect's); restart log:\n%s", n, p.log())
	}
}

// settleAlerts waits up to 3 s for count to reach want, then 200 ms more,
// in which an alert too many would come.
func settleAlerts(count func() int, want int) {
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) && count() < want {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
}

// killScene is the setup of the kill tests that follow one file: a
// collector (got, col), an empty application_json.log (path) and a state
// directory in a new temporary directory, the failed logins to write
// (lines, from a minute ago) and the test of the tailer's checkpoint at a
// file's end (checkpointed).
func killScene(t *testing.T) (got *collected, col *syslogtest.Collector, path, state string, lines func(from, n int) []string, checkpointed func(path string) bool) {
	t.Helper()
	got, col = listenCollected(t)
	dir := t.TempDir()
	path, state = filepath.Join(dir, "application_json.log"), filepath.Join(dir, "state")
	appendLines(t, path, nil)
	return got, col, path, state, failedLogins(time.Now().Add(-time.Minute)), checkpointedIn(t, state)
}

// wantOneAlert fails t unless the 11 failed logins of a kill test (what
// they went through: how) raised one sentinel.bruteforce alert at the
// collector got, once the alerts settled (settleAlerts); the failure
// shows the log of the agent p restarted.
func wantOneAlert(t *testing.T, got *collected, p *killHelper, how string) {
	t.Helper()
	settleAlerts(got.alertCount, 1)
	if n := got.alertCount(); n != 1 {
		t.Errorf("%d alerts for 11 failed logins (threshold 10)%s, want 1; restart log:\n%s", n, how, p.log())
	}
}

// failedLogins returns lines(from, n): the failed logins from to
// from+n-1 of one user and address (failedLoginLine), the i-th i seconds
// after base.
func failedLogins(base time.Time) (lines func(from, n int) []string) {
	return func(from, n int) []string {
		var out []string
		for i := from; i < from+n; i++ {
			out = append(out, failedLoginLine(base.Add(time.Duration(i)*time.Second), i))
		}
		return out
	}
}

// impersonationLines returns, at base, the application log's line of an
// administrator starting to impersonate jdoe, and action(i), jdoe's audit
// action i seconds later that names no impersonator.
func impersonationLines(base time.Time) (start string, action func(i int) string) {
	ts := func(at time.Time) string { return at.UTC().Format("2006-01-02T15:04:05.000Z") }
	start = fmt.Sprintf(`{"severity":"INFO","time":%q,"correlation_id":"01KILLIMP000000000000000001","meta.caller_id":"Admin::ImpersonationsController#create","meta.remote_ip":"198.51.100.4","meta.feature_category":"user_management","meta.user":"root","meta.user_id":1,"meta.client_id":"user/1","message":"User root has started impersonating jdoe"}`, ts(base))
	action = func(i int) string {
		at := base.Add(time.Duration(i) * time.Second)
		return fmt.Sprintf(`{"severity":"INFO","time":%q,"correlation_id":"01KILLACT00000000000000000%d","meta.caller_id":"Projects::ProjectMembersController#create","meta.remote_ip":"198.51.100.4","meta.feature_category":"groups_and_projects","meta.user":"jdoe","meta.user_id":3,"meta.client_id":"user/3","id":%d,"author_id":3,"entity_id":71,"entity_type":"Project","details":{"event_name":"member_created","author_name":"John Doe","author_class":"User","target_id":9,"target_type":"User","target_details":"eve","custom_message":"Added member eve as Maintainer","ip_address":"198.51.100.4","entity_path":"jdoe/secret-project"},"ip_address":"198.51.100.4","author_name":"John Doe","entity_path":"jdoe/secret-project","target_details":"eve","created_at":%q,"target_type":"User","target_id":9,"event_name":"member_created","author_class":"User","custom_message":"Added member eve as Maintainer"}`,
			ts(at), i, 7000+i, ts(at))
	}
	return start, action
}

// checkpointedIn returns a function reporting whether the tailer's
// checkpoint in state is at the end of the file path.
func checkpointedIn(t *testing.T, state string) func(path string) bool {
	return func(path string) bool {
		st, err := checkpoint.Open(state)
		if err != nil {
			return false
		}
		var p checkpoint.Position
		if ok, err := st.Load(checkpoint.PositionKey(path), &p); !ok || err != nil {
			return false
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		dev, ino := checkpoint.DevIno(fi)
		return p.Dev == dev && p.Ino == ino && p.Offset == fi.Size() && p.Next == nil
	}
}

// copyTruncate rotates path as logrotate's copytruncate does: copied to
// path.1, then truncated in place.
func copyTruncate(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".1", b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
}

// appendBytes appends s to the file at path, creating it, with no
// newline: a line still being written.
func appendBytes(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// appendLines appends lines to path, creating it.
func appendLines(t *testing.T, path string, lines []string) {
	t.Helper()
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	appendBytes(t, path, b.String())
}

// alertsOf returns the number of alerts of rule collected.
func (c *collected) alertsOf(rule string) (n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range c.alerts {
		if a.json["rule"] == rule {
			n++
		}
	}
	return n
}

func (c *collected) alertCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.alerts)
}

// killHelper is an agent running in a child process (TestKillHelper).
type killHelper struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
}

// startKillHelper starts the agent in a child process, forwarding
// application_json.log path to the collector at addr, with its state in
// state, and returns once its sources started. env adds to the child's
// environment (KILL_HELPER_AUDIT: see TestKillHelper).
func startKillHelper(t *testing.T, addr, path, state string, env ...string) *killHelper {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillHelper$")
	cmd.Env = append(os.Environ(), "KILL_HELPER_URL=tcp://"+addr, "KILL_HELPER_PATH="+path, "KILL_HELPER_STATE="+state)
	// The child's t.TempDir is not removed when it is killed: it goes
	// under the parent's, which is.
	cmd.Env = append(cmd.Env, "TMPDIR="+t.TempDir())
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &killHelper{cmd: cmd, logs: &syncBuffer{}, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			fmt.Fprintln(h.logs, sc.Text())
		}
	}()
	waitFor(t, "the agent's start", 10*time.Second, func() bool {
		l := h.logs.String()
		return strings.Contains(l, "msg=following") || strings.Contains(l, `msg="following (glob match)"`) // a path, a glob's file
	})
	return h
}

// kill sends SIGKILL to the child and waits for it.
func (h *killHelper) kill(t *testing.T) {
	if h.cmd.ProcessState != nil {
		return
	}
	h.cmd.Process.Signal(syscall.SIGKILL)
	<-h.done
	h.cmd.Wait()
}

// stop sends SIGTERM to the child, which stops cleanly (saving the
// detection state), and waits for it.
func (h *killHelper) stop(t *testing.T) {
	if h.cmd.ProcessState != nil {
		return
	}
	h.cmd.Process.Signal(syscall.SIGTERM)
	<-h.done
	if err := h.cmd.Wait(); err != nil {
		t.Fatalf("agent stopped by SIGTERM: %v; log:\n%s", err, h.log())
	}
}

func (h *killHelper) log() string { return h.logs.String() }

// TestKillHelper is the child of TestKillCatchUp: it runs the agent until
// killed, over the application log KILL_HELPER_PATH, after the audit log
// KILL_HELPER_AUDIT when that is set. SIGTERM stops it cleanly.
func TestKillHelper(t *testing.T) {
	url := os.Getenv("KILL_HELPER_URL")
	if url == "" {
		t.Skip("helper process for TestKillCatchUp")
	}
	var srcs []config.Source
	if audit := os.Getenv("KILL_HELPER_AUDIT"); audit != "" {
		srcs = append(srcs, config.Source{Type: "audit", Path: audit})
	}
	srcs = append(srcs, config.Source{Type: "application", Path: os.Getenv("KILL_HELPER_PATH")})
	c := newConfig(t, url, srcs...)
	c.StateDir = os.Getenv("KILL_HELPER_STATE")
	c.Tailer.CheckpointInterval = 20 * time.Millisecond
	if v := os.Getenv("KILL_HELPER_CHECKPOINT_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatal(err)
		}
		c.Tailer.CheckpointInterval = d
	}
	a, err := New(c, Options{Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
}
