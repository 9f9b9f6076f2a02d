package detectconf

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// WaitsForLog ends the Why of a rule that is off because no source reads
// its log and that the configuration configures or enables: the rule
// runs with its settings once a source reads that log. It is not so when
// those settings are wrong (Mistakes).
const WaitsForLog = " and runs once a source reads that log"

// Mistakes says, in one form for every kind of mistake, that the
// settings of the rule of s have mistakes among errs (the mistakes of c,
// each a *config.Error, as check lists them), naming each setting with
// the value given: `its severity "Critical" is wrong (listed with the
// problems): run would not start`, `its windw "1h" and severity
// "CRITICAL" are wrong ...`, a refused item of a list by its index and
// value as the problems name it (`its allowed_domains[0] " Corp.Example"
// is wrong ...`), `it cannot run as configured ...` (a rule
// the configuration asks for that lacks what it needs). The mistakes of
// the rule are those of a key of its block (detections.rules.ID, or a
// key under it) and those of a key of detections.params that the rule
// reads and does not set itself (named "of detections.params"). A
// ti_file that run starts without (missing, a directory: the rule runs
// with no indicators, and s.Why says so) is left out. It returns "" when
// there is none.
func (s Status) Mistakes(c *config.Config, errs []error) string {
	id := s.Info.ID
	rule := "detections.rules." + id
	rc := c.Detections.Rules[id]
	var names []string
	cannotRun := false
	add := func(name string) {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	for _, err := range errs {
		var e *config.Error
		if !errors.As(err, &e) {
			continue
		}
		if e.Key == rule {
			cannotRun = true
			continue
		}
		if name, ok := strings.CutPrefix(e.Key, rule+"."); ok {
			if strings.Contains(name, "[") {
				// A refused item of a list (allowed_domains[0]): the
				// item as the problems name it, not the items kept.
				add(name + itemValue(e))
				continue
			}
			if name == "ti_file" && s.runsWithoutFile {
				continue
			}
			add(name + givenValue(rc.Severity, rc.Params, name))
			continue
		}
		if name, ok := strings.CutPrefix(e.Key, "detections.params."); ok {
			list, _, item := strings.Cut(name, "[")
			if _, own := rc.Params[list]; own || !slices.Contains(s.reads, list) || list == "ti_file" && s.runsWithoutFile {
				continue
			}
			if item {
				add(name + itemValue(e) + " of detections.params")
				continue
			}
			add(name + givenValue("", c.Detections.Params, name) + " of detections.params")
		}
	}
	var what string
	switch {
	case len(names) == 1:
		what = "its " + names[0] + " is wrong"
	case len(names) > 1:
		what = "its " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " are wrong"
	}
	if cannotRun {
		if what != "" {
			what += " and "
		}
		what += "it cannot run as configured"
	}
	if what == "" {
		return ""
	}
	return what + " (listed with the problems): run would not start"
}

// itemValue returns ` "ITEM"` for the refused list item e is about, as
// written and quoted as the problems quote it, or "" when the item was
// not a single value (a mapping, a list).
func itemValue(e *config.Error) string {
	if e.Item == "" {
		return ""
	}
	return " " + strconv.Quote(e.Item)
}

// givenValue returns ` "VALUE"` for the setting name of a rule block, the
// value as written (severity, or one of params), or "" when none was
// kept (a value of the wrong type, left out by Parse).
func givenValue(severity string, params map[string]string, name string) string {
	v, ok := params[name]
	if name == "severity" {
		v, ok = severity, severity != ""
	}
	if !ok {
		return ""
	}
	return " " + strconv.Quote(v)
}
