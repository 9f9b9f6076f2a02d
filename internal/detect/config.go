package detect

import (
	"log/slog"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/geoip"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Defaults of Config.
const (
	DefaultLateness     = 2 * time.Minute
	DefaultDedupeWindow = 24 * time.Hour
	DefaultMaxRecent    = 500_000
	DefaultMaxSuppress  = 100_000
	// StateName is the Store name of the engine's own state (source
	// positions, recent event and alert ids, suppression).
	StateName = "_engine"
	// engineStateVersion is the schema of the engine's own state.
	engineStateVersion = 2
)

// RuleConfig is the configuration of one rule. The yaml tags are the keys
// of a rule in the agent configuration's detections.rules block: every key
// other than enabled and severity is a parameter.
type RuleConfig struct {
	// Enabled turns the rule on or off; nil keeps Spec.Default (on, unless
	// the rule needs data that was not given: allowed_domains, ti_file,
	// known_countries, a GeoIP database).
	Enabled *bool `yaml:"enabled"`
	// Severity overrides Info.Severity when not empty (see ParseSeverity):
	// High, Medium, Low or Informational; Falco's WARNING, NOTICE and INFO
	// are accepted too.
	Severity string `yaml:"severity" config:"nonempty"`
	// Params are the rule's own parameters (Spec.Params, and suppress),
	// in the text form of Params; they override Config.Params. In the
	// agent's configuration a list value is joined with commas.
	Params map[string]string `yaml:",inline"`
}

// Config says which rules run and how. The zero value runs the default
// rules with default parameters, without persistence, and drops alerts.
// The yaml tags are the keys of the agent configuration's detections block
// (internal/config composes it); fields tagged "-" are set by the caller.
type Config struct {
	// Specs is the catalogue to build from; nil means Catalogue().
	Specs []Spec `yaml:"-"`
	// Rules configures rules by id. An id not in the catalogue is an error.
	Rules map[string]RuleConfig `yaml:"rules"`
	// Only, when not empty, runs exactly these rules (detect --rule),
	// whatever Enabled and the defaults say.
	Only []string `yaml:"-"`
	// Disabled turns every rule off (detections.enabled: false), except
	// those Only names.
	Disabled bool `yaml:"-"`
	// Params are set for every rule that reads them (detect --param
	// NAME=VALUE); a rule's own value wins. A value is text: a number,
	// duration, boolean or name as written, a list joined with commas.
	Params map[string]string `yaml:"params"`
	// Lateness is how far behind its source's newest event an event may
	// arrive and still be on time (default DefaultLateness).
	Lateness time.Duration `yaml:"lateness"`
	// MaxAhead is how far ahead of the wall clock (Now) an event or a
	// Progress time may be dated and still move its source's watermark
	// and reach the windowed rules (default MaxFuture, 24 hours: detect's,
	// whose logs the clock says nothing about). The agent sets
	// LiveMaxAhead: it reads lines as GitLab writes them, so a line dated
	// further ahead of the host's clock is a clock or time zone fault, and
	// moving the watermark to it would make the lines after it late. An
	// event whose time has no zone (Event.CoarseTime: the server's local
	// time) may be up to MaxFuture ahead whatever MaxAhead says.
	MaxAhead time.Duration `yaml:"-"`
	// DedupeWindow is how long, in event time, event ids and alert ids are
	// remembered (default DefaultDedupeWindow); MaxRecent caps each set
	// (default DefaultMaxRecent).
	DedupeWindow time.Duration `yaml:"-"`
	MaxRecent    int           `yaml:"-"`
	// DedupeLines makes the engine take an event without an EventID of
	// the audit, application or auth log for a duplicate when a line of
	// the same bytes (Event.Raw) was folded within DedupeWindow, as it
	// takes a second event of one EventID: those logs write each line
	// with a time in milliseconds and a correlation id, so a line read
	// twice is one event read twice. detect sets it, as its inputs may
	// overlap (a copy, a concatenation regrouped, a file given again),
	// and the agent, so that a line a file holds twice counts once there
	// as in detect. Access log lines (times in seconds, no id) and those
	// of the text application.log are left out: two identical requests in
	// one second are two events.
	DedupeLines bool `yaml:"-"`
	// MaxSuppress caps the (rule, key) suppression entries (default
	// DefaultMaxSuppress); the oldest are dropped first and counted as
	// evictions.
	MaxSuppress int `yaml:"-"`
	// StateDir is the agent's state_dir; the engine keeps its files in
	// StateDir/detect. "" disables persistence.
	StateDir string `yaml:"-"`
	// Emit receives every alert that survives suppression, synchronously,
	// from the goroutine calling Process, Advance or Close. nil drops alerts.
	// The alert is valid only during the call (see Emit): it may reference
	// the Event being processed, whose storage the caller reuses.
	Emit Emit `yaml:"-"`
	// Log receives warnings (unreadable state, rules off); nil discards.
	Log *slog.Logger `yaml:"-"`
	// Geo is passed to the rules that need GeoIP; may be nil.
	Geo *geoip.DB `yaml:"-"`
	// Now is the wall clock (default time.Now).
	Now Clock `yaml:"-"`
	// MinWatermark makes the engine's watermark follow the oldest of the
	// newest event times of the sources that gave an event (or read a
	// line: Engine.Progress) within Lateness of wall-clock time, instead
	// of the newest of all sources.
	// The agent sets it: it reads its files at once, each at its own
	// speed, and when it catches up a backlog (a first start over existing
	// logs, a restart after downtime, a collector outage) one file can be
	// hours of event time ahead of another; following the newest would
	// close the windows the lagging file's events belong to and drop them
	// as late. A source idle for Lateness no longer holds the watermark,
	// nor does one read to its end (Engine.Caught) until its next event.
	// The rules whose alerts depend on the order of their events get them
	// sorted by a reorder buffer (see reorder.go).
	// detect leaves it off: it merges its inputs in event-time order.
	MinWatermark bool `yaml:"-"`
	// LogWatermarks advances each rule (Rule.Advance) to a watermark of
	// its own: the engine watermark, but no later than the newest event
	// time of the logs its Wants keys name (the oldest of those it was
	// given an event of) less Lateness, and not at all before it was given
	// an event of one of them. The newest time of each log is saved with
	// the state. detect sets it: its runs with one --state-dir may each
	// read other logs of the same period (the audit log of a day, then its
	// application log), and the engine watermark the first run left would
	// otherwise close the windows of the rules of the logs it did not read
	// and drop their events as late.
	LogWatermarks bool `yaml:"-"`
	// MaxReorderBytes caps, in bytes of event copies, the reorder buffer
	// that sorts the events of the order-dependent rules with
	// MinWatermark (see reorder.go; default DefaultMaxReorderBytes).
	MaxReorderBytes int64 `yaml:"-"`
	// OrderGrace, with MinWatermark, is how long after an event was
	// processed a source read to its end (Engine.Caught) must be found at
	// its end again before the reorder buffer gives the event to its
	// rules, when that source's newest time is before the event's: lines
	// appended to two files in the same moment then reach the rules in
	// event-time order, whichever file is read first (see reorder.go).
	// The agent sets it to DefaultOrderGrace; zero turns it off.
	OrderGrace time.Duration `yaml:"-"`
	// Nodes makes the engine remember which nodes (Event.Host) sent the
	// events of OriginInput and name them in Alert.Nodes. The agent sets
	// it when it has network inputs; without, nothing is tracked.
	Nodes bool `yaml:"-"`
	// WantFirst says that every event given to Process was first let
	// through by Want (not WantStateless), with the lines of one source
	// asked in file order: Process then also asks the rules' WantFilters,
	// so that a rule does not get the lines another rule wanted and its
	// own filter would have dropped. Whatever a WantFilter let through in
	// Want it lets through later (its state only grows until the lines are
	// too old to matter).
	WantFirst bool `yaml:"-"`
	// Running says the engine is an agent's (run), at its start or at a
	// reload on SIGHUP, not one built to check a configuration or to read
	// logs once (check, detect). A rule's data file (the TI rule's
	// ti_file) that cannot be read, or holds nothing usable, is then a
	// data fault, not a configuration error: the rule is built without the
	// file's data and rereads the file when it changes; Engine.KeepData
	// gives it the data of the engine it replaces (none at start) and logs
	// the fault. A file that lists no indicator (empty, or only comments)
	// is taken, with a warning, only when there is nothing to keep.
	// Without Running a file that cannot be read is an error of New, as
	// check reports it.
	Running bool `yaml:"-"`
	// QuietSave makes Save leave the logging of its failures to the
	// caller, which gets them returned; they are counted all the same
	// (Stats.StateSaveErrors). The agent sets it: it saves every
	// state_save_interval, and a directory that stays unwritable would
	// log the same errors at every save.
	QuietSave bool `yaml:"-"`
	// Types are the logs the agent's sources and inputs can deliver; nil
	// means any (detect, which reads the files it is given). A rule that
	// alerts only on lines of logs not among them is left off and
	// reported by Engine.Off with its OffError.Logs set: it could never
	// alert, and the lines it would hold for a join (the audit side of
	// sentinel.local_auth_no_mfa) cost memory and time for nothing.
	Types []parser.Type `yaml:"-"`
	// NoStream says that, of Types, the audit log is read from files only:
	// the agent runs no Audit Event Streaming receiver. The audit events
	// GitLab only streams (Spec.StreamOnly) then never arrive, and a rule
	// that needs them is off as one whose logs no source reads. false
	// means streamed events may arrive (detect, and any agent with Types
	// nil).
	NoStream bool `yaml:"-"`
}

func (c *Config) defaults() {
	if c.Specs == nil {
		c.Specs = Catalogue()
	}
	if c.Lateness <= 0 {
		c.Lateness = DefaultLateness
	}
	if c.MaxAhead <= 0 {
		c.MaxAhead = MaxFuture
	}
	if c.DedupeWindow <= 0 {
		c.DedupeWindow = DefaultDedupeWindow
	}
	if c.MaxRecent <= 0 {
		c.MaxRecent = DefaultMaxRecent
	}
	if c.MaxSuppress <= 0 {
		c.MaxSuppress = DefaultMaxSuppress
	}
	if c.MaxReorderBytes <= 0 {
		c.MaxReorderBytes = DefaultMaxReorderBytes
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Emit == nil {
		c.Emit = func(*Alert) {}
	}
}
