//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestUnreadableAtStartKeepsCheckpoint: a log the agent's user cannot
// read when run starts (its mode changed while the agent was stopped) is
// waited for, and once readable is read from its checkpoint: only the
// lines written since go out. It was taken for no file at the path, its
// checkpoint dropped, and the whole file sent again (fresh-user trial
// 138), and the detection rules do not take it for a file rewritten in
// place. Permissions do not stop root, so the binary runs as nobody.
func TestUnreadableAtStartKeepsCheckpoint(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the binary as another user")
	}
	base, bin, state := nobodyBuild(t)
	var lines strings.Builder
	for i := range 20 {
		fmt.Fprintf(&lines, `{"severity":"INFO","time":"2024-05-31T14:32:%02d.108Z","message":"old %d"}`+"\n", i, i)
	}
	logPath := writeFile(t, filepath.Join(base, "application_json.log"), lines.String())
	if err := os.Chmod(logPath, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, filepath.Join(base, "config.yaml"), fmt.Sprintf("state_dir: %s\nforward: {url: stdout}\nsources:\n  - {type: application, path: %q}\n", state, logPath))
	if err := os.Chmod(cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	agent := func(args ...string) (*exec.Cmd, *syslogtest.Buffer, *syslogtest.Buffer) {
		cmd := asNobody(exec.Command(bin, args...))
		out, errOut := &syslogtest.Buffer{}, &syslogtest.Buffer{}
		cmd.Stdout, cmd.Stderr = out, errOut
		return cmd, out, errOut
	}
	first, out, errOut := agent("run", "--config", cfg, "--once")
	if err := first.Run(); err != nil || strings.Count(out.String(), "\n") != 20 {
		t.Fatalf("the first run: %v, %d lines sent, want 20; stderr:\n%s", err, strings.Count(out.String(), "\n"), errOut.String())
	}

	f, err := os.OpenFile(logPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, `{"severity":"INFO","time":"2024-05-31T14:33:00.108Z","message":"new"}`+"\n")
	f.Close()
	if err := os.Chmod(logPath, 0o000); err != nil {
		t.Fatal(err)
	}
	run, out, errOut := agent("run", "--config", cfg)
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	defer run.Process.Kill()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(errOut.String(), "permission denied") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := os.Chmod(logPath, 0o644); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(out.String(), `"message":"new"`) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // what else it would send
	run.Process.Signal(syscall.SIGTERM)
	run.Wait()
	sent := out.String()
	if n := strings.Count(sent, "\n"); n != 1 || !strings.Contains(sent, `"message":"new"`) {
		t.Errorf("%d lines sent after the file became readable, want the 1 written since the checkpoint:\n%s\nstderr:\n%s", n, sent, errOut.String())
	}
	if e := errOut.String(); strings.Contains(e, "no file is at the path now") || !strings.Contains(e, "permission denied") {
		t.Errorf("the log does not say the file could not be opened, or says it is gone:\n%s", e)
	}
	// Nor do the detections take it for a file rewritten (fresh-user
	// trial 139: "truncated or replaced in place while stopped").
	if e := errOut.String(); strings.Contains(e, "truncated or replaced in place") {
		t.Errorf("the detections say the file was replaced:\n%s", e)
	}
}

// TestCheckGlobUnreadableMatchAsNobody: check reports a file a glob
// matches that the agent's user cannot read as a problem, naming it, as
// it does a source path of its own; check said "valid" and run then
// could not open it (fresh-user trial 138).
func TestCheckGlobUnreadableMatchAsNobody(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the binary as another user")
	}
	base, bin, state := nobodyBuild(t)
	ok := writeFile(t, filepath.Join(base, "pods", "a", "0.log"), nonl+"\n")
	secret := writeFile(t, filepath.Join(base, "pods", "b", "0.log"), nonl+"\n")
	for _, p := range []string{filepath.Join(base, "pods"), filepath.Dir(ok), filepath.Dir(secret)} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(ok, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(secret, 0o600); err != nil {
		t.Fatal(err)
	}
	glob := filepath.Join(base, "pods", "*", "*.log")
	cfg := writeFile(t, filepath.Join(base, "config.yaml"), fmt.Sprintf("state_dir: %s\nforward: {url: stdout}\nsources:\n  - {type: application, path: %q}\n", state, glob))
	if err := os.Chmod(cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := asNobody(exec.Command(bin, "check", "--config", cfg))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Run()
	got := out.String()
	want := "source " + glob + ": a file it matches, " + secret + ": open " + secret + ": permission denied"
	if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(got, want) || !strings.Contains(got, "NOT READABLE: "+secret) || strings.Contains(got, "NOT READABLE: "+ok) {
		t.Errorf("check as nobody: exit status %d, want 1, %s alone not readable and the problem %q:\n%s", code, secret, want, got)
	}
}

// TestGlobDirUnlistableAsNobody: a glob whose directory the agent's user
// may enter but not list matches nothing; check reports it as a problem
// and run warns, then follows its files once it can list it. Both said
// nothing, and check said valid (fresh-user trial 139).
func TestGlobDirUnlistableAsNobody(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the binary as another user")
	}
	base, bin, state := nobodyBuild(t)
	f := writeFile(t, filepath.Join(base, "g", "a.log"), nonl+"\n")
	if err := os.Chmod(f, 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(f)
	if err := os.Chmod(dir, 0o711); err != nil { // searchable, not listable
		t.Fatal(err)
	}
	glob := filepath.Join(dir, "*.log")
	cfg := writeFile(t, filepath.Join(base, "config.yaml"), fmt.Sprintf("state_dir: %s\nforward: {url: stdout}\nsources:\n  - {type: application, path: %q}\n", state, glob))
	if err := os.Chmod(cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	check := asNobody(exec.Command(bin, "check", "--config", cfg))
	var out bytes.Buffer
	check.Stdout, check.Stderr = &out, &out
	check.Run()
	if want := "source " + glob + ": directory " + dir + " is not readable: permission denied: run cannot list it"; check.ProcessState.ExitCode() != 1 || !strings.Contains(out.String(), want) {
		t.Errorf("check as nobody: exit status %d, want 1 and %q:\n%s", check.ProcessState.ExitCode(), want, out.String())
	}

	run := asNobody(exec.Command(bin, "run", "--config", cfg))
	sent, log := &syslogtest.Buffer{}, &syslogtest.Buffer{}
	run.Stdout, run.Stderr = sent, log
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	defer run.Process.Kill()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(log.String(), "the glob's directory cannot be listed") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(log.String(), "the glob's directory cannot be listed") {
		t.Errorf("run logged no warning about the directory:\n%s", log.String())
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(sent.String(), `"message":"x"`) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	run.Process.Signal(syscall.SIGTERM)
	run.Wait()
	if !strings.Contains(sent.String(), `"message":"x"`) {
		t.Errorf("the file's line was not sent once the directory could be listed:\n%s\nlog:\n%s", sent.String(), log.String())
	}
}
