package config

import (
	"errors"
	"strings"
)

// syntaxHints are what to check for the YAML scanner's and parser's most
// common errors, by the end of their message. The parser's errors (below)
// carry the line before the block the problem is in, not the problem's.
var syntaxHints = []struct {
	msg, hint string
	below     bool
}{
	{"found unexpected end of stream", "a quote, [ or { opened and never closed? Look from this line up", false},
	{"mapping values are not allowed in this context", "a \": \" inside an unquoted value (quote the value), or a key indented deeper than the keys beside it", false},
	{"found character that cannot start any token", "a value starting with @ or ` must be quoted, and YAML indents with spaces only, not tabs", false},
	{"could not find expected ':'", "a key without its \": \", or a quoted value not closed on its line", false},
	{"did not find expected key", "a line indented differently from the keys beside it, or text after a quoted value", true},
	{"did not find expected '-' indicator", "the keys of a list item must line up under its first key", true},
	{"did not find expected node content", "a value missing after a [ , or {, or a stray ] or }", true},
}

// syntaxError adds to the decoder's syntax error err what to check, for
// the common ones, and line 1 when err has no line: the decoder leaves
// the line out for a problem on the first line (its marks count from
// 0). A parser error says the problem is at or below its line. Other
// errors are returned as they are.
func syntaxError(err error) error {
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
		if h.below {
			m := lineRE.FindString(msg)
			msg = m + "at or below this line: " + msg[len(m):]
		}
		return errors.New(msg + " (" + h.hint + ")")
	}
	return errors.New(msg)
}
