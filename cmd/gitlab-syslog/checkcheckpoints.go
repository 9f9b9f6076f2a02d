package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/agent"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// checkpointIssues checks run's file checkpoints in c's state directory
// (checkpointFiles). A directory in a checkpoint's place is a problem:
// no save can replace it, so run sends its file again at every start. A
// checkpoint that is another kind of non-regular file (a FIFO) is a
// warning: run does not open it, reads its file again from start_at,
// sending the lines it sent before again, and the next save replaces it.
// A regular one that run cannot use, or whose file was truncated since
// (unusableCheckpoint), is a warning too.
func checkpointIssues(c *config.Config) (problems []error, warnings []string) {
	var owners map[string]checkpointOwner
	for _, p := range checkpointFiles(c.StateDir) {
		fi, err := os.Lstat(p)
		switch {
		case err != nil:
		case fi.Mode().IsRegular():
			if owners == nil {
				owners = checkpointOwners(c)
			}
			if warn := unusableCheckpoint(p, owners); warn != "" {
				warnings = append(warnings, warn)
			}
		case fi.IsDir():
			problems = append(problems, fmt.Errorf("checkpoint %s is a directory, which no checkpoint can replace: run sends its file again at every start; remove it", p))
		default:
			warnings = append(warnings, fmt.Sprintf("checkpoint %s is not a regular file (mode %s): run cannot use it and reads its file again from start_at, sending the lines it sent before again; remove it, or leave it to be replaced at the next checkpoint", p, fi.Mode()))
		}
	}
	return problems, append(append(warnings, watchRecordIssues(c.StateDir)...), waitRecordIssues(c.StateDir)...)
}

// watchRecordIssues returns check's warnings for the globs' watch records
// in state directory dir (agent.WatchRecordPrefix files) that run cannot
// use (agent.WatchRecordProblem) or replace (a directory): run then reads
// a glob match without a checkpoint, a file that appeared while it was
// stopped, as at the glob's first start, its rotated copies not read.
// One this user may not read is unreadableStateFiles' problem.
func watchRecordIssues(dir string) []string {
	return recordIssues(dir, agent.WatchRecordPrefix, "glob watch record",
		"run reads a glob match without a checkpoint (a file that appeared while the agent was stopped) as at the glob's first start, its rotated copies not read (send those with gitlab-syslog send)",
		func(p string) string { return agent.WatchRecordProblem(p, "", time.Now()) })
}

// waitRecordIssues returns check's warnings for the tailers' wait records
// in state directory dir (checkpoint.WaitKeyPrefix files) that run cannot
// use (tailer.WaitRecordProblem) or replace: run then takes a file that
// appeared at a configured path while it was stopped as there at start
// (start_at), its rotated copies not read.
func waitRecordIssues(dir string) []string {
	return recordIssues(dir, checkpoint.WaitKeyPrefix, "wait record",
		"run takes a file that appeared at the path while the agent was stopped as there at start (start_at), its rotated copies not read (send those with gitlab-syslog send)",
		func(p string) string { return tailer.WaitRecordProblem(p, time.Now()) })
}

// recordIssues returns check's warnings for the records of state
// directory dir whose names begin with prefix, called what in them, that
// run cannot use (problem of the file's path, "" when usable) or replace
// (a directory, not a regular file); then says what run does without one.
func recordIssues(dir, prefix, what, then string, problem func(string) string) []string {
	var warnings []string
	marks, _ := filepath.Glob(filepath.Join(dir, prefix+"*.json"))
	for _, p := range marks {
		fi, err := os.Lstat(p)
		switch {
		case err != nil:
		case fi.IsDir():
			warnings = append(warnings, fmt.Sprintf("%s %s is a directory, which no record can replace: %s at every start; remove it", what, p, then))
		case !fi.Mode().IsRegular():
			warnings = append(warnings, fmt.Sprintf("%s %s is not a regular file (mode %s): %s; remove it", what, p, fi.Mode(), then))
		case access(p, accessRead) != nil:
		default:
			if why := problem(p); why != "" {
				if rest, ok := strings.CutPrefix(why, what+" "+p+" "); ok {
					why = "it " + rest // the store's error names the record too
				}
				warnings = append(warnings, fmt.Sprintf("%s %s cannot be used: %s; %s, and saves a new record", what, p, why, then))
			}
		}
	}
	return warnings
}

// checkpointOwner is the file a checkpoint is kept for, and the start_at
// of its source.
type checkpointOwner struct {
	path, startAt string
}

// checkpointOwners returns the files c's sources follow now (a glob's
// present matches), by the key of their checkpoint (checkpoint.PositionKey).
func checkpointOwners(c *config.Config) map[string]checkpointOwner {
	owners := make(map[string]checkpointOwner)
	for _, s := range c.Sources {
		paths := []string{s.Path}
		if s.IsGlob() {
			paths, _ = filepath.Glob(s.Path)
		}
		for _, p := range paths {
			owners[checkpoint.PositionKey(p)] = checkpointOwner{p, s.StartAt}
		}
	}
	return owners
}

// unusableCheckpoint returns check's warning for the checkpoint file name
// when run cannot use it (not JSON, a version it does not know, an
// impossible fingerprint, fp_len or offset: the tailer ignores it and
// starts the file from start_at), saying what that start does to the file
// of owners that the checkpoint is kept for, or, for one it can use, when
// that file was truncated since (truncatedCheckpoint); "" when run can
// use it as it is, or when this user may not read it
// (unreadableStateFiles' problem).
func unusableCheckpoint(name string, owners map[string]checkpointOwner) string {
	rec, err := checkpoint.ReadPosition(name)
	if errors.Is(err, fs.ErrPermission) {
		return ""
	}
	if err == nil {
		if err = tailer.CheckPosition(rec); err != nil {
			err = fmt.Errorf("checkpoint %s: %w", name, err)
		}
	}
	owner, ok := owners[strings.TrimSuffix(filepath.Base(name), ".json")]
	if err == nil {
		if !ok {
			return ""
		}
		return truncatedCheckpoint(name, owner.path, rec)
	}
	if !ok {
		return fmt.Sprintf("%v; no file the sources follow now has it: if it is a stale checkpoint (a file no longer followed), remove it, "+
			"else run ignores it when the file is back and reads the file from start_at", err)
	}
	what := "the file is sent whole again: the lines sent before arrive twice at the collector"
	if owner.startAt == "end" {
		what = "the lines already in the file are skipped, those written while the agent was stopped included: they are not sent; " +
			"before run starts, send those with gitlab-syslog send, or give the source start_at: beginning for this start (the file is sent whole again)"
	}
	return fmt.Sprintf("%v; run ignores it and reads %s from start_at %s: %s; the next checkpoint run saves replaces it",
		err, owner.path, owner.startAt, what)
}

// truncatedCheckpoint returns check's warning for the usable checkpoint
// rec in file name when the file at path, the one it points into, was
// truncated since (tailer.TruncatedSince): what run then does. "" when it
// was not.
func truncatedCheckpoint(name, path string, rec *checkpoint.Position) string {
	size, ok := tailer.TruncatedSince(path, rec)
	if !ok {
		return ""
	}
	return fmt.Sprintf("checkpoint %s: %s is %d bytes, fewer than the checkpoint's offset, %d: it was truncated since the agent stopped (copytruncate, or `> file`); "+
		"run reads the lines the old content held after the offset from the rotated copy that holds them, if one does (else those lines, if any, are lost: the log then says so), then the file from its start",
		name, path, size, rec.Offset)
}

// unreadableStateFiles returns the problem of the files of the state
// directory dir that this process may not read (access(2)): the tailer
// checkpoints (tail-*.json), the globs' watch records (glob-*.json),
// the tailers' wait records (wait-*.json)
// and the detection state (detect/ and its
// files). run would take such a checkpoint as none, sending its file again
// from the start or skipping the lines written while it was stopped
// (start_at: end), and the rules would start learning again; a run or
// check as another user (root) leaves such files. nil when every one can
// be read.
func unreadableStateFiles(dir string) error {
	var bad []string
	marks, _ := filepath.Glob(filepath.Join(dir, agent.WatchRecordPrefix+"*.json"))
	waits, _ := filepath.Glob(filepath.Join(dir, checkpoint.WaitKeyPrefix+"*.json"))
	paths := append(append(checkpointFiles(dir), marks...), waits...)
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
	records := ""
	if slices.ContainsFunc(bad, func(p string) bool { return strings.HasPrefix(filepath.Base(p), agent.WatchRecordPrefix) }) {
		records = ", a glob's watch record as none (reading a file that appeared while it was stopped as at a first start, its rotated copies not read)"
	}
	if slices.ContainsFunc(bad, func(p string) bool { return strings.HasPrefix(filepath.Base(p), checkpoint.WaitKeyPrefix) }) {
		records += ", a wait record as none (taking a file that appeared at its path while it was stopped as there at start)"
	}
	return fmt.Errorf("%s cannot be read by %s (permission denied): %s; run would take a checkpoint among them as none (sending its file again from the start, or skipping the lines written while it was stopped with start_at: end)%s and start the detection state afresh. %s",
		plural(len(bad), "a state file", fmt.Sprintf("%d state files", len(bad))), who, someIDs(bad), records, strings.ToUpper(fix[:1])+fix[1:])
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

// otherOwnerRun returns run's warning when the state directory dir exists
// and belongs to another user than the one run runs as (the package's
// service user's, run by hand as root): the checkpoints and detection
// state run writes there are this user's, and a mode the owner may not
// read (0600), so that the service, started again as the owner, refuses
// to start (state files it cannot read: see the state_dir check) until
// they are given back. "" otherwise.
func otherOwnerRun(dir string) string {
	owner, ok := otherOwner(dir)
	if !ok {
		return ""
	}
	return fmt.Sprintf("state_dir %s belongs to user %s, not to the user run runs as: the checkpoints and detection state run writes there are this user's, which %s may not read, so the agent run as %s (its service) refuses to start until they are given back (state files it cannot read); run as that user (sudo -u %s gitlab-syslog run ...), or give this run its own --state-dir, or afterwards give the directory back: chown -R %s: %s",
		dir, owner, owner, owner, owner, owner, dir)
}

// otherOwner returns the name (or uid) of the user that owns dir when dir
// exists and that user is not the one this process runs as.
func otherOwner(dir string) (string, bool) {
	fi, err := os.Stat(dir)
	if err != nil {
		return "", false
	}
	uid, ok := fileOwner(fi)
	if !ok || uid == os.Geteuid() {
		return "", false
	}
	owner := strconv.Itoa(uid)
	if u, err := user.LookupId(owner); err == nil {
		owner = u.Username
	}
	return owner, true
}

// otherOwnerWarning returns check's warning when the state directory dir
// exists and belongs to another user than the one check runs as (sudo
// check, the service running as its own user): what this user may read
// (the logs, the TLS keys, the state files) the agent's user may not, so
// check's verdict on them is this user's. "" otherwise.
func otherOwnerWarning(dir, configFile string) string {
	owner, ok := otherOwner(dir)
	if !ok {
		return ""
	}
	config := ""
	if configFile != "" {
		config = " --config " + configFile
	}
	return fmt.Sprintf("state_dir %s belongs to user %s, not to the user check runs as: the files this user may read, the agent's user may not; to check what the agent can read, run check as that user: sudo -u %s gitlab-syslog check%s", dir, owner, owner, config)
}
