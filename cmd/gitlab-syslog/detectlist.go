package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detectconf"
	"github.com/gitlab-syslog/gitlab-syslog/internal/shellcmd"
)

// listEffective prints the rule catalogue as detect would run it with the
// options' --config, --param and --rule: for each rule, its severity,
// whether it runs (RUNS: on; off; off* when on but lacking what it
// needs, with the reasons after the table), its suppression, and its
// parameters with the values given (NAME=VALUE: --param, else the rule's
// own value in the config file, else the config's detections.params; the
// others at their defaults). Errors are those a run with the same
// options would stop with; the warnings about duration parameters given
// as bare numbers (window=60 is 60 seconds) go to stderr as a run writes
// them.
func listEffective(w, stderr io.Writer, o *detectOptions) error {
	cfg, _, err := o.engineConfig()
	if cfg.Geo != nil {
		defer cfg.Geo.Close()
	}
	if err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	blockOff := cfg.Disabled && len(o.rules) == 0
	cfg.Disabled = cfg.Disabled && !blockOff // as a run: see runDetect
	eng, err := detect.New(cfg)
	if err = errors.Join(err, detect.CheckOffRules(cfg)); err != nil {
		return fmt.Errorf("detect: %w", paramErrs(err, cfg, o.params, o.config))
	}
	defer eng.Close()
	running := map[string]detect.Info{}
	var ids []string
	for _, r := range eng.Rules() {
		running[r.ID] = r
		ids = append(ids, r.ID)
	}
	if err := unreadParams(o.params, cfg.Params, ids, detect.Catalogue(), eng.Off()); err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	for _, w := range o.warnings {
		fmt.Fprintf(stderr, "detect: WARNING: %s\n", w)
	}
	off := map[string]string{}
	for _, e := range eng.Off() {
		off[e.Rule] = e.Reason
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tKIND\tSEVERITY\tRUNS\tSUPPRESS\tPARAMETERS\tNAME")
	for _, s := range detect.Catalogue() {
		id := s.Info.ID
		sev, runs := s.Info.Severity, "off"
		if info, ok := running[id]; ok {
			sev, runs = info.Severity, "on"
		} else if off[id] != "" {
			runs = "off*"
		}
		if v := cfg.Rules[id].Severity; v != "" && runs != "on" {
			if p, err := detect.ParseSeverity(v); err == nil {
				sev = p
			}
		}
		sup := "none"
		if s.Suppress > 0 {
			sup = s.Suppress.String()
		}
		if v, ok := effectiveParam(cfg, id, "suppress"); ok {
			sup = v
			if d, err := time.ParseDuration(v); err == nil {
				sup = d.String()
			} else if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && n >= 0 {
				sup = (time.Duration(n) * time.Second).String() // a bare number is seconds
			}
		}
		ps := make([]string, len(s.Params))
		for i, name := range s.Params {
			ps[i] = name
			if v, ok := effectiveParam(cfg, id, name); ok {
				ps[i] = name + "=" + v + detectconf.SecondsShown(name, v)
			}
		}
		list := strings.Join(ps, ",")
		if list == "" {
			list = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id, s.Info.Kind, sev, runs, sup, list, s.Info.Name)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nAs detect %s runs them: SEVERITY, RUNS, SUPPRESS and the parameters given (NAME=VALUE) are this run's; a parameter without a value has its default.\n",
		strings.Join(listFlags(o), " "))
	if blockOff {
		fmt.Fprintf(w, "%s sets detections.enabled: false, which turns detection off in run; detect runs the rules it turns on anyway.\n", o.config)
	}
	listReasons(w, "off*: on, but lacks what it needs:", off)
	return nil
}

// effectiveParam returns the value of the parameter name for the rule id
// in cfg: the rule's own, else the one given for every rule.
func effectiveParam(cfg detect.Config, id, name string) (string, bool) {
	if v, ok := cfg.Rules[id].Params[name]; ok {
		return v, true
	}
	v, ok := cfg.Params[name]
	return v, ok
}

// listFlags returns the options --list shows the effect of, as flags.
func listFlags(o *detectOptions) []string {
	var fs []string
	if o.config != "" {
		fs = append(fs, "--config "+shellcmd.Path(o.config))
	}
	for _, p := range o.params {
		fs = append(fs, "--param "+shellcmd.Path(p))
	}
	for _, r := range slices.Compact(slices.Clone(o.rules)) {
		fs = append(fs, "--rule "+r)
	}
	return fs
}
