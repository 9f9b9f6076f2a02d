package main

import (
	"fmt"
	"os"
)

// checkpointIssues checks run's file checkpoints in the state directory
// dir (checkpointFiles). A directory in a checkpoint's place is a problem:
// no save can replace it, so run sends its file again at every start. A
// checkpoint that is another kind of non-regular file (a FIFO) is a
// warning: run does not open it, reads its file again from start_at,
// sending the lines it sent before again, and the next save replaces it.
func checkpointIssues(dir string) (problems []error, warnings []string) {
	for _, p := range checkpointFiles(dir) {
		fi, err := os.Lstat(p)
		switch {
		case err != nil || fi.Mode().IsRegular():
		case fi.IsDir():
			problems = append(problems, fmt.Errorf("checkpoint %s is a directory, which no checkpoint can replace: run sends its file again at every start; remove it", p))
		default:
			warnings = append(warnings, fmt.Sprintf("checkpoint %s is not a regular file (mode %s): run cannot use it and reads its file again from start_at, sending the lines it sent before again; remove it, or leave it to be replaced at the next checkpoint", p, fi.Mode()))
		}
	}
	return problems, warnings
}
