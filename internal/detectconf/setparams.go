package detectconf

import (
	"fmt"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// SecondsShown returns " (1m30s)" for a bare number v (a decimal count of
// seconds) given to the duration parameter name (detect.Params.Duration:
// window, bucket, learning_period, suppress, max_session), as check and
// detect --list show it, since a number of seconds is easy to mistake for
// minutes; "" for any other name or value.
func SecondsShown(name, v string) string {
	n, ok := bareSeconds(name, v)
	if !ok {
		return ""
	}
	return fmt.Sprintf(" (%s)", time.Duration(n)*time.Second)
}

// setValues returns what c's detections block sets for the rule s, each
// as "name=value at FILE:LINE", the value as written: its severity
// (detections.rules.ID.severity, by its canonical name when valid) first, then its parameters in the order
// of s.Params then suppress, the rule's own value (detections.rules.ID)
// or else the block's (detections.params), as the engine takes them. A
// bare number given to a duration parameter is shown with its unit
// ("window=5 (5s)"), as a number of seconds is easy to mistake for
// minutes.
func setValues(c *config.Config, s detect.Spec) []string {
	id := s.Info.ID
	rc := c.Detections.Rules[id]
	var out []string
	if rc.Severity != "" {
		sev := rc.Severity // as written when it is wrong (Mistakes says so)
		if v, err := detect.ParseSeverity(sev); err == nil {
			sev = v.String() // high, NOTICE, err: High, Low, High
		}
		out = append(out, "severity="+sev+at(c, "detections.rules."+id+".severity"))
	}
	for _, name := range s.AllParams() {
		v, key := rc.Params[name], "detections.rules."+id+"."+name
		if _, ok := rc.Params[name]; !ok {
			var global bool
			if v, global = c.Detections.Params[name]; !global {
				continue
			}
			key = "detections.params." + name
		}
		out = append(out, name+"="+v+SecondsShown(name, v)+at(c, key))
	}
	return out
}
