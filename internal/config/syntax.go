package config

import (
	"errors"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// syntaxHints are what to check for the YAML scanner's and parser's most
// common errors, by the end of their message. The parser's errors (below)
// carry the line of the block the problem is in, not the problem's
// (problemLine finds that).
var syntaxHints = []struct {
	msg, hint string
	below     bool
}{
	{unclosedMsg, "a quote, [ or { opened and never closed? Look from this line up", false},
	{"mapping values are not allowed in this context", "a \": \" inside an unquoted value (quote the value), or a key indented deeper than the keys beside it", false},
	{"found character that cannot start any token", "a value starting with @ or ` must be quoted, and YAML indents with spaces only, not tabs", false},
	{"could not find expected ':'", "a key without its \": \", or a quoted value not closed on its line", false},
	{"did not find expected key", "a line indented differently from the keys beside it, or text after a quoted value", true},
	{"did not find expected '-' indicator", "the keys of a list item must line up under its first key", true},
	{"did not find expected node content", "a value missing after a [ , or {, or a stray ] or }", true},
}

// syntaxError adds to the decoder's syntax error err about data what to
// check, for the common ones, and line 1 when err has no line: the
// decoder leaves the line out for a problem on the first line (its marks
// count from 0). A parser error names the line of the block the problem
// is in; problemLine finds the line of the offending token, and failing
// that the error says the problem is at or below its line. Other errors
// are returned as they are.
func syntaxError(data []byte, err error) error {
	msg := err.Error()
	if !strings.HasPrefix(msg, "yaml: ") {
		return err
	}
	if lineRE.FindStringSubmatch(msg) == nil {
		msg = "yaml: line 1: " + strings.TrimPrefix(msg, "yaml: ")
	}
	for _, h := range syntaxHints {
		if !strings.HasSuffix(msg, h.msg) {
			continue
		}
		if h.msg == unclosedMsg {
			if n := openedLine(data); n > 0 {
				return errors.New("yaml: line " + strconv.Itoa(n) + ": " + unclosedMsg + " (" + unclosedHint + ")")
			}
		}
		if h.below {
			m := lineRE.FindStringSubmatch(msg)
			from, _ := strconv.Atoi(m[1])
			if n := problemLine(data, from, h.msg); n > 0 {
				msg = "yaml: line " + strconv.Itoa(n) + ": " + msg[len(m[0]):]
			} else {
				msg = m[0] + "at or below this line: " + msg[len(m[0]):]
			}
		}
		return errors.New(msg + " (" + h.hint + ")")
	}
	return errors.New(msg)
}

// unclosedMsg ends the scanner's error for a quote, [ or { never closed,
// which it reports at the end of the file; unclosedHint goes with it when
// openedLine finds where it was opened.
const (
	unclosedMsg  = "found unexpected end of stream"
	unclosedHint = "a quote, [ or { opened on this line and never closed?"
)

// openedLine returns the line of data where the quote, [ or { that is
// never closed was opened: the line after the longest run of first lines
// that parses, since every longer run holds it open and fails. With
// another construct opened before it and still open there (a { around
// the quote), it is that one's line. It returns 0 when every run fails
// from the first line on and the first line holds nothing, or data is
// empty.
func openedLine(data []byte) int {
	lines := strings.SplitAfter(string(data), "\n")
	var b strings.Builder
	lastOK := 0
	for n, l := range lines {
		b.WriteString(l)
		var doc yaml.Node
		if yaml.Unmarshal([]byte(b.String()), &doc) == nil {
			lastOK = n + 1
		}
	}
	if lastOK >= len(lines) {
		return 0 // the whole of it parses: not this error
	}
	return lastOK + 1
}

// problemLine returns the line of data that holds the token the parser
// failed at with the error problem, the block it is in starting at line
// from: the decoder reports from, not the token's line, which its API does
// not give. It is the first line n from on whose lines 1 to n fail to
// parse with the same problem: the lines before it parse, as the parser
// read them before it met the token. It returns 0 when no such line is
// found.
func problemLine(data []byte, from int, problem string) int {
	lines := strings.SplitAfter(string(data), "\n")
	var b strings.Builder
	for n, l := range lines {
		b.WriteString(l)
		if n+1 < from {
			continue
		}
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(b.String()), &doc); err != nil && strings.HasSuffix(err.Error(), problem) {
			return n + 1
		}
	}
	return 0
}
