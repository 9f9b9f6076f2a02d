package detect

import (
	"errors"
	"fmt"
	"log/slog"
)

// CheckOffRules checks the configuration of the rules cfg configures
// (Config.Rules) but leaves off (enabled: false, off by default,
// detections disabled, or not among Only) as New checks the rules it
// builds: a severity ParseSeverity does not read, and a value of the
// rule's own parameters (RuleConfig.Params) the rule does not take, are
// errors (each a *ParamError, joined), so that a mistake is found when it
// is written, not when the rule is turned on. The rule is built to read
// its parameters, then closed: its files (ti_file, geoip_db) are read,
// and a rule
// that lacks what it needs (an *OffError: no allow-list, no GeoIP
// database) is not an error here, though the parameters it did not read
// before finding that out are not checked. Values of Config.Params (given
// for every rule) are left to New, which checks them for the rules it
// builds, those off for want of data included. Unknown rule ids and
// parameter names are New's and the config reader's to report.
func CheckOffRules(cfg Config) error {
	cfg.defaults()
	cfg.Log = slog.New(slog.DiscardHandler) // the rule is only checked
	e := &Engine{cfg: cfg}
	env := &Env{Log: cfg.Log, Geo: cfg.Geo, Now: cfg.Now}
	var errs []error
	for _, s := range cfg.Specs {
		rc, ok := cfg.Rules[s.Info.ID]
		if !ok || e.enabled(s) || len(rc.Params) == 0 && rc.Severity == "" {
			continue
		}
		errs = append(errs, checkOffRule(s, rc, cfg.Params, env)...)
	}
	return errors.Join(errs...)
}

// checkOffRule builds the rule of s from its configuration rc and the
// global parameters, and returns what is wrong with rc's severity and own
// parameters.
func checkOffRule(s Spec, rc RuleConfig, global map[string]string, env *Env) []error {
	var errs []error
	if rc.Severity != "" {
		if _, err := ParseSeverity(rc.Severity); err != nil {
			errs = append(errs, fmt.Errorf("detections: rule %s: %w", s.Info.ID, err))
		}
	}
	p := NewParams(s.Info.ID, global, rc.Params)
	p.Duration("suppress", s.Suppress)
	r, err := s.New(p, env)
	if r != nil {
		r.Close(func(*Alert) {}) // releases what it opened (geoip_db); it saw no event
	}
	for _, e := range p.errs {
		if _, own := rc.Params[e.Param]; own {
			errs = append(errs, e)
		}
	}
	var pe *ParamError
	if err != nil && !IsOff(err) && !errors.As(err, &pe) {
		errs = append(errs, fmt.Errorf("detections: rule %s (off): %w", s.Info.ID, err))
	}
	return errs
}
