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
// count from 0). A quote never closed on the line that opens it, which
// the decoder reports wherever the value it runs into fails, is reported
// at that line when closing it there makes data parse (unclosedQuoteLine);
// a [ or { never closed, which the decoder reports at the line before it,
// at its line (flowOpenerLine). A parser error names the line of the
// block the problem is in; problemLine finds the line of the offending
// token, and failing that the error says the problem is at or below its
// line. Other errors are returned as they are.
func syntaxError(data []byte, err error) error {
	msg := err.Error()
	if !strings.HasPrefix(msg, "yaml: ") {
		return err
	}
	if lineRE.FindStringSubmatch(msg) == nil {
		msg = "yaml: line 1: " + strings.TrimPrefix(msg, "yaml: ")
	}
	if n, q := unclosedQuoteLine(data); n > 0 {
		return errors.New("yaml: line " + strconv.Itoa(n) + ": the " + string(q) + " opened on this line is never closed (close the value with " + string(q) + " on this line)")
	}
	for _, f := range flowMsgs {
		if !strings.HasSuffix(msg, f.msg) {
			continue
		}
		m := lineRE.FindStringSubmatch(msg)
		from, _ := strconv.Atoi(m[1])
		if n := flowOpenerLine(data, from, f.open); n > 0 {
			return errors.New("yaml: line " + strconv.Itoa(n) + ": the " + string(f.open) + " opened on this line is never closed (close it with " + string(f.close) + ", or quote the value if the " + string(f.open) + " is part of it)")
		}
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

// flowMsgs are the parser's errors for a flow list or mapping never
// closed, with its brackets. The parser names the line of the bracket
// that opened it, counted from 0, so the line before it; on the first
// line it names the problem's line instead (see flowOpenerLine).
var flowMsgs = []struct {
	msg         string
	open, close byte
}{
	{"did not find expected ',' or ']'", '[', ']'},
	{"did not find expected ',' or '}'", '{', '}'},
}

// flowOpenerLine returns the line of data holding the bracket open ([ or
// {) that the parser's flow error, reported at line from, never saw
// closed. The parser names the opener's line counted from 0, so line
// from+1, or, for an opener on line 1, the line of the problem instead:
// the candidates are those of lines from+1 and 1 that open such a bracket
// and do not close it (scanLine). One candidate is the line when closing
// its brackets at its end makes the error go away (data parses, or fails
// otherwise); of two, the one whose closing makes data parse, if only
// one does. It returns 0 otherwise: the caller keeps the parser's line.
func flowOpenerLine(data []byte, from int, open byte) int {
	lines := strings.SplitAfter(string(data), "\n")
	was := parseError(string(data))
	var cands []int
	for _, n := range []int{from + 1, 1} {
		if n <= len(lines) && (len(cands) == 0 || cands[0] != n) {
			if _, brackets, _ := scanLine(lines[n-1]); strings.IndexByte(brackets, open) >= 0 {
				cands = append(cands, n)
			}
		}
	}
	closed := func(n int) string {
		l := lines[n-1]
		_, brackets, end := scanLine(l)
		var b strings.Builder
		for i := len(brackets) - 1; i >= 0; i-- {
			if brackets[i] == '[' {
				b.WriteByte(']')
			} else {
				b.WriteByte('}')
			}
		}
		return strings.Join(lines[:n-1], "") + l[:end] + b.String() + l[end:] + strings.Join(lines[n:], "")
	}
	switch len(cands) {
	case 1:
		if parseError(closed(cands[0])) != was {
			return cands[0]
		}
	case 2:
		a, b := parseError(closed(cands[0])) == "", parseError(closed(cands[1])) == ""
		if a && !b {
			return cands[0]
		}
		if b && !a {
			return cands[1]
		}
	}
	return 0
}

// unclosedQuoteLine returns the first line of data that opens a quoted
// value (" or ') without closing it, such that data parses once the quote
// is closed at the end of that line, and the quote: a quoted value may
// run over several lines, and one left open takes in the lines after it
// up to the next such quote, so the decoder fails far below it, or at
// the end of the file. It returns 0 when no such line is found; it tries
// the first 20 lines that open a quote they do not close.
func unclosedQuoteLine(data []byte) (int, byte) {
	lines := strings.SplitAfter(string(data), "\n")
	tries := 0
	for i, l := range lines {
		q, _, _ := scanLine(l)
		if q == 0 {
			continue
		}
		if tries++; tries > 20 {
			break
		}
		body := strings.TrimRight(l, "\r\n")
		fixed := strings.Join(lines[:i], "") + body + string(q) + l[len(body):] + strings.Join(lines[i+1:], "")
		if parseError(fixed) == "" {
			return i + 1, q
		}
	}
	return 0, 0
}

// parseError returns the decoder's error for s (its first document), ""
// if it parses.
func parseError(s string) string {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(s), &doc); err != nil {
		return err.Error()
	}
	return ""
}

// scanLine reads line, one line of YAML read on its own, and returns the
// quote (" or ') that opens a quoted value on it and is still open at its
// end, 0 if none, and the brackets ([ and {) opened on it and not closed
// on it, outermost first, and where its content ends: before a comment,
// or before the line break. A quote or bracket counts where a value or key
// can start: at the start of the line, or after ": ", "- ", a bracket or
// a comma, with spaces between; a bracket also anywhere inside brackets.
// A comment (a # at the start or after a space) ends the line. It is a
// heuristic: its callers check what it finds by parsing.
func scanLine(line string) (quote byte, brackets string, end int) {
	line = strings.TrimRight(line, "\r\n")
	start := true // a value or key can start here
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			continue // start carries over spaces
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return 0, brackets, i
		case (c == '"' || c == '\'') && start:
			j := closeQuote(line, i+1, c)
			if j < 0 {
				return c, brackets, len(line)
			}
			i = j
			start = false
		case (c == '[' || c == '{') && (start || brackets != ""):
			brackets += string(c)
			start = true
		case (c == ']' || c == '}') && brackets != "":
			brackets = brackets[:len(brackets)-1]
			start = false
		case c == ',' && brackets != "":
			start = true
		case (c == ':' || c == '-') && (i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t'):
			start = true
		default:
			start = false
		}
	}
	return 0, brackets, len(line)
}

// closeQuote returns the index in line of the quote q that closes the
// quoted value whose text starts at from, or -1 if it is not closed on
// line: a " is escaped by a backslash, a ' by doubling it.
func closeQuote(line string, from int, q byte) int {
	for i := from; i < len(line); i++ {
		switch {
		case q == '"' && line[i] == '\\':
			i++
		case line[i] == q && q == '\'' && i+1 < len(line) && line[i+1] == '\'':
			i++
		case line[i] == q:
			return i
		}
	}
	return -1
}
