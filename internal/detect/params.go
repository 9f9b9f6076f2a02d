package detect

import (
	"errors"
	"fmt"
	"math"
	"regexp"
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

	lead string // what is wrong with the value, said before the reason (Params.typeFail)
}

// Error returns the rule, the parameter with its value, and the reason:
// "detections: rule ID: parameter NAME=\"VALUE\": reason".
func (e *ParamError) Error() string {
	return fmt.Sprintf("detections: rule %s: parameter %s=%q: %s", e.Rule, e.Param, e.Value, e.Reason)
}

// Params gives a rule typed access to its parameters. Values are strings as
// written in the config or on the command line (--param NAME=VALUE): lists
// are comma-separated, booleans true/false, durations Go durations ("90s",
// "24h") or a plain number of seconds. Each getter takes the default used
// when the parameter is not set; a value that does not convert records a
// *ParamError (returned by Err) and yields the default (Bool, String,
// List) or 0 (the numeric getters: a rule's bound checked with Fail then
// gives the reason the user reads; see Fail).
//
// Params is used by one goroutine while a rule is built; it is not safe for
// concurrent use.
type Params struct {
	rule   string
	values map[string]string
	read   map[string]bool
	errs   []*ParamError
	// typeErr indexes errs by parameter name for the errors a typed
	// getter recorded, which a later Fail for the same name refines.
	typeErr map[string]int
	// kind is, per parameter read by a numeric getter, what that getter
	// takes ("a whole number"), which Fail names before a rule's bound.
	kind map[string]string
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
	return &Params{rule: rule, values: v, read: make(map[string]bool), typeErr: make(map[string]int), kind: make(map[string]string)}
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
// type (a range, a file that cannot be read). reason says what the rule
// accepts ("want at least 1"). When a typed getter (Int, Duration, ...)
// already refused the value of name, and so returned 0, reason replaces
// the getter's: the rule knows the range it accepts better, and a value
// too large to hold keeps the getter's note of that. A bound on a
// parameter read by a numeric getter ("want at least 1") is given with
// what that getter takes ("want a whole number, at least 1"), so that the
// user reads everything accepted whether the value was of the wrong kind
// (1.5) or out of range (0). A lower bound on a number of days
// (IsDaysParam) is given with its upper bound, MaxDays.
func (p *Params) Fail(name, reason string) {
	if low, ok := strings.CutPrefix(reason, "want at least "); ok && IsDaysParam(name) {
		reason = fmt.Sprintf("want %s to %d (10 years)", low, MaxDays) // the upper bound Int applies
	}
	if k := p.kind[name]; k != "" && strings.HasPrefix(reason, "want ") && !strings.HasPrefix(reason, "want a ") {
		reason = "want " + k + ", " + strings.TrimPrefix(reason, "want ")
	}
	if i, ok := p.typeErr[name]; ok {
		delete(p.typeErr, name)
		e := p.errs[i]
		e.Reason = reason
		if e.lead != "" {
			e.Reason = e.lead + "; " + reason
		}
		return
	}
	p.errs = append(p.errs, &ParamError{Rule: p.rule, Param: name, Value: p.values[name], Reason: reason})
}

// typeFail records that the value of name is not of the getter's kind
// or out of its range: want says what the getter accepts, lead (when
// not "") what is wrong with the value ("too large"). A later Fail for
// name refines the reason (see Fail); a second typeFail replaces it.
func (p *Params) typeFail(name, want, lead string) {
	e := &ParamError{Rule: p.rule, Param: name, Value: p.values[name], Reason: want, lead: lead}
	if lead != "" {
		e.Reason = lead + "; " + want
	}
	if i, ok := p.typeErr[name]; ok {
		p.errs[i] = e
		return
	}
	p.typeErr[name] = len(p.errs)
	p.errs = append(p.errs, e)
}

// String returns the value of name, or def when it is not set.
func (p *Params) String(name, def string) string {
	if v, ok := p.lookup(name); ok {
		return v
	}
	return def
}

// IsListParam reports whether the parameter name takes a list of
// comma-separated items (allowed_domains, known_countries) rather than one
// value.
func IsListParam(name string) bool {
	return name == "allowed_domains" || name == "known_countries"
}

// List returns the comma-separated value of name with each item trimmed,
// or def when it is not set. A value of white space and commas only is
// the empty list. An empty item among others (DE,,IE, or a comma at an
// end) is a typing slip: it is dropped and refused (Fail), so that the
// list meant is written.
func (p *Params) List(name string, def []string) []string {
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	var out []string
	empty := false
	for _, it := range strings.Split(v, ",") {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		} else {
			empty = true
		}
	}
	if empty && len(out) > 0 {
		p.Fail(name, fmt.Sprintf("has an empty item (two commas in a row, or one at an end): write the list without it, %s", strings.Join(out, ",")))
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

// The reasons the typed getters give; a rule that accepts less (at least
// 1, a duration above 0) says so with Fail, which replaces them.
const (
	wantInt      = "want a whole number, 0 or more"
	wantDays     = "want a whole number of days, 0 to 3650 (10 years)"
	wantFloat    = "want a number, 0 or more, such as 3 or 1.5"
	wantDuration = `want a duration from 0 to 87600h (10 years), such as "90s", "60m" or "24h" (a bare number is seconds)`
	// wantPositiveDuration is the reason of the rules whose windows,
	// buckets and sessions cannot be empty.
	wantPositiveDuration = `want a duration above 0, at most 87600h (10 years), such as "90s", "60m" or "24h" (a bare number is seconds)`
	wantBytes            = `want a number of bytes such as 134217728 or "128MiB" (units: B, KiB, MiB, GiB, kB, MB, GB)`
)

// MaxDays is the largest day count a parameter takes (a name ending in
// _days: anomaly_days, new_country_days): 3650 days, 10 years, as
// MaxDuration. A rule keeps or fits that many days per key (a trend over
// anomaly_days allocates one number per day at each fit), so an
// unbounded count would take unbounded memory and time.
const MaxDays = 3650

// IsDaysParam reports whether the parameter name is a number of days
// (its name ends in _days), which Int bounds by MaxDays.
func IsDaysParam(name string) bool { return strings.HasSuffix(name, "_days") }

// Int returns the value of name as a decimal integer from 0 to
// math.MaxInt, or to MaxDays for a number of days (IsDaysParam), or def
// when it is not set. A value that is not one records a *ParamError and
// yields 0, so that a rule's own lower bound (checked with Fail) gives
// the message.
func (p *Params) Int(name string, def int) int {
	p.kind[name] = "a whole number"
	want := wantInt
	if IsDaysParam(name) {
		p.kind[name], want = "a whole number of days", wantDays
	}
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	switch {
	case IsDaysParam(name) && (err == nil && n > MaxDays || errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(v, "-")):
		p.typeFail(name, want, fmt.Sprintf("too large (at most %d days, 10 years)", MaxDays))
		return 0
	case errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(v, "-"):
		p.typeFail(name, want, fmt.Sprintf("too large (the largest whole number is %d)", math.MaxInt))
		return 0
	case err != nil || n < 0:
		p.typeFail(name, want, "")
		return 0
	}
	return n
}

// Bytes returns the value of name as a number of bytes, or def: a whole
// number (134217728), or a whole number and a unit, with or without a
// space: B, KiB, MiB, GiB (powers of 1024) or kB, MB, GB (powers of 1000),
// in any case, as the agent's byte-size keys take (max_line_bytes).
func (p *Params) Bytes(name string, def int) int {
	p.kind[name] = "a number of bytes"
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
	switch {
	case mul != 0 && (errors.Is(err, strconv.ErrRange) || err == nil && n > math.MaxInt/mul):
		p.typeFail(name, wantBytes, fmt.Sprintf("too large (the most is %d bytes)", math.MaxInt))
		return 0
	case err != nil || mul == 0:
		p.typeFail(name, wantBytes, "")
		return 0
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

// Float returns the value of name as a finite number, 0 or more, or def
// when it is not set ("Inf" would make a threshold mean+Inf·0 = NaN). A
// value that is not one records a *ParamError and yields 0.
func (p *Params) Float(name string, def float64) float64 {
	p.kind[name] = "a number"
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	switch {
	case errors.Is(err, strconv.ErrRange) && f > 0, err == nil && math.IsInf(f, 1):
		p.typeFail(name, wantFloat, fmt.Sprintf("too large (the largest number is %g)", math.MaxFloat64))
		return 0
	case err != nil || f < 0 || f != f || math.IsInf(f, 0):
		p.typeFail(name, wantFloat, "")
		return 0
	}
	return f
}

// MaxDuration is the longest duration parameter a rule takes (window,
// bucket, learning_period, suppress, max_session): 10 years. Rules add
// and subtract their durations to event times held as Unix nanoseconds,
// which reach only from 1678 to 2262; within 10 years of a log's times
// that arithmetic cannot overflow into a wrong time.
const MaxDuration = 10 * 365 * 24 * time.Hour

// Duration returns the value of name as a duration from 0 to MaxDuration:
// a Go duration ("90s", "24h", "0") or a whole number of seconds; or def
// when it is not set. A value that is not one records a *ParamError and
// yields 0, so that a rule that needs a duration above 0 (checked with
// Fail) gives the message.
func (p *Params) Duration(name string, def time.Duration) time.Duration {
	p.kind[name] = "a duration"
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		if n, nerr := strconv.ParseInt(v, 10, 64); nerr == nil || errors.Is(nerr, strconv.ErrRange) {
			d, err = time.Duration(n)*time.Second, nerr
			if nerr == nil && (n > math.MaxInt64/int64(time.Second) || n < math.MinInt64/int64(time.Second)) {
				err = strconv.ErrRange
			}
		}
	}
	switch {
	case err != nil && !strings.HasPrefix(v, "-") && durationTooLarge(v, err), err == nil && d > MaxDuration:
		p.typeFail(name, wantDuration, "too large")
		return 0
	case err != nil && isFraction(v):
		p.typeFail(name, wantDuration, fmt.Sprintf("a bare number is whole seconds: write %ss for %s seconds", v, v))
		return 0
	case err != nil && DaysHint(v) != "":
		p.typeFail(name, wantDuration, DaysHint(v))
		return 0
	case err != nil || d < 0:
		p.typeFail(name, wantDuration, "")
		return 0
	}
	return d
}

// DaysHint says, for v a whole number of days or weeks ("7d", "2w"),
// which Go durations (time.ParseDuration) do not take, how to write it in
// hours ("days are not a unit: write 168h for 7d"); "" for any other v and
// for one over MaxDuration.
func DaysHint(v string) string {
	if len(v) < 2 {
		return ""
	}
	var per int64
	var unit string
	switch v[len(v)-1] {
	case 'd':
		per, unit = 24, "days"
	case 'w':
		per, unit = 7*24, "weeks"
	default:
		return ""
	}
	n, err := strconv.ParseInt(v[:len(v)-1], 10, 64)
	if err != nil || n < 0 || n > int64(MaxDuration/time.Hour)/per {
		return ""
	}
	return fmt.Sprintf("%s are not a unit: write %dh for %s", unit, n*per, v)
}

// isFraction reports whether v is a positive decimal number with a
// fraction and no unit, such as "1.5".
func isFraction(v string) bool {
	f, err := strconv.ParseFloat(v, 64)
	return err == nil && f > 0 && strings.Contains(v, ".") && !strings.ContainsAny(v, "eEnNiI")
}

// durationTooLarge reports whether err, from parsing v as a duration, says
// that v is beyond what a time.Duration holds rather than malformed:
// time.ParseDuration's error is the same for both, so v is too large when
// it has a duration's syntax.
func durationTooLarge(v string, err error) bool {
	return errors.Is(err, strconv.ErrRange) || durationSyntax.MatchString(v)
}

// durationSyntax is the form time.ParseDuration takes.
var durationSyntax = regexp.MustCompile(`^[-+]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`)

// Err returns the errors recorded so far (each a *ParamError), joined, or
// nil.
func (p *Params) Err() error {
	errs := make([]error, len(p.errs))
	for i, e := range p.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

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
