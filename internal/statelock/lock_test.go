//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package statelock

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/blocktest"
)

// TestHelperHoldLock is not a test: run by TestKilledHolderDoesNotBlock as
// a child process, it takes the lock on $STATELOCK_DIR, says so and waits
// to be killed.
func TestHelperHoldLock(t *testing.T) {
	dir := os.Getenv("STATELOCK_DIR")
	if dir == "" {
		t.Skip("helper process only")
	}
	if _, err := Acquire(dir); err != nil {
		os.Stdout.WriteString("error: " + err.Error() + "\n")
		os.Exit(1)
	}
	os.Stdout.WriteString("locked\n")
	select {}
}

func TestSecondAcquireFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil || strings.TrimSpace(string(data)) != strconv.Itoa(os.Getpid()) {
		t.Errorf("lock file holds %q (%v), want this PID %d", data, err, os.Getpid())
	}
	_, err = Acquire(dir)
	if err == nil {
		t.Fatal("a second Acquire on a held state_dir succeeded")
	}
	for _, want := range []string{dir, filepath.Join(dir, FileName), "process " + strconv.Itoa(os.Getpid()), "--state-dir"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	l2.Release()
}

// TestKilledHolderDoesNotBlock: a process holding the lock is SIGKILLed;
// its lock file stays, but the next Acquire succeeds.
func TestKilledHolderDoesNotBlock(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldLock$")
	cmd.Env = append(os.Environ(), "STATELOCK_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "locked\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper said %q, want locked", line)
	}
	_, err = Acquire(dir)
	if err == nil || !strings.Contains(err.Error(), "process "+strconv.Itoa(cmd.Process.Pid)) {
		t.Errorf("Acquire while the helper %d holds the lock: %v, want an error naming its PID", cmd.Process.Pid, err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Fatalf("the killed helper's lock file is gone (%v); the test needs it left behind", err)
	}
	l, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after the holder was killed: %v", err)
	}
	l.Release()
}

// TestNotRegularLockFile: a directory or a FIFO in the lock file's place
// is refused, naming it and saying to remove it, without opening it (a
// FIFO blocked Acquire; a directory said only "is a directory": fresh-user
// trial 53).
func TestNotRegularLockFile(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(path string) error
	}{
		{"directory", func(path string) error { return os.Mkdir(path, 0o700) }},
		{"FIFO", func(path string) error { return syscall.Mkfifo(path, 0o600) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			if err := tc.make(path); err != nil {
				t.Fatal(err)
			}
			err := blocktest.Within(t, 10*time.Second, "Acquire", func() error {
				l, err := Acquire(dir)
				l.Release()
				return err
			})
			want := "state_dir " + dir + ": " + path + " is not a regular file (mode "
			if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "remove it (the lock file is created again)") {
				t.Errorf("err = %v\nwant %s... remove it", err, want)
			}
		})
	}
}

// TestHeld: Held reports the lock taken by Acquire, and nothing else; it
// creates no lock file where none is.
func TestHeld(t *testing.T) {
	dir := t.TempDir()
	if Held(dir) {
		t.Error("held without a lock file")
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); !os.IsNotExist(err) {
		t.Errorf("Held created the lock file (stat: %v)", err)
	}
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !Held(dir) {
		t.Error("not held while Acquire holds it")
	}
	l.Release()
	if Held(dir) {
		t.Error("held after Release")
	}
	if l, err := Acquire(dir); err != nil {
		t.Errorf("Acquire after Held: %v", err)
	} else {
		l.Release()
	}
}
