package detectconf

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// durationParams are the parameters the engine reads as durations
// (detect.Params.Duration), which take a bare number as seconds.
var durationParams = []string{"window", "bucket", "learning_period", "suppress", "max_session"}

// bareSeconds returns the number of seconds a bare number v (decimal
// digits, no unit) given to the duration parameter name stands for, and
// false for any other name or value, or one beyond detect.MaxDuration.
func bareSeconds(name, v string) (int64, bool) {
	if !slices.Contains(durationParams, name) {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 || n > int64(detect.MaxDuration/time.Second) {
		return 0, false
	}
	return n, true
}

// BareSeconds returns a warning for each duration parameter (window,
// bucket, learning_period, suppress, max_session) and each duration key
// (detections.lateness, checkpoint_interval, ...: config.BareDurations)
// that c's file gives as a bare number, read as seconds where the defaults
// are minutes and hours (window: 5 is 5s, not 5m or 5h): the value is
// valid, so it is a warning, not an error. Each names the file, line and
// key, what the number is read as and what to write instead, in the order
// of the lines. 0 is left out: it is 0 in any unit (suppress: 0 alerts
// every time; window: 0 is an error). A rule's parameter is warned about
// only when the rule of specs (nil: detect.Catalogue()) reads it: another
// is an error already.
func BareSeconds(c *config.Config, specs []detect.Spec) []string {
	return bareSecondsFile(c, specs, nil, "")
}

// bareSecondsFile is BareSeconds for detect --config with the --param
// flags (NAME=VALUE by name): the warning about a parameter a flag gives
// says that the flag overrides the file's value in this run. Of the
// duration keys, only those under prefix are warned about ("detections."
// for detect, which reads no other).
func bareSecondsFile(c *config.Config, specs []detect.Spec, flags map[string]string, prefix string) []string {
	if c.File() == "" {
		return nil
	}
	if specs == nil {
		specs = detect.Catalogue()
	}
	type warn struct {
		line int
		text string
	}
	var warns []warn
	for _, b := range c.BareDurations() {
		if strings.HasPrefix(b.Key, prefix) {
			warns = append(warns, warn{b.Line, b.Warning(c.File())})
		}
	}
	add := func(key, name, v string) {
		n, ok := bareSeconds(name, v)
		if l := c.Line(key); ok && n > 0 && l > 0 {
			text := fmt.Sprintf("%s:%d: %s: %s", c.File(), l, key, config.SecondsAdvice(name, n, minDuration[name], 0))
			if fv, over := flags[name]; over {
				text += fmt.Sprintf(" (--param %s=%s overrides it in this run)", name, fv)
			}
			warns = append(warns, warn{l, text})
		}
	}
	for _, name := range durationParams {
		add("detections.params."+name, name, c.Detections.Params[name])
	}
	for i := range specs {
		id := specs[i].Info.ID
		rc, ok := c.Detections.Rules[id]
		if !ok {
			continue
		}
		for _, name := range specs[i].AllParams() {
			if v, set := rc.Params[name]; set {
				add("detections.rules."+id+"."+name, name, v)
			}
		}
	}
	slices.SortStableFunc(warns, func(a, b warn) int { return cmp.Compare(a.line, b.line) })
	out := make([]string, len(warns))
	for i, w := range warns {
		out[i] = w.text
	}
	return out
}

// FlagBareSeconds returns a warning, as BareSeconds does for a file, for
// each duration parameter of params (detect --param NAME=VALUE, by name)
// given as a bare number, in the order of the names:
// "--param window=60: 60 is read as 60 seconds (1m0s); write 60s to keep
// it, or 60m or 60h".
func FlagBareSeconds(params map[string]string) []string {
	var out []string
	for _, name := range sortedKeys(params) {
		if n, ok := bareSeconds(name, params[name]); ok && n > 0 {
			out = append(out, fmt.Sprintf("--param %s=%s: %s", name, params[name], config.SecondsAdvice(name, n, minDuration[name], 0)))
		}
	}
	return out
}

// minDuration is the least value of the duration parameters that have
// one, by name.
var minDuration = map[string]time.Duration{"learning_period": detect.MinLearningPeriod}
