package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/shellcmd"
	"github.com/gitlab-syslog/gitlab-syslog/internal/sniff"
)

// sourceData returns, for the file at path of a source named by its path,
// check's status and problem when the file's first bytes say it holds no
// log lines (sniff.File): compressed data, an archive, a binary file such
// as an executable, UTF-16 text. Both are "" for a file of text, an empty one, and one
// that is not regular or cannot be read (check reports those apart).
func sourceData(path string) (status, problem string) {
	kind, f := sniff.File(path)
	switch {
	case kind != "":
		return "COMPRESSED (" + kind + ")", fmt.Sprintf("source %s holds %s-compressed data, not log lines: give the live log file; to send a compressed log once, use gitlab-syslog send %s", path, kind, path)
	case f == nil:
		return "", ""
	case f.Encoding: // UTF-16 text
		return "NOT UTF-8: " + f.What(), fmt.Sprintf("source %s holds %s, not UTF-8 log lines as GitLab writes them: give the live log file; to send a converted copy once: %s | gitlab-syslog send -",
			path, f.What(), strings.Replace(f.Fix, "FILE", shellcmd.Path(path), 1))
	case f.Fix == "": // a binary file
		return "NOT A LOG FILE: " + f.What(), fmt.Sprintf("source %s is %s, not a log file: its bytes are not lines of text; give the path of a GitLab log file (is the path right?)", path, f.What())
	}
	return "NOT A LOG FILE: " + f.What(), fmt.Sprintf("source %s holds %s, not log lines: give the live log file", path, f.What())
}

// sourceNotRegular returns check's status and problem for the source path
// whose file information fi says it is not a regular file: a directory, a
// named pipe, a device or a socket, which the tailer cannot follow.
func sourceNotRegular(path string, fi os.FileInfo) (status, problem string) {
	return "NOT A LOG FILE: " + notRegular(fi), fmt.Sprintf("source %s: %s; give the path of a log file", path, notRegular(fi))
}

// sourceFileProblems returns the problems of the sources of c that run
// refuses at start (sourceFileProblem: a file in the way of the path or
// the glob, a path that is not a regular file, a file that holds no log
// lines), in the words check lists them: run refuses to start with them,
// and a reload keeps the running configuration, rather than retry a
// directory forever, stop the source of a FIFO, or send a file's bytes as
// lines. A path that does not exist, or cannot be examined, is not one:
// run waits for it. A source whose path one of errs (the configuration's
// mistakes) names already is left to it, as check leaves it.
func sourceFileProblems(c *config.Config, errs []error) []error {
	var problems []error
	for i, s := range c.Sources {
		if s.Path == "" || c.BadSource(i) || namesKey(errs, fmt.Sprintf("sources[%d].path", i)) {
			continue // one mistake, one problem: the configuration's (errs) says it
		}
		if _, p := sourceFileProblem(c, i); p != nil {
			problems = addProblem(problems, p)
		}
	}
	return problems
}

// sourceFileProblem returns check's status and the problem of source i of
// c (its path, not empty) when run refuses it at start: its glob's
// directory or its path lies under a file (sourceUnderFile), its path is
// not a regular file (sourceNotRegular), or its file holds no log lines
// (sourceData); "" and nil otherwise, also for a path that does not
// exist yet or cannot be examined (run waits for it).
func sourceFileProblem(c *config.Config, i int) (status string, problem error) {
	path := c.Sources[i].Path
	if c.Sources[i].IsGlob() {
		if f := globUnderFile(path); f != "" {
			return sourceUnderFile(c, i, f)
		}
		return "", nil
	}
	fi, err := os.Stat(path)
	p := ""
	switch {
	case err != nil:
		if f := throughFile(path); f != "" {
			return sourceUnderFile(c, i, f)
		}
		return "", nil
	case !fi.Mode().IsRegular():
		status, p = sourceNotRegular(path, fi)
	default:
		status, p = sourceData(path)
	}
	if p == "" {
		return "", nil
	}
	return status, problemAt(c, sourceKey(c, i), p)
}

// addProblem appends p to problems unless one of them says the same: the
// default sources of a log_dir that is a file share one problem.
func addProblem(problems []error, p error) []error {
	if slices.ContainsFunc(problems, func(q error) bool { return q.Error() == p.Error() }) {
		return problems
	}
	return append(problems, p)
}

// throughFile returns the nearest existing parent of path that is not a
// directory, "" when there is none: a path under a file can never exist.
func throughFile(path string) string {
	for d := filepath.Dir(path); ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err == nil {
			if fi.IsDir() {
				return ""
			}
			return d
		}
		if d == filepath.Dir(d) {
			return ""
		}
	}
}

// globUnderFile returns the file in the directory part of the glob
// pattern (the components before the first with a wildcard) or above it,
// "" when there is none: the pattern can never match.
func globUnderFile(pattern string) string {
	var dir string
	for d := pattern; ; d = filepath.Dir(d) {
		if !strings.ContainsAny(filepath.Base(d), "*?[") {
			if strings.ContainsAny(d, "*?[") {
				continue
			}
			dir = d
			break
		}
		if d == filepath.Dir(d) {
			return ""
		}
	}
	if fi, err := os.Stat(dir); err == nil {
		if fi.IsDir() {
			return ""
		}
		return dir
	}
	return throughFile(dir)
}

// sourceUnderFile returns check's status and problem for source i of c,
// whose path (or glob's directory) lies under f, a file: run refuses it
// at start (a log can never be created there, a glob never match). For
// the default sources (no sources key: they are those of log_dir) the
// problem is log_dir's, naming the key or flag that gave it.
func sourceUnderFile(c *config.Config, i int, f string) (status string, problem error) {
	status = "CANNOT EXIST: " + f + " is a file, not a directory"
	if c.Line("sources") == 0 {
		return status, logDirUnderFile(c, f)
	}
	path, what := c.Sources[i].Path, "the log can never be there: give the path of the log file"
	if c.Sources[i].IsGlob() {
		status = "CANNOT MATCH: " + f + " is a file, not a directory"
		what = "the glob can never match a file: give the directory the logs are in"
	}
	return status, problemAt(c, sourceKey(c, i), fmt.Sprintf("source %s: %s is a file, not a directory, so %s", path, f, what))
}

// logDirUnderFile returns the problem of c's log_dir, which is the file
// f or lies under it, so that the default sources can never exist: it
// names the key or flag that gave log_dir, and what to give.
func logDirUnderFile(c *config.Config, f string) error {
	where := c.LogDir + ": " + f
	if f == filepath.Clean(c.LogDir) {
		where = f
	}
	return problemAt(c, "log_dir", where+" is a file, not a directory: give the directory GitLab writes its logs to (/var/log/gitlab on Omnibus)")
}
