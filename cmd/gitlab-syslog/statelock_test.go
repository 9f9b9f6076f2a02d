//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/agent"
	"github.com/gitlab-syslog/gitlab-syslog/internal/statelock"
)

// TestStateDirLocked: while the state_dir is locked (as a running agent
// holds it), run --once and detect --state-dir fail naming the lock file;
// once released, both run.
func TestStateDirLocked(t *testing.T) {
	// One directory each: detect refuses an agent's state_dir once run
	// wrote its checkpoints there (TestDetectStateDirErrors).
	state, dstate := t.TempDir(), t.TempDir()
	lk, err := statelock.Acquire(state)
	if err != nil {
		t.Fatal(err)
	}
	dlk, err := statelock.Acquire(dstate)
	if err != nil {
		t.Fatal(err)
	}
	lockFile, dlockFile := filepath.Join(state, statelock.FileName), filepath.Join(dstate, statelock.FileName)
	runArgs := []string{"--log-dir", "../../testdata", "--to", "stdout", "--once", "--state-dir", state}
	detectArgs := []string{"detect", "--state-dir", dstate, "../../testdata/audit_json.log"}
	if r := runCmd(t, runArgs...); r.err == nil || !strings.Contains(r.err.Error(), lockFile) || r.stdout != "" {
		t.Errorf("run with the state_dir locked: err %v, %d bytes sent; want an error naming %s and nothing sent", r.err, len(r.stdout), lockFile)
	}
	if _, err := execute(t, detectArgs...); err == nil || !strings.Contains(err.Error(), dlockFile) {
		t.Errorf("detect with the state_dir locked: %v, want an error naming %s", err, dlockFile)
	}
	lk.Release()
	dlk.Release()
	if r := runCmd(t, runArgs...); r.err != nil || r.stdout == "" {
		t.Errorf("run after the lock was released: err %v, %d bytes sent", r.err, len(r.stdout))
	}
	if _, err := execute(t, detectArgs...); err != nil {
		t.Errorf("detect after the lock was released: %v", err)
	}
}

// TestStateDirInUseSaysWhy: the error for a locked state dir says what
// two processes on it would do wrong for the command that fails. run's
// is the agent's (both would send every line); detect's said that too
// (fresh-user trial 83, the holder being another detect, which sends
// nothing): it now says that each run saves its state over the other's,
// and to wait for the other run or give this one its own --state-dir.
func TestStateDirInUseSaysWhy(t *testing.T) {
	agentSays := "two agents on one state_dir would both send every line. Stop the other agent (or run this one with its own --state-dir / state_dir)"
	for _, tc := range []struct {
		name    string
		args    func(dir string) []string
		want    []string
		notWant string
	}{
		{"run", func(dir string) []string {
			return []string{"run", "--log-dir", "../../testdata", "--to", "stdout", "--once", "--state-dir", dir}
		}, []string{agentSays}, ""},
		{"detect", func(dir string) []string {
			return []string{"detect", "--state-dir", dir, "../../testdata/audit_json.log"}
		}, []string{
			"detect: --state-dir DIR is in use: process PID holds its lock DIR/lock, most likely another detect run with this --state-dir. " +
				"Two runs on one --state-dir each start from the state saved there and save their own over it when they end: what the one that ends first folded is lost " +
				"(a later run reads those lines again and raises their alerts again), and lines both read raise their alerts in both. " +
				"Wait for that run to end, or give this one its own --state-dir",
		}, "two agents"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			lk, err := statelock.Acquire(dir) // as the other process holds it
			if err != nil {
				t.Fatal(err)
			}
			defer lk.Release()
			_, err = execute(t, tc.args(dir)...)
			if err == nil {
				t.Fatal("no error with the state dir locked")
			}
			for _, w := range tc.want {
				w = strings.NewReplacer("DIR", dir, "PID", strconv.Itoa(os.Getpid())).Replace(w)
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%s\nwant\n%s", err, w)
				}
			}
			if tc.notWant != "" && strings.Contains(err.Error(), tc.notWant) {
				t.Errorf("error %q says %q", err, tc.notWant)
			}
		})
	}
}

// TestDetectStateDirErrors: a --state-dir detect cannot use (a file, a
// path under a file, an agent's state_dir, which detect would make the
// agent skip lines for its rules, the detection state in it) is named with
// the flag, the cause and what to do.
func TestDetectStateDirErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	agentDir := filepath.Join(dir, "agent") // run's state_dir: a checkpoint
	if err := os.MkdirAll(agentDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(agentDir, "tail-0123456789abcdef.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(dir, "fresh") // run's state_dir before it read a file: the detection positions only
	if err := os.MkdirAll(filepath.Join(fresh, "detect"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fresh, "detect", agent.PositionsFile), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link") // a link to that agent's detection state
	if err := os.Symlink(filepath.Join(fresh, "detect"), link); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, dir, want string }{
		{"an agent's state_dir before it read a file", fresh, "detect: --state-dir " + fresh + " is an agent's state_dir (it holds the agent's detection positions, detect/_positions.json): the agent would refuse it once detect used it"},
		{"a link to an agent's detection state", link, "detect: --state-dir " + link + " is the detection state of an agent (it holds the agent's _positions.json)"},
		{"a file", file, "detect: --state-dir " + file + " is a file, not a directory: give a directory (it is created if missing), or leave --state-dir out for a temporary one"},
		{"an agent's state_dir", agentDir, "detect: --state-dir " + agentDir + " is an agent's state_dir (it holds the agent's file checkpoints, e.g. tail-0123456789abcdef.json): detect would record there the lines it reads as folded, the agent would then skip them for its rules when it resumes, and their alerts would never reach the collector; give detect a directory of its own, or leave --state-dir out for a temporary one"},
		{"an agent's detection state", filepath.Join(agentDir, "detect") + "/", "detect: --state-dir " + filepath.Join(agentDir, "detect") + "/ is the detection state of the agent whose state_dir is " + agentDir + ": detect would leave its own files among the agent's; give detect a directory of its own, or leave --state-dir out for a temporary one"},
		{"under a file", filepath.Join(file, "state"), "detect: --state-dir: state_dir " + filepath.Join(file, "state") + ": mkdir " + file + ": not a directory; give a directory (it is created if missing), or leave --state-dir out for a temporary one"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := &detectOptions{format: "json", stateDir: tt.dir}
			var stdout, stderr bytes.Buffer
			err := runDetect(context.Background(), o, []string{"../../testdata/audit_json.log"}, strings.NewReader(""), &stdout, &stderr)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant %s", err, tt.want)
			}
		})
	}
}

// TestRunRefusesDetectStateDir: run refuses a state_dir that a detect
// --state-dir run used: the engine's state there holds the lines detect
// folded, which the agent's rules would skip, and nothing is sent; check
// reports it as a problem at the state_dir line.
func TestRunRefusesDetectStateDir(t *testing.T) {
	state := t.TempDir()
	if _, err := execute(t, "detect", "--state-dir", state, "../../testdata/audit_json.log"); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(cfg, []byte("state_dir: "+state+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := execute(t, "check", "--config", cfg, "--log-dir", "../../testdata", "--to", "stdout")
	if want := cfg + ":1: state_dir: " + state + " was a detect --state-dir (it holds detect-rules)"; err == nil || !strings.Contains(out, want) {
		t.Errorf("check with detect's state dir: err %v; want the problem %q in:\n%s", err, want, out)
	}
	r := runCmd(t, "--log-dir", "../../testdata", "--to", "stdout", "--once", "--state-dir", state)
	if want := "--state-dir: " + state + " was a detect --state-dir (it holds detect-rules)"; r.err == nil || !strings.Contains(r.err.Error(), want) || r.stdout != "" {
		t.Errorf("run with detect's state dir: err %v, %d bytes sent; want %q and nothing sent", r.err, len(r.stdout), want)
	}
}

// TestRunRefusesAgentDetectionState: run refuses as its state_dir the
// detection state of another agent (state_dir/detect: it holds that
// agent's _positions.json), and check reports it at the state_dir line
// with its status, as detect --state-dir refuses it (fresh-user trial 53:
// run wrote its lock and checkpoints among the agent's files).
func TestRunRefusesAgentDetectionState(t *testing.T) {
	agentDir := t.TempDir()
	if r := runCmd(t, "--log-dir", "../../testdata", "--to", "stdout", "--once", "--state-dir", agentDir); r.err != nil {
		t.Fatal(r.err)
	}
	state := filepath.Join(agentDir, "detect")
	cfg := writeFile(t, filepath.Join(t.TempDir(), "c.yaml"), "state_dir: "+state+"\n")
	const why = " is the detection state of an agent (it holds the agent's _positions.json): run would keep its checkpoints and another detection state among that agent's files; give run a state_dir of its own"
	out, err := execute(t, "check", "--config", cfg, "--log-dir", "../../testdata", "--to", "stdout")
	if want := cfg + ":1: state_dir: " + state + why; err == nil || !strings.Contains(out, want) || !strings.Contains(out, state+" (configured): AN AGENT'S DETECTION STATE\n") {
		t.Errorf("check with an agent's detection state: err %v; want the problem %q and the status in:\n%s", err, want, out)
	}
	before, err := os.ReadDir(state)
	if err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, "--log-dir", "../../testdata", "--to", "stdout", "--once", "--state-dir", state)
	if want := "--state-dir: " + state + why; r.err == nil || !strings.Contains(r.err.Error(), want) || r.stdout != "" {
		t.Errorf("run with an agent's detection state: err %v, %d bytes sent; want %q and nothing sent", r.err, len(r.stdout), want)
	}
	if after, _ := os.ReadDir(state); len(after) != len(before) {
		t.Errorf("run left files in the agent's detection state: %d entries, was %d", len(after), len(before))
	}
}

// TestDetectLocksWhileStdinWaits: detect --state-dir holds the lock of
// DIR while it waits for standard input's first bytes, so another run
// with DIR is refused meanwhile (trial 226: it was taken only once the
// bytes came, and a second run in between saved its state, which the
// first then read).
func TestDetectLocksWhileStdinWaits(t *testing.T) {
	dir := t.TempDir()
	pr, pw := io.Pipe()
	stdin := &firstRead{r: pr, reading: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		o := &detectOptions{stateDir: dir, format: "json"}
		done <- runDetect(context.Background(), o, []string{"audit:-"}, stdin, io.Discard, io.Discard)
	}()
	select {
	case <-stdin.reading: // detect waits for standard input's first bytes
	case err := <-done:
		t.Fatalf("detect ended before it read standard input: %v", err)
	}
	locked := false
	if lk, err := statelock.Acquire(dir); err != nil {
		locked = true
	} else {
		lk.Release()
	}
	pw.Close() // standard input ends: detect reads nothing and ends
	if err := <-done; err != nil {
		t.Fatalf("detect: %v", err)
	}
	if !locked {
		t.Error("DIR was not locked while detect waited for standard input")
	}
}

// firstRead is a reader of r that closes reading when it is first read.
type firstRead struct {
	r       io.Reader
	reading chan struct{}
	once    sync.Once
}

func (f *firstRead) Read(p []byte) (int, error) {
	f.once.Do(func() { close(f.reading) })
	return f.r.Read(p)
}
