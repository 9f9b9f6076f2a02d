package main

import (
	"bytes"
	"fmt"
	"io"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
)

// alertLines counts the lines of an input that are gitlab-syslog's own
// alerts, as detect prints them (one JSON object per alert, its first
// member "rule") or as the agent sends them (RFC 5424 with APP-NAME
// GitLab-Detections), and keeps the line number of the first. Such lines
// are not GitLab's: the JSON ones even parse as application lines (they
// have "severity" and "time"), and no rule wants them.
type alertLines struct {
	n, first int
}

// jsonAlertPrefix begins every alert detect prints as JSON (detect's
// AlertWriter writes "rule" first).
var jsonAlertPrefix = []byte(`{"rule":"`)

// alertAppName is the APP-NAME field of an RFC 5424 alert, spaces around.
var alertAppName = []byte(" " + forwarder.AppNameDetections + " ")

// add counts line n when it is an alert: a test of its first bytes for
// the lines of GitLab's logs, none of which begins with `{"rule":"` or
// '<'.
func (a *alertLines) add(n int, line []byte) {
	if len(line) == 0 || (line[0] != '{' && line[0] != '<') {
		return
	}
	if !bytes.HasPrefix(line, jsonAlertPrefix) && !(line[0] == '<' && bytes.Contains(line[:min(len(line), 160)], alertAppName)) {
		return
	}
	if a.n == 0 {
		a.first = n
	}
	a.n++
}

// warnAlertInputs warns of each input with lines that are gitlab-syslog
// alerts (alertLines): the rules read GitLab's logs, and an alert given
// back to detect raises nothing.
func warnAlertInputs(w io.Writer, inputs []detectInput, counts []inputCounts) {
	for i, c := range counts {
		if c.alerts.n == 0 {
			continue
		}
		fmt.Fprintf(w, "detect: WARNING: %d of the %d %s of %s (the first at line %d) %s gitlab-syslog alerts (the output of detect, or of the agent's %s stream), not GitLab log lines: the rules read GitLab's logs; give detect the logs the alerts came from\n",
			c.alerts.n, c.lines, plural(c.lines, "line", "lines"), inputs[i].label(), c.alerts.first,
			plural(c.alerts.n, "is a", "are"), forwarder.AppNameDetections)
	}
}
