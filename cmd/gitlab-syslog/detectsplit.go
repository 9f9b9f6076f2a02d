package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// warnSplitLogs prints, for a run with a kept --state-dir (dir not ""),
// a NOTE for each running rule that joins lines of several logs
// (detect.Engine.JoinedLogs) of which the inputs held some and not
// others: each run closes its windows at its end, so a later run with
// DIR over the other logs does not join with this one's lines (an
// impersonation's start in the application log with the actions in the
// audit log, a password sign-in with its audit line). It prints nothing
// without a kept DIR, where every run is on its own anyway.
func warnSplitLogs(w io.Writer, eng *detect.Engine, counts []inputCounts, dir string) {
	if dir == "" {
		return
	}
	var read uint8
	for i := range counts {
		read |= counts[i].logs
	}
	joined := eng.JoinedLogs()
	for _, id := range slices.Sorted(maps.Keys(joined)) {
		var all, had, lacked []string
		for _, t := range joined[id] {
			all = append(all, t.String())
			if read>>t&1 == 1 {
				had = append(had, t.String())
			} else {
				lacked = append(lacked, t.String())
			}
		}
		if len(had) == 0 || len(lacked) == 0 {
			continue
		}
		fmt.Fprintf(w, "detect: NOTE: rule %s joins lines of the %s logs, and this run read the %s log%s and no %s log: each run closes its windows at its end, so a later run with --state-dir %s over the %s log does not join with this one's lines; give the logs of a period to one run\n",
			id, strings.Join(all, " and "), strings.Join(had, " and "), plural(len(had), "", "s"), strings.Join(lacked, " or "), dir, strings.Join(lacked, " and "))
	}
}
