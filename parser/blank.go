package parser

import "bytes"

// utf8BOM is the UTF-8 byte order mark, U+FEFF.
var utf8BOM = []byte("\xef\xbb\xbf")

// Blank reports whether line holds nothing to parse: it is empty, or only
// white space (bytes.TrimSpace) and UTF-8 byte order marks, which an
// editor leaves at the start of a file it saved (Parse skips them, see the
// package doc). Parse fails on such a line ("empty line"); the agent and
// the CLI skip it, as they skip an empty line, rather than send it.
func Blank(line []byte) bool {
	for {
		line = bytes.TrimSpace(line)
		if !bytes.HasPrefix(line, utf8BOM) {
			return len(line) == 0
		}
		line = line[len(utf8BOM):]
	}
}
