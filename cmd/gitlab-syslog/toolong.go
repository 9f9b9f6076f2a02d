package main

import "fmt"

// tooLongHint says that n lines (and all of them when all is set) were
// longer than the line limit max (max_line_bytes, in bytes), so they were
// cut and not parsed, and how to raise the limit: --max-line-bytes, or
// max_line_bytes in the config file for the commands that read one. It
// is what send, parse and detect say instead of "not a GitLab log" when
// the lines did not parse only because they were too long.
func tooLongHint(n int, all bool, max int, config bool) string {
	which := fmt.Sprintf("%d %s", n, plural(n, "line is", "lines are"))
	if all {
		which = fmt.Sprintf("the %d %s read %s", n, plural(n, "line", "lines"), plural(n, "is", "are"))
		if n == 1 {
			which = "the line read is"
		}
	}
	raise := "--max-line-bytes"
	if config {
		raise += " (or max_line_bytes in the config file)"
	}
	return fmt.Sprintf("%s longer than the line limit of %d bytes (max_line_bytes), so cut to it and not parsed: raise the limit above the longest line with %s, e.g. --max-line-bytes %s",
		which, max, raise, suggestMaxLine(max))
}

// suggestMaxLine returns a limit four times max, written with a unit
// (KiB, MiB) when it is a whole number of them.
func suggestMaxLine(max int) string {
	n := 4 * max
	switch {
	case n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprint(n)
}
