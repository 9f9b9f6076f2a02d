package detectconf

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// isDurationParam reports whether the rules read name as a duration
// (detect.Params.Duration), where a bare number is seconds.
func isDurationParam(name string) bool {
	switch name {
	case "window", "bucket", "learning_period", "suppress", "max_session":
		return true
	}
	return false
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
	for _, name := range append(slices.Clip(s.Params), "suppress") {
		v, key := own[name], "detections.rules."+id+"."+name
		if _, ok := own[name]; !ok {
			var global bool
			if v, global = c.Detections.Params[name]; !global {
				continue
			}
			key = "detections.params." + name
		}
		shown := name + "=" + v
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && isDurationParam(name) && n >= 0 && n <= int64(detect.MaxDuration/time.Second) {
			shown += fmt.Sprintf(" (%s)", time.Duration(n)*time.Second)
		}
		out = append(out, shown+at(c, key))
	}
	return out
}
