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
	"syscall"
	"testing"
	"time"
)

// mkfifo makes a named pipe at path.
func mkfifo(t *testing.T, path string) error {
	t.Helper()
	return syscall.Mkfifo(path, 0o644)
}

// unwritableDir returns a new directory and a function that makes it
// unwritable for this process. Root ignores permissions, so as root the
// directory is a tmpfs that lock remounts read-only (EROFS); otherwise lock
// sets its mode to 0500. As root without the right to mount, the test is
// skipped.
func unwritableDir(t *testing.T) (dir string, lock func()) {
	t.Helper()
	dir = t.TempDir()
	if os.Geteuid() != 0 {
		return dir, func() {
			if err := os.Chmod(dir, 0o500); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(dir, 0o700) })
		}
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("running as root, where permissions do not stop writes, and mounting a tmpfs to remount it read-only failed: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir, func() {
		if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
			t.Fatalf("remount %s read-only: %v", dir, err)
		}
	}
}

// nobodyBuild builds the binary into a new directory that every user may
// enter, for a test to run it as nobody, and makes a state directory there
// that every user may write. It returns the directory, the binary and the
// state directory.
func nobodyBuild(t *testing.T) (base, bin, state string) {
	t.Helper()
	base = t.TempDir()
	for _, d := range []string{filepath.Dir(base), base} { // t.TempDir makes them 0700
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin = buildBinary(t, base)
	state = filepath.Join(base, "state")
	if err := os.Mkdir(state, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(state, 0o777); err != nil { // whatever the umask
		t.Fatal(err)
	}
	return base, bin, state
}

// nobodyConfig writes body as base/config.yaml, readable by nobody (the
// test's umask aside), and returns its path.
func nobodyConfig(t *testing.T, base, body string) string {
	t.Helper()
	cfg := writeFile(t, filepath.Join(base, "config.yaml"), body)
	if err := os.Chmod(cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// asNobody makes cmd run as the user nobody (uid and gid 65534), whom
// file modes stop as they do not stop root; it returns cmd.
func asNobody(cmd *exec.Cmd) *exec.Cmd {
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	return cmd
}

// D.2, the real binary: a file the agent's user may not read ends
// run --once with exit status 1 and an error naming the file and the
// cause, with the advice check gives (trial 232: run's was shorter).
// Permissions do not stop root, so as root the binary runs as
// nobody (uid 65534) on a file only root may read.
func TestRunOnceUnreadableAsNobody(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the binary as another user; as another user TestRunOnceUnreadableSource covers it")
	}
	base, bin, state := nobodyBuild(t)
	secret := writeFile(t, filepath.Join(base, "secret.log"), nonl+"\n")
	if err := os.Chmod(secret, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, filepath.Join(base, "config.yaml"), fmt.Sprintf("sources:\n  - {type: application, path: %q}\n", secret))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := asNobody(exec.CommandContext(ctx, bin, "run", "--config", cfg, "--to", "stdout", "--once", "--state-dir", state))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("run --once as nobody did not end within 30s; stderr:\n%s", stderr.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("exit status %d (%v), want 1; stderr:\n%s", code, err, stderr.String())
	}
	want := "gitlab-syslog: --once: reading " + secret + " failed: tailer: cannot open " + secret + ": permission denied (the file itself is mode 0600: only its owner may read it; make it group-readable, e.g. chmod g+r " + secret + ", or have GitLab write it so: gitlab-ctl reconfigure with logging['log_group'] set; its group, root, is not one this user is in: run gitlab-syslog as a member of the group the file is made readable to)\n"
	if !strings.HasSuffix(stderr.String(), want) {
		t.Errorf("stderr does not end with %q:\n%s", want, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("sent %q", stdout.String())
	}
	// parse, send and detect give the same advice (trial 234: theirs
	// told to join the file's group, which cannot help a 0600 file), and
	// say that nobody is not in the file's group (trial 236).
	for _, args := range [][]string{{"parse", secret}, {"send", "--to", "stdout", secret}, {"detect", secret}} {
		out, err := asNobody(exec.Command(bin, args...)).CombinedOutput()
		if err == nil {
			t.Errorf("%s as nobody on %s succeeded", args[0], secret)
		}
		if want := "permission denied (the file itself is mode 0600: only its owner may read it; make it group-readable, e.g. chmod g+r " + secret; !strings.Contains(string(out), want) || !strings.Contains(string(out), "its group, root, is not one this user is in") {
			t.Errorf("%s as nobody: output does not hold %q:\n%s", args[0], want, out)
		}
	}
}

// TestDetectStateDirUnwritable: a --state-dir detect may not write says
// to make it writable, not to "give a directory" as for a missing one.
func TestDetectStateDirUnwritable(t *testing.T) {
	dir, lock := unwritableDir(t)
	lock()
	o := &detectOptions{format: "json", stateDir: dir}
	var stdout, stderr bytes.Buffer
	err := runDetect(context.Background(), o, []string{"../../testdata/audit_json.log"}, strings.NewReader(""), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "; make it writable by this user, give another directory, or leave --state-dir out for a temporary one") {
		t.Errorf("err = %v\nwant it to say to make %s writable", err, dir)
	}
}

// TestTIFileUnreadableAsNobody: check, run as a user who may not read
// the rule's ti_file, names the file and line, the cause and what to do
// (trial 217: it gave only "permission denied"), and says that run starts
// without it (trial 218: the rule's row said run would not start); run
// starts, and its error says to let the agent's user read the file. As
// root the binary runs as nobody on a file only root may read.
func TestTIFileUnreadableAsNobody(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the binary as another user")
	}
	base, bin, state := nobodyBuild(t)
	ti := writeFile(t, filepath.Join(base, "ti.txt"), "203.0.113.0/24\n")
	if err := os.Chmod(ti, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, filepath.Join(base, "config.yaml"), fmt.Sprintf("state_dir: %s\nsources:\n  - {type: access, path: /var/log/gitlab/nginx/gitlab_access.log}\n"+
		"detections:\n  rules:\n    sentinel.ti_malicious_ip:\n      ti_file: %s\n", state, ti))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := asNobody(exec.CommandContext(ctx, bin, "check", "--config", cfg)).CombinedOutput()
	if err == nil {
		t.Fatalf("check as nobody passed a ti_file nobody may read:\n%s", out)
	}
	want := "config.yaml:7: detections.rules.sentinel.ti_malicious_ip.ti_file: \"" + ti + "\": "
	advice := ": the user this runs as (uid 65534) may not read it, so run starts without it, and rule sentinel.ti_malicious_ip runs with no indicators and raises none of their alerts: let the user the agent runs as read it"
	if !strings.Contains(string(out), want) || !strings.Contains(string(out), advice) {
		t.Errorf("check's output lacks %q ... %q:\n%s", want, advice, out)
	}
	// Trial 218: the rule's row said "run would not start", but run
	// starts and runs the rule with no indicators, as for a missing file.
	if row := "its ti_file may not be read by this user: run would run it with NO INDICATORS"; !strings.Contains(string(out), row) {
		t.Errorf("check's rule row lacks %q:\n%s", row, out)
	}
	// run does start, and its error says what to do about permissions,
	// not to restore the file.
	access := writeFile(t, filepath.Join(base, "gitlab_access.log"), "")
	runOnce := func(name, tiFile string) []byte {
		cfg := writeFile(t, filepath.Join(base, name), fmt.Sprintf("sources:\n  - {type: access, path: %s}\n"+
			"detections:\n  rules:\n    sentinel.ti_malicious_ip:\n      ti_file: %s\n", access, tiFile))
		out, err := asNobody(exec.CommandContext(ctx, bin, "run", "--once", "--config", cfg, "--to", "stdout", "--state-dir", state)).CombinedOutput()
		if err != nil {
			t.Fatalf("run --once as nobody: %v\n%s", err, out)
		}
		return out
	}
	out = runOnce("run.yaml", ti)
	for _, hint := range []string{`hint="let the user the agent runs as read it (chmod o+r on the file`,
		"the lines read meanwhile are not matched again: to find their alerts, run gitlab-syslog detect --param ti_file=FILE over them"} {
		if !strings.Contains(string(out), hint) {
			t.Errorf("run's log lacks %q:\n%s", hint, out)
		}
	}
	// Trial 219: a file nobody may read is not what keeps run out when a
	// directory on its path is: run gives the advice for the directory,
	// as check does.
	locked := filepath.Join(base, "locked")
	if err := os.Mkdir(locked, 0o700); err != nil {
		t.Fatal(err)
	}
	out = runOnce("locked.yaml", writeFile(t, filepath.Join(locked, "ti.txt"), "203.0.113.0/24\n"))
	if hint := `hint="let the user the agent runs as read it (a directory on its path does not let that user in: chmod o+x on it`; !strings.Contains(string(out), hint) {
		t.Errorf("run's log lacks %q:\n%s", hint, out)
	}
}
