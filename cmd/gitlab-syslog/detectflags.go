package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// configOffNote returns the note detect prints when its --config file
// (configFile) turns off a rule that --rule (only) runs anyway: the
// detections block's enabled: false, the rule's own
// detections.rules.ID.enabled: false, or both. It is a line for each
// setting, naming the file, the setting and the rules, each ending in a
// newline; "" when the file turns none of them off (or there is no --rule
// or no file).
func configOffNote(configFile string, cfg detect.Config, only []string) string {
	if configFile == "" || len(only) == 0 {
		return ""
	}
	block := ""
	if cfg.Disabled {
		block = fmt.Sprintf("detect: %s sets detections.enabled: false, which turns detection off in run; --rule runs %s anyway\n",
			configFile, someIDs(only))
	}
	return block + rulesOffNote(configFile, cfg, only)
}

// rulesOffNote is the line of configOffNote for the rules of only whose
// own detections.rules.ID.enabled is false.
func rulesOffNote(configFile string, cfg detect.Config, only []string) string {
	var off []string
	for _, id := range only {
		if rc, ok := cfg.Rules[id]; ok && rc.Enabled != nil && !*rc.Enabled && !slices.Contains(off, id) {
			off = append(off, id)
		}
	}
	switch len(off) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("detect: %s sets detections.rules.%s.enabled: false, which turns the rule off in run; --rule runs it anyway\n",
			configFile, off[0])
	}
	return fmt.Sprintf("detect: %s sets enabled: false for %s (detections.rules.ID.enabled), which turns them off in run; --rule runs them anyway\n",
		configFile, someIDs(off))
}

// unreadParams checks the names of the --param flags (NAME=VALUE) against
// the rules that run (running, with their specs in specs): a NAME none of
// them reads would change nothing, so it is an error naming the flag, the
// rules that run, and the rules that do read it (those of them that are
// on but lack what they need with their reason, from off), or, when its
// value (values, by name: the flags as parsed) is empty and leaves its
// rules off, saying so. Every rule reads suppress. Errors are joined, one
// per name, in flag order.
func unreadParams(flags []string, values map[string]string, running []string, specs []detect.Spec, off []*detect.OffError) error {
	reads := func(s detect.Spec, name string) bool {
		return name == "suppress" || slices.Contains(s.Params, name)
	}
	var errs []error
	var done []string
	for _, f := range flags {
		name, _, _ := strings.Cut(f, "=")
		name = strings.TrimSpace(name)
		if slices.Contains(done, name) {
			continue
		}
		done = append(done, name)
		var readers []string
		read := false
		for _, s := range specs {
			if !reads(s, name) {
				continue
			}
			if slices.Contains(running, s.Info.ID) {
				read = true
				break
			}
			readers = append(readers, s.Info.ID)
		}
		if read || len(readers) == 0 { // unknown names are CheckFlags' to report
			continue
		}
		runs := "no rule runs"
		if len(running) > 0 {
			runs = plural(len(running), "the rule that runs is ", "the rules that run are ") + someIDs(running)
		}
		offs, nOff := offOf(readers, off)
		// Empty, or a list of empty items (",,"), which the rules read as none.
		if nOff == len(readers) && strings.Trim(values[name], ", \t") == "" {
			errs = append(errs, fmt.Errorf("--param %s is empty, so %s, which %s it, %s off: give it a value (a list is comma-separated: --param %s=a,b), or leave --param %s out",
				name, someIDs(readers), plural(len(readers), "needs", "need"), plural(len(readers), "is", "are"), name, name))
			continue
		}
		do := "run " + plural(len(readers), "it", "them") + " with --rule"
		if nOff == len(readers) { // on, but each lacks what it needs
			do = "give " + plural(len(readers), "it", "them") + " what " + plural(len(readers), "it needs", "they need")
		}
		errs = append(errs, fmt.Errorf("--param %s: no rule that runs reads it (%s); %s %s%s: %s, or leave --param %s out",
			name, runs, plural(len(readers), "the rule that reads it is", "the rules that read it are"), someIDs(readers),
			offs, do, name))
	}
	return errors.Join(errs...)
}

// offOf says which of the rules ids are off for want of data (off), with
// the reasons ("" for none), and how many are.
func offOf(ids []string, off []*detect.OffError) (string, int) {
	var rs []string
	for _, o := range off {
		if slices.Contains(ids, o.Rule) {
			rs = append(rs, o.Rule+" is off: "+o.Reason)
		}
	}
	if len(rs) == 0 {
		return "", 0
	}
	return " (" + strings.Join(rs, "; ") + ")", len(rs)
}
