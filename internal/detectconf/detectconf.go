// Package detectconf turns the detections block of the agent's
// configuration (internal/config) into the detection engine's configuration
// (internal/detect), and checks it against the engine's rule catalogue with
// errors that name the file and line of the offending key: an unknown rule
// id (with the id probably meant), a parameter the rule does not read, a
// value of the wrong type, an unreadable indicator file, a rule enabled
// without what it needs (a GeoIP database, an allow-list).
//
// It is the one place run, check, SIGHUP and detect --config read that
// block, so they accept and refuse the same files.
package detectconf

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/geoip"
)

// EngineConfig returns the engine configuration for c's detections block
// (the engine's own detect.Config, with copies of its maps) over the rule
// catalogue specs (nil: detect.Catalogue()), after checking
// every rule id, parameter name and severity in it. The caller sets the
// runtime fields (Emit, Log, Geo, StateDir, Now). Every problem is
// reported, joined, each prefixed with file:line as config.Validate does;
// the configuration returned with them leaves out what they are about
// (an unknown rule, a parameter no rule reads, a bad severity), so that
// the rest can still be checked.
func EngineConfig(c *config.Config, specs []detect.Spec) (detect.Config, error) {
	if specs == nil {
		specs = detect.Catalogue()
	}
	d := &c.Detections
	dc := d.Config // every key of the block the engine defines, as decoded
	dc.Specs = specs
	dc.Types = LogTypes(c)
	dc.NoStream = dc.Types != nil && c.Streaming.Listen == ""
	dc.Params = maps.Clone(d.Params)
	dc.Rules = make(map[string]detect.RuleConfig, len(d.Rules))
	var errs []error
	byID := make(map[string]*detect.Spec, len(specs))
	ids := make([]string, 0, len(specs))
	readers := paramReaders(specs) // params some rule reads
	for i := range specs {
		byID[specs[i].Info.ID] = &specs[i]
		ids = append(ids, specs[i].Info.ID)
	}
	for _, name := range sortedKeys(dc.Params) {
		if !readers[name] {
			hint := settingHint(name, "under detections.rules.<id>")
			if hint == "" {
				hint = blockHint(name, "")
			}
			if hint == "" {
				hint = didYouMean(name, keys(readers))
			}
			errs = append(errs, c.Errorf("detections.params."+name, "no rule reads a parameter %q%s", name, hint))
			delete(dc.Params, name)
		}
	}
	for _, id := range d.RuleIDs() {
		rc := d.Rules[id]
		path := "detections.rules." + id
		spec, ok := byID[id]
		if !ok {
			hint := ruleHint(id, ids)
			if hint == "" {
				hint = " (`gitlab-syslog detect --list` lists the rules; ids look like sentinel.bruteforce or falco.pat_created)"
			}
			errs = append(errs, c.Errorf(path, "unknown rule %q%s", id, hint))
			continue
		}
		known := spec.AllParams()
		rc.Params = maps.Clone(rc.Params)
		for _, name := range sortedKeys(rc.Params) {
			if !slices.Contains(known, name) {
				errs = append(errs, c.Errorf(path+"."+name, "rule %s has no parameter %q%s (its parameters: %s)",
					id, name, didYouMean(name, append(slices.Clone(known), "enabled", "severity")), strings.Join(known, ", ")))
				delete(rc.Params, name)
			}
		}
		if rc.Severity != "" {
			if _, err := detect.ParseSeverity(rc.Severity); err != nil {
				errs = append(errs, c.Errorf(path+".severity", "%v%s", err, severityHint(rc.Severity, err)))
				rc.Severity = ""
			}
		}
		dc.Rules[id] = rc
	}
	return dc, errors.Join(errs...)
}

// settingHint returns, for name one of a rule's own settings (enabled,
// severity) rather than a parameter, a note saying so and where to set
// it (where, e.g. "under detections.rules.<id>"); else "".
func settingHint(name, where string) string {
	var example string
	switch name {
	case "enabled":
		example = "false"
	case "severity":
		example = "High"
	default:
		return ""
	}
	return fmt.Sprintf(" (%s is a rule's setting, not a parameter: set it %s, as %s: %s)", name, where, name, example)
}

// blockHint returns, for name a key of the detections block itself
// (lateness, state_save_interval) rather than a parameter, a note saying
// so and where to set it (where, e.g. " in a --config file"); else "".
func blockHint(name, where string) string {
	switch name {
	case "lateness", "state_save_interval":
		return fmt.Sprintf(" (%s is a key of the detections block, not a rule's parameter: set detections.%s%s)", name, name, where)
	}
	return ""
}

// paramReaders returns the set of parameter names some rule of specs
// reads, suppress included.
func paramReaders(specs []detect.Spec) map[string]bool {
	readers := map[string]bool{detect.SuppressParam: true}
	for i := range specs {
		for _, p := range specs[i].Params {
			readers[p] = true
		}
	}
	return readers
}

// CheckFlags checks the parameter names and rule ids given on the command
// line (detect --param NAME=VALUE and --rule ID) against specs (nil:
// detect.Catalogue()) as EngineConfig checks the config file's: a name no
// rule reads and an unknown id are errors, each naming the flag and the
// name probably meant. Every problem is reported, joined.
func CheckFlags(params map[string]string, rules []string, specs []detect.Spec) error {
	if specs == nil {
		specs = detect.Catalogue()
	}
	readers := paramReaders(specs)
	ids := make([]string, 0, len(specs))
	for i := range specs {
		ids = append(ids, specs[i].Info.ID)
	}
	var errs []error
	for _, name := range sortedKeys(params) {
		if !readers[name] {
			hint := settingHint(name, "in a --config file, under detections.rules.<id>")
			if hint == "" {
				hint = blockHint(name, " in a --config file")
			}
			if hint == "" {
				hint = didYouMean(name, keys(readers))
			}
			if hint == "" {
				hint = " (detect --list shows each rule's parameters)"
			}
			errs = append(errs, fmt.Errorf("--param %s: no rule reads a parameter %q%s", name, name, hint))
		}
	}
	for _, id := range rules {
		if strings.Contains(id, ",") {
			errs = append(errs, fmt.Errorf("--rule %s: --rule takes one rule id; repeat the flag for more (--rule %s)",
				id, strings.Join(strings.Split(id, ","), " --rule ")))
			continue
		}
		if !slices.Contains(ids, id) {
			hint := ruleHint(id, ids)
			if hint == "" {
				hint = " (detect --list lists the rules)"
			}
			errs = append(errs, fmt.Errorf("--rule %s: unknown rule %q%s", id, id, hint))
		}
	}
	return errors.Join(errs...)
}

// LoadFile reads the detections block of the configuration file path for
// commands that use only that block (detect --config): the same strict
// decoding and the same file:line errors as run and check, so the three
// accept the same files. The forward settings alerts are written with
// (hostname, forward.facility, forward.sd_id, forward.format) are
// validated as run validates them; the rest of the file is decoded
// (unknown keys are errors) but not validated, and the mistakes of the
// keys detect does not read (max_line_bytes, sources, forward.url) are
// left to run and check. Disabled is set when the block says
// enabled: false. When the file sets geoip.city_db (or asn_db), the
// databases are opened, as run opens them, into Geo for the rules that
// need them; the caller closes Geo when it is not nil. A database that
// cannot be opened is an error naming the key.
func LoadFile(path string, specs []detect.Spec) (detect.Config, error) {
	dc, _, _, err := LoadFileWire(path, specs, nil, true)
	return dc, err
}

// Wire is how run writes a config's alerts: the encoder of its forward
// block (format, sd_id), the SD-ID of the alert's own element
// (detect.AlertSDID(SDID)) and the record options (facility, hostname,
// os.Hostname() when the config sets none).
type Wire struct {
	Encoder *forwarder.Encoder
	SDID    string
	Opts    forwarder.RecordOptions
	// Note says, when the file's forward.format is rfc3164, that the
	// alerts are written in that format (FILE:LINE of the key); "" for
	// RFC 5424.
	Note string
}

// LoadFileWire is LoadFile that also returns how run would write the
// file's alerts on the wire, for detect --format rfc5424, and the
// warnings about the file's duration parameters given as bare numbers
// (BareSeconds), each saying when flags (detect's --param values, by
// name) override the value in this run. The warnings come with a nil
// error only. wire says whether the alerts are written in that form:
// when false (detect's JSON output) the keys of the wire form (hostname,
// forward.facility, forward.sd_id, forward.format) are not read, their
// mistakes are left to run and check as forward.url's are, and the Wire
// returned is the zero Wire.
func LoadFileWire(path string, specs []detect.Spec, flags map[string]string, wire bool) (detect.Config, Wire, []string, error) {
	c, err := config.Load(path)
	if c == nil {
		return detect.Config{}, Wire{}, nil, err
	}
	dc, w, err := fileWire(c, err, specs, wire)
	if err != nil {
		return dc, w, nil, err
	}
	return dc, w, bareSecondsFile(c, specs, flags, "detections."), nil
}

// fileWire is LoadFileWire for c, loaded with the error err.
func fileWire(c *config.Config, err error, specs []detect.Spec, wire bool) (detect.Config, Wire, error) {
	err = readByDetect(err, wire) // the mistakes of keys detect does not read are run's and check's
	// Every mistake at once, in the order of the lines, as check reports
	// them: those of keys and values, of the forward settings, of the
	// detections block and of the rules' parameters.
	c.ResolveForward()
	if err := errors.Join(err, readByDetect(c.ValidateForward(), wire), c.ValidateDetections()); err != nil {
		_, eerr := Check(c, specs) // the rules' parameters and files, as check reports them
		return detect.Config{}, Wire{}, config.SortErrors(errors.Join(err, eerr), c.File())
	}
	var w Wire
	if wire {
		facility, err := forwarder.ParseFacility(c.Forward.Facility)
		if err != nil { // ValidateForward refused it
			return detect.Config{}, Wire{}, c.Errorf("forward.facility", "%v", err)
		}
		w = Wire{Encoder: c.Forward.Encoder(), SDID: c.Forward.SDID, Opts: forwarder.RecordOptions{Facility: facility, Hostname: c.Hostname}}
		if strings.EqualFold(c.Forward.Format, "rfc3164") {
			w.Note = fmt.Sprintf("%s:%d sets forward.format: rfc3164, so the alerts are written as run sends them, in RFC 3164, not RFC 5424; for RFC 5424, give a copy of the file without that key", c.File(), c.Line("forward.format"))
		}
	}
	dc, err := EngineConfig(c, specs)
	dc.Disabled = !c.Detections.On()
	dc.Types, dc.NoStream = nil, false // detect reads the files it is given, not the config's sources
	if err != nil || (c.GeoIP.CityDB == "" && c.GeoIP.ASNDB == "") {
		return dc, w, err
	}
	if dc.Geo, err = geoip.Open(c.GeoIP.CityDB, c.GeoIP.ASNDB); err != nil {
		key := "geoip.city_db"
		if c.GeoIP.CityDB == "" || strings.Contains(err.Error(), "asn_db") { // the database that did not open
			key = "geoip.asn_db"
		}
		return dc, w, c.Errorf(key, "%v", err)
	}
	return dc, w, nil
}

// detectKeys are the keys of the agent's configuration that detect
// --config always reads (LoadFileWire): the detections block.
var detectKeys = []string{"detections"}

// wireKeys are the keys of the agent's configuration that detect --config
// reads only for alerts written in their wire form (--format rfc5424):
// those run writes alerts with.
var wireKeys = []string{"hostname", "forward.facility", "forward.sd_id", "forward.format"}

// readByDetect returns the errors joined in err (config.Load's) but for
// those about a key detect --config does not read (max_line_bytes,
// sources, ...: a *config.Error's Key; the wireKeys too unless wire) and
// those about an unknown key in a block it does not read (a
// *config.Error's Block: forward.urll), which run and check report. An
// error about no key is kept: an unknown key at the top level (perhaps a
// misspelled detections), a YAML syntax error; so is an unknown key that
// is a key detect reads, written in another block (a detections block
// indented under forward: its settings would go unused without a word).
func readByDetect(err error, wire bool) error {
	if err == nil {
		return nil
	}
	var keep []error
	for _, e := range Leaves(err) {
		var ce *config.Error
		if errors.As(e, &ce) && (ce.Key != "" && !readKey(ce.Key, wire) || ce.Block != "" && !readKey(ce.Block, wire) && !readKey(ce.Unknown, wire)) {
			continue
		}
		keep = append(keep, e)
	}
	return errors.Join(keep...)
}

// readKey reports whether detect --config reads the key at path, or a
// block that holds one it reads (forward, when wire: see readByDetect).
func readKey(path string, wire bool) bool {
	keys := detectKeys
	if wire {
		if path == "forward" {
			return true
		}
		keys = append(slices.Clip(keys), wireKeys...)
	}
	for _, k := range keys {
		if path == k || strings.HasPrefix(path, k+".") || strings.HasPrefix(path, k+"[") {
			return true
		}
	}
	return false
}

// NotChecked is the Why of a rule whose settings hold a value the engine
// refused, so that it could not be built with them (Status.Mistakes says
// which).
const NotChecked = "NOT CHECKED"

// Status says whether a rule runs and why.
type Status struct {
	// Info is the rule's description with its configured severity.
	Info detect.Info
	// On is true when the rule runs.
	On bool
	// Why says where the decision comes from: "default", "configured at
	// config.yaml:10" (on by default, with parameters or a severity of the
	// config: Set lists them), "enabled at config.yaml:12", "disabled at
	// config.yaml:14", "off by default", "NOT CHECKED" (a value of its
	// settings was refused, so the engine could not be built with it:
	// Mistakes says which), or the reason the rule cannot run ("needs
	// allowed_domains"). It does not name the rule's mistakes: Mistakes
	// does.
	Why string
	// Skipped are the first lines of the rule's own file that it cannot
	// use and skips (those run logs one by one), each "FILE:LINE: cause"
	// (an indicator line of sentinel.ti_malicious_ip's ti_file that is not
	// an IP address or CIDR), as the rule's loader finds them; run logs
	// them and goes on.
	Skipped []string
	// SkippedTotal is the number of lines of File skipped in all; those
	// beyond Skipped run only counts.
	SkippedTotal int
	// Internal are the first entries of File the rule keeps that cover
	// internal addresses (detect.FileReport.Internal), each "FILE:LINE:
	// warning"; InternalTotal counts them all. check warns of them.
	Internal      []string
	InternalTotal int
	// File is the rule's own file (ti_file) when it skipped lines of it
	// or gives the rule nothing to match.
	File string
	// Set is what the configuration sets for the rule, each
	// "name=value at FILE:LINE": its severity ("severity=High at
	// config.yaml:10"), then its parameters (see setValues).
	Set []string
	// Unusable, when not "", says that the rule's own file gives it
	// nothing to match (a ti_file without one IP address or CIDR), naming
	// the file and what to write; run warns and runs the rule, which
	// matches nothing.
	Unusable string
	// Empty says that Unusable is an empty list (detect.FileReport.Empty):
	// no indicator and no bad line. run starts with it and warns; it is a
	// warning, not a fault of the file.
	Empty bool

	// reads are the parameters the rule reads (detect.Spec.AllParams).
	reads []string
	// runsWithoutFile says that run starts without the rule's ti_file
	// (missing, a directory) and runs the rule with no indicators, as
	// Why says.
	runsWithoutFile bool
}

// Build checks c's detections block and builds the engine over specs (nil:
// the catalogue) with the runtime settings of rt (Emit, Log, Geo,
// StateDir, Now, WantFirst, MinWatermark, OrderGrace, MaxAhead,
// QuietSave, DedupeLines, Nodes, and the caps DedupeWindow,
// MaxRecent and MaxSuppress; the rest comes from c). It returns the engine and the
// status of every rule in the catalogue. A rule that is off because it
// lacks something is an error only when the configuration asked for it
// (enabled: true, a severity or parameters given); a default rule that
// cannot run is reported in its Status. The severity and parameter values
// of a rule configured but off (enabled: false, or detections off) are
// checked as those of a running rule (detect.CheckOffRules). With
// detections off it returns a nil engine. The errors of EngineConfig
// (unknown rules and parameters, bad severities) do not stop the check of
// the rest: every mistake is returned, joined in the order of the lines
// they name (config.SortErrors).
func Build(c *config.Config, specs []detect.Spec, rt detect.Config) (*detect.Engine, []Status, error) {
	dc, cfgErr := EngineConfig(c, specs)
	if cfgErr == nil {
		e, st, err := build(c, dc, rt)
		return e, st, config.SortErrors(err, c.File())
	}
	// Only checked: without persistence, with alerts dropped.
	e, st, err := build(c, dc, detect.Config{Log: rt.Log, Geo: rt.Geo, Now: rt.Now})
	if e != nil {
		e.Close()
	}
	return nil, st, config.SortErrors(errors.Join(cfgErr, err), c.File())
}

// build is Build over dc, the checked engine configuration of c.
func build(c *config.Config, dc detect.Config, rt detect.Config) (*detect.Engine, []Status, error) {
	// The rules the engine will not build are checked too: a bad value
	// is an error when written, not when the rule is turned on.
	chk := dc
	chk.Disabled, chk.Geo = !c.Detections.On(), rt.Geo
	offRaw := detect.CheckOffRules(chk)
	var offErr error
	if offRaw != nil {
		offErr = engineErrs(c, offRaw)
	}
	if !c.Detections.On() {
		if offErr != nil {
			return nil, nil, offErr
		}
		return nil, statuses(c, dc, nil, nil), nil
	}
	dc.Emit, dc.Log, dc.Geo, dc.StateDir, dc.Now = rt.Emit, rt.Log, rt.Geo, rt.StateDir, rt.Now
	dc.DedupeWindow, dc.MaxRecent, dc.MaxSuppress = rt.DedupeWindow, rt.MaxRecent, rt.MaxSuppress
	dc.Nodes = rt.Nodes
	dc.WantFirst = rt.WantFirst
	dc.MinWatermark, dc.OrderGrace, dc.MaxAhead = rt.MinWatermark, rt.OrderGrace, rt.MaxAhead
	dc.QuietSave, dc.DedupeLines = rt.QuietSave, rt.DedupeLines
	e, err := detect.New(dc)
	if err != nil {
		// one message per bad value, naming the rules that run and those
		// that are off alike, and the rules asked for that cannot run
		st, cerr := checkWithout(c, dc, err)
		return nil, st, errors.Join(engineErrs(c, errors.Join(err, offRaw)), cerr)
	}
	off := e.Off()
	st := statuses(c, dc, e, off)
	if err := errors.Join(offErr, cannotRun(c, off)); err != nil {
		return nil, st, err
	}
	return e, st, nil
}

// cannotRun returns an error for each rule of off that c's configuration
// asks for (enabled: true, a severity or a parameter given), naming its
// line, what the rule lacks and what to do (runTodo).
func cannotRun(c *config.Config, off []*detect.OffError) error {
	return cannotRunTodo(c, off, runTodo)
}

// cannotRunTodo is cannotRun with todo(o) saying what to do about rule o.
func cannotRunTodo(c *config.Config, off []*detect.OffError, todo func(o *detect.OffError) string) error {
	var errs []error
	for _, o := range off {
		if o.Logs != nil {
			continue // the sources leave it off, not its settings: check lists it
		}
		rc, asked := c.Detections.Rules[o.Rule]
		if asked && (rc.Enabled != nil && *rc.Enabled || rc.Severity != "" || len(rc.Params) > 0) && !lacksDropped(c, o) {
			errs = append(errs, c.Errorf("detections.rules."+o.Rule, "rule %s cannot run: %s; %s", o.Rule, o.Reason, todo(o)))
		}
	}
	return errors.Join(errs...)
}

// runTodo is what to do about a rule of the configuration that cannot
// run, for run, check and a reload.
func runTodo(*detect.OffError) string {
	return "give it that, or remove the rule's settings (or set enabled: false) to leave it off"
}

// lacksDropped reports whether what rule o lacks is a parameter (its
// Param) given with a bad value that Parse reported and left out
// (known_countries: []): the rule cannot run for that mistake alone, which
// is reported already.
func lacksDropped(c *config.Config, o *detect.OffError) bool {
	return o.Param != "" && (c.Dropped("detections.rules."+o.Rule+"."+o.Param) || c.Dropped("detections.params."+o.Param))
}

// checkWithout is cannotRun for an engine configuration dc that
// detect.New refused with err: it builds dc again without the parameter
// values err names (and without persistence or alerts), so that a rule
// asked for that lacks what it needs (a GeoIP database) is reported with
// the bad values, not once they are fixed, and returns the status of
// every rule of that engine (the problems of the rules' own files
// included), each rule with a refused value saying so; nil statuses when
// the engine cannot be built even so.
func checkWithout(c *config.Config, dc detect.Config, err error) ([]Status, error) {
	dc.Emit, dc.StateDir, dc.Log = nil, "", slog.New(slog.DiscardHandler)
	dc.Params = maps.Clone(dc.Params)
	dc.Rules = maps.Clone(dc.Rules)
	// The rules with a bad value: that value is their error. Each pass
	// drops the values refused; a rule that reads a value only once
	// another is valid may refuse it in the next pass.
	refused := map[string][]string{} // rule: the parameters refused
	missing := map[string]string{}   // rule: why its ti_file cannot be read ("does not exist", "is a directory")
	for range 3 {
		removed := false
		replaced := map[[2]string]bool{} // (rule, parameter) replaced in this pass: one value may have several errors
		for _, leaf := range Leaves(err) {
			var pe *detect.ParamError
			if !errors.As(leaf, &pe) || replaced[[2]string{pe.Rule, pe.Param}] {
				continue
			}
			replaced[[2]string{pe.Rule, pe.Param}] = true
			refused[pe.Rule] = append(refused[pe.Rule], pe.Param)
			if why := tiFileAbsent(pe); why != "" {
				missing[pe.Rule] = why
			}
			if rc, ok := dc.Rules[pe.Rule]; ok {
				if v, own := rc.Params[pe.Param]; own {
					rc.Params = maps.Clone(rc.Params)
					replaceRefused(rc.Params, pe.Param, v)
					dc.Rules[pe.Rule] = rc
					removed = true
					continue
				}
			}
			if v, global := dc.Params[pe.Param]; global {
				replaceRefused(dc.Params, pe.Param, v)
				removed = true
			}
		}
		if !removed {
			return nil, nil
		}
		e, nerr := detect.New(dc)
		if nerr == nil {
			defer e.Close()
			// A rule off for lack of a value refused: that value is its
			// error, reported already.
			all := e.Off()
			st := statuses(c, dc, e, all)
			off := slices.DeleteFunc(all, func(o *detect.OffError) bool {
				return slices.ContainsFunc(refused[o.Rule], func(p string) bool { return strings.Contains(o.Reason, p) })
			})
			for i := range st {
				id := st[i].Info.ID
				switch {
				case missing[id] != "" && len(refused[id]) == 1: // run runs it, with no indicators
					st[i].On, st[i].Why = true, "its ti_file "+missing[id]+": run would run it with NO INDICATORS (listed with the problems)"
					st[i].runsWithoutFile = true
					if sev, err := detect.ParseSeverity(dc.Rules[id].Severity); err == nil {
						st[i].Info.Severity = sev
					}
				case len(refused[id]) > 0:
					st[i].On, st[i].Why = false, NotChecked // Mistakes says why
				}
			}
			return st, cannotRun(c, off)
		}
		err = nerr
	}
	return nil, nil
}

// Check is Build for `check` and for validating a configuration before a
// reload: it builds the engine without persistence and with alerts
// dropped, opening the GeoIP City (or Country) database of c, the one the
// rules read, when configured, and returns the rules' status. (The ASN
// database's problems are check's and run's to report.)
func Check(c *config.Config, specs []detect.Spec) ([]Status, error) {
	rt := detect.Config{Log: slog.New(slog.DiscardHandler)}
	var geoErr error
	if city := c.GeoIP.CityDB; city != "" { // the rules read the City (or Country) database alone
		db, err := geoip.Open(city, "")
		if err == nil {
			defer db.Close()
			rt.Geo = db
		} else {
			geoErr = err
		}
	}
	_, st, err := Build(c, specs, rt)
	if err != nil && geoErr != nil {
		// A GeoIP rule "needs a database" because the configured one
		// did not open: say why first.
		err = errors.Join(c.Errorf("geoip.city_db", "%s", strings.TrimPrefix(geoErr.Error(), "geoip: ")), err)
	}
	return st, err
}

// statuses describes every rule of dc.Specs; e is nil when the engine is
// off, and offs are its rules that are off (detect.Engine.Off).
func statuses(c *config.Config, dc detect.Config, e *detect.Engine, offs []*detect.OffError) []Status {
	running := map[string]detect.Info{}
	off := map[string]*detect.OffError{}
	var files map[string]detect.FileReport
	if e != nil {
		for _, in := range e.Rules() {
			running[in.ID] = in
		}
		for _, o := range offs {
			off[o.Rule] = o
		}
		files = e.FileReports()
	}
	out := make([]Status, 0, len(dc.Specs))
	for _, s := range dc.Specs {
		id := s.Info.ID
		f := files[id]
		st := Status{Info: s.Info, Skipped: f.Skipped, SkippedTotal: f.SkippedTotal, Internal: f.Internal, InternalTotal: f.InternalTotal,
			File: f.File, Unusable: f.Unusable, Empty: f.Empty,
			Set: setValues(c, s), reads: s.AllParams()}
		rc, inConf := c.Detections.Rules[id]
		if in, ok := running[id]; ok {
			st.Info, st.On = in, true
		}
		switch {
		case e == nil:
			st.Why = "detections disabled" + at(c, "detections.enabled")
		case off[id] != nil && off[id].Logs != nil && inConf:
			where := "configured" + at(c, "detections.rules."+id)
			if rc.Enabled != nil && *rc.Enabled {
				where = "enabled" + at(c, "detections.rules."+id+".enabled")
			}
			st.Why = off[id].Reason + "; it is " + where + WaitsForLog
		case off[id] != nil:
			st.Why = off[id].Reason
		case inConf && rc.Enabled != nil && *rc.Enabled:
			st.Why = "enabled" + at(c, "detections.rules."+id+".enabled")
		case inConf && rc.Enabled != nil:
			st.Why = "disabled" + at(c, "detections.rules."+id+".enabled")
		case c.Dropped("detections.rules." + id):
			// A block that is not a mapping (falco.pat_created: off) is
			// not decoded, but it is there: not "default".
			st.Why = "its block is not a mapping"
		case s.Default && inConf:
			st.Why = "configured" + at(c, "detections.rules."+id)
		case s.Default:
			st.Why = "default"
		default:
			st.Why = "off by default"
		}
		out = append(out, st)
	}
	return out
}

// at returns " at FILE:LINE" for the key at path, or "".
func at(c *config.Config, path string) string {
	if l := c.Line(path); l > 0 && c.File() != "" {
		return fmt.Sprintf(" at %s:%d", c.File(), l)
	}
	return ""
}

// FileEngineErrs maps the errors detect.New returned for a detect.Config
// that LoadFile read from path to the lines of path they are about, as
// check reports them ("config.yaml:9: detections.rules.X.window: ...").
// err is returned as it is when path can no longer be read.
func FileEngineErrs(path string, err error) error {
	c, lerr := config.Load(path)
	if lerr != nil {
		return err
	}
	return engineErrsFor(c, err, true)
}

// engineErrs maps the engine's errors to the config lines they are about.
// A bad value under detections.params, refused by several rules, is
// reported once per reason with the rules that gave it.
func engineErrs(c *config.Config, err error) error { return engineErrsFor(c, err, false) }

// engineErrsFor is engineErrs with the advice for detect (forDetect) or
// for run and check.
func engineErrsFor(c *config.Config, err error, forDetect bool) error {
	var out []error
	seen := map[string]bool{}
	global := map[string]*[]string{} // "PARAM\x00VALUE\x00REASON" -> rules
	var globalOrder []string
	for _, e := range Leaves(err) {
		var pe *detect.ParamError
		if errors.As(e, &pe) {
			pe = missingTIFile(pe, forDetect)
			path := "detections.rules." + pe.Rule + "." + pe.Param
			if c.Line(path) == 0 && c.Line("detections.params."+pe.Param) > 0 {
				k := pe.Param + "\x00" + pe.Value + "\x00" + pe.Reason
				if global[k] == nil {
					global[k] = new([]string)
					globalOrder = append(globalOrder, k)
				}
				*global[k] = append(*global[k], pe.Rule)
				continue
			}
			e = c.Errorf(path, "%q: %s", pe.Value, pe.Reason)
		} else {
			// The engine's own errors start with "detections: " too.
			e = c.Errorf("detections", "%s", strings.TrimPrefix(e.Error(), "detections: "))
		}
		if !seen[e.Error()] {
			seen[e.Error()] = true
			out = append(out, e)
		}
	}
	for _, k := range globalOrder {
		f := strings.SplitN(k, "\x00", 3)
		out = append(out, c.Errorf("detections.params."+f[0], "%q: %s: %s", f[1], RuleList(*global[k]), f[2]))
	}
	slices.SortStableFunc(out, func(a, b error) int { return cmp.Compare(errLine(a), errLine(b)) })
	return errors.Join(out...)
}

// errLine returns the config line err is about (config.Error.Line), 0
// when it names none: the engine's errors are listed in the order of
// the file's lines, as the rest of the config's are.
func errLine(err error) int {
	var ce *config.Error
	if errors.As(err, &ce) {
		return ce.Line
	}
	return 0
}

// placeholders are valid values of the parameters without which a rule
// is off: a refused value is replaced by its placeholder, not removed, so
// that the rule is built on and what else it lacks (a GeoIP database) is
// reported with the bad value.
var placeholders = map[string]string{"known_countries": "DE", "allowed_domains": "example.com"}

// replaceRefused replaces the refused value v of params[name] by its
// placeholder, or removes it when it has none or is the placeholder.
func replaceRefused(params map[string]string, name, v string) {
	if p, ok := placeholders[name]; ok && v != p {
		params[name] = p
		return
	}
	delete(params, name)
}

// TIDirHint says what to do about a ti_file that is a directory.
const TIDirHint = "ti_file is the indicator file (one IP address or CIDR per line), not its directory; give the file's path"

// tiFaultOf returns why the ti_file pe refused cannot be read
// (detect.TIFaultOf), or detect.TINoFault when pe is about another
// parameter.
func tiFaultOf(pe *detect.ParamError) detect.TIFault {
	if pe.Param != "ti_file" || pe.Value == "" {
		return detect.TINoFault
	}
	return detect.TIFaultOf(pe.Value)
}

// tiFileAbsent returns why run cannot read the ti_file pe refused, "does
// not exist", "is a directory" or "may not be read by this user" (run
// then starts without it, the rule with no indicators), or "" when pe is
// about another parameter or the file can be read.
func tiFileAbsent(pe *detect.ParamError) string {
	switch tiFaultOf(pe) {
	case detect.TIMissing:
		return "does not exist"
	case detect.TIIsDir:
		return "is a directory"
	case detect.TIDirDenied, detect.TIFileDenied:
		return "may not be read by this user"
	}
	return ""
}

// missingTIFile returns pe, or for a ti_file that does not exist a copy
// whose reason says what to do: for detect (forDetect), which refuses it,
// to restore, replace or leave out; for run and check, what run does then
// (it starts, and the rule runs with no indicators: it misses their
// alerts) and what to do, as run logs it. For a ti_file that is a
// directory, a copy that says to give the file; for one this process may
// not read, a copy that says to let the agent's user read it.
func missingTIFile(pe *detect.ParamError, forDetect bool) *detect.ParamError {
	out := *pe
	switch tiFaultOf(pe) {
	case detect.TIIsDir:
		out.Reason = pe.Reason + ": " + TIDirHint + ", or set enabled: false under detections.rules." + pe.Rule + " to run without the rule"
	case detect.TIDirDenied:
		return unreadableTIFile(pe, forDetect, true)
	case detect.TIFileDenied:
		return unreadableTIFile(pe, forDetect, false)
	case detect.TIMissing:
		if forDetect {
			out.Reason = pe.Reason + ": restore the file, give another with --param ti_file=FILE, or leave the rule out (" +
				"--rule with the rules to run, or enabled: false under detections.rules." + pe.Rule + ")"
			break
		}
		out.Reason = pe.Reason + ": run starts without the file, and rule " + pe.Rule +
			" runs with no indicators, so it raises none of their alerts; restore the file, fix ti_file, or set enabled: false under detections.rules." +
			pe.Rule + " to run without the rule"
	default:
		return pe
	}
	return &out
}

// unreadableTIFile returns a copy of pe, about a ti_file this process may
// not read (inDir: may not reach, a directory on its path not letting it
// in), whose reason says who may not and what to do: for detect
// (forDetect), which refuses it, let this user read it, give another, or
// leave the rule out; for run and check, what run does then (it starts,
// and the rule runs with no indicators) and to let the agent's user read
// it or turn the rule off.
func unreadableTIFile(pe *detect.ParamError, forDetect, inDir bool) *detect.ParamError {
	who := "the user this runs as"
	if uid := os.Getuid(); uid >= 0 {
		who += " (uid " + strconv.Itoa(uid) + ")"
	}
	how := " (" + detect.TIReadHint + ")"
	if inDir {
		how = " (" + detect.TIDirDeniedHint + ")"
	}
	out := *pe
	if forDetect {
		out.Reason = pe.Reason + ": " + who + " may not read it: let this user read it" + how +
			", give another with --param ti_file=FILE, or leave the rule out (--rule with the rules to run, or enabled: false under detections.rules." + pe.Rule + ")"
		return &out
	}
	out.Reason = pe.Reason + ": " + who + " may not read it, so run starts without it, and rule " + pe.Rule +
		" runs with no indicators and raises none of their alerts: let the user the agent runs as read it" + how +
		", or set enabled: false under detections.rules." + pe.Rule + " to run without the rule"
	return &out
}

// RuleList names rules for a message: "rule ID" for one, "rules ID1, ID2"
// for up to four, "rules ID1, ID2, ID3 and 29 more" beyond.
func RuleList(rules []string) string {
	switch {
	case len(rules) == 1:
		return "rule " + rules[0]
	case len(rules) > 4:
		return fmt.Sprintf("rules %s and %d more", strings.Join(rules[:3], ", "), len(rules)-3)
	}
	return "rules " + strings.Join(rules, ", ")
}

// Leaves returns the errors joined in err (errors.Join, nested joins
// flattened, in order), or err itself when it joins none.
func Leaves(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, Leaves(e)...)
		}
		return out
	}
	return []error{err}
}

// severityHint returns the hint for the severity s that ParseSeverity
// refused with err: for a syslog severity number, the name to write; the
// accepted name close to s, or that s begins (warn); or, for a name close
// to one above High (Critcal), High, saying that there is none above it;
// "" when err says so already or no name is close. A name it suggests is
// always one ParseSeverity accepts.
func severityHint(s string, err error) string {
	if h := syslogNumberHint(s); h != "" {
		return h
	}
	if h := didYouMean(s, detect.SeverityNames()); h != "" || strings.Contains(err.Error(), "above High") {
		return h
	}
	if v := strings.ToLower(strings.TrimSpace(s)); len(v) >= 3 {
		for _, name := range detect.SeverityNames() {
			if strings.HasPrefix(strings.ToLower(name), v) {
				return fmt.Sprintf(" (did you mean %q?)", name)
			}
		}
	}
	if m := config.Suggest(s, detect.SeveritiesAbove()); m != "" {
		// Not m itself, which ParseSeverity refuses: the highest there is.
		return fmt.Sprintf(" (did you mean %q? there is no %s: alerts have none above High, sent as syslog err, 3)", detect.SeverityHigh.String(), m)
	}
	return ""
}

// syslogNumberHint returns, for s a syslog severity number (RFC 5424
// §6.2.1: 0 emergency to 7 debug), the severity name an alert sent with
// it has, as a hint to append to ParseSeverity's error; else "".
func syslogNumberHint(s string) string {
	switch strings.TrimSpace(s) {
	case "0", "1", "2":
		return " (a syslog severity number above err: alerts have none above High, sent as err, 3; write High)"
	case "3":
		return ` (syslog's 3 is err: write High)`
	case "4":
		return ` (syslog's 4 is warning: write Medium)`
	case "5":
		return ` (syslog's 5 is notice: write Low)`
	case "6":
		return ` (syslog's 6 is info: write Informational)`
	case "7":
		return " (syslog's 7 is debug, which alerts have not: the lowest is Informational, sent as info, 6)"
	}
	return ""
}

func didYouMean(s string, known []string) string { return config.DidYouMean(s, known) }

// ruleHint is didYouMean for the rule id s among the rule ids ids, which
// also finds a rule named without its family or with another one
// ("bruteforce" or "falco.bruteforce" for "sentinel.bruteforce"): failing
// a close id, the part of s after its family is compared with the ids'
// names (after their first dot).
func ruleHint(s string, ids []string) string {
	if h := didYouMean(s, ids); h != "" {
		return h
	}
	name := s
	if _, after, ok := strings.Cut(s, "."); ok {
		name = after
	}
	byName := map[string]string{}
	var names []string
	for _, id := range ids {
		if _, n, ok := strings.Cut(id, "."); ok {
			if _, dup := byName[n]; !dup {
				names = append(names, n)
			}
			byName[n] = id
		}
	}
	if m := config.Suggest(name, names); m != "" {
		return fmt.Sprintf(" (did you mean %q?)", byName[m])
	}
	return ""
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sortedKeys[V any](m map[string]V) []string { return keys(m) }
