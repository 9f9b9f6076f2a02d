//go:build !unix

package detect

import "time"

// processCPU returns 0: the benchmarks report no CPU time per line where
// getrusage(2) is missing.
func processCPU() time.Duration { return 0 }
