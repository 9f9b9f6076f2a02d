package main

import (
	"bytes"
	"fmt"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// lookAlike counts the lines of an input read as one type (detect's
// TYPE: prefix, send's and parse's --type, or the file's name) that
// parser.Detect takes for another type, and keeps the first such type:
// when most lines look like another log's, the type given is probably
// wrong, and the lines go into the wrong columns, or none.
type lookAlike struct {
	n   int
	typ parser.Type // the type the first such line looks like
}

// add counts a line read as typ that parser.Detect guessed as guess, when
// that is another type.
func (l *lookAlike) add(typ, guess parser.Type) {
	if guess == parser.TypeUnknown || guess == typ {
		return
	}
	if l.n == 0 {
		l.typ = guess
	}
	l.n++
}

// addFileLine counts a line read as an Audit Event Streaming body that is
// an audit_json.log line (fileAuditLine), which parser.Detect cannot tell
// apart: both are TypeAudit.
func (l *lookAlike) addFileLine() {
	if l.n == 0 {
		l.typ = parser.TypeAudit
	}
	l.n++
}

// fileAuditLine reports whether line, read as an Audit Event Streaming
// body, is a line of audit_json.log: an audit line (parser.Detect) whose
// first member is "severity", as GitLab's JsonLogger writes every line
// (severity, then time), and GitLab never streams. The audit parser
// reads both, but their events are known apart (a stream's by its id, a
// file's by its place), so one log given both ways would raise its alerts
// twice (fresh-user trial 237). NUL padding and UTF-8 byte order marks
// before the line are skipped, as the parsers skip them.
func fileAuditLine(line []byte) bool {
	if i := bytes.LastIndexByte(line, 0); i >= 0 {
		line = line[i+1:]
	}
	line = trimLead(line, " \t")
	return bytes.HasPrefix(line, []byte(`{"severity":`)) && parser.Detect(line) == parser.TypeAudit
}

// trimLead returns line without the bytes of cutset and the UTF-8 byte
// order marks it begins with, in any order.
func trimLead(line []byte, cutset string) []byte {
	for {
		rest := bytes.TrimPrefix(bytes.TrimLeft(line, cutset), []byte("\xef\xbb\xbf"))
		if len(rest) == len(line) {
			return rest
		}
		line = rest
	}
}

// majority reports whether more than half of the read lines of the
// input (lines cut to the line limit not counted) look like l.typ lines.
func (l *lookAlike) majority(read int) bool { return l.n > 0 && 2*l.n > read }

// warning says that l.n of the read lines of the input label (lines cut
// to the line limit not counted) look like l.typ lines but were read as
// as, because of why ("--type application", "its file name"), and asks
// whether the type is right, with fix, what to do. It is "" unless more
// than half of them look so, and when none of them parsed (unparsed ==
// read), which the warning about that input's lines not parsing says.
// detect, send and parse warn alike.
func (l *lookAlike) warning(label string, read, unparsed int, as, why, fix string) string {
	if !l.majority(read) || (unparsed == read && unparsed > 0) {
		return ""
	}
	if read == 1 { // every type's name begins with a vowel
		return fmt.Sprintf("the 1 line of %s looks like an %s line but was read as %s (%s): is the type right? %s", label, l.typ, as, why, fix)
	}
	return fmt.Sprintf("%d of the %d lines of %s look like %s lines but were read as %s (%s): is the type right? %s",
		l.n, read, label, l.typ, as, why, fix)
}

// noneParsed says, for an input none of whose read lines parsed (lines
// cut to the line limit not counted) and more than half of which look
// like l.typ lines, that none parsed as as, because of why, which type
// they look like, and fix, what to do; "" otherwise. send and parse give
// it in place of asking whether the input is a GitLab log at all, as
// detect's warning for such an input does.
func (l *lookAlike) noneParsed(label string, read, unparsed int, as, why, fix string) string {
	if !l.majority(read) || unparsed != read {
		return ""
	}
	if read == 1 { // every type's name begins with a vowel
		return fmt.Sprintf("the 1 line of %s did not parse as %s (%s): it looks like an %s line. %s", label, as, why, l.typ, fix)
	}
	return fmt.Sprintf("none of the %d lines of %s parsed as %s (%s): %d of them look like %s lines. %s",
		read, label, as, why, l.n, l.typ, fix)
}

// typeFix is what send and parse say to do about an input read as the
// wrong type: give --type like, the type its lines look like, or leave
// the type to --type auto when it was given (fixed).
func typeFix(like parser.Type, fixed bool) string {
	if fixed {
		return fmt.Sprintf("Give --type %s, or --type auto to type a file by its name, else each line by its content", like)
	}
	return fmt.Sprintf("Give --type %s", like)
}

// typeWhy says why send and parse read an input as typ: --type, or its
// file name under --type auto.
func typeWhy(typ parser.Type, fixed bool) string {
	if fixed {
		return "--type " + typ.String()
	}
	return "its file name"
}
