//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStateFilesUnreadableAsNobody: after a run as root, whose
// checkpoints and detection state only root may read, check as the
// agent's user (nobody here) reports a problem naming the files and the
// chown to run, and run refuses to start, rather than take the
// checkpoints as none and send the files again from the start, or skip
// what was written while it was stopped (fresh-user trial 61: 3 lines of
// a start_at: end source lost, the audit log sent again).
func TestStateFilesUnreadableAsNobody(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the binary as another user")
	}
	base, bin, state := nobodyBuild(t)
	data, err := os.ReadFile(filepath.Join(samples, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	audit := writeFile(t, filepath.Join(base, "audit_json.log"), string(data))
	if err := os.Chmod(audit, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, filepath.Join(base, "config.yaml"), fmt.Sprintf("state_dir: %s\nforward: {url: stdout}\nsources:\n  - {type: audit, path: %q}\n", state, audit))
	if err := os.Chmod(cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(nobody bool, args ...string) (stdout, stderr string, code int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		if nobody {
			asNobody(cmd)
		}
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		cmd.Run()
		if ctx.Err() != nil {
			t.Fatalf("%v did not end within 60s; stderr:\n%s", args, errOut.String())
		}
		return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
	}
	if _, stderr, code := run(false, "run", "--config", cfg, "--once"); code != 0 {
		t.Fatalf("the run as root: exit status %d; stderr:\n%s", code, stderr)
	}
	// As when the service made the directory: the files in it are root's.
	if err := os.Chmod(filepath.Join(state, "detect"), 0o777); err != nil {
		t.Fatal(err)
	}
	const want = "cannot be read by user nobody (permission denied): "
	stdout, _, code := run(true, "check", "--config", cfg)
	if code != 1 || !strings.Contains(stdout, want) || !strings.Contains(stdout, "chown -R nobody: "+state) {
		t.Errorf("check as nobody: exit status %d, want 1 and a problem with %q and the chown:\n%s", code, want, stdout)
	}
	sent, stderr, code := run(true, "run", "--config", cfg, "--once")
	if code != 1 || !strings.Contains(stderr, want) || sent != "" {
		t.Errorf("run as nobody: exit status %d, %d bytes sent; want 1, nothing sent and %q:\n%s", code, len(sent), want, stderr)
	}

	// The agent's state_dir belongs to its user: check as root says that
	// its verdict is root's, and check as that user says what run does
	// with a log it may not read (fresh-user trial 61).
	own := filepath.Join(base, "own")
	if err := os.Mkdir(own, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(own, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	secret := writeFile(t, filepath.Join(base, "secret", "audit_json.log"), string(data))
	if err := os.Chmod(filepath.Dir(secret), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(secret, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg2 := writeFile(t, filepath.Join(base, "config2.yaml"), fmt.Sprintf("state_dir: %s\nforward: {url: stdout}\nsources:\n  - {type: audit, path: %q}\n", own, secret))
	if err := os.Chmod(cfg2, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _, code := run(false, "check", "--config", cfg2); code != 0 || !strings.Contains(out, "state_dir "+own+" belongs to user nobody, not to the user check runs as") || !strings.Contains(out, "sudo -u nobody gitlab-syslog check --config "+cfg2) {
		t.Errorf("check as root of nobody's state_dir: exit status %d, want 0 and a warning:\n%s", code, out)
	}
	if out, _, code := run(true, "check", "--config", cfg2); code != 1 || !strings.Contains(out, "permission denied") || !strings.Contains(out, unreadableNote) || strings.Contains(out, "belongs to user") {
		t.Errorf("check as nobody of a log only root may read: exit status %d, want 1 and the problem with what run does:\n%s", code, out)
	}

	// Files of the agent's own user whose mode lets it read nothing: the
	// fix is chmod, not chown, and the detection state's unreadable file
	// is not also a warning that run starts all the same (fresh-user
	// trial 62).
	mine := filepath.Join(base, "mine")
	if err := os.Mkdir(mine, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(mine, 0o777); err != nil {
		t.Fatal(err)
	}
	cfg3 := writeFile(t, filepath.Join(base, "config3.yaml"), fmt.Sprintf("state_dir: %s\nforward: {url: stdout}\nsources:\n  - {type: audit, path: %q}\n", mine, audit))
	if err := os.Chmod(cfg3, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := run(true, "run", "--config", cfg3, "--once"); code != 0 {
		t.Fatalf("the run as nobody: exit status %d; stderr:\n%s", code, stderr)
	}
	positions := filepath.Join(mine, "detect", "_positions.json")
	if err := os.Chmod(positions, 0); err != nil {
		t.Fatal(err)
	}
	out, _, code := run(true, "check", "--config", cfg3)
	if code != 1 || !strings.Contains(out, "They belong to user nobody, but their mode does not let it read them: chmod -R u+rwX "+mine) ||
		strings.Contains(out, "chown -R") || strings.Contains(out, "run starts all the same") {
		t.Errorf("check as nobody of its own unreadable state file: exit status %d, want 1, the chmod and neither a chown nor a warning that run starts:\n%s", code, out)
	}

	// A state_dir a run as root made, then given to nobody without its
	// files (chown, not chown -R): detect/ is not writable and the
	// checkpoint cannot be read. run names both in one error, as check
	// does; before, it named detect/ alone, and the checkpoint only at
	// the next start (fresh-user trial).
	given := filepath.Join(base, "given")
	cfg4 := writeFile(t, filepath.Join(base, "config4.yaml"), fmt.Sprintf("state_dir: %s\nforward: {url: stdout}\nsources:\n  - {type: audit, path: %q}\n", given, audit))
	if err := os.Chmod(cfg4, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := run(false, "run", "--config", cfg4, "--once"); code != 0 {
		t.Fatalf("the run as root: exit status %d; stderr:\n%s", code, stderr)
	}
	if err := os.Chown(given, 65534, -1); err != nil {
		t.Fatal(err)
	}
	wants := []string{
		"detections: state directory " + filepath.Join(given, "detect") + ": creating a file in it failed: permission denied",
		cfg4 + ":1: state_dir: 2 state files cannot be read by user nobody (permission denied): ",
		"chown -R nobody: " + given,
	}
	out, _, code = run(true, "check", "--config", cfg4)
	for _, want := range wants {
		if code != 1 || !strings.Contains(out, want) {
			t.Errorf("check as nobody of a state_dir given without its files: exit status %d, want 1 and %q:\n%s", code, want, out)
		}
	}
	sent, stderr, code = run(true, "run", "--config", cfg4, "--once")
	for _, want := range wants {
		if code != 1 || sent != "" || !strings.Contains(stderr, want) {
			t.Errorf("run as nobody of a state_dir given without its files: exit status %d, %d bytes sent; want 1, nothing sent and, with every problem check lists, %q:\n%s", code, len(sent), want, stderr)
		}
	}
}

// TestOtherOwnerRunWarning: run by hand as root on the service user's
// state_dir warns that the service then refuses to start until the files
// are given back, which is what it does (fresh-user trial 284: the
// warning said it would send the files again).
func TestOtherOwnerRunWarning(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give the directory to another user")
	}
	dir := t.TempDir()
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	w := otherOwnerRun(dir)
	if !strings.Contains(w, "refuses to start until they are given back") || !strings.Contains(w, "chown -R") || strings.Contains(w, "send the files again") {
		t.Errorf("otherOwnerRun: %q", w)
	}
}
