package main

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
)

// groupHint returns, for path, which this process may not read, what
// denies it and what to do, from the groups of the file and of its
// directory and the groups this process is in: the file's group when this
// process is not in it while it is in the directory's (GitLab gives its
// logs the directory's group, logging['log_group'], at gitlab-ctl
// reconfigure: chgrp the file to it, or reconfigure), or, when it is in
// the file's group, the file's mode. It returns "" when the file can be
// looked at but none of these is the cause (a directory on the path, a
// file group this process is in with g+r): permHint's advice stands then.
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
		return fmt.Sprintf(" (%s is group %s, which this user is in, but its mode %04o does not let the group read it: chmod g+r %s)",
			path, groupName(gid), mode, path)
	case !inGroup(gid) && dok && dgid != gid && inGroup(dgid) && mode&0o040 != 0:
		return fmt.Sprintf(" (%s is group %s, which this user is not in, while its directory is group %s, which this user is in: give the file the directory's group, chgrp %s %s; GitLab does so at gitlab-ctl reconfigure when logging['log_group'] is set, for the files it writes then)",
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
