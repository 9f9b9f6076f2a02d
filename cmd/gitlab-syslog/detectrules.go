package main

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// foldedRulesFile is the file of a kept --state-dir that names, one id a
// line, the rules that saw every line the engine's state records as
// folded. A later run skips those lines, so a rule not named there would
// never see them.
const foldedRulesFile = "detect-rules"

// checkFoldedRules compares the rules of this run (running, ids) with
// those that folded the lines earlier runs with stateDir recorded. A rule
// that was not among them is an error naming it: the lines already folded
// would be skipped for it, and its alerts in them silently missing. A
// stateDir without the record (a first run) passes.
func checkFoldedRules(stateDir string, running []string) error {
	b, err := os.ReadFile(filepath.Join(stateDir, foldedRulesFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("--state-dir: %w", err)
	}
	earlier := strings.Fields(string(b))
	if bad := unknownIDs(earlier); len(bad) > 0 {
		what := fmt.Sprintf("holds %q, which %s", someIDs(bad), plural(len(bad), "is not a rule id", "are not rule ids"))
		return fmt.Errorf("--state-dir %s: %s %s: it names, one a line, the rules that saw the lines its state records as folded, and is written by detect; "+
			"without it those lines would be skipped for rules that never saw them: give another --state-dir (or empty this one) to run over the lines again",
			stateDir, filepath.Join(stateDir, foldedRulesFile), what)
	}
	var added []string
	for _, id := range running {
		if !slices.Contains(earlier, id) {
			added = append(added, id)
		}
	}
	if len(added) > 0 {
		return fmt.Errorf("--state-dir %s: the lines its earlier runs folded are skipped now, and %s did not see them (earlier runs ran %s): "+
			"give another --state-dir to run %s over them, or run only the earlier rules (--rule)",
			stateDir, someIDs(added), cmp.Or(someIDs(earlier), "no rule"), plural(len(added), "this rule", "these rules"))
	}
	return nil
}

// recordFoldedRules names running, after a run that checkFoldedRules
// let through and that folded lines (folded), as the rules that saw every
// folded line of stateDir, with their parameters (params: ruleParams):
// the rules an earlier run had and this one left out did not see the
// lines it folded. A run that folded nothing leaves the record as it was
// (none on a first run), so that it holds no rule back.
func recordFoldedRules(stateDir string, running []string, params map[string][]string, folded bool) error {
	if !folded {
		return nil
	}
	if err := writeLines(filepath.Join(stateDir, foldedRulesFile), running); err != nil {
		return err
	}
	return writeFoldedParams(stateDir, params)
}

// writeLines replaces the file path with lines, one a line, as the
// engine writes its state: a temporary file, synced, then renamed over
// path, so a crash leaves the old list or the new one, never a cut one.
func writeLines(path string, lines []string) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("--state-dir: %w", err)
	}
	_, err = f.WriteString(strings.Join(lines, "\n") + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("--state-dir: %w", err)
	}
	return nil
}

// unknownIDs returns those of ids that name no rule of the catalogue.
func unknownIDs(ids []string) []string {
	cat := detect.Catalogue()
	var bad []string
	for _, id := range ids {
		if !slices.ContainsFunc(cat, func(s detect.Spec) bool { return s.Info.ID == id }) {
			bad = append(bad, id)
		}
	}
	return bad
}

// someIDs lists ids, the first five and how many more.
func someIDs(ids []string) string {
	const most = 5
	if len(ids) <= most {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:most], ", "), len(ids)-most)
}

// foldedParamsFile is the file of a kept --state-dir that records, one
// rule a line (its id, then NAME=VALUE items, separated by tabs), the
// parameters set for each rule of foldedRulesFile when it folded the
// lines the state records: a later run with other values skips those
// lines too, so its values apply only to lines not read before
// (changedParams).
const foldedParamsFile = "detect-params"

// ruleParams returns, for each id of running, its parameters set in cfg
// (the rule's own value, else the value set for every rule), as sorted
// "NAME=VALUE" items, with a file's contents (fileContents, read once per
// file); parameters left at their defaults are not among them. A rule
// that reads geoip_db without it, from the --config file's geoip.city_db
// (cfg.Geo), gets the item "geoip.city_db=PATH" instead. detect calls it
// only with a kept --state-dir, which records them.
func ruleParams(cfg *detect.Config, running []string) map[string][]string {
	specs := map[string]detect.Spec{}
	for _, s := range detect.Catalogue() {
		specs[s.Info.ID] = s
	}
	out := make(map[string][]string, len(running))
	sums := map[string]string{} // fileContents by path: one file may serve several rules
	contents := func(name, v string) string {
		if !slices.Contains(fileParams, name) {
			return ""
		}
		sum, ok := sums[v]
		if !ok {
			sum = fileContents(name, v)
			sums[v] = sum
		}
		return sum
	}
	for _, id := range running {
		spec, ok := specs[id]
		if !ok {
			continue
		}
		var set []string
		for _, name := range spec.AllParams() {
			if v, ok := effectiveParam(*cfg, id, name); ok {
				set = append(set, name+"="+v+contents(name, v))
			} else if name == "geoip_db" && cfg.Geo != nil && cfg.Geo.CityPath() != "" {
				// The --config file's geoip.city_db, which the rule reads
				// without the parameter (trial 241).
				v := cfg.Geo.CityPath()
				set = append(set, "geoip.city_db="+v+contents(name, v))
			}
		}
		slices.Sort(set)
		out[id] = set
	}
	return out
}

// changedParams returns a note for each rule of params (ruleParams of
// this run) whose parameters differ from those foldedParamsFile of
// stateDir records: the lines earlier runs folded are skipped, and saw
// the earlier values. Durations are compared as durations (2h is 120m).
// A state dir without the file (a first run, or one of an earlier
// release) gets none.
func changedParams(stateDir string, params map[string][]string) []string {
	b, err := os.ReadFile(filepath.Join(stateDir, foldedParamsFile))
	if err != nil {
		return nil
	}
	var notes []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, "\t")
		if f[0] == "" {
			continue
		}
		now, running := params[f[0]]
		if !running || slices.EqualFunc(f[1:], unrecordedCityDB(f[1:], now), sameParam) {
			continue
		}
		notes = append(notes, fmt.Sprintf("detect: NOTE: rule %s ran with other parameters when earlier runs with --state-dir %s folded their lines (%s; now %s): those lines were skipped, so the values of this run applied only to lines not read before; give another --state-dir to apply them to all",
			f[0], stateDir, cmp.Or(strings.Join(f[1:], " "), "defaults"), cmp.Or(strings.Join(now, " "), "defaults")))
	}
	return notes
}

// unrecordedCityDB returns now, the items of a rule that ran, without its
// geoip.city_db item when was, the items recorded for it, has no item of
// the database (geoip_db or geoip.city_db): a rule reading a database
// runs only with one, so the run that recorded was of a release that did
// not record the --config file's geoip.city_db, and its path is unknown.
func unrecordedCityDB(was, now []string) []string {
	for _, it := range was {
		if n, _, _ := strings.Cut(it, "="); paramName(n) == "geoip_db" {
			return now
		}
	}
	return slices.DeleteFunc(slices.Clone(now), func(it string) bool { return strings.HasPrefix(it, "geoip.city_db=") })
}

// fileParams are the parameters whose value names a file the rule reads
// its data from: a run records the file's contents with the name
// (fileContents), so that a file changed in place is a change too.
var fileParams = []string{"ti_file", "geoip_db"}

// contentsMark begins what fileContents appends to a file parameter's
// value.
const contentsMark = " (contents "

// fileContents returns, for the parameter name of fileParams, whose value
// v names a file, " (contents SUM)": SUM is the first 16 bytes, in hex, of
// the SHA-256 of the file's bytes; "" for another parameter, or a file
// that cannot be read (the rule reports it).
func fileContents(name, v string) string {
	if !slices.Contains(fileParams, name) {
		return ""
	}
	if fi, err := os.Stat(v); err != nil || !fi.Mode().IsRegular() {
		return "" // a FIFO's open would wait for a writer
	}
	f, err := os.Open(v)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return contentsMark + hex.EncodeToString(h.Sum(nil)[:16]) + ")"
}

// paramName returns the parameter the recorded name stands for: geoip_db
// for the --config file's geoip.city_db (see ruleParams), which gives the
// GeoIP rules the same database.
func paramName(name string) string {
	if name == "geoip.city_db" {
		return "geoip_db"
	}
	return name
}

// sameParam reports whether the NAME=VALUE items a and b give the same
// parameter the same value (geoip_db and geoip.city_db are one: see
// paramName): as written, or as the same duration. Of a
// file (fileContents), the contents are compared when both record them,
// whatever the path (ti/ind.txt and its absolute path are one file), and
// else the paths: a state dir of an earlier release recorded the path
// only.
func sameParam(a, b string) bool {
	an, av, _ := strings.Cut(a, "=")
	bn, bv, _ := strings.Cut(b, "=")
	if paramName(an) != paramName(bn) {
		return false
	}
	if av == bv {
		return true
	}
	ap, asum, aok := strings.Cut(av, contentsMark)
	bp, bsum, bok := strings.Cut(bv, contentsMark)
	switch {
	case aok && bok:
		return asum == bsum
	case aok || bok:
		return ap == bp
	}
	da, erra := time.ParseDuration(av)
	db, errb := time.ParseDuration(bv)
	return erra == nil && errb == nil && da == db
}

// writeFoldedParams replaces foldedParamsFile of stateDir with params,
// as writeLines writes a file.
func writeFoldedParams(stateDir string, params map[string][]string) error {
	var lines []string
	for _, id := range slices.Sorted(maps.Keys(params)) {
		lines = append(lines, strings.Join(append([]string{id}, params[id]...), "\t"))
	}
	return writeLines(filepath.Join(stateDir, foldedParamsFile), lines)
}
