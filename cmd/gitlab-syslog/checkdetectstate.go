package main

import (
	"github.com/gitlab-syslog/gitlab-syslog/internal/agent"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// detectStateWarnings returns a warning for each file of the detection
// state in dir (state_dir/detect) that run would warn of at start: a
// rule's state file it cannot restore (detect.CheckStateDir: the rule
// starts learning again) and a journal of delivered alerts it cannot
// read (agent.CheckDelivered). run starts with them, so they are
// warnings, not problems.
func detectStateWarnings(dir string) []string {
	var warns []string
	for _, err := range detect.CheckStateDir(dir) {
		warns = append(warns, "detection state: "+err.Error()+" (run starts all the same: it logs this, and the state kept in that file starts afresh)")
	}
	if err := agent.CheckDelivered(dir); err != nil {
		warns = append(warns, "detection state: "+err.Error()+" (run logs this at start; until it is fixed, after a crash the alerts raised again are dropped as delivered, even those never sent)")
	}
	return warns
}
