package permhint

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPermHintOwnerOnly: a log whose own mode lets only its owner read it
// is told to be made group-readable, not to join a group, which cannot
// help (fresh-user trial 61: the log_group advice for a 0600 file).
func TestPermHintOwnerOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gitlab-rails")
	only := logFile(t, dir, "auth_json.log", 0o600)
	shared := logFile(t, dir, "audit_json.log", 0o640)
	none := logFile(t, dir, "application_json.log", 0)
	for _, tc := range []struct{ path, want, not string }{
		{only, "the file itself is mode 0600: only its owner may read it; make it group-readable, e.g. chmod g+r " + only, "log_group'] = 'gitlab-logs' in"},
		// Its owner may not either: u+r too (fresh-user trial 64).
		{none, "the file itself is mode 0000: not even its owner may read it; as its owner or root, make it readable by its owner and group, e.g. chmod u+r,g+r " + none + ", and run gitlab-syslog as its owner or as a member of its group", "only its owner"},
		{shared, "set logging['log_group'] = 'gitlab-logs' in /etc/gitlab/gitlab.rb", "the file itself"},
	} {
		got := For(tc.path, fs.ErrPermission)
		if !strings.Contains(got, tc.want) || strings.Contains(got, tc.not) {
			t.Errorf("For(%s) = %q, want %q and not %q", tc.path, got, tc.want, tc.not)
		}
	}
}

// TestPermHintGroups: a log the agent's user may not read is told apart
// by the groups of the file and of its directory (trial 230: a file of
// group git in a directory of group gitlab-logs, the user in the latter,
// was told to set log_group and join the group, both done already): a
// file of a group the user is not in, in a directory of a group it is
// in, is told to take the directory's group; a file of the user's group
// that the group may not read, to be made group-readable.
func TestPermHintGroups(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to give files groups this process is not in")
	}
	dir := filepath.Join(t.TempDir(), "gitlab-rails")
	mine := os.Getegid()
	other := logFile(t, dir, "application_json.log", 0o640)
	if err := os.Chown(other, 0, 65534); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 0, mine); err != nil {
		t.Fatal(err)
	}
	noGroupRead := logFile(t, dir, "audit_json.log", 0o604)
	if err := os.Chown(noGroupRead, 0, mine); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{other, "is group " + groupName(65534) + ", which this user is not in, while its directory is group " + groupName(mine) + ", which this user is in: give the file the directory's group, chgrp " + groupName(mine) + " " + other},
		{noGroupRead, "is group " + groupName(mine) + ", which this user is in, but its mode 0604 does not let the group read it: chmod g+r " + noGroupRead},
	} {
		got := For(tc.path, fs.ErrPermission)
		if !strings.Contains(got, tc.want) || strings.Contains(got, "log_group'] = 'gitlab-logs' in") {
			t.Errorf("For(%s) = %q, want %q and no log_group advice", tc.path, got, tc.want)
		}
	}
}

// logFile writes a one-line log named name in dir, creating dir, with
// mode perm, and returns its path.
func logFile(t *testing.T, dir, name string, perm os.FileMode) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("x\n"), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil { // past the umask
		t.Fatal(err)
	}
	return path
}

// TestPermHintContainerLog: a pod's log the agent may not read is told to
// get group 0, as the example DaemonSet does, not the Omnibus advice
// (fresh-user trial 266: "e.g. with sudo -u git").
func TestPermHintContainerLog(t *testing.T) {
	for _, path := range []string{
		"/var/log/pods/gitlab_webservice-0_0a1b/webservice/0.log",
		"/var/log/containers/webservice-0_gitlab_webservice-0123.log",
		"/host/var/log/pods/gitlab_webservice-0_0a1b/webservice/0.log",
	} {
		got := For(path, fs.ErrPermission)
		if !strings.Contains(got, "supplementalGroups: [0]") || strings.Contains(got, "sudo -u git") {
			t.Errorf("For(%s) = %q, want the pod's group 0 advice", path, got)
		}
	}
}

// TestPermHintStaleGroup: a directory on the path whose group the user is
// in, by the group database, while this process is not (the user added
// with usermod after the process started) is told to restart the process
// (fresh-user trial 268: the hint said to add the user to the group, done
// already).
func TestPermHintStaleGroup(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to give a directory a group this process is not in")
	}
	const gid = 65534
	if inGroup(gid) {
		t.Skip("this process is in group 65534")
	}
	dir := filepath.Join(t.TempDir(), "gitlab-rails")
	log := logFile(t, dir, "audit_json.log", 0o640)
	if err := os.Chown(dir, 0, gid); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	got := staleGroupOf(log, "gitlab-syslog", []string{"992", strconv.Itoa(gid)})
	if want := dir + " is group " + groupName(gid) + ", which the user gitlab-syslog is in but this process is not"; !strings.Contains(got, want) || !strings.Contains(got, "restart it") {
		t.Errorf("staleGroupOf = %q, want %q ... restart it", got, want)
	}
	if got := staleGroupOf(log, "gitlab-syslog", []string{"992"}); got != "" {
		t.Errorf("staleGroupOf for a user not in the group = %q, want none", got)
	}
}
