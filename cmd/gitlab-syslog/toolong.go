package main

import (
	"fmt"

	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// tooLongHint says that n lines (and all of them when all is set) were
// longer than the line limit max (max_line_bytes, in bytes), so they were
// cut and not parsed, and how to raise the limit: --max-line-bytes, to a
// value above longest, the length in bytes of the longest of them (0: not
// known). It is what send, parse and detect say instead of "not a GitLab
// log" when the lines did not parse only because they were too long.
func tooLongHint(n int, all bool, max, longest int) string {
	which := fmt.Sprintf("%d %s", n, plural(n, "line is", "lines are"))
	if all {
		which = fmt.Sprintf("the %d %s read %s", n, plural(n, "line", "lines"), plural(n, "is", "are"))
		if n == 1 {
			which = "the line read is"
		}
	}
	longestIs := ""
	if longest > max {
		longestIs = fmt.Sprintf(" (%d bytes)", longest)
	}
	return fmt.Sprintf("%s longer than the line limit of %d %s (--max-line-bytes), so cut to it and not parsed: raise the limit above the longest line%s with --max-line-bytes, e.g. --max-line-bytes %s",
		which, max, plural(max, "byte", "bytes"), longestIs, tailer.SuggestMaxLine(max, longest))
}

// cutLines counts the lines of one input cut to the line limit (never
// parsed) and keeps the number of the first and the length of the
// longest, for the warning send and detect give per input.
type cutLines struct {
	n       int // lines cut
	first   int // the 1-based line number of the first
	longest int // the length in bytes of the longest, without its ending
}

// add counts line n, cut to the limit, whose whole length was long bytes.
func (c *cutLines) add(n, long int) {
	if c.n == 0 {
		c.first = n
	}
	c.n++
	c.longest = max(c.longest, long)
}

// warning names the first cut line of the input label, of which read
// lines were read (blank ones not counted), says how to raise the limit
// maxLine above the longest (tooLongHint) and what became of the line
// (fateOne) or lines (fateMany): "LABEL:LINE (the first of them): HINT;
// FATE". It is "" when no line was cut.
func (c *cutLines) warning(label string, read, maxLine int, fateOne, fateMany string) string {
	if c.n == 0 {
		return ""
	}
	first := ""
	if c.n > 1 {
		first = " (the first of them)"
	}
	return fmt.Sprintf("%s:%d%s: %s; %s", label, c.first, first, tooLongHint(c.n, c.n == read, maxLine, c.longest), plural(c.n, fateOne, fateMany))
}
