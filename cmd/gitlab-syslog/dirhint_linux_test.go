//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckClosedDirAsNobody: a source under a directory the agent's user
// may not enter is reported with that directory, its owner, group and
// mode, and for GitLab's log directories that gitlab-ctl reconfigure
// gives them the log group (fresh-user trial 268: the advice asked to set
// logging['log_group'] and join the group, both done already, when the
// directory had been given another group).
func TestCheckClosedDirAsNobody(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the binary as another user")
	}
	base, bin, state := nobodyBuild(t)
	rails := filepath.Join(base, "gitlab", "gitlab-rails")
	log := writeFile(t, filepath.Join(rails, "audit_json.log"), "")
	if err := os.Chmod(filepath.Dir(rails), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(rails, 0o750); err != nil { // root's group only
		t.Fatal(err)
	}
	cfg := nobodyConfig(t, base, fmt.Sprintf("state_dir: %s\nforward: {url: stdout}\nsources:\n  - {type: audit, path: %q}\n", state, log))
	out, _ := asNobody(exec.Command(bin, "check", "--config", cfg)).CombinedOutput()
	want := "the directory " + rails + " (owner root, group root, mode 0750) does not let this user in: give it a group this user is in and let the group in (gitlab-ctl reconfigure does"
	if !strings.Contains(string(out), want) || strings.Contains(string(out), "to group root") {
		t.Errorf("check as nobody: want %q, and no advice to join group root, in:\n%s", want, out)
	}
}

// TestCheckUnlistedDirAsNobody: a source whose file the agent's user may
// read in a directory it may enter but not list (0711) is warned about:
// after a rotation while run is stopped, run waits until it can list it
// (fresh-user trial 271: check said "ok, readable" and run waited).
func TestCheckUnlistedDirAsNobody(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the binary as another user")
	}
	base, bin, state := nobodyBuild(t)
	dir := filepath.Join(base, "logs")
	log := writeFile(t, filepath.Join(dir, "application_json.log"), `{"severity":"INFO","time":"2024-05-31T14:32:00.108Z","message":"x"}`+"\n")
	if err := os.Chmod(log, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o711); err != nil {
		t.Fatal(err)
	}
	cfg := nobodyConfig(t, base, fmt.Sprintf("state_dir: %s\nforward: {url: stdout}\nsources:\n  - {type: application, path: %q}\n", state, log))
	out, _ := asNobody(exec.Command(bin, "check", "--config", cfg)).CombinedOutput()
	if want := "ok, readable, 68 bytes; WARNING: " + dir + " cannot be listed by this user: after a rotation while run is stopped, run waits until it can"; !strings.Contains(string(out), want) {
		t.Errorf("check as nobody: want %q in:\n%s", want, out)
	}
}
