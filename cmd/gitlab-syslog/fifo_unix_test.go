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
	fifo := filepath.Join(t.TempDir(), "indicators")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		// Written after the reader took the pipe's stamp, in a later
		// tick of the file system's clock, as a feed job writes: the
		// pipe's modification time moves.
		time.Sleep(100 * time.Millisecond)
		f.WriteString("198.51.100.77\n")
		f.Close()
	}()
	// The writer waits in its open before detect opens the pipe, which
	// does not wait for one (a pipe with no writer gives no data).
	time.Sleep(100 * time.Millisecond)
	done := make(chan error, 1)
	var stdout, stderr syslogtest.Buffer
	access := filepath.Join("..", "..", "testdata", "gitlab_access.log")
	go func() {
		done <- runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr,
			"detect", "--rule", "sentinel.ti_malicious_ip", "--param", "ti_file="+fifo, access)
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("detect: %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("detect still runs 30s after it started: it waits for the pipe's writer again")
	}
	if n := strings.Count(stdout.String(), `"rule":"sentinel.ti_malicious_ip"`); n != 1 {
		t.Errorf("%d alerts, want 1:\n%s\n%s", n, stdout.String(), stderr.String())
	}
}

// TestAgentTIFileFIFO: run --once and check with a config whose ti_file is
// a named pipe that one writer fills once end, naming the pipe and saying
// to write the indicators to a regular file: both read the file more than
// once (the config's check, then the engine), and the second open waited
// forever for a writer, deaf to SIGTERM (fresh-user trial 243).
func TestAgentTIFileFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "indicators")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	access := filepath.Join("..", "..", "testdata", "gitlab_access.log")
	cfg := writeFile(t, filepath.Join(dir, "config.yaml"), "state_dir: "+filepath.Join(dir, "state")+
		"\nforward:\n  url: stdout\nsources:\n  - {type: access, path: "+access+"}\n"+
		"detections:\n  rules:\n    sentinel.ti_malicious_ip:\n      ti_file: "+fifo+"\n")
	for _, args := range [][]string{{"run", "--config", cfg, "--once"}, {"check", "--config", cfg}} {
		t.Run(args[0], func(t *testing.T) {
			go func() { // one writer, as a feed job
				f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
				if err != nil {
					return
				}
				f.WriteString("198.51.100.77\n")
				f.Close()
			}()
			done := make(chan error, 1)
			var stdout, stderr syslogtest.Buffer
			go func() { done <- runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr, args...) }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatalf("%v still runs 30s after it started: it waits for the pipe's writer again", args)
			}
			if want := "a named pipe that gave no data"; !strings.Contains(stdout.String()+stderr.String(), want) {
				t.Errorf("%v does not say %q:\n%s\n%s", args, want, stdout.String(), stderr.String())
			}
		})
	}
}

// TestDetectTIParamFIFONoWriter: detect --param ti_file= a named pipe that
// nothing writes to ends with the rule's error saying to write the
// indicators to a regular file; the hint about the --param's file opened
// the pipe and waited forever for a writer (fresh-user trial 244).
func TestDetectTIParamFIFONoWriter(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "indicators")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	var stdout, stderr syslogtest.Buffer
	go func() {
		done <- runSendCollect(context.Background(), strings.NewReader(""), &stdout, &stderr,
			"detect", "--param", "ti_file="+fifo, filepath.Join("..", "..", "testdata", "gitlab_access.log"))
	}()
	select {
	case err := <-done:
		if want := "a named pipe that gave no data"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want one saying %q", err, want)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("detect still runs 30s after it started: it waits for the pipe's writer")
	}
}
