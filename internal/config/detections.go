package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// Defaults of the detections block: event-time watermark and persistence.
const (
	// DefaultLateness is how far behind the newest event of a source an
	// event may arrive and still be folded into its window: the engine's.
	DefaultLateness = detect.DefaultLateness
	// DefaultStateSaveInterval is how often the engine's state is saved.
	DefaultStateSaveInterval = time.Minute
	// MinStateSaveInterval bounds state_save_interval from below.
	MinStateSaveInterval = time.Second
	// MaxLateness bounds lateness from above: windows are held this long
	// after the watermark, so it costs memory.
	MaxLateness = 24 * time.Hour
)

// Detections configures the detection engine (internal/detect): whether it
// runs, its time and persistence settings, and per rule whether it runs,
// its severity and its parameters.
type Detections struct {
	// Enabled runs the engine. Default true: every rule whose default is
	// on runs (detect.Spec.Default). false turns the engine off entirely;
	// the agent then only ships logs.
	Enabled *bool `yaml:"enabled"`
	// StateSaveInterval is how often the engine's state (baselines,
	// sessions, suppression, recent event ids) is saved under
	// <state_dir>/detect/; it is saved at shutdown too. Default 1m.
	StateSaveInterval time.Duration `yaml:"state_save_interval"`
	// Config is the engine's own configuration; its keys are those of
	// this block: lateness (the watermark's allowance: an event up to this
	// much older than the newest event of its source is still folded into
	// its window; default 2m), params (for every rule that reads them, as
	// `detect --param NAME=VALUE`; a rule's own value wins) and rules,
	// keyed by rule id (e.g. sentinel.bruteforce, falco.pat_created). A
	// parameter's value is a single value or a list of single values,
	// joined with commas. The rule ids, parameter names and severities are
	// checked against the engine's catalogue by internal/detectconf.
	detect.Config `yaml:",inline"`
}

// RuleConfig is the configuration of one rule: detections.rules.ID.
type RuleConfig = detect.RuleConfig

// On reports whether the engine runs (detections.enabled, default true).
func (d *Detections) On() bool { return d.Enabled == nil || *d.Enabled }

// RuleIDs returns the ids configured under rules, sorted.
func (d *Detections) RuleIDs() []string {
	ids := make([]string, 0, len(d.Rules))
	for id := range d.Rules {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// flattenParam checks the value v of key k at path p, a map of strings
// (the detection parameters), and rewrites it to the text form the
// engine's parameters take (detect.Config.Params, the same as `detect
// --param`): a scalar as written, a list as its items joined with commas.
// A value that is neither (a mapping), a list given to a parameter that
// takes one value (window: [1]; see detect.IsListParam) and an empty list
// are errors naming the file, the key's line and p (a mapping under a
// rule's params key, the block-wide params one level too deep, says where
// its parameters go); flattenParam then returns false. Each bad item of a
// list (a mapping or list, an empty one, one with spaces around it or with
// a comma) is an error naming its own line; the others are kept, so that
// the engine checks their values too, and flattenParam returns false only
// when none is left.
func flattenParam(k, v *yaml.Node, p, file string, errs *[]error) bool {
	n := deref(v)
	var err error
	switch {
	case k.Value == "params" && n.Kind == yaml.MappingNode && len(n.Content) >= 2 && strings.HasPrefix(p, "detections.rules."):
		// detections.rules.ID.params: the block-wide key's shape, one level too deep.
		err = fmt.Errorf("a rule's parameters go directly under its id, without params: (write %s.%s: %s); params: directly under detections sets a parameter for every rule",
			strings.TrimSuffix(p, ".params"), n.Content[0].Value, deref(n.Content[1]).Value)
	case !detect.IsListParam(k.Value) && n.Kind != yaml.ScalarNode:
		err = fmt.Errorf("want a single value, got %s", got(n))
		if n.Kind == yaml.SequenceNode {
			err = fmt.Errorf("%w (only allowed_domains and known_countries take a list)", err)
		}
	case n.Kind == yaml.MappingNode:
		err = errors.New("is a mapping; want a single value or a list")
	case n.Kind == yaml.SequenceNode && len(n.Content) == 0:
		err = errors.New("the list is empty: give at least one item, or leave the key out")
	case slices.Contains(detectPathParams, k.Value):
		if msg := pathValue(n, k.Value); msg != "" {
			err = errors.New(msg)
		}
	}
	if err != nil {
		*errs = append(*errs, &Error{File: file, Line: k.Line, Key: p, Err: err})
		return false
	}
	s := n.Value
	if n.Kind == yaml.SequenceNode {
		items, bad := listItems(n, p, file)
		*errs = append(*errs, bad...)
		if len(items) == 0 {
			return false
		}
		s = strings.Join(items, ",")
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return true
	}
	*v = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Line: v.Line, Column: v.Column}
	return true
}

// deref returns the node an alias n stands for, or n.
func deref(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// listItems returns the items of the list n, the value of the parameter
// at path p, that are single values the engine can take, and an error for
// each other item, naming file, the item's line, p and its index.
func listItems(n *yaml.Node, p, file string) (items []string, errs []error) {
	for i, e := range n.Content {
		e = deref(e)
		msg := ""
		switch v := e.Value; {
		case e.Kind != yaml.ScalarNode:
			msg = fmt.Sprintf("is a %s; want a list of single values", kindName(e.Kind))
		case e.Tag == "!!null" || v == "":
			msg = "is empty; remove it"
		case strings.Contains(v, ","):
			msg = fmt.Sprintf("%q has a comma; give each value as an item of its own: [%s]", v, strings.Join(fieldsComma(v), ", "))
		case strings.TrimSpace(v) != v:
			msg = fmt.Sprintf("%q has spaces around it; give it as %q", v, strings.TrimSpace(v))
		default:
			items = append(items, v)
			continue
		}
		err := lineErrorf(file, e.Line, fmt.Sprintf("%s[%d]", p, i), "%s", msg)
		if e.Kind == yaml.ScalarNode {
			err.Item = e.Value
		}
		errs = append(errs, err)
	}
	return items, errs
}

// fieldsComma splits s at its commas, each part trimmed of spaces, the
// empty ones left out.
func fieldsComma(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// resolve fills in the detections defaults for the keys the file does not
// set (given reports whether it sets the key at a path): a key set to 0
// keeps 0, which validation refuses, instead of meaning the default.
func (d *Detections) resolve(given func(path string) bool) {
	if d.Lateness == 0 && !given("detections.lateness") {
		d.Lateness = DefaultLateness
	}
	if d.StateSaveInterval == 0 && !given("detections.state_save_interval") {
		d.StateSaveInterval = DefaultStateSaveInterval
	}
}

// detections checks what needs no rule catalogue; the parameter values'
// form is checked as the file is decoded, and the rule ids, parameters and
// severities are checked against the engine's catalogue by the agent
// (internal/detectconf), with Config.Errorf for their lines.
func (v *validator) detections(d *Detections) {
	if d.Lateness <= 0 || d.Lateness > MaxLateness {
		v.errf("detections.lateness", "%s is out of range: want a duration above 0 and at most %s, such as 5m (the default is %s; "+
			"an event older than its source's newest event by more than this is dropped from the windowed rules, "+
			"so 0 would drop every line GitLab writes out of order; leave the key out for the default)",
			d.Lateness, detect.WrittenDuration(MaxLateness), detect.WrittenDuration(DefaultLateness))
	}
	if d.StateSaveInterval < MinStateSaveInterval {
		v.errf("detections.state_save_interval", "%s is too short: want at least %s (the default is %s; leave the key out for it)",
			d.StateSaveInterval, MinStateSaveInterval, detect.WrittenDuration(DefaultStateSaveInterval))
	}
}

// given reports whether the file sets the key at path.
func (c *Config) given(path string) bool { return c.Line(path) > 0 }

// Errorf returns an *Error about the key at path
// ("detections.rules.ID.KEY"), with the file and the line of the key, or
// of its nearest parent that was in the file, as Validate's errors are.
func (c *Config) Errorf(path, format string, args ...any) error {
	v := &validator{c: c}
	v.errf(path, format, args...)
	return v.errs[0]
}

// ValidateDetections fills in the detections defaults and checks the
// detections block alone, with the errors Validate gives for it, for
// commands that read only that block (detect --config).
func (c *Config) ValidateDetections() error {
	c.Detections.resolve(c.given)
	v := &validator{c: c}
	v.detections(&c.Detections)
	return errors.Join(v.errs...)
}

// ruleShape checks the value of the i-th key of rules (the mapping under
// detections.rules): a rule's settings are a mapping (enabled, severity,
// its parameters) or empty. A scalar or list there is either a rule
// given a value ("sentinel.impersonation: true") or a parameter written
// at the rules' indentation ("window: 2h" below "sentinel.bruteforce:"),
// and the message says which, with what to write. It returns "" for a
// mapping or an empty value.
func ruleShape(rules *yaml.Node, i int) string {
	k, v := rules.Content[i], rules.Content[i+1]
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	if v.Kind == yaml.MappingNode || (v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null") {
		return ""
	}
	msg := "want a mapping of the rule's settings (enabled, severity, parameters), got " + got(v)
	if strings.Contains(k.Value, ".") { // rule ids are <source>.<name>
		if v.Kind == yaml.ScalarNode && boolWord(v.Value) {
			return msg + fmt.Sprintf("; to turn it on or off, write enabled: %s on the next line, indented under the rule", v.Value)
		}
		return msg + "; write each setting on its own line, indented under the rule (severity: High, window: 2h)"
	}
	prev := ""
	for j := i - 2; j >= 0; j -= 2 {
		if strings.Contains(rules.Content[j].Value, ".") {
			prev = fmt.Sprintf(" (%s, line %d)", rules.Content[j].Value, rules.Content[j].Line)
			break
		}
	}
	return fmt.Sprintf("%q is not a rule id (ids look like sentinel.bruteforce): is it a parameter? Indent it under its rule%s, deeper than the rule's id", k.Value, prev)
}
