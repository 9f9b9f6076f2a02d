//go:build linux

package main

import (
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testInstall installs the .deb on this machine with dpkg -i, runs the
// installed binary, checks the user, groups, state directory and modes,
// verifies the unit with systemd-analyze, upgrades to another build, then
// removes (config and state stay) and purges (both gone) the package.
func testInstall(t *testing.T, b built) {
	removeInterrupted(t)
	if out, err := shErr("dpkg-query", "-W", "gitlab-syslog"); err == nil {
		t.Fatalf("gitlab-syslog is already installed here (%s): this test installs and purges it; remove it first with dpkg -P gitlab-syslog", strings.TrimSpace(out))
	}
	_, userErr := user.Lookup("gitlab-syslog")
	writeInstallMarker(t)
	if userErr != nil {
		markCreated(t, "user")
	}
	t.Cleanup(func() {
		shErr("dpkg", "-P", "gitlab-syslog")
		if userErr != nil { // created by this test's install
			removeUser()
		}
		os.Remove(installMarker)
	})
	logGroup := gitlabGroups(t)

	out := sh(t, "dpkg", "-i", b.paths["deb"])
	if !strings.Contains(out, "systemctl restart gitlab-syslog") {
		t.Errorf("dpkg -i does not tell how to apply a changed config:\n%s", out)
	}
	// Enabled at boot, even without systemd running (the symlink).
	const wants = "/etc/systemd/system/multi-user.target.wants/gitlab-syslog.service"
	if target, err := os.Readlink(wants); err != nil || target != "/lib/systemd/system/gitlab-syslog.service" {
		t.Errorf("not enabled after install: %s -> %q (%v)", wants, target, err)
	}
	if v := sh(t, "/usr/bin/gitlab-syslog", "version"); !strings.Contains(v, "0.1.0") || !strings.Contains(v, b.opts.revision) || !strings.Contains(v, b.opts.date.Format(time.RFC3339)) {
		t.Errorf("installed version %q lacks 0.1.0, revision %s or its time %s", v, b.opts.revision, b.opts.date.Format(time.RFC3339))
	}

	u, err := user.Lookup("gitlab-syslog")
	if err != nil {
		t.Fatalf("no gitlab-syslog user after install: %v", err)
	}
	pw := sh(t, "getent", "passwd", "gitlab-syslog")
	if f := strings.Split(strings.TrimSpace(pw), ":"); len(f) != 7 || f[5] != stateDir || !strings.HasSuffix(f[6], "/nologin") {
		t.Errorf("passwd entry %q: want home %s and a nologin shell", pw, stateDir)
	}
	if uid, _ := strconv.Atoi(u.Uid); uid >= 1000 {
		t.Errorf("gitlab-syslog has uid %d: not a system user", uid)
	}
	groups := strings.Fields(sh(t, "id", "-nG", "gitlab-syslog"))
	for _, g := range []string{"gitlab-syslog", "gitlab-www", logGroup} {
		if !slices.Contains(groups, g) {
			t.Errorf("gitlab-syslog is not in group %s (groups %v)", g, groups)
		}
	}

	for _, m := range []struct {
		path         string
		mode         os.FileMode
		owner, group string
	}{
		{"/usr/bin/gitlab-syslog", 0o755, "root", "root"},
		{"/lib/systemd/system/gitlab-syslog.service", 0o644, "root", "root"},
		{"/etc/gitlab-syslog", 0o755 | os.ModeDir, "root", "root"},
		{configPath, 0o640, "root", "gitlab-syslog"},
		{stateDir, 0o750 | os.ModeDir, "gitlab-syslog", "gitlab-syslog"},
		{"/usr/share/man/man1/gitlab-syslog-run.1.gz", 0o644, "root", "root"},
		{"/usr/share/bash-completion/completions/gitlab-syslog", 0o644, "root", "root"},
	} {
		checkMode(t, m.path, m.mode, m.owner, m.group)
	}

	// check as root and as the service's user, the way ExecStartPre runs it.
	for _, asUser := range []bool{false, true} {
		args := []string{"/usr/bin/gitlab-syslog", "check", "--config", configPath}
		if asUser {
			args = append([]string{"setpriv", "--reuid", "gitlab-syslog", "--regid", "gitlab-syslog", "--init-groups"}, args...)
		}
		out := sh(t, args[0], args[1:]...)
		for _, w := range []string{configPath + ": valid", "state_dir:  " + stateDir + " (configured): writable"} {
			if !strings.Contains(out, w) {
				t.Errorf("%v output lacks %q:\n%s", args, w, out)
			}
		}
	}
	verifyUnit(t, "/lib/systemd/system/gitlab-syslog.service")

	// Upgrade: the changed config and the checkpoints survive.
	const local = "\n# changed by the administrator\n"
	appendFile(t, configPath, local)
	checkpoint := filepath.Join(stateDir, "test-checkpoint")
	if err := os.WriteFile(checkpoint, []byte("1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	next := buildPackages(t, "v0.1.1", runtime.GOARCH)
	sh(t, "dpkg", "--force-confold", "-i", next.paths["deb"])
	if v := sh(t, "/usr/bin/gitlab-syslog", "version"); !strings.Contains(v, "0.1.1") {
		t.Errorf("after the upgrade: version %q", v)
	}
	mustContain(t, configPath, local)
	mustExist(t, checkpoint)

	// remove: program gone, config and state kept.
	sh(t, "dpkg", "-r", "gitlab-syslog")
	for _, p := range []string{"/usr/bin/gitlab-syslog", "/lib/systemd/system/gitlab-syslog.service", "/usr/share/man/man1/gitlab-syslog.1.gz"} {
		mustNotExist(t, p)
	}
	mustContain(t, configPath, local)
	mustExist(t, checkpoint)
	if _, err := os.Lstat(wants); err != nil {
		t.Errorf("dpkg -r removed the enablement (%v): Debian keeps it until purge", err)
	}
	if st := sh(t, "dpkg-query", "-W", "-f", "${Status}", "gitlab-syslog"); st != "deinstall ok config-files" {
		t.Errorf("after dpkg -r: status %q", st)
	}

	// purge: config and state gone; nothing of the package left.
	sh(t, "dpkg", "-P", "gitlab-syslog")
	for _, p := range []string{configDir, stateDir, wants} {
		mustNotExist(t, p)
	}
	if out, err := shErr("dpkg-query", "-W", "gitlab-syslog"); err == nil {
		t.Errorf("dpkg still knows the package after purge: %s", out)
	}
	for p := range debFiles(t, b.paths["deb"]) {
		mustNotExist(t, p)
	}
	// The system user stays, as Debian packages leave theirs (README).
	if _, err := user.Lookup("gitlab-syslog"); err != nil {
		t.Errorf("the gitlab-syslog user is gone after purge: %v", err)
	}

	testSystemdCalls(t, b.paths["deb"], next.paths["deb"])
}

// systemdScript runs the rest of its arguments in a mount namespace where
// systemd seems to run (/run/systemd/system exists on a private /run) and
// /usr/bin/systemctl is $1, a script that logs its arguments.
const systemdScript = `set -e
fake=$1; shift
mount -t tmpfs tmpfs /run
mkdir -p /run/systemd/system
mount --bind "$fake" /usr/bin/systemctl
exec "$@"
`

// testSystemdCalls repeats install, upgrade, remove and purge where systemd
// seems to run, and checks the systemctl calls of the maintainer scripts:
// enable and start on install, restart of the enabled service on upgrade,
// stop on removal (the enablement stays until purge, as in Debian).
func testSystemdCalls(t *testing.T, deb, next string) {
	need(t, "unshare and /usr/bin/systemctl (to stand in for a running systemd)", haveTool("unshare") && fileExists("/usr/bin/systemctl"))
	dir := t.TempDir()
	log := filepath.Join(dir, "calls")
	fake := filepath.Join(dir, "systemctl")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho \"$*\" >> "+log+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		args []string
		want []string
	}{
		{[]string{"-i", deb}, []string{"daemon-reload", "enable gitlab-syslog.service", "start gitlab-syslog.service"}},
		{[]string{"--force-confold", "-i", next}, []string{"daemon-reload", "is-enabled --quiet gitlab-syslog.service", "restart gitlab-syslog.service"}},
		{[]string{"-r", "gitlab-syslog"}, []string{"stop gitlab-syslog.service", "daemon-reload"}},
		{[]string{"-P", "gitlab-syslog"}, []string{"daemon-reload"}},
	} {
		os.Remove(log)
		sh(t, "unshare", append([]string{"--mount", "--propagation", "private", "--", "sh", "-c", systemdScript, "sh", fake, "dpkg"}, step.args...)...)
		data, _ := os.ReadFile(log)
		got := strings.Split(strings.TrimSpace(string(data)), "\n")
		if !slices.Equal(got, step.want) {
			t.Errorf("dpkg %v with systemd running called systemctl %q, want %q", step.args, got, step.want)
		}
	}
	mustNotExist(t, stateDir)
}

// installMarker exists while testInstall has, or may have, the package
// installed: it holds the test's pid, "user" when the install creates the
// gitlab-syslog user and "group NAME" for each group gitlabGroups
// creates, one to a line. A run killed before its cleanup (a CI job
// stopped by a timeout) leaves it, and the next run removes what that run
// left instead of refusing a machine that only a test changed.
const installMarker = "/var/tmp/gitlab-syslog-install-test"

// writeInstallMarker writes installMarker for this process, naming
// nothing created yet (see markCreated).
func writeInstallMarker(t *testing.T) {
	if err := os.WriteFile(installMarker, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		t.Fatalf("writing %s, the mark of this test's install: %v", installMarker, err)
	}
}

// markCreated adds a line to installMarker: what this run created and
// an interrupted run's successor removes.
func markCreated(t *testing.T, what string) {
	f, err := os.OpenFile(installMarker, os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(what + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Fatalf("adding %q to %s: %v", what, installMarker, err)
	}
}

// removeInterrupted purges the package, and the user it created, that an
// earlier run of this test left when it was killed: installMarker names a
// process that no longer runs. A marker of a running test process (two
// test runs on one machine) stops this test, as the two would remove each
// other's package.
func removeInterrupted(t *testing.T) {
	data, err := os.ReadFile(installMarker)
	if err != nil {
		return
	}
	first, _, _ := strings.Cut(string(data), "\n")
	pid, _ := strconv.Atoi(first)
	if pid > 0 && pid != os.Getpid() {
		if cmd, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); err == nil && strings.Contains(string(cmd), ".test") {
			t.Fatalf("another test process (pid %d, %s) is installing gitlab-syslog here (%s): run one test run at a time on a machine", pid, installMarker, strings.ReplaceAll(string(cmd), "\x00", " "))
		}
	}
	t.Logf("removing what an interrupted run of this test left (%s, pid %d): the package and the user and groups it made", installMarker, pid)
	if out, err := shErr("dpkg", "-P", "gitlab-syslog"); err != nil {
		t.Fatalf("dpkg -P gitlab-syslog: %v\n%s", err, out)
	}
	for _, l := range strings.Split(string(data), "\n")[1:] {
		if l == "user" {
			removeUser()
		} else if g, ok := strings.CutPrefix(l, "group "); ok {
			shErr("groupdel", g)
		}
	}
	if err := os.Remove(installMarker); err != nil {
		t.Fatal(err)
	}
}

// removeUser deletes the gitlab-syslog user and group that the package's
// install created.
func removeUser() {
	shErr("userdel", "gitlab-syslog")
	shErr("groupdel", "gitlab-syslog")
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// gitlabGroups makes this machine look like a GitLab host for the
// postinst: groups gitlab-www and a log group named in
// /etc/gitlab/gitlab.rb by logging['log_group']. It returns the log group.
func gitlabGroups(t *testing.T) string {
	const logGroup = "gsl-test-logs"
	if _, err := os.Stat("/etc/gitlab"); err == nil {
		// Only this test's own file, left by a run that was killed before
		// its cleanup, may be removed; a real GitLab host's may not.
		rb, _ := os.ReadFile("/etc/gitlab/gitlab.rb")
		entries, _ := os.ReadDir("/etc/gitlab")
		if len(entries) != 1 || !strings.Contains(string(rb), `"`+logGroup+`" # for the SIEM agent`) {
			t.Fatalf("/etc/gitlab exists: this test writes /etc/gitlab/gitlab.rb and must not run on a GitLab host")
		}
		t.Logf("removing /etc/gitlab/gitlab.rb left by an earlier run of this test")
		if err := os.RemoveAll("/etc/gitlab"); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range []string{"gitlab-www", logGroup} {
		if _, err := user.LookupGroup(g); err == nil {
			continue
		}
		sh(t, "groupadd", "--system", g)
		markCreated(t, "group "+g)
		t.Cleanup(func() { shErr("groupdel", g) })
	}
	if err := os.MkdirAll("/etc/gitlab", 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll("/etc/gitlab") })
	rb := "# gitlab.rb\n# logging['log_group'] = 'commented-out'\nlogging['log_directory'] = '/var/log/gitlab'\n  logging['log_group'] = \"" + logGroup + "\" # for the SIEM agent\n"
	if err := os.WriteFile("/etc/gitlab/gitlab.rb", []byte(rb), 0o600); err != nil {
		t.Fatal(err)
	}
	return logGroup
}

// verifyUnit runs systemd-analyze verify on the unit, and on a copy with a
// missing ExecStart binary to show that verify finds errors here.
func verifyUnit(t *testing.T, unit string) {
	t.Helper()
	need(t, "systemd-analyze (Debian package systemd)", haveTool("systemd-analyze"))
	out, err := shErr("systemd-analyze", "verify", unit)
	if err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("systemd-analyze verify %s: %v\n%s", unit, err, out)
	}
	data, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(t.TempDir(), "gitlab-syslog.service")
	bad := strings.ReplaceAll(string(data), "ExecStart=/usr/bin/gitlab-syslog", "ExecStart=/usr/bin/gitlab-syslog-missing")
	if err := os.WriteFile(broken, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := shErr("systemd-analyze", "verify", broken); err == nil {
		t.Errorf("systemd-analyze verify accepts a unit whose ExecStart does not exist, so it proves nothing here:\n%s", out)
	}
}

func checkMode(t *testing.T, path string, mode os.FileMode, owner, group string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Error(err)
		return
	}
	st := fi.Sys().(*syscall.Stat_t)
	u, _ := user.LookupId(strconv.Itoa(int(st.Uid)))
	g, _ := user.LookupGroupId(strconv.Itoa(int(st.Gid)))
	if fi.Mode() != mode || u == nil || u.Username != owner || g == nil || g.Name != group {
		t.Errorf("%s: %v uid %d gid %d, want %v %s:%s", path, fi.Mode(), st.Uid, st.Gid, mode, owner, group)
	}
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func mustContain(t *testing.T, path, s string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), s) {
		t.Errorf("%s lost the administrator's change %q (err %v)", path, s, err)
	}
}

func mustExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("%s is gone: %v", path, err)
	}
}

func mustNotExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Lstat(path); err == nil {
		t.Errorf("%s is still there", path)
	}
}
