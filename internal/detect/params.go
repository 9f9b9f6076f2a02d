package detect

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ParamError reports a parameter value a rule cannot use.
type ParamError struct {
	Rule   string // rule id
	Param  string // parameter name
	Value  string // the value given
	Reason string // what is wrong and what is expected
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("detections: rule %s: parameter %s=%q: %s", e.Rule, e.Param, e.Value, e.Reason)
}

// Params gives a rule typed access to its parameters. Values are strings as
// written in the config or on the command line (--param NAME=VALUE): lists
// are comma-separated, booleans true/false, durations Go durations ("90s",
// "24h") or a plain number of seconds. Each getter takes the default used
// when the parameter is not set; a value that does not convert records a
// *ParamError (returned by Err) and yields the default.
//
// Params is used by one goroutine while a rule is built; it is not safe for
// concurrent use.
type Params struct {
	rule   string
	values map[string]string
	read   map[string]bool
	errs   []error
}

// NewParams returns the parameters of rule: values merges the global
// parameters (given for every rule that has them) with the rule's own,
// the rule's own taking precedence.
func NewParams(rule string, global, own map[string]string) *Params {
	v := make(map[string]string, len(global)+len(own))
	for k, x := range global {
		v[k] = x
	}
	for k, x := range own {
		v[k] = x
	}
	return &Params{rule: rule, values: v, read: make(map[string]bool)}
}

// Rule returns the id of the rule the parameters are for.
func (p *Params) Rule() string { return p.rule }

func (p *Params) lookup(name string) (string, bool) {
	p.read[name] = true
	v, ok := p.values[name]
	return strings.TrimSpace(v), ok
}

// Has reports whether name is set (to anything, even "").
func (p *Params) Has(name string) bool {
	_, ok := p.lookup(name)
	return ok
}

// Fail records a *ParamError for name; rules use it for checks beyond the
// type (a range, a file that cannot be read).
func (p *Params) Fail(name, reason string) {
	v := p.values[name]
	p.errs = append(p.errs, &ParamError{Rule: p.rule, Param: name, Value: v, Reason: reason})
}

// String returns the value of name, or def when it is not set.
func (p *Params) String(name, def string) string {
	if v, ok := p.lookup(name); ok {
		return v
	}
	return def
}

// List returns the comma-separated value of name with each item trimmed
// and empty items dropped, or def when it is not set.
func (p *Params) List(name string, def []string) []string {
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	var out []string
	for _, it := range strings.Split(v, ",") {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

// Bool returns the value of name ("true" or "false", any case), or def.
func (p *Params) Bool(name string, def bool) bool {
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	switch strings.ToLower(v) {
	case "true":
		return true
	case "false":
		return false
	}
	p.Fail(name, "want true or false")
	return def
}

// Int returns the value of name as a non-negative decimal integer, or def.
func (p *Params) Int(name string, def int) int {
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		p.Fail(name, "want a non-negative integer")
		return def
	}
	return n
}

// Bytes returns the value of name as a number of bytes, or def: a whole
// number (134217728), or a whole number and a unit, with or without a
// space: B, KiB, MiB, GiB (powers of 1024) or kB, MB, GB (powers of 1000),
// in any case, as the agent's byte-size keys take (max_line_bytes).
func (p *Params) Bytes(name string, def int) int {
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(v[:i])
	mul := byteUnit(strings.ToLower(strings.TrimSpace(v[i:])))
	if err != nil || mul == 0 || n > math.MaxInt/mul {
		p.Fail(name, `want a number of bytes such as 134217728 or "128MiB" (units: B, KiB, MiB, GiB, kB, MB, GB)`)
		return def
	}
	return n * mul
}

// byteUnit returns the bytes in one unit (lower case; "" is bytes), or 0
// for an unknown unit.
func byteUnit(u string) int {
	switch u {
	case "", "b":
		return 1
	case "k", "kb":
		return 1000
	case "ki", "kib":
		return 1 << 10
	case "m", "mb":
		return 1000 * 1000
	case "mi", "mib":
		return 1 << 20
	case "g", "gb":
		return 1000 * 1000 * 1000
	case "gi", "gib":
		return 1 << 30
	}
	return 0
}

// Float returns the value of name as a non-negative finite number, or
// def ("Inf" would make a threshold mean+Inf·0 = NaN).
func (p *Params) Float(name string, def float64) float64 {
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f != f || math.IsInf(f, 0) {
		p.Fail(name, "want a non-negative number")
		return def
	}
	return f
}

// Duration returns the value of name as a non-negative duration ("90s",
// "24h", "0", or a number of seconds), or def. Rules that need a positive
// duration check it with Fail.
func (p *Params) Duration(name string, def time.Duration) time.Duration {
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		if n, nerr := strconv.Atoi(v); nerr == nil {
			d, err = time.Duration(n)*time.Second, nil
		}
	}
	if err != nil || d < 0 {
		p.Fail(name, `want a non-negative duration such as "90s", "60m" or "24h"`)
		return def
	}
	return d
}

// Err returns the errors recorded so far, joined, or nil.
func (p *Params) Err() error { return errors.Join(p.errs...) }

// Unread returns, sorted, the names set in own (the rule's own
// parameters) that the rule never asked for: in a config they are typos.
func (p *Params) Unread(own map[string]string) []string {
	var out []string
	for k := range own {
		if !p.read[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
