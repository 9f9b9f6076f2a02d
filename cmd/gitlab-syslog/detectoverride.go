package main

import (
	"errors"
	"fmt"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detectconf"
)

// overriddenMistakes returns the mistakes in the --config file path that
// a --param flag hides: a value of detections.params or of a rule's own
// parameters (fc, as detectconf read it) that flags (by name) override and
// that the rules reading it would refuse, as run refuses the file. Each
// is a warning naming path:LINE, the key and the value, and saying the
// flag wins for this run; nil when there is none. Only those values are
// checked, as CheckOffRules checks an off rule (without opening files).
func overriddenMistakes(path string, fc detect.Config, flags map[string]string) []string {
	chk := detect.Config{Disabled: true, Params: map[string]string{}, Rules: map[string]detect.RuleConfig{}, Now: fc.Now}
	for k, v := range fc.Params {
		if _, ok := flags[k]; ok {
			chk.Params[k] = v
		}
	}
	for id, rc := range fc.Rules {
		own := map[string]string{}
		for k, v := range rc.Params {
			if _, ok := flags[k]; ok {
				own[k] = v
			}
		}
		if len(own) > 0 {
			chk.Rules[id] = detect.RuleConfig{Params: own}
		}
	}
	if len(chk.Params) == 0 && len(chk.Rules) == 0 {
		return nil
	}
	err := detect.CheckOffRules(chk)
	if err == nil {
		return nil
	}
	byParam := map[string][]error{} // each flag's own warnings, in order
	var order []string
	for _, e := range detectconf.Leaves(err) {
		var pe *detect.ParamError
		if !errors.As(e, &pe) {
			continue // not about a value: not this check's to say
		}
		if byParam[pe.Param] == nil {
			order = append(order, pe.Param)
		}
		byParam[pe.Param] = append(byParam[pe.Param], e)
	}
	var out []string
	for _, k := range order {
		for _, e := range detectconf.Leaves(detectconf.FileEngineErrs(path, errors.Join(byParam[k]...))) {
			out = append(out, fmt.Sprintf("detect: WARNING: %v; --param %s=%s overrides it in this run, but run refuses the file: fix it there", e, k, flags[k]))
		}
	}
	return out
}
