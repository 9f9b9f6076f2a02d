// Package permhint says why this process may not read a GitLab log and
// what to do about it.
package permhint

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// For returns, for a permission error err on path (a GitLab log, or
// another file gitlab-syslog reads), what denies it and what to do, as
// " (...)" to follow the error; "" when err is not a permission error.
func For(path string, err error) string {
	if a := Advice(path, err); a != "" {
		return " (" + a + ")"
	}
	return ""
}

// Advice is For without the brackets: what denies reading path and what
// to do, from the file's mode, its group and its directory's (groupHint)
// and the groups this process is in, else from where GitLab writes it;
// "" when err is not a permission error.
func Advice(path string, err error) string {
	if !errors.Is(err, os.ErrPermission) {
		return ""
	}
	if h := staleGroup(path); h != "" {
		return h
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o044 == 0 {
		// A group the user joins cannot help: the file itself is its
		// owner's, or no one's.
		if fi.Mode().Perm()&0o400 == 0 {
			return fmt.Sprintf("the file itself is mode %04o: not even its owner may read it; as its owner or root, make it readable by its owner and group, e.g. chmod u+r,g+r %s, and run gitlab-syslog as its owner or as a member of its group", fi.Mode().Perm(), path)
		}
		join := ""
		if gid, ok := fileGroup(fi); ok && !inGroup(gid) {
			join = fmt.Sprintf("; its group, %s, is not one this user is in: run gitlab-syslog as a member of the group the file is made readable to", groupName(gid))
		}
		return fmt.Sprintf("the file itself is mode %04o: only its owner may read it; make it group-readable, e.g. chmod g+r %s, or have GitLab write it so: gitlab-ctl reconfigure with logging['log_group'] set%s", fi.Mode().Perm(), path, join)
	}
	if h := groupHint(path); h != "" {
		return h
	}
	if d := closedDir(path); d != "" {
		if h := dirHint(d); h != "" {
			return h
		}
	}
	switch {
	case strings.Contains(path, "/nginx/"):
		return "the nginx log directory is group gitlab-www: add the user gitlab-syslog runs as to it (the service: SupplementaryGroups=gitlab-www)"
	case strings.Contains(path, "/gitlab-rails/"):
		return "set logging['log_group'] = 'gitlab-logs' in /etc/gitlab/gitlab.rb, run gitlab-ctl reconfigure, and add the user gitlab-syslog runs as to that group"
	case containerLog(path):
		return "the container runtime writes pod logs 0640 root:root under /var/log/pods: give the agent's container group 0, supplementalGroups: [0] in the pod's securityContext, as examples/kubernetes/daemonset.yaml does (or run it as root)"
	}
	return "run gitlab-syslog as a user that can read the file: one in its group, e.g. with sudo -u git, or root"
}

// closedDir returns the first directory on path, from the root, that
// this process may not enter (no search permission for its user, its
// groups or others), "" when there is none or it cannot be told.
func closedDir(path string) string {
	dirs := []string{}
	for d := filepath.Dir(filepath.Clean(path)); ; d = filepath.Dir(d) {
		dirs = append(dirs, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	for _, d := range slices.Backward(dirs) {
		fi, err := os.Stat(d)
		if err != nil {
			return ""
		}
		if !mayEnter(fi) {
			return d
		}
	}
	return ""
}

// mayEnter reports whether this process may search the directory fi
// describes, by its mode, owner and group (root may always).
func mayEnter(fi os.FileInfo) bool {
	uid, gid, ok := fileOwner(fi)
	m := fi.Mode().Perm()
	switch {
	case !ok || os.Geteuid() == 0:
		return true
	case uid == os.Geteuid():
		return m&0o100 != 0
	case inGroup(gid):
		return m&0o010 != 0
	}
	return m&0o001 != 0
}

// dirHint returns what denies entering the directory dir and what to do:
// its owner, group and mode; for one of GitLab's (a path with /gitlab),
// that gitlab-ctl reconfigure gives its log directories the log group;
// and, when its group (not root's) may enter it, to join that group and
// restart.
func dirHint(dir string) string {
	fi, err := os.Stat(dir)
	if err != nil {
		return ""
	}
	uid, gid, ok := fileOwner(fi)
	if !ok {
		return ""
	}
	h := fmt.Sprintf("the directory %s (owner %s, group %s, mode %04o) does not let this user in", dir, userName(uid), groupName(gid), fi.Mode().Perm())
	join := ""
	if gid != 0 && fi.Mode().Perm()&0o010 != 0 {
		join = ", or add the user gitlab-syslog runs as to group " + groupName(gid) + " and restart it"
	}
	if strings.Contains(dir, "/gitlab") {
		return h + ": give it a group this user is in and let the group in (gitlab-ctl reconfigure does, for GitLab's log directories, with logging['log_group'] set in /etc/gitlab/gitlab.rb)" + join
	}
	return h + ": let a group this user is in enter it (chgrp and chmod g+x), or others (chmod o+x)" + join
}

// userName returns the name of user uid, or its number when it has none.
func userName(uid int) string {
	id := strconv.Itoa(uid)
	if u, err := user.LookupId(id); err == nil {
		return u.Username
	}
	return id
}

// containerLog reports whether path is a Kubernetes node's container log:
// under /var/log/pods or /var/log/containers (symbolic links to the
// former), as the kubelet lays them out, also where the node's /var/log
// is mounted elsewhere (/host/var/log/pods).
func containerLog(path string) bool {
	return strings.Contains(path, "/var/log/pods/") || strings.Contains(path, "/var/log/containers/")
}

// groupHint returns, for path, which this process may not read, what
// denies it and what to do, from the groups of the file and of its
// directory and the groups this process is in: the file's group when this
// process is not in it while it is in the directory's (GitLab gives its
// logs the directory's group, logging['log_group'], at gitlab-ctl
// reconfigure: chgrp the file to it, or reconfigure), or, when it is in
// the file's group, the file's mode. It returns "" when the file can be
// looked at but none of these is the cause (a directory on the path, a
// file group this process is in with g+r): Advice's other advice stands
// then.
func groupHint(path string) string {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	gid, ok := fileGroup(fi)
	if !ok {
		return ""
	}
	dir, derr := os.Stat(filepath.Dir(path))
	dgid, dok := 0, false
	if derr == nil {
		dgid, dok = fileGroup(dir)
	}
	mode := fi.Mode().Perm()
	switch {
	case inGroup(gid) && mode&0o040 == 0:
		return fmt.Sprintf("%s is group %s, which this user is in, but its mode %04o does not let the group read it: chmod g+r %s",
			path, groupName(gid), mode, path)
	case !inGroup(gid) && dok && dgid != gid && inGroup(dgid) && mode&0o040 != 0:
		return fmt.Sprintf("%s is group %s, which this user is not in, while its directory is group %s, which this user is in: give the file the directory's group, chgrp %s %s; GitLab does so at gitlab-ctl reconfigure when logging['log_group'] is set, for the files it writes then",
			path, groupName(gid), groupName(dgid), groupName(dgid), path)
	}
	return ""
}

// staleGroup returns, when path or a directory on it has a group that
// lets its members in, which this process is not in while its user is
// (added since the process started: a process keeps the groups it started
// with, as after usermod -a -G), that the process must be restarted; ""
// otherwise.
func staleGroup(path string) string {
	u, err := user.Current()
	if err != nil {
		return ""
	}
	ids, err := u.GroupIds()
	if err != nil {
		return ""
	}
	return staleGroupOf(path, u.Username, ids)
}

// staleGroupOf is staleGroup for the user name whose groups, by id, are
// ids (os/user.User.GroupIds).
func staleGroupOf(path, name string, ids []string) string {
	for p := filepath.Clean(path); ; p = filepath.Dir(p) {
		if fi, err := os.Stat(p); err == nil {
			gid, ok := fileGroup(fi)
			want := os.FileMode(0o040) // read, for a file
			if fi.IsDir() {
				want = 0o010 // search
			}
			if ok && fi.Mode().Perm()&want != 0 && !inGroup(gid) && slices.Contains(ids, strconv.Itoa(gid)) {
				return fmt.Sprintf("%s is group %s, which the user %s is in but this process is not: it was added to the group after the process started, and a process keeps the groups it started with: restart it (systemctl restart gitlab-syslog)",
					p, groupName(gid), name)
			}
		}
		if d := filepath.Dir(p); d == p {
			return ""
		}
	}
}

// inGroup reports whether this process is in group gid: its effective
// group or a supplementary one.
func inGroup(gid int) bool {
	if os.Getegid() == gid {
		return true
	}
	gs, err := os.Getgroups()
	return err == nil && slices.Contains(gs, gid)
}

// groupName returns the name of group gid, or its number when it has none.
func groupName(gid int) string {
	id := strconv.Itoa(gid)
	if g, err := user.LookupGroupId(id); err == nil {
		return g.Name
	}
	return id
}
