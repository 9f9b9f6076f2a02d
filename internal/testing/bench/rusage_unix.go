//go:build unix

package bench

import (
	"os"
	"syscall"
	"time"
)

// rusage returns the CPU times and peak RSS of a finished process from
// wait4's rusage.
func rusage(ps *os.ProcessState) Usage {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return Usage{}
	}
	return Usage{
		User:   time.Duration(ru.Utime.Nano()),
		System: time.Duration(ru.Stime.Nano()),
		MaxRSS: ru.Maxrss * 1024, // KiB on Linux
	}
}
