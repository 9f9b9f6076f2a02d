package agent

import (
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// detectionChanges is what a reload changed in the detections, for the
// line that logs it.
type detectionChanges struct {
	on, off  []string // ids of the rules turned on, and off
	severity []string // "id old→new"
	params   []string // ids of the rules whose parameters changed
	// offParams are the ids of the rules off before and after whose
	// parameters changed: they apply once the rule runs.
	offParams []string
	settings  []string // the engine's own: "lateness 2m0s→5m0s"
}

// diffDetections returns what changes from the engine old, built from the
// detections block oc, to the engine nu, built from nc. A rule that runs
// in one and not the other is turned on or off; of the rules running in
// both, the severity and the parameters (the rule's own, else the
// block's params it reads) are compared.
func diffDetections(old, nu *detect.Engine, oc, nc *config.Detections) detectionChanges {
	var c detectionChanges
	was := map[string]detect.Info{}
	for _, in := range old.Rules() {
		was[in.ID] = in
	}
	all := nc.Specs
	if all == nil {
		all = detect.Catalogue()
	}
	specs := map[string]detect.Spec{}
	for _, s := range all {
		specs[s.Info.ID] = s
	}
	runs := map[string]bool{}
	for _, in := range nu.Rules() {
		runs[in.ID] = true
		prev, ok := was[in.ID]
		delete(was, in.ID)
		switch {
		case !ok:
			c.on = append(c.on, in.ID)
			continue
		case prev.Severity != in.Severity:
			c.severity = append(c.severity, in.ID+" "+prev.Severity.String()+"→"+in.Severity.String())
		}
		if s := specs[in.ID]; !maps.Equal(ruleParams(oc, s), ruleParams(nc, s)) {
			c.params = append(c.params, in.ID)
		}
	}
	c.off = slices.Sorted(maps.Keys(was))
	slices.Sort(c.on)
	for _, sp := range all {
		id := sp.Info.ID
		if _, ran := was[id]; ran || runs[id] {
			continue
		}
		if !maps.Equal(ruleParams(oc, sp), ruleParams(nc, sp)) {
			c.offParams = append(c.offParams, id)
		}
	}
	if oc.Lateness != nc.Lateness {
		c.settings = append(c.settings, fmt.Sprintf("lateness %s→%s", oc.Lateness, nc.Lateness))
	}
	if oc.StateSaveInterval != nc.StateSaveInterval {
		c.settings = append(c.settings, fmt.Sprintf("state_save_interval %s→%s", oc.StateSaveInterval, nc.StateSaveInterval))
	}
	return c
}

// ruleParams returns the parameters d sets for the rule of s: its own,
// else those of d's params that the rule reads.
func ruleParams(d *config.Detections, s detect.Spec) map[string]string {
	own := d.Rules[s.Info.ID].Params
	out := map[string]string{}
	for _, name := range s.AllParams() {
		if v, ok := own[name]; ok {
			out[name] = v
		} else if v, ok := d.Params[name]; ok {
			out[name] = v
		}
	}
	return out
}

// attrs returns the log attributes of c: only what changed, or rules:
// unchanged.
func (c detectionChanges) attrs() []any {
	var out []any
	for _, a := range []struct {
		key string
		ids []string
	}{{"rules_on", c.on}, {"rules_off", c.off}, {"severity_changed", c.severity}, {"params_changed", c.params},
		{"params_changed_of_rules_off", c.offParams}} {
		if len(a.ids) > 0 {
			out = append(out, a.key, strings.Join(a.ids, ","))
		}
	}
	if len(out) == 0 {
		out = append(out, "rules", "unchanged")
	}
	if len(c.settings) > 0 {
		out = append(out, "settings_changed", strings.Join(c.settings, ","))
	}
	return out
}

// fileAttrs returns the log attributes of the rules' own files that e
// uses (the TI indicator file): for each rule, a group of its id with the
// file, the number of indicators in use, and the file they were read from
// when not that one (indicators_from: a reload set a file that could not
// be used).
func fileAttrs(e *detect.Engine) []any {
	files := e.Files()
	var out []any
	for _, id := range slices.Sorted(maps.Keys(files)) {
		f := files[id]
		attrs := []any{"file", f.File, "indicators", f.Entries}
		if f.From != "" {
			attrs = append(attrs, "indicators_from", f.From)
		}
		out = append(out, slog.Group(id, attrs...))
	}
	return out
}

// removedSources returns the sources of old whose path (a file or a glob)
// no source of nu names, in old's order: a reload stops following them.
func removedSources(old, nu []config.Source) []config.Source {
	kept := map[string]bool{}
	for _, s := range nu {
		kept[filepath.Clean(s.Path)] = true
	}
	var gone []config.Source
	for _, s := range old {
		if !kept[filepath.Clean(s.Path)] {
			gone = append(gone, s)
		}
	}
	return gone
}

// logRemovedSources logs each source a reload from old to nu stopped
// following, with where its checkpoint stays.
func logRemovedSources(log *slog.Logger, old, nu *config.Config) {
	for _, s := range removedSources(old.Sources, nu.Sources) {
		log.Info("reload: source removed; no longer followed (its checkpoint stays in state_dir: added back, it resumes where it stopped)",
			"path", s.Path, "type", s.Type, "state_dir", nu.StateDir)
	}
}

// changedKeys names the keys of a configuration block whose values
// differ between old and nu, structs of one type, in field order, each
// as prefix.key (its yaml name) followed, for a string, a number, a
// boolean or a duration not named in secret, by its old and new values:
// "streaming.listen 127.0.0.1:8443→127.0.0.1:9443". Fields without a
// yaml name ("-") and funcs are left out. It returns nil when old and nu
// are not structs of one type.
func changedKeys(prefix string, old, nu any, secret ...string) []string {
	ov, nv := reflect.ValueOf(old), reflect.ValueOf(nu)
	if ov.Kind() != reflect.Struct || ov.Type() != nv.Type() {
		return nil
	}
	var keys []string
	for i := range ov.NumField() {
		f := ov.Type().Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() || f.Type.Kind() == reflect.Func {
			continue
		}
		a, b := ov.Field(i).Interface(), nv.Field(i).Interface()
		if reflect.DeepEqual(a, b) {
			continue
		}
		key := prefix + "." + name
		switch f.Type.Kind() {
		case reflect.String, reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint64, reflect.Bool:
			if !slices.Contains(secret, name) {
				key += fmt.Sprintf(" %v→%v", a, b)
			}
		}
		keys = append(keys, key)
	}
	return keys
}
