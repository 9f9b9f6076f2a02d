//go:build unix

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestInputFIFOCancel: parse, send and detect given a named pipe that no
// program writes to (its open blocks until a writer comes) stop when
// their context is cancelled, as on the first Ctrl-C or SIGTERM, instead
// of waiting for a writer forever; detect does not call the input it cut
// short empty, beside the interrupt.
func TestInputFIFOCancel(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "audit_json.log")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, args := range [][]string{
		{"parse", fifo},
		{"send", "--to", "stdout", fifo},
		{"detect", fifo},
	} {
		t.Run(args[0], func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			done := make(chan error, 1)
			var stdout, stderr syslogtest.Buffer
			go func() { done <- runSendCollect(ctx, strings.NewReader(""), &stdout, &stderr, args...) }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), "context canceled") {
					t.Errorf("%v: err = %v, want context canceled", args, err)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%v still waits for the FIFO's writer 10s after the cancel", args)
			}
			if args[0] == "detect" && strings.Contains(stderr.String(), "is empty") {
				t.Errorf("an interrupted input called empty:\n%s", stderr.String())
			}
		})
	}
}

// TestDetectTIFileFIFO: detect with a ti_file that is a named pipe (or
// bash's <(cmd)) reads its indicators once and ends, with the alert of
// the matching line; before, the rule opened the pipe again when its
// modification time moved, and waited forever for a writer, deaf to
// SIGTERM (fresh-user trials 241 and 242).
func TestDetectTIFileFIFO(t *testing.T) {
	fifo := namedPipe(t, filepath.Join(t.TempDir(), "indicators"))
	// Written after the reader took the pipe's stamp, in a later tick of
	// the file system's clock, as a feed job writes: the pipe's
	// modification time moves.
	go writeOnce(fifo, 100*time.Millisecond)
	// The writer waits in its open before detect opens the pipe, which
	// does not wait for one (a pipe with no writer gives no data).
	time.Sleep(100 * time.Millisecond)
	access := filepath.Join("..", "..", "testdata", "gitlab_access.log")
	stdout, stderr, err := runWithin(t, "detect", "--rule", "sentinel.ti_malicious_ip", "--param", "ti_file="+fifo, access)
	if err != nil {
		t.Fatalf("detect: %v\n%s", err, stderr)
	}
	if n := strings.Count(stdout, `"rule":"sentinel.ti_malicious_ip"`); n != 1 {
		t.Errorf("%d alerts, want 1:\n%s\n%s", n, stdout, stderr)
	}
}

// TestAgentTIFileFIFO: run --once and check with a config whose ti_file is
// a named pipe that one writer fills once end, naming the pipe and saying
// to write the indicators to a regular file: both read the file more than
// once (the config's check, then the engine), and the second open waited
// forever for a writer, deaf to SIGTERM (fresh-user trial 243).
func TestAgentTIFileFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := namedPipe(t, filepath.Join(dir, "indicators"))
	access := filepath.Join("..", "..", "testdata", "gitlab_access.log")
	cfg := writeFile(t, filepath.Join(dir, "config.yaml"), "state_dir: "+filepath.Join(dir, "state")+
		"\nforward:\n  url: stdout\nsources:\n  - {type: access, path: "+access+"}\n"+
		"detections:\n  rules:\n    sentinel.ti_malicious_ip:\n      ti_file: "+fifo+"\n")
	for _, args := range [][]string{{"run", "--config", cfg, "--once"}, {"check", "--config", cfg}} {
		t.Run(args[0], func(t *testing.T) {
			go writeOnce(fifo, 0) // one writer, as a feed job
			stdout, stderr, _ := runWithin(t, args...)
			if want := "a named pipe that gave no data"; !strings.Contains(stdout+stderr, want) {
				t.Errorf("%v does not say %q:\n%s\n%s", args, want, stdout, stderr)
			}
		})
	}
}

// TestDetectTIParamFIFONoWriter: detect --param ti_file= a named pipe that
// nothing writes to ends with the rule's error saying to write the
// indicators to a regular file; the hint about the --param's file opened
// the pipe and waited forever for a writer (fresh-user trial 244).
func TestDetectTIParamFIFONoWriter(t *testing.T) {
	fifo := namedPipe(t, filepath.Join(t.TempDir(), "indicators"))
	_, _, err := runWithin(t, "detect", "--param", "ti_file="+fifo, filepath.Join("..", "..", "testdata", "gitlab_access.log"))
	if want := "a named pipe that gave no data"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want one saying %q", err, want)
	}
}

// namedPipe makes the named pipe path, skipping the test where it cannot
// (runonce_linux_test.go's mkfifo returns the error instead).
func namedPipe(t *testing.T, path string) string {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	return path
}

// writeOnce opens the named pipe fifo for writing (waiting for a reader),
// writes one indicator after delay, and closes it: a feed job's one write.
func writeOnce(fifo string, delay time.Duration) {
	f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		return
	}
	time.Sleep(delay)
	f.WriteString("198.51.100.77\n")
	f.Close()
}

// runWithin runs the command args (runSendCollect) and returns its
// standard output, standard error and error, failing the test when it
// still runs 30 s after it started: it waits for a pipe's writer.
func runWithin(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	done := make(chan error, 1)
	var out, errOut syslogtest.Buffer
	go func() { done <- runSendCollect(context.Background(), strings.NewReader(""), &out, &errOut, args...) }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%v still runs 30s after it started: it waits for the pipe's writer", args)
	}
	return out.String(), errOut.String(), err
}
