package detect

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/geoip"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Key is one dispatch key: the engine hands a rule the events that match
// any of its keys, and a line that matches no rule's key is never copied.
//
//   - {Type, Column, Value}: lines of Type whose Column equals Value, e.g.
//     {TypeAudit, parser.ColEventName, "user_impersonation"} or
//     {TypeApplication, parser.ColEventKind, parser.KindFailedLogin}.
//   - {Type, Column, ""}: lines of Type that have no Column, e.g. audit
//     lines without EventName (the legacy audit writer, older releases),
//     for fallback predicates.
//   - {Type, "", ""}: every line of Type (AllOf).
//
// A rule receives an event once even when several of its keys match.
type Key struct {
	Type   parser.Type
	Column string
	Value  string
}

// EventName returns the key for audit events named name.
func EventName(name string) Key {
	return Key{Type: parser.TypeAudit, Column: parser.ColEventName, Value: name}
}

// NoEventName returns the key for audit lines without EventName.
func NoEventName() Key { return Key{Type: parser.TypeAudit, Column: parser.ColEventName} }

// EventKind returns the key for application-log lines of EventKind kind.
func EventKind(kind string) Key {
	return Key{Type: parser.TypeApplication, Column: parser.ColEventKind, Value: kind}
}

// AllOf returns the key for every line of type t.
func AllOf(t parser.Type) Key { return Key{Type: t} }

// Clock returns the wall-clock time. Rules use event time for every
// decision; the clock is only for DetectedAt-like bookkeeping.
type Clock func() time.Time

// Emit receives an alert. The engine fills Alert.Info, DetectedAt and ID
// when the rule left them empty, applies suppression, and passes the alert
// on. The rule must not keep or modify the alert after emitting it. An
// alert may reference the Event being processed (Alert.Event, values in
// Key and Columns), so an Emit must not keep it, or those, past its call.
type Emit func(*Alert)

// Rule is one detection. The engine calls a rule's methods from one
// goroutine at a time, so a rule needs no locking of its own.
type Rule interface {
	// Info describes the rule. It must return the same value every time.
	Info() Info
	// Wants returns the dispatch keys of the events the rule observes. It is
	// called once, when the engine is built.
	Wants() []Key
	// Observe folds one deduplicated event into the rule and emits the
	// alerts it triggers. Events of one source arrive in file order;
	// sources interleave, so ev.Time may be older than events seen before
	// (but not older than the watermark minus nothing: see Engine). ev and
	// its strings are valid only until Observe returns (their storage is
	// then reused; see Event): a rule keeps copies (Event.Clone,
	// strings.Clone), never ev, and must not modify it. Alerts it emits
	// from Observe may reference ev.
	Observe(ev *Event, now Clock, emit Emit)
	// Advance tells the rule that no more events older than watermark are
	// expected (event time, see Engine): it closes windows, expires sessions
	// and keys, and emits alerts that closing produces. watermark only
	// moves forward.
	Advance(watermark time.Time, emit Emit)
	// Close is called once at the end of input (detect): the rule closes
	// every window and emits what is left.
	Close(emit Emit)
}

// Stateful is implemented by rules whose state survives restarts. The
// engine saves each one to state_dir/detect/<rule id>.json (see Store).
type Stateful interface {
	// StateVersion is the schema version of Snapshot's output. A file of
	// another version is not restored: the rule starts learning again.
	StateVersion() int
	// Snapshot returns the state as JSON.
	Snapshot() ([]byte, error)
	// Restore loads a Snapshot of the same version. On error the engine
	// logs it and keeps the rule's fresh state.
	Restore(data []byte) error
}

// Reloader is implemented by rules that read external files (the TI
// indicator file). The agent calls Engine.Reload on SIGHUP.
type Reloader interface {
	// Reload reads the rule's files again. When a file cannot be read or
	// holds nothing usable, the rule keeps what it had, logs that once
	// (naming the file, the cause and what to do) and returns the cause.
	Reload() error
}

// dataKeeper is implemented by rules that read external data: keepData
// takes over the data of prev (the same rule of the engine this one
// replaces; nil when it had none) when the rule was built in a running
// agent (Env.Running) without its file's data, and logs why.
type dataKeeper interface {
	keepData(prev Rule)
}

// dataFaulter is a rule that reads a data file and can say why it runs
// without that file's data.
type dataFaulter interface {
	dataFault() (DataFault, bool)
}

// DataFault is a rule that runs without the data of its file (ti_file):
// the file could not be read, held nothing usable, became empty, or
// lists nothing (the rule then matches nothing).
type DataFault struct {
	Rule string // the rule's id
	File string // the file's path, as configured
	// Err says why: the error of the stat, open or read, or of the
	// file's contents.
	Err error
	// Kept is how many entries (indicators) the rule still uses, taken
	// from the file when it was last usable; 0: it matches nothing.
	Kept int
}

// Env is what a rule may use besides its parameters.
type Env struct {
	// Log receives the rule's warnings (a bad indicator line, ...). Never nil
	// when passed to Spec.New.
	Log *slog.Logger
	// Geo is the GeoIP database, or nil when none is configured.
	Geo *geoip.DB
	// Now is the wall clock.
	Now Clock
	// MaxAhead is Config.MaxAhead: an event dated further ahead of Now
	// reaches only the per-event rules and the rules that take such events
	// themselves (the join rules), which do not wait for the watermark to
	// reach it.
	MaxAhead time.Duration
	// Running is Config.Running: a data file that cannot be used is a
	// data fault of a running agent, not an error of New.
	Running bool
}

// Spec is a catalogue entry: a rule's description and how to build it.
type Spec struct {
	// Info is the rule's default description.
	Info Info
	// Default says whether the rule runs when the config does not name it
	// (detections.rules.ID.enabled absent). A default rule that needs
	// data it was not given (an allow-list, an indicator file, a country
	// list, a GeoIP database) still stays off: New returns an *OffError.
	Default bool
	// Params lists the parameter names the rule reads, for docs and check.
	// Every rule also reads "suppress" (see Suppress).
	Params []string
	// Suppress is the default suppression per (rule, alert key), in event
	// time: no second alert for the same key less than Suppress before or
	// after an alerted one, whatever order the events come in; one exactly
	// Suppress apart alerts (each alert at t keeps the key quiet in the
	// open interval (t − Suppress, t + Suppress): see suppressor). 0
	// alerts every time (per-event rules). The parameter "suppress"
	// overrides it.
	Suppress time.Duration
	// New builds the rule from its parameters. It returns an *OffError when
	// the rule cannot run without a parameter or resource it lacks, and a
	// *ParamError (possibly joined) for bad values.
	New func(p *Params, env *Env) (Rule, error)
	// Logs, when not nil, returns the logs whose lines raise the rule's
	// alerts under the parameters p, for a rule that New may refuse for
	// want of data (an allow-list, a file, a GeoIP database) or whose
	// lines of some logs only enrich (a join): without one of them among
	// Config.Types the rule is off and not built, and its values are
	// checked as an off rule's (CheckOffRules). nil: the rule is built and
	// alerts on the lines of every log its Wants keys name.
	Logs func(p *Params) []parser.Type
	// LogsHint, when not nil, returns what else turns the rule on when it
	// is off because no source reads a log of Logs(p): a boolean
	// parameter that widens them, when true, and what it then matches
	// ("all_logs", "to match ... too"); "" when none does. The reason says
	// "or set all_logs: true to match ... too".
	LogsHint func(p *Params) (param, what string)
	// StreamOnly, when not "", names the audit event the rule's audit
	// alerts come from, one GitLab sends only by Audit Event Streaming and
	// never writes to audit_json.log (repository_git_operation): with
	// Config.NoStream the audit log of Logs does not count as read.
	StreamOnly string
}

// SuppressParam is the parameter every rule reads besides its Params:
// its suppression (see Spec.Suppress).
const SuppressParam = "suppress"

// AllParams returns, in a new slice, the names of every parameter the
// rule reads: its Params, then SuppressParam.
func (s *Spec) AllParams() []string {
	return append(slices.Clone(s.Params), SuppressParam)
}

// OffError says that a rule is off because it lacks what it needs (an
// allow-list, an indicator file, a GeoIP database). It is not a failure
// for a rule that is on only by default.
type OffError struct {
	Rule   string
	Reason string
	// Param is the parameter the rule lacks (known_countries,
	// allowed_domains, ti_file), "" when it lacks something else (a GeoIP
	// database).
	Param string
	// Logs are the logs the rule alerts on, none of which a source reads
	// (Config.Types); nil when it lacks something else. Such a rule is
	// off because of the sources, not for a mistake of its settings. A
	// rule that would lack something else with a source of its log too
	// (an allow-list, a GeoIP database) is off for that lack, Logs nil,
	// its Reason naming the lack and then the log ("...; also, it alerts
	// on lines of the ... log").
	Logs []parser.Type
}

// Error returns "detections: rule ID is off: " and the reason.
func (e *OffError) Error() string {
	return fmt.Sprintf("detections: rule %s is off: %s", e.Rule, e.Reason)
}

// alsoOff returns first with the reason of then added ("first; also,
// then"), its Rule, Param and Logs kept: a rule that lacks two things
// names both, so that giving one does not reveal the other.
func alsoOff(first, then *OffError) *OffError {
	both := *first
	both.Reason += "; also, " + then.Reason
	return &both
}

// IsOff reports whether err is (or wraps) an *OffError.
func IsOff(err error) bool {
	var o *OffError
	return errors.As(err, &o)
}
