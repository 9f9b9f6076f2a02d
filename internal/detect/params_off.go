package detect

import (
	"errors"
	"fmt"
	"log/slog"
)

// CheckOffRules checks the configuration of the rules cfg leaves off
// (enabled: false, off by default, detections disabled, not among Only, or
// off unbuilt because no log they alert on is among Config.Types:
// Spec.Logs) as New checks the rules it builds, so that a mistake is found
// when it is written, not when the rule is turned on: for a rule
// configured under Config.Rules, a severity ParseSeverity does not read
// and a value of its own parameters (RuleConfig.Params) it does not take;
// for every such rule, a value of Config.Params (given for every rule) it
// reads and does not take. Each is a *ParamError (joined). The rule is
// built to read its parameters, then closed, without its files (ti_file,
// geoip_db): an off rule's missing file stops nothing. A rule that then
// lacks what it needs (an *OffError: no allow-list, no indicator file) is
// not an error here, though the parameters it did not read before finding
// that out are not checked. Unknown rule ids and parameter names are New's
// and the config reader's to report.
func CheckOffRules(cfg Config) error {
	cfg.defaults()
	cfg.Log = slog.New(slog.DiscardHandler) // the rule is only checked
	e := &Engine{cfg: cfg}
	env := &Env{Log: cfg.Log, Geo: cfg.Geo, Now: cfg.Now}
	var errs []error
	for _, s := range cfg.Specs {
		if e.enabled(s) && e.unreadSpec(s) == nil { // New builds it
			continue
		}
		rc := cfg.Rules[s.Info.ID]
		if len(rc.Params) == 0 && rc.Severity == "" && !readsAny(s, cfg.Params) {
			continue
		}
		errs = append(errs, checkOffRule(s, rc, cfg.Params, env)...)
	}
	return errors.Join(errs...)
}

// readsAny reports whether the rule of s reads a parameter that params
// sets (suppress included).
func readsAny(s Spec, params map[string]string) bool {
	if _, ok := params["suppress"]; ok {
		return true
	}
	for _, name := range s.Params {
		if _, ok := params[name]; ok {
			return true
		}
	}
	return false
}

// isFileParam reports whether the parameter name is a file a rule opens
// when built (its indicator file, its GeoIP database).
func isFileParam(name string) bool { return name == "ti_file" || name == "geoip_db" }

// withoutFiles returns params without the file parameters (isFileParam).
func withoutFiles(params map[string]string) map[string]string {
	out := make(map[string]string, len(params))
	for k, v := range params {
		if !isFileParam(k) {
			out[k] = v
		}
	}
	return out
}

// checkOffRule builds the rule of s from its configuration rc and the
// global parameters, without its files, and returns what is wrong with
// rc's severity and the parameter values.
func checkOffRule(s Spec, rc RuleConfig, global map[string]string, env *Env) []error {
	var errs []error
	if rc.Severity != "" {
		if _, err := ParseSeverity(rc.Severity); err != nil {
			errs = append(errs, fmt.Errorf("detections: rule %s: %w", s.Info.ID, err))
		}
	}
	p := NewParams(s.Info.ID, withoutFiles(global), withoutFiles(rc.Params))
	p.Duration("suppress", s.Suppress)
	r, err := s.New(p, env)
	if r != nil {
		r.Close(func(*Alert) {}) // it saw no event
	}
	for _, e := range p.errs {
		errs = append(errs, e)
	}
	var pe *ParamError
	if err != nil && !IsOff(err) && !errors.As(err, &pe) {
		errs = append(errs, fmt.Errorf("detections: rule %s (off): %w", s.Info.ID, err))
	}
	return errs
}
