package parser

import "bytes"

// lineParser is a parser's parse: the columns of line, which holds no
// leading NUL bytes, into r.
type lineParser interface {
	parse(line []byte, r *Record) error
}

// parseSkipping parses line with p after its leading run of NUL bytes
// (skipNULs). When the rest holds a NUL byte (a crash cut a line short and
// padded the file with NUL bytes, and the writer's next line came after
// them: part of a line, NUL bytes, a whole line), the text after its last
// NUL byte is GitLab's line, and r holds its columns when it parses: for
// a JSON line it is parsed when the whole does not (a NUL byte is never
// valid JSON), for text (text says so: an access line, a text
// application.log line) first, as text with a NUL byte in it may parse.
// Otherwise the error is the whole's, its offset a position in line
// (shiftErr).
func parseSkipping(p lineParser, line []byte, r *Record, text bool) error {
	b, skipped := skipNULs(line)
	if text && bytes.IndexByte(b, 0) >= 0 && parseAfterNUL(p, b, r) {
		return nil
	}
	err := p.parse(b, r)
	if err == nil || !text && parseAfterNUL(p, b, r) {
		return nil
	}
	return shiftErr(err, line, skipped)
}

// parseAfterNUL parses with p the text of b after its last NUL byte (and
// a byte order mark after it), and reports whether it parsed.
func parseAfterNUL(p lineParser, b []byte, r *Record) bool {
	if bytes.IndexByte(b, 0) < 0 {
		return false
	}
	rest := afterLastNUL(b)
	return len(rest) > 0 && p.parse(rest, r) == nil
}

// afterLastNUL returns the text of line after its last NUL byte and a
// byte order mark after it: GitLab's line in a line that holds NUL
// padding (see parseSkipping); line, without a leading byte order mark,
// when it holds none. A line without NUL bytes, nearly every line, is
// told by one vectorised IndexByte.
func afterLastNUL(line []byte) []byte {
	if bytes.IndexByte(line, 0) >= 0 {
		line = line[lastIndexByte(line, 0)+1:]
	}
	b, _ := skipNULs(line)
	return b
}

// skipNULs returns line without its leading run of NUL bytes, and
// without the UTF-8 byte order marks after them (one, or more from a file
// saved again), and the number of bytes
// skipped. Such a run is what a crash leaves in a log (the file was
// extended with zeros before the writer's data reached it) and what a
// copytruncate leaves when the writer does not append (O_APPEND); the
// mark is what an editor leaves at the start of a file it saved (RFC 8259
// §8.1 lets a JSON parser ignore it). Neither is GitLab's, and the text
// after them is GitLab's line.
func skipNULs(line []byte) ([]byte, int) {
	n := 0
	for n < len(line) && line[n] == 0 {
		n++
	}
	for len(line)-n >= 3 && line[n] == 0xef && line[n+1] == 0xbb && line[n+2] == 0xbf {
		n += 3
	}
	return line[n:], n
}

// shiftErr adds skipped, the NUL bytes skipped before the text that was
// parsed, to the offset of err (an *Error, or nil), so that it is a
// position in the line as given to Parse. When line, as given to Parse,
// is NUL padding (nulPadding), err's Reason says so instead of what the
// parser found wrong with the blank rest ("empty line"), and its Offset
// is -1.
func shiftErr(err error, line []byte, skipped int) error {
	e, ok := err.(*Error)
	if !ok {
		return err
	}
	if nulPadding(line) {
		e.Offset, e.Reason = -1, nulPaddingReason
		return e
	}
	if e.Offset >= 0 {
		e.Offset += skipped
	}
	return e
}

// nulPaddingReason is the Reason of the *Error the parsers return for a
// line of NUL bytes and nothing else but blanks (space, tab, CR).
const nulPaddingReason = "a line of only NUL bytes: the padding a crash or a copytruncate leaves in a log file, not a log line"

// nulPadding reports whether line holds NUL bytes and nothing else but
// blanks (space, tab, CR).
func nulPadding(line []byte) bool {
	nul := false
	for _, c := range line {
		switch c {
		case 0:
			nul = true
		case ' ', '\t', '\r':
		default:
			return false
		}
	}
	return nul
}
