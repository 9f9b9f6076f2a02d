package main

import (
	"errors"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// startProblems returns what stops run at start, as check lists it: the
// configuration's mistakes err (loadAll's) and, on c, the configuration
// decoded without them, a state directory in which no file can be
// created or that was a detect --state-dir, the detection state
// directory, the forward TLS files, a source path that is not a log file,
// a GeoIP database that does not open, the streaming receiver's token
// sources (an unset token_env too), spool directory and TLS pair, and a
// network input's TLS files and spool directory. They are joined into one
// error, one problem per line, in the order of the lines of c's file
// (those about no line first), each in check's words: its file and line
// (or flag), the cause and what to do. It returns nil when there is none,
// and err alone when c is nil (a YAML syntax error, a bad flag).
func startProblems(c *config.Config, err error) error {
	if c == nil {
		return err
	}
	errs := errList(err)
	var problems []error
	if werr := dirWritable(c.StateDir); werr != nil {
		problems = append(problems, stateDirProblem(c, werr))
	} else if p := detectStateDirProblem(c.StateDir); p != "" {
		problems = append(problems, problemAt(c, "state_dir", c.StateDir+" "+p))
	} else if p := detectDirProblem(c); p != nil {
		problems = append(problems, p)
	}
	problems = append(problems, forwardTLSProblems(c)...)
	if !c.Dropped("sources") { // refused as such: its sources are not followed
		problems = append(problems, sourceFileProblems(c)...)
	}
	if p := geoipOpenProblem(c); p != nil {
		problems = append(problems, p)
	}
	ps, _ := streamingIssues(c, errs, true) // the receiver logs the warnings
	problems = append(problems, ps...)
	for i := range c.Inputs {
		problems = append(problems, inputProblems(c, i)...)
	}
	if len(errs)+len(problems) == 0 {
		return nil
	}
	return config.SortErrors(errors.Join(append(restated(errs, problems), problems...)...), c.File())
}
