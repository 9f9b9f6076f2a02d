//go:build !race

package agent

// raceEnabled: the race detector makes sync.Pool drop items, so allocation
// counts are not asserted.
const raceEnabled = false
