package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/gitlab-syslog/gitlab-syslog/internal/agent"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// detectStateIssues checks the files of the detection state in dir
// (state_dir/detect) as run finds them at start. problems are state
// files run cannot save over (detect.CheckStateDir: each save fails).
// warnings are what run logs at start and then works around: a state
// file it cannot restore (that state starts afresh) and a journal of
// delivered alerts it cannot read (agent.CheckDelivered), but for a
// file this user may not read, which is unreadableStateFiles' problem
// (run refuses to start). dir that is
// not a directory holds nothing to check.
func detectStateIssues(dir string) (problems []error, warnings []string) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, nil // nothing saved yet, or what is in its place: the state directory's checks say
	}
	ps, ws := detect.CheckStateDir(dir)
	for _, err := range ps {
		problems = append(problems, fmt.Errorf("detections: state file %w", err))
	}
	for _, err := range ws {
		if errors.Is(err, fs.ErrPermission) {
			continue // a problem of unreadableStateFiles: run refuses to start
		}
		warnings = append(warnings, "detection state: "+err.Error()+" (run starts all the same: it logs this, and the state kept in that file starts afresh)")
	}
	if err := agent.CheckDelivered(dir); err != nil && !errors.Is(err, fs.ErrPermission) {
		warnings = append(warnings, "detection state: "+err.Error()+" (run logs this at start; until it is fixed, after a crash the alerts raised again are dropped as delivered, even those never sent)")
	}
	return problems, warnings
}
