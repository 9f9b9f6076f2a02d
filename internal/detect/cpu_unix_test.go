//go:build unix

package detect

import (
	"syscall"
	"time"
)

// processCPU returns the user and system CPU time the process has used
// (getrusage(2)), or 0 when it cannot be read.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
