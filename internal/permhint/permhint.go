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
	switch {
	case strings.Contains(path, "/nginx/"):
		return "the nginx log directory is group gitlab-www: add the user gitlab-syslog runs as to it (the service: SupplementaryGroups=gitlab-www)"
	case strings.Contains(path, "/gitlab-rails/"):
		return "set logging['log_group'] = 'gitlab-logs' in /etc/gitlab/gitlab.rb, run gitlab-ctl reconfigure, and add the user gitlab-syslog runs as to that group"
	}
	return "run gitlab-syslog as a user that can read the file: one in its group, e.g. with sudo -u git, or root"
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
