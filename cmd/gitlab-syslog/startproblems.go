package main

import (
	"errors"
	"io/fs"
	"os"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/statelock"
)

// startProblems returns what stops run at start, as check lists it: the
// configuration's mistakes err (loadAll's) and, on c, the configuration
// decoded without them, a state directory in which no file can be
// created or that was a detect --state-dir, the detection state
// directory, the forward TLS files, a source path that is not a log file,
// a GeoIP database that does not open, the streaming receiver's token
// sources (an unset token_env too), spool directory and TLS pair, a
// network input's TLS files and spool directory, and an address to listen
// on where this process cannot (listenProblems). They are joined into one
// error, one problem per line, in the order of the lines of c's file
// (those about no line first), each in check's words: its file and line
// (or flag), the cause and what to do. It returns nil when there is none,
// and err alone when c is nil (a YAML syntax error, a bad flag).
func startProblems(c *config.Config, err error) error {
	return configProblems(c, err, true, false, false)
}

// onceProblems is startProblems for run --once, which does not listen on
// the network inputs' and the streaming receiver's addresses (it reads
// their spools): those are not looked at, so that run --once works beside
// the agent that listens there (README's troubleshooting).
func onceProblems(c *config.Config, err error) error {
	return configProblems(c, err, true, false, true)
}

// reloadProblems returns what refuses the configuration c that a SIGHUP
// read (err: loadAll's mistakes), the running one being kept: every
// problem of startProblems, in the same words, but those of the state
// directory when c names the running one (running): the running agent
// holds it, and a fault in it now is the agent's, which its health
// reports, not the new file's; nor the addresses to listen on, where the
// running agent listens (their changes wait for a restart). A problem of
// a setting that takes effect only at the next restart (another
// state_dir, a spool directory, a network input) refuses the reload all
// the same: that restart would refuse the file.
func reloadProblems(c *config.Config, err error, running string) error {
	return configProblems(c, err, c != nil && c.StateDir != running, true, false)
}

// configProblems is startProblems, with the state directory's problems
// when stateDir is true and without them otherwise (reloadProblems); reload
// says the problems refuse a reload (see geoipProblem), and takes the
// addresses to listen on out, as once takes those run --once does not
// listen on (onceProblems).
func configProblems(c *config.Config, err error, stateDir, reload, once bool) error {
	if c == nil {
		return err
	}
	errs := errList(err)
	var problems []error
	if stateDir {
		problems = append(problems, stateDirProblems(c)...)
	}
	problems = append(problems, forwardTLSProblems(c)...)
	if !c.Dropped("sources") { // refused as such: its sources are not followed
		problems = append(problems, sourceFileProblems(c, errs)...)
	}
	problems = append(problems, geoipOpenProblems(c, reload)...)
	ps, _ := streamingIssues(c, errs, true) // the receiver logs the warnings
	problems = append(problems, ps...)
	for i := range c.Inputs {
		problems = append(problems, inputProblems(c, i)...)
	}
	if !reload { // the running agent listens there: the changes wait for a restart
		problems = append(problems, listenProblems(c, once)...)
	}
	if len(errs)+len(problems) == 0 {
		return nil
	}
	return config.SortErrors(errors.Join(append(restated(errs, problems), problems...)...), c.File())
}

// stateDirProblems returns the problems of c's state directory that stop
// run at start, every one that check lists (checkStateDir, and the
// detection state directory, detectDirProblem), so that one error names
// them all: with a state_dir that another user's run left, both a
// detect/ in which no file can be created and checkpoints this user may
// not read. Before, run named only the first, and the next start the
// next.
func stateDirProblems(c *config.Config) []error {
	problems := checkStateDir(c).stops
	if p := detectDirProblem(c); p != nil {
		problems = append(problems, p)
	}
	return problems
}

// stateDirCheck is what checkStateDir finds of a state directory.
type stateDirCheck struct {
	status string  // check's word for it, after its path: "writable", "NOT WRITABLE", ...
	exists bool    // it exists and is usable, so its files were checked
	stops  []error // the problems that stop run, in check's words
}

// checkStateDir checks c's state directory as check's state_dir line
// reports it and as run refuses it at start: one in which no file can be
// created (stateDirProblem), one that was a detect --state-dir or is an
// agent's detection state, a lock file that is not a regular file, and,
// in a usable one, the state files this user may not read
// (unreadableStateFiles). The detection state directory is checked
// apart (detectDirProblem), as check lists it with the detections.
func checkStateDir(c *config.Config) stateDirCheck {
	if err := dirWritable(c.StateDir); err != nil {
		return stateDirCheck{status: "NOT WRITABLE", stops: []error{stateDirProblem(c, err)}}
	}
	if p, status := detectStateDirProblem(c.StateDir); p != "" {
		return stateDirCheck{status: status, stops: []error{problemAt(c, "state_dir", c.StateDir+" "+p)}}
	}
	if err := statelock.CheckFile(c.StateDir); err != nil {
		return stateDirCheck{status: "LOCK FILE NOT A REGULAR FILE", stops: []error{problemAt(c, "state_dir", err.Error())}}
	}
	if _, err := os.Stat(c.StateDir); errors.Is(err, fs.ErrNotExist) {
		return stateDirCheck{status: "does not exist yet, can be created (run creates it)"}
	}
	sd := stateDirCheck{status: "writable", exists: true}
	if err := unreadableStateFiles(c.StateDir); err != nil {
		sd.stops = append(sd.stops, problemAt(c, "state_dir", err.Error()))
	}
	return sd
}
