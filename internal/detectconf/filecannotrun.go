package detectconf

import (
	"fmt"
	"slices"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// FileCannotRun returns, for detect --config, an error for each rule of
// off (the rules detect's engine, built from the file at path and the
// command's flags, left off for want of something) that the file asks for
// (enabled: true, a severity or a parameter given): run, check and a
// reload refuse such a file, and so does detect. Each error names the
// file's line, the rule, what it lacks and what to do, in the file or for
// this run alone (detectTodo). Left out are a rule the file sets
// enabled: false (run does not build it; detect --rule may, and says it
// is off) and every rule when the file's detections block is off (run
// then builds no rule and accepts the file). A rule that --rule leaves
// out of the run is not in off, and one a --param gives what it lacked
// is not off: neither is an error. It returns nil when path cannot be
// read again (LoadFile reported that).
func FileCannotRun(path string, off []*detect.OffError) error {
	c, _ := config.Load(path) // the mistakes of the keys detect does not read are run's and check's
	if c == nil || !c.Detections.On() {
		return nil
	}
	asked := slices.DeleteFunc(slices.Clone(off), func(o *detect.OffError) bool {
		rc := c.Detections.Rules[o.Rule]
		return rc.Enabled != nil && !*rc.Enabled
	})
	return config.SortErrors(cannotRunTodo(c, asked, detectTodo), c.File())
}

// detectTodo is what to do about a rule of detect's --config file that
// cannot run: what run's message says, and the flags that settle it for
// one run (--param for a parameter it lacks, --rule to run other rules).
func detectTodo(o *detect.OffError) string {
	param := ""
	if o.Param != "" {
		param = fmt.Sprintf(" (for this run alone: --param %s=VALUE)", o.Param)
	}
	return fmt.Sprintf("give it that%s, or remove the rule's settings (or set enabled: false) to leave it off, "+
		"or run only other rules with --rule ID", param)
}
