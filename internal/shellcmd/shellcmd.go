// Package shellcmd writes the shell commands that messages give a user to
// find a line in a log file: by the byte offset of its end or start, for
// plain and .gz files, with paths quoted for a POSIX shell.
package shellcmd

import (
	"fmt"
	"strings"
)

// FindLineAt returns, for a warning, the shell commands that print the
// line or record beginning at byte start of file, labelled what ("the
// line", "the first part"), and the number of lines before it (its line
// number less one), as FindLine does for a line's end.
func FindLineAt(file string, start int64, what string) string {
	show := Filter(file, fmt.Sprintf("tail -c +%d", start+1)) + " | head -n 1"
	before := Filter(file, fmt.Sprintf("head -c %d", start)) + " | wc -l"
	return show + " (" + what + "); " + before + " (the number of lines before it)"
}

// Filter returns the shell command that runs filter (a head or tail
// taking a file operand) over the bytes of file, decompressed when it is
// a .gz: "FILTER -- FILE", or "zcat -- FILE | FILTER"; a name starting
// with "-" is written ./-name.
func Filter(file, filter string) string {
	if strings.HasSuffix(file, ".gz") {
		return "zcat -- " + Path(file) + " | " + filter
	}
	return filter + " -- " + Path(file)
}

// Path returns file as a shell word that a command reads as a file
// even after "--": quoted (Quote), and a relative path starting with
// "-" written ./-name (head, zcat and others read "-" as standard input).
func Path(file string) string {
	if strings.HasPrefix(file, "-") {
		file = "./" + file
	}
	return Quote(file)
}

// FindLine returns, for the warning, the shell commands of LineCommands.
func FindLine(file string, end int64) string {
	show, number := LineCommands(file, end)
	return show + " (the line); " + number + " (its line number)"
}

// LineCommands returns the shell commands that print the line ending at
// byte end of file (just after its newline, as the tailer's offsets are)
// and its line number. The warning cannot give the number itself: the
// tailer starts at a checkpoint's byte offset (after a restart, with
// start_at: end, after a rotation) without reading the lines before it, so
// knowing the number would take reading the file from its start. For a
// .gz sibling the offset is in the decompressed stream. The commands work
// for any path: it is quoted, follows "--", and a relative path starting
// with "-" gets "./" (head and zcat read "-" as standard input even after
// "--").
func LineCommands(file string, end int64) (show, number string) {
	src := Filter(file, fmt.Sprintf("head -c %d", end))
	return src + " | tail -n 1", src + " | wc -l"
}

// Quote returns s quoted for a POSIX shell when it needs it.
func Quote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
