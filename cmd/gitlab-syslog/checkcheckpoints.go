package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

// checkpointIssues checks run's file checkpoints in the state directory
// dir (checkpointFiles). A directory in a checkpoint's place is a problem:
// no save can replace it, so run sends its file again at every start. A
// checkpoint that is another kind of non-regular file (a FIFO) is a
// warning: run does not open it, reads its file again from start_at,
// sending the lines it sent before again, and the next save replaces it.
func checkpointIssues(dir string) (problems []error, warnings []string) {
	for _, p := range checkpointFiles(dir) {
		fi, err := os.Lstat(p)
		switch {
		case err != nil || fi.Mode().IsRegular():
		case fi.IsDir():
			problems = append(problems, fmt.Errorf("checkpoint %s is a directory, which no checkpoint can replace: run sends its file again at every start; remove it", p))
		default:
			warnings = append(warnings, fmt.Sprintf("checkpoint %s is not a regular file (mode %s): run cannot use it and reads its file again from start_at, sending the lines it sent before again; remove it, or leave it to be replaced at the next checkpoint", p, fi.Mode()))
		}
	}
	return problems, warnings
}

// unreadableStateFiles returns the problem of the files of the state
// directory dir that this process may not read (access(2)): the tailer
// checkpoints (tail-*.json) and the detection state (detect/ and its
// files). run would take such a checkpoint as none, sending its file again
// from the start or skipping the lines written while it was stopped
// (start_at: end), and the rules would start learning again; a run or
// check as another user (root) leaves such files. nil when every one can
// be read.
func unreadableStateFiles(dir string) error {
	var bad []string
	paths := checkpointFiles(dir)
	detectDir := filepath.Join(dir, "detect")
	if ents, err := os.ReadDir(detectDir); errors.Is(err, fs.ErrPermission) {
		bad = append(bad, detectDir)
	} else {
		for _, e := range ents {
			if e.Type().IsRegular() {
				paths = append(paths, filepath.Join(detectDir, e.Name()))
			}
		}
	}
	for _, p := range paths {
		if err := access(p, accessRead); errors.Is(err, fs.ErrPermission) {
			bad = append(bad, p)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	who, name := "this user", "USER"
	if u, err := user.Current(); err == nil {
		who, name = "user "+u.Username, u.Username
	}
	fix := fmt.Sprintf("a run as another user (root?) left them: give the state directory to the agent's user, e.g. chown -R %s: %s", name, dir)
	if ownedByMe(bad) {
		fix = fmt.Sprintf("they belong to %s, but their mode does not let it read them: chmod -R u+rwX %s", who, dir)
	}
	return fmt.Errorf("%s cannot be read by %s (permission denied): %s; run would take a checkpoint among them as none (sending its file again from the start, or skipping the lines written while it was stopped with start_at: end) and start the detection state afresh. %s",
		plural(len(bad), "a state file", fmt.Sprintf("%d state files", len(bad))), who, someIDs(bad), strings.ToUpper(fix[:1])+fix[1:])
}

// ownedByMe reports whether every file of paths belongs to the user this
// process runs as (false where the system does not say).
func ownedByMe(paths []string) bool {
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return false
		}
		if uid, ok := fileOwner(fi); !ok || uid != os.Geteuid() {
			return false
		}
	}
	return true
}

// otherOwnerWarning returns check's warning when the state directory dir
// exists and belongs to another user than the one check runs as (sudo
// check, the service running as its own user): what this user may read
// (the logs, the TLS keys, the state files) the agent's user may not, so
// check's verdict on them is this user's. "" otherwise.
func otherOwnerWarning(dir, configFile string) string {
	fi, err := os.Stat(dir)
	if err != nil {
		return ""
	}
	uid, ok := fileOwner(fi)
	if !ok || uid == os.Geteuid() {
		return ""
	}
	owner := strconv.Itoa(uid)
	if u, err := user.LookupId(owner); err == nil {
		owner = u.Username
	}
	config := ""
	if configFile != "" {
		config = " --config " + configFile
	}
	return fmt.Sprintf("state_dir %s belongs to user %s, not to the user check runs as: the files this user may read, the agent's user may not; to check what the agent can read, run check as that user: sudo -u %s gitlab-syslog check%s", dir, owner, owner, config)
}
