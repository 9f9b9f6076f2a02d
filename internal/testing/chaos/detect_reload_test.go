package chaos

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestDetectReloadStalled: SIGHUP with a changed detections block while
// the collector has stopped reading (alerts wait for its acknowledgement,
// so the reload cannot save the engine's state before rebuilding it),
// then the collector reads again, the agent stops (SIGTERM) and a --once
// run finishes the file. The alerts must be those of an uninterrupted run,
// each triggered by the same event, and repeated only with their batch's
// lines (compareAlertRuns): the rebuilt engine neither loses what the
// running one had folded and raised nor folds a line twice.
func TestDetectReloadStalled(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and ships a 120,000-line file twice; not run with -short")
	}
	dir := t.TempDir()
	logPath := filepath.Join(dir, "application_json.log")
	byTime := writeDetectLog(t, logPath)

	ref := newAlertTally()
	col, err := syslogtest.Listen("127.0.0.1:0", ref.add)
	if err != nil {
		t.Fatal(err)
	}
	waitExit(t, runDetectAgent(t, detectConfig(t, mkdir(t, filepath.Join(dir, "ref")), col.Addr(), logPath), "--once"))
	ref.settle(t)
	col.Close()

	got := newAlertTally()
	got.delay = 3 * time.Millisecond
	var stall sync.RWMutex // held: the collector reads nothing
	col, err = syslogtest.Listen("127.0.0.1:0", func(m []byte) {
		stall.RLock()
		//lint:ignore SA2001 waits while the test holds stall
		stall.RUnlock()
		got.add(m)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	runDir := mkdir(t, filepath.Join(dir, "reloaded"))
	conf := detectConfig(t, runDir, col.Addr(), logPath)
	p := runDetectAgent(t, conf)
	defer p.Kill()
	if !waitUntil(time.Minute, func() bool { l, _ := got.snapshot(); return l >= detectLines/3 }) {
		t.Fatalf("a third of the file did not arrive within a minute:\n%s", syslogtest.Tail(p.Log(), 3000))
	}
	stall.Lock()
	c := fmt.Sprintf("state_dir: %s\nhostname: chaos\ncheckpoint_interval: 50ms\ndetections:\n  state_save_interval: 1s\n  rules:\n    falco.pat_created: {enabled: false}\nforward:\n  url: tcp://%s\nsources:\n  - {type: application, path: %s}\n",
		filepath.Join(runDir, "state"), col.Addr(), logPath)
	if err := os.WriteFile(conf, []byte(c), 0o644); err != nil {
		stall.Unlock()
		t.Fatal(err)
	}
	if err := p.Cmd.Process.Signal(syscall.SIGHUP); err != nil {
		stall.Unlock()
		t.Fatal(err)
	}
	rebuilt := waitUntil(time.Minute, func() bool { return strings.Contains(p.Log(), "reload: detections rebuilt") })
	atReload, alertsAtReload := got.snapshot()
	stall.Unlock()
	if !rebuilt {
		t.Fatalf("no rebuild after SIGHUP:\n%s", syslogtest.Tail(p.Log(), 3000))
	}
	if l := p.Log(); !strings.Contains(l[:strings.Index(l, "reload: detections rebuilt")], "detection state not saved") {
		t.Fatalf("the reload saved the state although the collector read nothing: this test needs it not to\n%s", syslogtest.Tail(l, 3000))
	}
	got.mu.Lock()
	got.delay = 0
	got.mu.Unlock()
	if !waitUntil(2*time.Minute, func() bool { got.mu.Lock(); defer got.mu.Unlock(); return len(got.lines) >= detectLines }) {
		t.Fatalf("the file did not arrive after the reload:\n%s", syslogtest.Tail(p.Log(), 3000))
	}
	p.Cmd.Process.Signal(syscall.SIGTERM)
	p.Wait(t, time.Minute)
	p2 := runDetectAgent(t, conf, "--once")
	waitExit(t, p2)
	got.settle(t)
	col.Close()
	t.Logf("reloaded after %d lines and %d alerts; agent log:\n%s", atReload, alertsAtReload, syslogtest.Tail(p.Log(), 2000))
	compareAlertRuns(t, ref, got, byTime)
}
