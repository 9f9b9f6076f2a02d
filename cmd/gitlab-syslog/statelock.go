package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/gitlab-syslog/gitlab-syslog/internal/agent"
	"github.com/gitlab-syslog/gitlab-syslog/internal/statelock"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// lockStateDir takes the lock of the state directory dir, given with
// --state-dir (see statelock), for as long as the command uses it; ""
// locks nothing and returns a nil *statelock.Lock, whose Release does
// nothing. The error names the flag and says what to do; a dir that is
// a file is refused as such, and so are an agent's state_dir (one with
// run's file checkpoints, agentCheckpoint, or with the agent's detection
// positions, agent.PositionsFile) and the detection state in it
// (state_dir/detect, detect.OpenStore).
func lockStateDir(dir string) (*statelock.Lock, error) {
	if dir == "" {
		return nil, nil
	}
	const todo = "give a directory (it is created if missing), or leave --state-dir out for a temporary one"
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("--state-dir %s is a file, not a directory: %s", dir, todo)
	}
	if what := agentState(dir); what != "" {
		return nil, fmt.Errorf("--state-dir %s %s; give detect a directory of its own, or leave --state-dir out for a temporary one", dir, what)
	}
	lk, err := statelock.Acquire(dir)
	var inUse *statelock.InUseError
	switch {
	case errors.As(err, &inUse):
		// Not the agent's message (two agents would both send every
		// line): detect sends nothing. Each run restores the state at
		// its start and saves its own over it at its end (detect.Engine
		// Save: whole files).
		return nil, fmt.Errorf("--state-dir %s is in use: %s holds its lock %s, most likely another detect run with this --state-dir. "+
			"Two runs on one --state-dir each start from the state saved there and save their own over it when they end: what the one that ends first folded is lost "+
			"(a later run reads those lines again and raises their alerts again), and lines both read raise their alerts in both. "+
			"Wait for that run to end, or give this one its own --state-dir", dir, inUse.Holder, inUse.Path)
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return nil, fmt.Errorf("--state-dir: %w; make it writable by this user, give another directory, or leave --state-dir out for a temporary one", err)
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return nil, fmt.Errorf("--state-dir: %w; %s", err, todo)
	case err != nil:
		return nil, fmt.Errorf("--state-dir: %w", err)
	}
	return lk, nil
}

// agentState returns what makes dir an agent's (an agent's state_dir, or
// the detection state in one) and why detect cannot use it, to follow
// its name; "" when dir is no agent's.
func agentState(dir string) string {
	if ck := agentCheckpoint(dir); ck != "" {
		return fmt.Sprintf("is an agent's state_dir (it holds the agent's file checkpoints, e.g. %s): detect would record there the lines it reads as folded, the agent would then skip them for its rules when it resumes, and their alerts would never reach the collector", ck)
	}
	if pos := filepath.Join("detect", agent.PositionsFile); exists(filepath.Join(dir, pos)) {
		return fmt.Sprintf("is an agent's state_dir (it holds the agent's detection positions, %s): the agent would refuse it once detect used it", pos)
	}
	const among = "detect would leave its own files among the agent's"
	if exists(filepath.Join(dir, agent.PositionsFile)) {
		return fmt.Sprintf("is the detection state of an agent (it holds the agent's %s): %s", agent.PositionsFile, among)
	}
	if parent := filepath.Dir(filepath.Clean(dir)); filepath.Base(filepath.Clean(dir)) == "detect" && agentCheckpoint(parent) != "" {
		return fmt.Sprintf("is the detection state of the agent whose state_dir is %s: %s", parent, among)
	}
	return ""
}

// agentCheckpoint returns the name of a file checkpoint of run in dir
// ("tail-" and a hash, .json: checkpoint.PositionKey), or "" when dir
// holds none: dir is then no agent's state_dir, or one of an agent that
// has not read a file yet (run then refuses the directory once detect
// used it: detectStateDirProblem).
func agentCheckpoint(dir string) string {
	m := checkpointFiles(dir)
	if len(m) == 0 {
		return ""
	}
	return filepath.Base(m[0])
}

// checkpointFiles returns the paths of run's file checkpoints in dir
// ("tail-" and a hash, .json: checkpoint.PositionKey), sorted.
func checkpointFiles(dir string) []string {
	m, _ := filepath.Glob(filepath.Join(dir, checkpoint.PositionKeyPrefix+"*.json"))
	return m
}

// detectStateDirProblem returns why run cannot use state_dir dir, to
// follow its name ("was a detect --state-dir ..."), and check's status
// for it: it was a detect --state-dir (it holds detect-rules), whose
// detection state marks as folded the lines detect read, so that the
// agent's rules would skip them; or it is the detection state of an
// agent (it holds agent.PositionsFile, or it is the detect directory of
// an agent's state_dir), among whose files run would keep its own. Both
// are "" when it is neither. run refuses such a state_dir and check
// reports it as a problem.
func detectStateDirProblem(dir string) (problem, status string) {
	const own = "give run a state_dir of its own"
	switch {
	case exists(filepath.Join(dir, foldedRulesFile)):
		return fmt.Sprintf("was a detect --state-dir (it holds %s): the detection state there marks as folded the lines detect read, so the agent's rules would skip them and their alerts would never be sent; %s", foldedRulesFile, own), "A DETECT --state-dir"
	case exists(filepath.Join(dir, agent.PositionsFile)):
		return fmt.Sprintf("is the detection state of an agent (it holds the agent's %s): run would keep its checkpoints and another detection state among that agent's files; %s (not the detect directory in one)", agent.PositionsFile, own), "AN AGENT'S DETECTION STATE"
	}
	if parent := filepath.Dir(filepath.Clean(dir)); filepath.Base(filepath.Clean(dir)) == "detect" && agentCheckpoint(parent) != "" {
		return fmt.Sprintf("is the detection state of the agent whose state_dir is %s: run would keep its checkpoints and another detection state among that agent's files; %s", parent, own), "AN AGENT'S DETECTION STATE"
	}
	return "", ""
}

// exists reports whether path names a file or directory (following links).
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
