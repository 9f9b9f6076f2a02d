package tailer

import (
	"fmt"
	"math"
)

// SuggestMaxLine returns a line limit (MaxLineBytes) above longest, the
// length in bytes of the longest line cut to the limit max, for messages
// that say how to raise it: rounded up to a whole KiB below 1MiB, to a
// whole MiB from there, at most 2147483647 (the largest max_line_bytes and
// --max-line-bytes take). When longest is not known (not above max), it is
// four times max. A whole number of KiB or MiB is written with its unit.
func SuggestMaxLine(max, longest int) string {
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
