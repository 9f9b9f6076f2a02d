//go:build !unix

package bench

import "os"

// rusage returns the CPU times of a finished process; the peak RSS is not
// available outside Unix and stays 0.
func rusage(ps *os.ProcessState) Usage {
	return Usage{User: ps.UserTime(), System: ps.SystemTime()}
}
