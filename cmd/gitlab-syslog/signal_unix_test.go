//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestInterruptWhileCollectorHangs: with a collector that reads nothing,
// Ctrl-C ends send within a second or two (it waited 30 s to flush), and
// a second signal ends run at once although its --shutdown-timeout is
// long: the first signal stops cleanly, the next one has its default
// action back.
func TestInterruptWhileCollectorHangs(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	line, err := os.ReadFile(filepath.Join(samples, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	logs := filepath.Join(dir, "logs")
	// About 40 MB: far more than the socket buffers hold.
	writeFile(t, filepath.Join(logs, "audit_json.log"), strings.Repeat(string(line), 3200))

	start := func(args ...string) (*exec.Cmd, *bytes.Buffer) {
		var stderr bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &stderr
	}
	waitExit := func(cmd *exec.Cmd, within time.Duration) (error, bool) {
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			return err, true
		case <-time.After(within):
			cmd.Process.Kill()
			<-done
			return nil, false
		}
	}

	t.Run("send, one Ctrl-C", func(t *testing.T) {
		cmd, stderr := start("send", "--to", syslogtest.Stalled(t), filepath.Join(logs, "audit_json.log"))
		time.Sleep(2 * time.Second) // connected, buffers full
		cmd.Process.Signal(os.Interrupt)
		err, exited := waitExit(cmd, 10*time.Second)
		if !exited {
			t.Fatalf("send still running 10s after Ctrl-C\n%s", stderr)
		}
		if err == nil || !strings.Contains(stderr.String(), "lines not sent") {
			t.Errorf("send after Ctrl-C: %v, want exit 1 and the count of lines not sent\n%s", err, stderr)
		}
		if !strings.Contains(stderr.String(), "gitlab-syslog: interrupted (SIGINT or SIGTERM)") {
			t.Errorf("send after Ctrl-C: want an error saying it was interrupted, not a bare context canceled\n%s", stderr)
		}
	})
	t.Run("run --once, SIGTERM", func(t *testing.T) {
		// Stopped before the end of its files, run --once says so and
		// fails: a backfill script must not take it for done (fresh-user
		// trial 120: it exited 0).
		cmd, stderr := start("run", "--log-dir", logs, "--to", syslogtest.Stalled(t), "--state-dir", filepath.Join(dir, "state-once"),
			"--once", "--shutdown-timeout", "1s")
		time.Sleep(2 * time.Second)
		cmd.Process.Signal(syscall.SIGTERM)
		err, exited := waitExit(cmd, 10*time.Second)
		if !exited {
			t.Fatalf("run --once still running 10s after SIGTERM\n%s", stderr)
		}
		if want := "gitlab-syslog: --once: interrupted (SIGINT or SIGTERM) before it finished; the checkpoints saved mark what was delivered: run again"; err == nil || !strings.Contains(stderr.String(), want) {
			t.Errorf("run --once after SIGTERM: %v, want exit 1 and %q\n%s", err, want, stderr)
		}
	})
	t.Run("run, SIGTERM then Ctrl-C", func(t *testing.T) {
		cmd, stderr := start("run", "--log-dir", logs, "--to", syslogtest.Stalled(t), "--state-dir", filepath.Join(dir, "state"),
			"--shutdown-timeout", "60s")
		time.Sleep(2 * time.Second)
		cmd.Process.Signal(syscall.SIGTERM)
		time.Sleep(500 * time.Millisecond)
		cmd.Process.Signal(os.Interrupt)
		err, exited := waitExit(cmd, 10*time.Second)
		if !exited {
			t.Fatalf("run still running 10s after a second signal (shutdown-timeout 60s)\n%s", stderr)
		}
		if err == nil {
			t.Errorf("run ended by a second signal exited 0\n%s", stderr)
		}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			if ws, ok := exit.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
				t.Errorf("run ended by a second Ctrl-C: %v, want it ended by SIGINT (the signal's default action)", err)
			}
		}
		// Fresh-user trial 259: it ended without a word.
		if want := "gitlab-syslog: second signal (interrupt) during the stop: exiting at once"; !strings.Contains(stderr.String(), want) {
			t.Errorf("run ended by a second signal: want %q on stderr\n%s", want, stderr)
		}
	})
}

// TestHangupWhileStarting: a SIGHUP that arrives while run is still
// starting (here: reading its configuration from a pipe that is not
// written yet) does not end the process, as a signal's default action
// would; run starts and then reloads the configuration.
func TestHangupWhileStarting(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	logs := filepath.Join(dir, "logs")
	line, err := os.ReadFile(filepath.Join(samples, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(logs, "audit_json.log"), string(line))
	var stderr syslogtest.Buffer
	cmd := exec.Command(bin, "run", "--config", "/dev/stdin", "--to", "stdout", "--state-dir", filepath.Join(dir, "state"))
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	time.Sleep(300 * time.Millisecond) // run waits for its configuration
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("run ended by a SIGHUP during its start: %v\n%s", err, stderr.String())
	default:
	}
	if _, err := stdin.Write([]byte("log_dir: " + logs + "\n")); err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(stderr.String(), "reloading configuration"); time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("run ended by a SIGHUP during its start: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("run did not reload within 20s of the SIGHUP it got while starting\n%s", stderr.String())
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after SIGTERM: %v, want exit 0\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("run still running 20s after SIGTERM\n%s", stderr.String())
	}
}

// TestNotifyReady: started by systemd with NOTIFY_SOCKET set (a unit of
// Type=notify), run says READY=1 once it is up, so that systemctl start
// returns and a systemctl reload waits until then (fresh-user trial 121:
// a SIGHUP in the process's first tens of milliseconds, before run can
// catch it, ended it).
func TestNotifyReady(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	t.Setenv("NOTIFY_SOCKET", sock)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syslogtest.Buffer
	done := make(chan error, 1)
	go func() {
		done <- runCmdContext(ctx, &out, &errOut, "--log-dir", samples, "--to", "stdout", "--state-dir", filepath.Join(dir, "state"))
	}()
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 256)
	n, err := conn.Read(buf)
	if err != nil {
		cancel()
		t.Fatalf("no sd_notify message within 20s: %v (run: %v)\n%s", err, <-done, errOut.String())
	}
	if got := string(buf[:n]); got != "READY=1" {
		t.Errorf("sd_notify message %q, want READY=1", got)
	}
	if !strings.Contains(errOut.String(), `"msg":"starting"`) {
		t.Errorf("READY=1 before run started:\n%s", errOut.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v\n%s", err, errOut.String())
	}
}
