package parser

// skipNULs returns line without its leading run of NUL bytes, and
// without a UTF-8 byte order mark after them, and the number of bytes
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
	if len(line)-n >= 3 && line[n] == 0xef && line[n+1] == 0xbb && line[n+2] == 0xbf {
		n += 3
	}
	return line[n:], n
}

// shiftErr adds skipped, the NUL bytes skipped before the text that was
// parsed, to the offset of err (an *Error, or nil), so that it is a
// position in the line as given to Parse.
func shiftErr(err error, skipped int) error {
	if e, ok := err.(*Error); ok && skipped > 0 && e.Offset >= 0 {
		e.Offset += skipped
	}
	return err
}
