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

// setParams returns the parameters of the rule s that c's detections
// block sets, in the order of s.Params then suppress, each as
// "name=value at FILE:LINE": the rule's own value (detections.rules.ID)
// or else the block's (detections.params), as the engine takes them. A
// bare number given to a duration parameter is shown with its unit
// ("window=5 (5s)"), as a number of seconds is easy to mistake for
// minutes.
func setParams(c *config.Config, s detect.Spec) []string {
	id := s.Info.ID
	own := c.Detections.Rules[id].Params
	var out []string
	for _, name := range s.AllParams() {
		v, key := own[name], "detections.rules."+id+"."+name
		if _, ok := own[name]; !ok {
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
