package main

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// unparsedLines counts the lines of one input that did not parse, a line
// cut to the line limit not among them (it is never parsed: tooLongHint
// tells of it), and keeps the first: its number and why. send and detect
// name it after their summary (warning), as run's log names a file's
// first line that did not parse and parse prints each one's _error.
type unparsedLines struct {
	n       int              // lines that did not parse
	first   int              // the 1-based line number of the first
	cause   string           // why the first did not parse
	records containerRecords // those that are a container runtime's records
}

// add counts line n, line, which did not parse because of err (or, for a
// container runtime's record, lineCause's cause).
func (u *unparsedLines) add(n int, line []byte, err error) {
	if u.n == 0 {
		u.first, u.cause = n, lineCause(line, err).Error()
	}
	u.n++
	u.records.add(line)
}

// addUnknown counts line n, line, which parser.Detect gives no type; its
// cause is unknownTypeError's, which says to give the type with typeFlag.
func (u *unparsedLines) addUnknown(n int, line []byte, typeFlag string) {
	if u.n == 0 {
		u.add(n, line, unknownTypeError(line, typeFlag))
		return
	}
	u.n++
	u.records.add(line)
}

// warning says how many lines of the input label did not parse and what
// became of them (fate, e.g. " and were sent raw"), and names the first
// with why, as "LABEL:LINE: CAUSE": "2 lines of app.log did not parse and
// were sent raw; the first: app.log:7: CAUSE". fate is given for one line
// and for many. It is "" when every line parsed.
func (u *unparsedLines) warning(label, fateOne, fateMany string) string {
	switch u.n {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("1 line of %s did not parse%s: %s:%d: %s", label, fateOne, label, u.first, u.cause)
	}
	return fmt.Sprintf("%d lines of %s did not parse%s; the first: %s:%d: %s", u.n, label, fateMany, label, u.first, u.cause)
}

// unknownTypeError is why a line parser.Detect gives no type did not
// parse: for a JSON object, why it is not an application line (the
// Application parser's error: invalid JSON, or the keys GitLab writes in
// every line missing), as a line of a file named application_json.log
// says; for a line of only NUL bytes or a container runtime's record,
// notGitLabLine's cause;
// for other lines, the kinds of line that have a type. typeFlag is
// how the command is given a type: --type, or TYPE:FILE.
func unknownTypeError(line []byte, typeFlag string) error {
	if err := notGitLabLine(line); err != nil {
		return err
	}
	if t := bytes.TrimLeft(line, " \t"); len(t) > 0 && t[0] == '{' {
		var rec parser.Record
		if err := new(parser.Application).Parse(line, &rec); err != nil {
			return fmt.Errorf("cannot tell the log type: a JSON object, but not an audit or auth line, and %w; use %s if it is one", err, typeFlag)
		}
	}
	return errors.New("cannot tell the log type (want " + gitLabLogs + "); use " + typeFlag)
}
