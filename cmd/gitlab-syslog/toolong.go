package main

import (
	"fmt"
	"math"
)

// tooLongHint says that n lines (and all of them when all is set) were
// longer than the line limit max (max_line_bytes, in bytes), so they were
// cut and not parsed, and how to raise the limit: --max-line-bytes, or
// max_line_bytes in the config file for the commands that read one, to a
// value above longest, the length in bytes of the longest of them (0: not
// known). It is what send, parse and detect say instead of "not a GitLab
// log" when the lines did not parse only because they were too long.
func tooLongHint(n int, all bool, max, longest int, config bool) string {
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
	longestIs := ""
	if longest > max {
		longestIs = fmt.Sprintf(" (%d bytes)", longest)
	}
	return fmt.Sprintf("%s longer than the line limit of %d bytes (max_line_bytes), so cut to it and not parsed: raise the limit above the longest line%s with %s, e.g. --max-line-bytes %s",
		which, max, longestIs, raise, suggestMaxLine(max, longest))
}

// suggestMaxLine returns a line limit above longest, the length in bytes
// of the longest line cut to the limit max: rounded up to a whole KiB
// below 1MiB, to a whole MiB from there, at most 2147483647 (the largest
// --max-line-bytes takes). When longest is not known (not above max), it
// is four times max. A whole number of KiB or MiB is written with its
// unit.
func suggestMaxLine(max, longest int) string {
	n := 4 * max
	if longest > max {
		unit := 1 << 10
		if longest >= 1<<20 {
			unit = 1 << 20
		}
		n = (longest/unit + 1) * unit // above longest, even when it is a whole unit
	}
	switch {
	case n > math.MaxInt32 || n <= 0:
		return fmt.Sprint(math.MaxInt32)
	case n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprint(n)
}
