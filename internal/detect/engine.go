package detect

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Engine runs the configured rules over events. Want is safe for
// concurrent use and lock-free; Process, Close, Save, Reload and Stats
// take the engine's lock, so any goroutine may call them.
//
// Time: every decision uses event time. Each source (Event.Source) has a
// watermark = its newest event time − Config.Lateness; the engine's
// watermark is the highest of them and only moves forward. Rules are
// advanced (Rule.Advance) whenever it passes a new second. An event older
// than the engine's watermark is late: it is counted (Stats.Late) and
// still given to the rules, which fold it if its window is still held.
//
// Duplicates (the same event read from audit_json.log and received by
// Audit Event Streaming, GitLab's at-least-once streaming, a restart
// re-reading lines): an event is the same as one seen
// before only when EventID, EventName and its creation time (CreatedAt,
// else Time) all match; an event without EventID is never dropped as a
// duplicate. A line of a file at or below the offset recorded in the
// restored snapshot for that source and file identity is not folded
// again.
type Engine struct {
	cfg        Config
	observing  *Event // the event a rule's Observe runs on, for the emitter; nil outside Observe
	rules      []*ruleState
	advancers  []*ruleState // the rules whose Advance does something (not idleAdvancer)
	orderedSet ruleBits     // the rules whose events the reorder buffer sorts (see ordered)
	// statefulSet are the rules that count events in event time
	// (ruleState.stateful): they are not given an event dated beyond
	// MaxAhead or marked Outlier (see future), nor one the event ids
	// cannot tell from a repeat (see uncheckable).
	statefulSet ruleBits
	reorder     reorderBuffer
	heldSaved   []heldItem // the reorder buffer of the state restored, until the rules are restored
	// wait is the text event Process is folding, when it is to wait for
	// its JSON copy (see duplicateCopy).
	wait        copyWait
	byID        map[string]*ruleState
	table       dispatch
	off         []*OffError
	store       *Store
	mu          sync.Mutex
	wm          time.Time // engine watermark, unless wmLazy (see watermark)
	wmFrom      time.Time // with wmLazy, the watermark is wmFrom − Lateness
	wmLazy      bool
	folded      bool  // the state restored was saved after lines were folded (it holds positions; see timed)
	wmNs        int64 // the watermark in Unix ns (see nanos)
	advancedSec int64 // the watermark the rules were advanced to, in Unix seconds
	// lateRecheck is the wall clock (Unix ns) at which the rules are
	// advanced again at the watermark, for the events behind it given to
	// them since (see recheckLate); 0: none pending.
	lateRecheck int64
	sources     map[string]*sourceState
	srcList     []*sourceState // the values of sources, for MinWatermark
	low         lowCache       // sourcesNewest's last answer
	futureAt    time.Time      // event times after it are checked by future
	futureAtNs  int64          // futureAt in Unix ns (see nanos)
	lastName    string         // the source source() returned last
	lastSrc     *sourceState   // its state
	events      *recent
	alerts      *recent
	near        nearIndex // JSON events of the application log, for nearCopy
	supp        *suppressor
	nodes       nodeIndex  // the nodes of input events, for Alert.Nodes
	view        lineView   // Process's view of the event, under mu
	views       sync.Pool  // *lineView for Want
	tag         *engineTag // names the engine in the RuleSets of WantRules
	stats       Stats
	inBatch     bool      // in ProcessBatch
	batchAt     time.Time // the DetectedAt of its alerts once read (see detectedAt)
	saveBuf     []byte    // Save's encoding buffer, under mu
	gen         uint64    // generation of the last save, or the highest a state file had at load; under mu
	keyBuf      []byte    // Process's dedupe identity of an event, under mu
	idBuf       []byte    // the emitter's alert_id parts, under mu
	idText      slab      // the alert_ids' text, under mu (see Alert.id)
	suppCol     [1]Column // the column suppKey returns, under mu

	// logNewest is, with Config.LogWatermarks, the newest time (Unix ns)
	// of the events of each log given to the rules; 0: none yet.
	logNewest [parser.NumTypes]int64
	// foldedNewest is, by log, the newest time (Unix ns) of the events
	// earlier runs gave the rules: logNewest as the state restored it (0:
	// none; see uncheckable).
	foldedNewest [parser.NumTypes]int64
}

// ruleState is a rule with its configuration and counters.
type ruleState struct {
	rule     Rule
	info     Info // with the configured severity
	suppress time.Duration
	stateful bool      // the rule is Stateful: it keeps windows in event time
	ordered  bool      // its alerts depend on the order of its events (see ordered)
	emit     Emit      // the rule's Emit, built once (see Engine.emitter)
	stats    RuleStats // TooOld is counted here, the rule's own counters by Stats
	// With Config.LogWatermarks: logs are the parser.Types its Wants keys
	// name (bit t for Type t; 0: any, advanced as the engine is), and wm
	// the watermark it was last advanced to (see ruleWatermark).
	logs uint8
	wm   int64 // Unix ns; 0: not advanced
}

// sourceState tracks one source's watermark and the position folded.
type sourceState struct {
	newest   time.Time
	newestNs int64    // newest in Unix ns (see nanos)
	seen     int64    // wall clock (Unix ns) of its last event or Progress, with MinWatermark
	caught   bool     // read to its end since its last event (Engine.Caught)
	caughtAt int64    // the wall clock (Unix ns) of the last Caught that named it
	pos      position // last line folded
	replay   position // snapshot restored at start: lines up to it are not folded
	// replayNext is the least offset the next line of replay.FileID can
	// start at while that file is read on in order (see replayed).
	replayNext int64
	// folded is the check restored with replay (FoldedCheck); replaced
	// drops it with replay. read is the check Check gave in this run,
	// which no replaced drops. Save saves the position in read's file
	// through its line, with it, when the file was read to its end
	// (read.whole); else the position with read, or else folded, when it
	// is of the position's file.
	folded, read fileCheck
}

// fileCheck is a FileCheck of the file id (a FileID); the zero value is
// none. whole: the reader read the file to its end (see Engine.Check).
type fileCheck struct {
	id    string
	c     FileCheck
	whole bool
}

// checkOf returns the check of the file fileID that Save saves with a
// position in it, and whether there is one (see sourceState).
func (s *sourceState) checkOf(fileID string) (FileCheck, bool) {
	switch fileID {
	case "":
		return FileCheck{}, false
	case s.read.id:
		return s.read.c, true
	case s.folded.id:
		return s.folded.c, true
	}
	return FileCheck{}, false
}

// idleAdvancer is implemented by rules whose Advance does nothing (rules
// without state in event time, such as the per-event rules): the engine
// does not call it.
type idleAdvancer interface{ advancesNothing() }

// position is a file identity and a line offset, with, when the reader
// gave one (Engine.Check), a check of the file's content by which a later
// run tells the file from another with the same identity. Positions saved
// before checks were kept, and the agent's, have none.
type position struct {
	FileID string     `json:"file_id"`
	Offset int64      `json:"offset"`
	Check  *FileCheck `json:"check,omitempty"`
}

// New builds the engine: the enabled rules of cfg.Specs with their
// parameters, the dispatch table, and, with a StateDir, the state saved
// by an earlier run. Unknown rule ids and bad parameters are errors
// (joined, each naming the rule and parameter). A rule that lacks what it
// needs is left off and reported by Off; a state file that cannot be read
// is logged and the rule starts fresh.
func New(cfg Config) (*Engine, error) {
	cfg.defaults()
	e := &Engine{
		cfg:         cfg,
		byID:        make(map[string]*ruleState),
		sources:     make(map[string]*sourceState),
		events:      newRecent(cfg.DedupeWindow, cfg.MaxRecent),
		alerts:      newRecent(cfg.DedupeWindow, cfg.MaxRecent),
		supp:        newSuppressor(cfg.MaxSuppress, cfg.DedupeWindow),
		wmNs:        noNanos,
		advancedSec: time.Time{}.Unix(),
		futureAtNs:  noNanos,
	}
	if err := e.build(); err != nil {
		return nil, err
	}
	e.tag = new(engineTag)
	e.stats.Rules = make(map[string]RuleStats, len(e.rules))
	if cfg.StateDir != "" {
		st, err := OpenStore(cfg.StateDir)
		if err != nil {
			return nil, err
		}
		e.store = st
		e.load()
	}
	return e, nil
}

// build creates the enabled rules and the dispatch table.
func (e *Engine) build() error {
	known := make(map[string]bool, len(e.cfg.Specs))
	for _, s := range e.cfg.Specs {
		known[s.Info.ID] = true
	}
	var errs []error
	for id := range e.cfg.Rules {
		if !known[id] {
			errs = append(errs, fmt.Errorf("detections: unknown rule %q", id))
		}
	}
	for _, id := range e.cfg.Only {
		if !known[id] {
			errs = append(errs, fmt.Errorf("detections: unknown rule %q", id))
		}
	}
	env := &Env{Log: e.cfg.Log, Geo: e.cfg.Geo, Now: e.cfg.Now, MaxAhead: e.cfg.MaxAhead, Running: e.cfg.Running}
	for _, s := range e.cfg.Specs {
		if !e.enabled(s) {
			if rc := e.cfg.Rules[s.Info.ID]; rc.Enabled != nil && !*rc.Enabled && len(e.cfg.Only) == 0 && !e.cfg.Disabled {
				// logged as a rule off for want of a parameter is, so that
				// the log of a start or SIGHUP names every rule set off
				e.cfg.Log.Info("detection rule off", "rule", s.Info.ID, "reason", "enabled: false")
			}
			continue
		}
		var rs *ruleState
		var err error
		if o := e.unreadSpec(s); o != nil { // not built: checked by CheckOffRules
			if lack := e.lack(s, *env); lack != nil {
				o = alsoOff(lack, o)
			}
			err = o
		} else {
			rs, err = e.buildRule(s, env)
		}
		if err == nil {
			if o := e.unreadRule(s, rs.rule); o != nil {
				rs.rule.Close(func(*Alert) {}) // it saw no event
				err = o
			}
		}
		if IsOff(err) {
			var o *OffError
			errors.As(err, &o)
			e.off = append(e.off, o)
			e.cfg.Log.Info("detection rule off", "rule", s.Info.ID, "reason", o.Reason)
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		idx := len(e.rules)
		if idx == maxRules {
			errs = append(errs, fmt.Errorf("detections: rule %s: at most %d rules can run at once", s.Info.ID, maxRules))
			continue
		}
		rs.emit = e.emitter(rs)
		rs.logs = logBits(wantsLogs(rs.rule))
		e.rules = append(e.rules, rs)
		if _, idle := rs.rule.(idleAdvancer); !idle {
			e.advancers = append(e.advancers, rs)
		}
		if rs.ordered {
			e.orderedSet |= 1 << idx
		}
		if rs.stateful {
			e.statefulSet |= 1 << idx
		}
		e.byID[rs.info.ID] = rs
		e.table.addRule(idx, rs.rule)
	}
	return errors.Join(errs...)
}

// lack returns why the rule of s, off because no source reads its log
// (unreadSpec), would be off too if one did: what it lacks (an
// allow-list, an indicator file, a GeoIP database), so that its reason
// names that first, as a mistake of its settings now, not once a source
// reads the log. It is nil when the rule would run, or when its settings
// hold a wrong value (CheckOffRules reports it). The rule is built from
// env without a log and as if not running (a data file that cannot be
// used is an error, not a lack), then closed.
func (e *Engine) lack(s Spec, env Env) *OffError {
	env.Log, env.Running = slog.New(slog.DiscardHandler), false
	rs, err := e.buildRule(s, &env)
	if err == nil {
		rs.rule.Close(func(*Alert) {}) // it saw no event
		return nil
	}
	var o *OffError
	if errors.As(err, &o) {
		return o
	}
	return nil
}

// unreadSpec returns the OffError of the rule of s, one with Spec.Logs,
// when no log it alerts on under its parameters is among the configured
// Config.Types; nil when it can alert, and for a spec without Logs
// (unreadRule decides once it is built).
func (e *Engine) unreadSpec(s Spec) *OffError {
	if e.cfg.Types == nil || s.Logs == nil {
		return nil
	}
	p := e.params(s.Info.ID) // a bad value is New's or CheckOffRules' to report
	logs := s.Logs(p)
	if s.StreamOnly != "" && e.cfg.NoStream {
		return e.unstreamed(s, logs)
	}
	o := e.unreadLogs(s, logs)
	if o != nil && s.LogsHint != nil {
		if param, what := s.LogsHint(p); param != "" {
			o.Reason += ", or set " + param + ": true " + what
		}
	}
	return o
}

// unstreamed is unreadSpec for the rule of s, which alerts on the lines
// of logs, when the agent receives no Audit Event Streaming: the audit
// events it alerts on (Spec.StreamOnly) never reach audit_json.log, so
// only its other logs count, and the reason says that streaming turns it
// on too.
func (e *Engine) unstreamed(s Spec, logs []parser.Type) *OffError {
	files := slices.DeleteFunc(slices.Clone(logs), func(t parser.Type) bool { return t == parser.TypeAudit })
	if len(files) == 0 {
		return &OffError{Rule: s.Info.ID, Logs: logs, Reason: "it alerts on " + s.StreamOnly +
			" audit events, which GitLab sends only by Audit Event Streaming, never to audit_json.log, and the agent receives none: configure streaming: to turn it on"}
	}
	o := e.unreadLogs(s, files)
	if o != nil {
		o.Reason += ", or configure streaming: (Audit Event Streaming sends the " + s.StreamOnly + " audit events it alerts on too, which never reach audit_json.log)"
	}
	return o
}

// unreadRule is unreadSpec for the rule r built from s, a spec without
// Logs: it alerts on the lines of every log its Wants keys name.
func (e *Engine) unreadRule(s Spec, r Rule) *OffError {
	if e.cfg.Types == nil || s.Logs != nil {
		return nil
	}
	return e.unreadLogs(s, wantsLogs(r))
}

// wantsLogs returns the logs r's Wants keys name, each once.
func wantsLogs(r Rule) []parser.Type {
	var logs []parser.Type
	for _, k := range r.Wants() {
		if !slices.Contains(logs, k.Type) {
			logs = append(logs, k.Type)
		}
	}
	return logs
}

// params returns the parameters of rule id: its own over the engine's.
func (e *Engine) params(id string) *Params {
	return NewParams(id, e.cfg.Params, e.cfg.Rules[id].Params)
}

// unreadLogs returns the OffError of the rule of s, which alerts on the
// lines of logs, when none of them is among Config.Types; nil when one
// is, or logs is empty.
func (e *Engine) unreadLogs(s Spec, logs []parser.Type) *OffError {
	if len(logs) == 0 || slices.ContainsFunc(logs, func(t parser.Type) bool { return slices.Contains(e.cfg.Types, t) }) {
		return nil
	}
	names := make([]string, len(logs))
	for i, t := range logs {
		names[i] = t.String()
	}
	return &OffError{Rule: s.Info.ID, Logs: logs, Reason: fmt.Sprintf(
		"it alerts on lines of %s and no source reads it: add a source of type %s to turn it on",
		LogNames(logs), strings.Join(names, " or "))}
}

// Logs returns the logs whose lines raise the alerts of rule id under
// its parameters (Spec.Logs; for a spec without, the logs the running
// rule's Wants keys name), and the boolean parameter that would widen
// them, when true, with what it then matches (Spec.LogsHint; "" for
// none); nil and "" for a rule the engine does not know or run.
func (e *Engine) Logs(id string) (logs []parser.Type, param, what string) {
	s, ok := e.spec(id)
	if !ok {
		return nil, "", ""
	}
	if s.Logs == nil { // the logs its Wants keys name, as unreadRule takes them
		if j := slices.IndexFunc(e.rules, func(rs *ruleState) bool { return rs.info.ID == id }); j >= 0 {
			return wantsLogs(e.rules[j].rule), "", ""
		}
		return nil, "", ""
	}
	p := e.params(id)
	if s.LogsHint != nil {
		param, what = s.LogsHint(p)
	}
	return s.Logs(p), param, what
}

// Reads returns the logs whose lines running rule id reads, each once:
// those its Wants keys name, which include the logs it only joins with
// (sentinel.external_user reads the audit log for the creator of a user
// the application log says was created); nil for a rule the engine does
// not run.
func (e *Engine) Reads(id string) []parser.Type {
	if j := slices.IndexFunc(e.rules, func(rs *ruleState) bool { return rs.info.ID == id }); j >= 0 {
		return wantsLogs(e.rules[j].rule)
	}
	return nil
}

// StreamOnly returns the audit event (EventName) that rule id's audit
// alerts come from when GitLab sends it only by Audit Event Streaming,
// never to audit_json.log (Spec.StreamOnly, "repository_git_operation"),
// and "" for other rules and rules the engine does not know.
func (e *Engine) StreamOnly(id string) string {
	s, _ := e.spec(id)
	return s.StreamOnly
}

// spec returns the spec of rule id among Config.Specs, and whether there
// is one.
func (e *Engine) spec(id string) (Spec, bool) {
	i := slices.IndexFunc(e.cfg.Specs, func(s Spec) bool { return s.Info.ID == id })
	if i < 0 {
		return Spec{}, false
	}
	return e.cfg.Specs[i], true
}

// LogNames names logs for a message: "the access log
// (nginx/gitlab_access.log)", "the audit or application log (...)".
func LogNames(logs []parser.Type) string {
	names, files := make([]string, len(logs)), make([]string, len(logs))
	for i, t := range logs {
		names[i], files[i] = t.String(), logFile(t)
	}
	return fmt.Sprintf("the %s log (%s)", strings.Join(names, " or "), strings.Join(files, "; "))
}

// logFile names the file GitLab writes log t to.
func logFile(t parser.Type) string {
	switch t {
	case parser.TypeAudit:
		return "gitlab-rails/audit_json.log"
	case parser.TypeApplication:
		return "gitlab-rails/application_json.log or application.log"
	case parser.TypeAccess:
		return "nginx/gitlab_access.log"
	case parser.TypeAuth:
		return "gitlab-rails/auth_json.log"
	}
	return t.String()
}

// enabled reports whether spec s runs under the configuration.
func (e *Engine) enabled(s Spec) bool {
	if len(e.cfg.Only) > 0 {
		return slices.Contains(e.cfg.Only, s.Info.ID)
	}
	if e.cfg.Disabled {
		return false
	}
	if rc, ok := e.cfg.Rules[s.Info.ID]; ok && rc.Enabled != nil {
		return *rc.Enabled
	}
	return s.Default
}

// buildRule builds one rule from its spec and configuration.
func (e *Engine) buildRule(s Spec, env *Env) (*ruleState, error) {
	rc := e.cfg.Rules[s.Info.ID]
	p := e.params(s.Info.ID)
	info := s.Info
	if rc.Severity != "" {
		sev, err := ParseSeverity(rc.Severity)
		if err != nil {
			return nil, fmt.Errorf("detections: rule %s: %w", s.Info.ID, err)
		}
		info.Severity = sev
	}
	sup := p.Duration("suppress", s.Suppress)
	r, err := s.New(p, env)
	if err == nil || IsOff(err) {
		// A rule off for want of data (a GeoIP database, a ti_file)
		// still reports the values it read that it cannot take: they are
		// wrong now, not only once the data is given.
		if perr := p.Err(); perr != nil {
			err = perr
		}
	}
	if err != nil {
		return nil, err
	}
	if un := p.Unread(rc.Params); len(un) > 0 {
		return nil, fmt.Errorf("detections: rule %s: unknown parameter(s) %s (the rule reads %s)",
			s.Info.ID, strings.Join(un, ", "), strings.Join(s.AllParams(), ", "))
	}
	_, stateful := r.(Stateful)
	if _, ok := r.(futureTaker); ok {
		stateful = false // it decides about future-dated events itself
	}
	return &ruleState{rule: r, info: info, suppress: sup, stateful: stateful, ordered: ordered(r, sup > 0)}, nil
}

// Rules returns the descriptions of the rules that run, in catalogue
// order, with their configured severities.
func (e *Engine) Rules() []Info {
	out := make([]Info, len(e.rules))
	for i, r := range e.rules {
		out[i] = r.info
	}
	return out
}

// Off returns the rules that were enabled but lack what they need, or
// whose logs no source reads (OffError.Logs), in catalogue order, with
// the reasons the engine logged ("detection rule off").
func (e *Engine) Off() []*OffError { return slices.Clone(e.off) }

// FileReports returns, by rule id, what the last load of the rules' own
// files found in them (FileReporter); rules without a file, or whose file
// gave nothing to report, are absent.
func (e *Engine) FileReports() map[string]FileReport {
	out := e.Files()
	maps.DeleteFunc(out, func(_ string, rep FileReport) bool {
		return rep.SkippedTotal == 0 && rep.Unusable == "" && rep.InternalTotal == 0
	})
	return out
}

// Files returns, by rule id, the report of every rule with its own file
// (FileReporter), whatever the load found: the agent logs after a reload
// which file each rule uses, with how many entries.
func (e *Engine) Files() map[string]FileReport {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]FileReport{}
	for _, r := range e.rules {
		if fr, ok := r.rule.(FileReporter); ok {
			out[r.info.ID] = fr.FileReport()
		}
	}
	return out
}

// Want reports whether any running rule wants a line of type t parsed into
// rec. It is the check a parse worker makes for every line before it
// copies the line into an Event: one map lookup per dispatch column, then
// the filters (Filter, WantFilter) of the rules whose keys match (for an
// audit line without EventName, one table of the rules' conditions over
// the line's columns, read in one pass); no allocation, no lock.
// WantRules (or a Wanter) also says which rules want it.
func (e *Engine) Want(t parser.Type, rec *parser.Record) bool {
	want, _ := e.table.wantRecord(t, rec, &e.views, true)
	return want != 0
}

// WantStateless is Want without the filters that depend on what the rules
// saw (WantFilter): for readers that cannot order their Want calls after
// the Process of earlier lines, such as an offline run reading several
// files at once, where the start of a session may be in another file than
// the lines it makes wanted. It still allocates nothing.
func (e *Engine) WantStateless(t parser.Type, rec *parser.Record) bool {
	want, _ := e.table.wantRecord(t, rec, &e.views, false)
	return want != 0
}

// WantEpoch changes whenever a rule starts wanting lines it did not want
// before (e.g. sentinel.impersonation, from the start of a session, the
// impersonated user's lines). A caller that asked Want for lines while
// another goroutine asked for earlier lines of the same file (parse
// workers running ahead) compares the epoch taken before its Want calls
// with the epoch once the earlier lines are processed, and asks Want again
// when it changed.
func (e *Engine) WantEpoch() uint64 { return e.table.epoch() }

// WantHints appends to dst strings that tell which lines Want started
// wanting after WantEpoch returned since: each such line contains at
// least one of them, byte for byte (a line that contains none is wanted
// only if Want wanted it before). It reports false when it cannot tell;
// then any line may be wanted now. With true and nothing appended, Want
// wants no line it did not want at since. It allocates nothing unless dst
// grows.
func (e *Engine) WantHints(since uint64, dst []string) ([]string, bool) {
	h, n := e.hinter()
	switch {
	case n == 0:
		return dst, true
	case n > 1 || h == nil: // the epoch is a sum: since cannot be split
		return dst, false
	}
	return h.wantHints(since, dst)
}

// hinter returns the hinter of the one rule with a WantFilter, and the
// number of rules with one (h is nil unless that number is 1 and the
// rule's filter is a hinter).
func (e *Engine) hinter() (h hinter, n int) {
	for _, f := range e.table.wantOnly {
		if f != nil {
			n++
			h, _ = f.(hinter)
		}
	}
	if n != 1 {
		h = nil
	}
	return h, n
}

// HintColumns returns the columns of lines of type t the hints of
// WantHints are values of: when WantHints reports true, every line of
// type t that Want started wanting after since has one of the hints as the
// whole value of one of these columns (as the parser gives it, unescaped),
// so a caller may compare the values instead of searching the lines. An
// empty slice says that Want never starts wanting lines of type t. It
// returns nil when WantHints cannot give hints. The slice must not be
// modified.
func (e *Engine) HintColumns(t parser.Type) []string {
	h, _ := e.hinter()
	if h == nil {
		return nil
	}
	return h.hintColumns(t)
}

// KeepData lets the rules of e that were built without their data file's
// content (Config.Running: the file could not be read, held nothing usable
// or listed nothing) take over the data of the same rule of prev, the
// engine e replaces (nil: none, at the agent's start), and log that once.
// The agent calls it right after building the engine, at start and at a
// reload, before e processes anything.
func (e *Engine) KeepData(prev *Engine) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if prev != nil && prev != e { // its Refresh may still run
		prev.mu.Lock()
		defer prev.mu.Unlock()
	}
	for _, r := range e.rules {
		k, ok := r.rule.(dataKeeper)
		if !ok {
			continue
		}
		var old Rule
		if prev != nil {
			if pr := prev.byID[r.info.ID]; pr != nil {
				old = pr.rule
			}
		}
		k.keepData(old)
	}
}

// DataFaults returns the rules that run now without the data of their
// file (see DataFault), in the engine's rule order; nil when there are
// none.
func (e *Engine) DataFaults() []DataFault {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []DataFault
	for _, r := range e.rules {
		if f, ok := r.rule.(dataFaulter); ok {
			if df, ok := f.dataFault(); ok {
				df.Rule = r.info.ID
				out = append(out, df)
			}
		}
	}
	return out
}

// Reload makes the rules that read external files (Reloader) read them
// again; errors are joined, and the rules keep what they had (each rule
// logged its own, with the file and what to do).
func (e *Engine) Reload() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []error
	for _, r := range e.rules {
		if rl, ok := r.rule.(Reloader); ok {
			if err := rl.Reload(); err != nil {
				errs = append(errs, fmt.Errorf("detections: rule %s: reload: %w", r.info.ID, err))
			}
		}
	}
	return errors.Join(errs...)
}
