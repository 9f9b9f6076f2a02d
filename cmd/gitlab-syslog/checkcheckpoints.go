package main

import (
	"fmt"
	"os"
)

// checkpointWarnings returns a warning for each file checkpoint of run in
// the state directory dir (checkpointFiles) that is not a regular file: run
// does not open it (a FIFO would block), cannot tell where it stopped in
// the file it stands for, and reads that file again from start_at,
// sending its lines again, until the next checkpoint replaces it.
func checkpointWarnings(dir string) []string {
	var warns []string
	for _, p := range checkpointFiles(dir) {
		if fi, err := os.Lstat(p); err == nil && !fi.Mode().IsRegular() {
			warns = append(warns, fmt.Sprintf("checkpoint %s is not a regular file (mode %s): run cannot use it and reads its file again from start_at, sending the lines it sent before again; remove it, or leave it to be replaced at the next checkpoint", p, fi.Mode()))
		}
	}
	return warns
}
