// Package nulrun cuts the run of NUL bytes a crash or a copytruncate
// leaves before a log line, so that a length limit on lines does not lose
// the line after it.
//
// A file extended with zeros before the writer's data reached it (a
// crash), or truncated under a writer that does not append (copytruncate
// without O_APPEND), holds a run of NUL bytes where the writer's next line
// begins. Read as part of that line, a run longer than the reader's line
// limit would fill the limit and push the line itself past it.
package nulrun

// Cut returns line with a leading run of NUL bytes cut to one NUL when
// line is longer than max bytes; else line as it is. The result is a
// subslice (or substring) of line. A line of NUL bytes alone becomes one
// NUL.
func Cut[T []byte | string](line T, max int) T {
	if len(line) <= max || len(line) == 0 || line[0] != 0 {
		return line
	}
	i := 1
	for i < len(line) && line[i] == 0 {
		i++
	}
	return line[i-1:]
}
