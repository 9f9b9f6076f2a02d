package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detectconf"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// detectOptions are the flags of the detect command.
type detectOptions struct {
	params   []string // NAME=VALUE
	rules    []string
	config   string
	stateDir string
	format   string
	maxLine  string // --max-line-bytes
	list     bool
	now      func() time.Time // wall clock for detected_at; nil: time.Now

	// overridden are the warnings engineConfig found about values of the
	// --config file that a --param hides (overriddenMistakes).
	overridden []string
	// warnings are the warnings about the flags and the --config file
	// printed before the run: duration parameters given as bare numbers
	// (window=60 is 60 seconds), of --param and of the file
	// (detectconf.FlagBareSeconds, LoadFileWire), and the file's wire
	// format when it is not RFC 5424 (detectconf.Wire.Note).
	warnings []string
}

// newDetectCmd builds "gitlab-syslog detect": run the detection rules over
// log files offline.
func newDetectCmd() *cobra.Command {
	var o detectOptions
	cmd := &cobra.Command{
		Use:   "detect [flags] [TYPE:]FILE ...",
		Short: "Run the detection rules over GitLab log files and print the alerts as JSON",
		Long: `detect runs the detection engine offline over log files, for hunting in old
logs and for testing rules. It reads every FILE (gzip, bzip2, xz and zstd
files too, told by their first bytes whatever their name; "-" is standard
input), merges all inputs in event-time order, runs the rules, closes
every window at the end of input, and prints one JSON object per alert on
standard output (--format rfc5424 prints the syslog wire form
instead, one message per line: a line break (LF or CR) in a value or in MSG
is printed as a space, as newline framing sends it; octet counting sends it
unchanged). A summary goes to standard error: lines and events read, late and
deduplicated events, and each rule that was given events with its alerts
(0 too) and the events it matched (those its filter selected: a line it
turns away, such as a near-miss, is not among them); the running rules
given no event are only counted.
Container logs (the CRI or Docker json-file records of
/var/log/containers) are not unwrapped: each record fails with a cause
saying what it is; read them with run, a source with format: cri, docker
or auto.

A FILE may be written TYPE:FILE, TYPE one of audit, application, access,
auth, or stream (Audit Event Streaming bodies, one JSON object per line, as
the streaming receiver spools them). A bare FILE takes its type from its name
as the agent's default sources do (audit_json.log, application_json.log,
application.log, auth_json.log, auth.log, gitlab_access.log, with rotation suffixes such as .1 or
.2.gz); other files are typed line by line.

--param NAME=VALUE sets a parameter for every rule that reads it, over the
--config file's value (detections.params or the rule's own; a value there
that run would refuse gets a warning naming FILE:LINE); lists are
comma-separated, booleans true or false; a NAME given twice with two
values is an error, and so is a NAME none of the rules that run reads (the
error names the rules that run and those that read it). --rule ID restricts
the run to the rules named, also a rule the --config file turns off (its
enabled: false, or the block's), which a note on standard error then says.
--config reads the detections: block of an agent config file, the
geoip: block's databases for the rules that need one, and the settings run
writes alerts with (hostname, forward.facility, forward.sd_id,
forward.format) with --format rfc5424 only, not forward.max_message_bytes:
each alert is printed whole; a file run would refuse for
them is then refused (JSON output does not read them).
The engine's state (baselines, suppression) lives in --state-dir, by default
a temporary directory removed at the end, so runs are independent. With a
--state-dir kept between runs, the lines of a file that an earlier run
already folded are skipped (a file is known by its first line, not its
name: audit_json.log renamed and compressed by logrotate is the same
file; a file is taken for it only when it also has, at the same line
number, the last line the earlier run read of it, else it is another
file and read whole), as the agent does after a restart: run again over
the same files, detect raises no alert twice; a file is read as far as
it was when opened, and its last line, when it has no newline yet and
the file changed less than a minute ago (GitLab still writing it), is
left for a later run. The state is saved only once every alert was
written. A rule not run before with that --state-dir
would not see the lines skipped: such a run is refused, naming the rules
added (give another --state-dir for them). An agent's state_dir (one that
holds run's file checkpoints) is refused: the agent would skip, for its
rules, the lines detect folded there.

A line longer than --max-line-bytes (default 1MiB) is not parsed: it is
skipped and counted in the summary, as the agent does, with a warning
that gives the limit, the longest such line's length and a limit above
it. A line a rule wants whose time is missing or unreadable is not
evaluated (the rules decide in event time): it is counted in the summary,
and the first of each input is named with its line and cause in a warning.

--list prints the rules with their kind, default severity, whether they run
by default (a rule that needs a parameter it lacks, such as ti_file, stays
off and says so), default suppression and parameters. With --config,
--param or --rule it prints them as that run has them instead: whether each
runs (RUNS), its severity, suppression and the parameter values given
(NAME=VALUE).

Warnings (a duration parameter given as a bare number in --param or the
--config file, window=60 being 60 seconds; an indicator line of ti_file
skipped, a --state-dir file not restored, an empty .gz read as empty,
bytes after a .gz's last member ignored) are written "detect: WARNING: FILE:LINE: what: cause; what to do";
the .gz ones come before the summary.

Every input is opened before any is read, standard input last (detect
waits for its first bytes to look at them), and stays open, as detect
reads them all at once to merge them (more inputs than ulimit -n allows
are refused): one that cannot be (missing, a
directory, a .gz that is not gzip, a file with gzip's magic number and no
valid gzip header, data that is not log lines: zip, lz4, compress (.Z),
lzip or 7-Zip data, a tar archive, data compressed twice, a binary file
known by its first bytes: an executable, an image, a PDF or an SQLite
database) stops detect before it prints anything, naming the file, what it
holds and the command that gives the plain lines. Other binary data is
read as lines, which parse as no GitLab log; the summary warns of that.
A --config file that asks for a rule (enabled: true, a severity or a
parameter) that cannot run for want of what it needs (allowed_domains,
known_countries, ti_file, a GeoIP database) is refused, naming its line,
as run and check refuse it; not when a --param gives the rule what it
lacks, or --rule runs only other rules.
The exit status is 0 unless an input cannot be read, the --config file is
refused, a --param or --rule names nothing known, a --param names what no
rule that runs reads, every rule given with --rule is off, or a rule is
added to those run before with the --state-dir.`,
		Example: `  gitlab-syslog detect /var/log/gitlab/gitlab-rails/audit_json.log*
  gitlab-syslog detect --rule sentinel.external_user --param allowed_domains=corp.example application_json.log
  gitlab-syslog detect --param ti_file=indicators.txt nginx/gitlab_access.log.1.gz stream:events.log
  gitlab-syslog detect --list
  gitlab-syslog detect --list --config /etc/gitlab-syslog/config.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := detectArgsError(&o, args); err != nil {
				return err
			}
			if o.list && (o.config != "" || len(o.params) > 0 || len(o.rules) > 0) {
				return listEffective(cmd.OutOrStdout(), cmd.ErrOrStderr(), &o)
			}
			if o.list {
				return listRules(cmd.OutOrStdout())
			}
			return runDetect(cmd.Context(), &o, args, cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.params, "param", nil, "set a rule parameter, NAME=VALUE (repeatable)")
	f.StringArrayVar(&o.rules, "rule", nil, "run only this rule id (repeatable)")
	f.StringVarP(&o.config, "config", "c", "", "read the detections: block of this config file")
	f.StringVar(&o.stateDir, "state-dir", "", "directory for the engine's state (default: a temporary directory)")
	f.StringVar(&o.format, "format", "json", "output format: json or rfc5424 (any case)")
	maxLineFlag(cmd, &o.maxLine, "skipped: counted, not parsed, not seen by the rules")
	f.BoolVar(&o.list, "list", false, "list the rules (id, kind, severity, on by default, parameters) and exit; with --config, --param or --rule, as that run has them")
	return cmd
}

// engineConfig builds the engine configuration from the options, and how
// alerts are written with --format rfc5424: as run writes them for the
// --config file, else with run's defaults and this host's name. The
// --config file's keys of that wire form are read, and their mistakes
// refused, only when o.format is rfc5424.
func (o *detectOptions) engineConfig() (detect.Config, detectconf.Wire, error) {
	var cfg detect.Config
	host, _ := os.Hostname()
	wire := detectconf.Wire{Encoder: new(forwarder.Encoder), SDID: forwarder.DefaultSDID, Opts: forwarder.DefaultRecordOptions(host)}
	cfg.Params = make(map[string]string)
	for _, p := range o.params {
		k, v, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return cfg, wire, fmt.Errorf("--param %q: want NAME=VALUE", p)
		}
		k = strings.TrimSpace(k)
		if prev, ok := cfg.Params[k]; ok && prev != v {
			// Not the last one silently: --param allowed_domains=a
			// --param allowed_domains=b would leave a out.
			if detect.IsListParam(k) {
				return cfg, wire, fmt.Errorf("--param %s given twice (%q, then %q): give it once, a list's items comma-separated (%s=%s,%s)",
					k, prev, v, k, prev, v)
			}
			return cfg, wire, fmt.Errorf("--param %s given twice (%q, then %q): it takes one value; give it once", k, prev, v)
		}
		cfg.Params[k] = v
	}
	if err := detectconf.CheckFlags(cfg.Params, o.rules, nil); err != nil {
		return cfg, wire, err
	}
	o.warnings = detectconf.FlagBareSeconds(cfg.Params)
	cfg.Only = o.rules
	if o.config != "" {
		// The reader run and check use: the same keys, the same errors.
		// The settings of the wire form are read only for alerts written
		// in it: with JSON output a bad forward.facility does not matter.
		rfc5424 := strings.EqualFold(o.format, "rfc5424")
		fc, fw, warns, err := detectconf.LoadFileWire(o.config, nil, cfg.Params, rfc5424)
		if err != nil {
			return cfg, wire, err
		}
		if rfc5424 {
			wire = fw
			if fw.Note != "" {
				o.warnings = append(o.warnings, fw.Note)
			}
		}
		o.warnings = append(warns, o.warnings...)
		o.overridden = overriddenMistakes(o.config, fc, cfg.Params)
		cfg.Rules = withoutFlagParams(fc.Rules, cfg.Params)
		for k, v := range fc.Params { // --param wins
			if _, ok := cfg.Params[k]; !ok {
				cfg.Params[k] = v
			}
		}
		cfg.Lateness, cfg.Disabled, cfg.Geo = fc.Lateness, fc.Disabled, fc.Geo
	}
	if o.now != nil {
		cfg.Now = o.now
	}
	return cfg, wire, nil
}

// withoutFlagParams returns the config file's rules with the parameters
// that --param gives (flags, by name) left out of each rule's own, so that
// the flag's value, which sets the parameter for every rule that reads it,
// wins over the file's detections.rules.ID.NAME as it does over
// detections.params. The file's maps are not changed.
func withoutFlagParams(rules map[string]detect.RuleConfig, flags map[string]string) map[string]detect.RuleConfig {
	if len(flags) == 0 {
		return rules
	}
	out := make(map[string]detect.RuleConfig, len(rules))
	for id, rc := range rules {
		ps := make(map[string]string, len(rc.Params))
		for k, v := range rc.Params {
			if _, given := flags[k]; !given {
				ps[k] = v
			}
		}
		rc.Params = ps
		out[id] = rc
	}
	return out
}

// runDetect is the detect command.
func runDetect(ctx context.Context, o *detectOptions, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	switch f := strings.ToLower(o.format); f { // RFC5424 as the RFC writes it
	case "json", "rfc5424":
		o.format = f
	default:
		return fmt.Errorf("detect: --format %q: want json or rfc5424", o.format)
	}
	maxLine, err := parseMaxLine(o.maxLine)
	if err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	inputs := make([]detectInput, len(args))
	paths := make([]string, len(args))
	for i, a := range args {
		in, err := parseDetectInput(a)
		if err != nil {
			return fmt.Errorf("detect: %w", err)
		}
		inputs[i], paths[i] = in, in.path
	}
	if err := stdinOnce(paths); err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	cfg, wire, err := o.engineConfig()
	if cfg.Geo != nil {
		defer cfg.Geo.Close()
	}
	if err != nil {
		// The inputs' mistakes are said too, so that one run names them
		// all; standard input is not waited for.
		files := slices.DeleteFunc(slices.Clone(inputs), func(in detectInput) bool { return in.path == "-" })
		kept, _, cerr := checkDetectInputs(ctx, files, strings.NewReader(""), io.Discard)
		closeInputs(kept)
		return fmt.Errorf("detect: %w", errors.Join(err, cerr))
	}
	// Locked before the inputs are looked at, which waits for standard
	// input's first bytes: another run with DIR is refused meanwhile.
	lk, err := lockStateDir(o.stateDir)
	if err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	defer lk.Release()
	if o.stateDir != "" {
		detect.RemoveTemps(o.stateDir) // of saves a killed run left; an error leaves them, harmless
	}
	inputs, stdin, cerr := checkDetectInputs(ctx, inputs, stdin, stderr)
	if cerr != nil {
		return fmt.Errorf("detect: %w", cerr)
	}
	defer closeInputs(inputs) // each read by readEvents, which closes it, or not when detect stops before
	if o.stateDir != "" {
		// What is folded is saved: a last line GitLab has not finished
		// writing is left for a later run, which reads it whole.
		for i := range inputs {
			inputs[i].wholeLines = true
		}
	}
	if o, ok := stdin.(*openedStdin); ok {
		defer o.Close() // read by readEvents, or not when detect stops before
	}
	if cfg.Disabled && len(o.rules) == 0 {
		// detections.enabled: false turns the agent's engine off; a hunt
		// with it would run nothing.
		fmt.Fprintf(stderr, "detect: %s sets detections.enabled: false, which turns detection off in run; detect runs the rules it turns on anyway\n", o.config)
		cfg.Disabled = false
	}
	note := configOffNote(o.config, cfg, o.rules) // printed once the run is sure to start

	cfg.DedupeLines = true   // inputs may overlap: see detect.Config.DedupeLines
	cfg.LogWatermarks = true // runs with one DIR may read other logs of one period
	if cfg.StateDir = o.stateDir; cfg.StateDir == "" {
		dir, err := os.MkdirTemp("", "gitlab-syslog-detect-")
		if err != nil {
			return fmt.Errorf("detect: %w", err)
		}
		defer os.RemoveAll(dir)
		cfg.StateDir = dir
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	w := newAlertWriter(o.format, out, wire)
	cfg.Emit = w.write
	cfg.Log = warnLogger(stderr)
	eng, err := detect.New(cfg)
	// A rule of --config that does not run is checked as run checks it.
	if err = errors.Join(err, detect.CheckOffRules(cfg)); err != nil {
		return fmt.Errorf("detect: %w", paramErrs(err, cfg, o.params, o.config))
	}
	// A rule the --config file asks for that cannot run (and that --rule
	// and --param leave so) is refused as run refuses it.
	if o.config != "" {
		if err := detectconf.FileCannotRun(o.config, eng.Off()); err != nil {
			return fmt.Errorf("detect: %w", err)
		}
	}
	var running []string
	for _, r := range eng.Rules() {
		running = append(running, r.ID)
	}
	if err := unreadParams(o.params, cfg.Params, running, detect.Catalogue(), eng.Off()); err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	io.WriteString(stderr, note)
	for _, w := range o.overridden {
		fmt.Fprintln(stderr, w)
	}
	for _, w := range o.warnings {
		fmt.Fprintf(stderr, "detect: WARNING: %s\n", w)
	}
	if len(o.rules) > 0 && len(eng.Rules()) == 0 { // the error names each, once
		return fmt.Errorf("detect: every rule given with --rule is off (%s); nothing to run", offReasons(eng.Off()))
	}
	for _, off := range eng.Off() {
		fmt.Fprintf(stderr, "detect: rule %s is off: %s\n", off.Rule, off.Reason)
	}
	var params map[string][]string // with a kept state dir: ruleParams (which reads the rules' files)
	var changed []string           // notes of rules whose parameters changed, for a run that skips lines
	if o.stateDir != "" {
		params = ruleParams(&cfg, running)
		if err := checkFoldedRules(o.stateDir, running); err != nil {
			return fmt.Errorf("detect: %w", err) // the state is left as it was: not closed, not saved
		}
		changed = changedParams(o.stateDir, params)
	}
	counts := make([]inputCounts, len(inputs))
	chans := make([]<-chan eventBatch, len(inputs))
	pctx, endProgress := startInputProgress(ctx, stderr, paths) // progress.go: only on a terminal
	rctx, cancel := context.WithCancel(pctx)
	defer cancel()
	for i, in := range inputs {
		ch := make(chan eventBatch, 4)
		chans[i] = ch
		go readEvents(rctx, in, stdin, maxLine, eng, &counts[i], ch)
	}
	now := time.Now
	if o.now != nil {
		now = o.now
	}
	readErr := merge(chans, now().Add(detect.MaxFuture), func(ev *detect.Event) {
		if ev.IsProgress() { // lines no rule wants (see readEvents)
			eng.ProgressOf(ev.Type, ev.Source, ev.FileID, ev.Offset, ev.Time)
			return
		}
		eng.Process(ev)
	})
	endProgress()
	giveChecks(eng, counts, ctx.Err() == nil && readErr == nil)
	for _, c := range counts { // about the reading: before the summary
		if c.warning != nil {
			fmt.Fprintf(stderr, "detect: WARNING: %s\n", c.warning.warning())
		}
	}
	for i, c := range counts {
		if c.unended > 0 {
			fmt.Fprintf(stderr, "detect: NOTE: %s ends in a line without its newline (%d bytes), written less than %v ago, which GitLab may still be writing: left out, for a later run with this --state-dir to read once it is whole, or as it is once the file has not changed for %[3]v\n", inputs[i].label(), c.unended, unendedWait)
		}
		if c.otherAt > 0 {
			fmt.Fprintf(stderr, "detect: NOTE: %s begins with the first line of a file an earlier run with this --state-dir folded, but is not that file (its line %[2]d is not that file's line %[2]d, or it has fewer lines): read whole, none of its lines skipped\n", inputs[i].label(), c.otherAt)
		}
	}
	// The alerts are written before the state records their lines as
	// folded: a later run reads again the lines of alerts that could not
	// be written (a full disk), and raises them again.
	eng.Finish()
	outErr := out.Flush()
	if w.err != nil {
		outErr = w.err // the first; the writer returns it again
	}
	var saveErr error
	if outErr == nil {
		saveErr = eng.Save() // each failed file is logged (cfg.Log) as it fails
	}
	if o.stateDir != "" && outErr == nil {
		st := eng.Stats()
		if err := recordFoldedRules(o.stateDir, running, params, st.Events > st.Replayed+st.Deduplicated || freshLines(counts) > 0); err != nil {
			fmt.Fprintf(stderr, "detect: %v\n", err)
		}
		if st.Replayed > 0 || foldedEvents(counts) > 0 {
			for _, n := range changed {
				fmt.Fprintln(stderr, n)
			}
		}
	}
	if outErr != nil {
		if o.stateDir != "" {
			fmt.Fprintf(stderr, "detect: the state was NOT saved in --state-dir %s, since the alerts could not all be written: a later run with it reads these lines again and raises their alerts again\n", o.stateDir)
		}
		return fmt.Errorf("detect: write output: %w", outErr)
	}
	printDetectSummary(stderr, eng, inputs, counts)
	if w.repeats > 0 {
		fmt.Fprintf(stderr, "detect: %d %s not printed again: %s alert_id was printed earlier in this run (events read again more than %s of event time after their first reading, beyond the event and alert ids kept)\n",
			w.repeats, plural(int(w.repeats), "alert", "alerts"), plural(int(w.repeats), "its", "their"), strings.TrimSuffix(detect.DefaultDedupeWindow.String(), "0m0s"))
	}
	warnUnparsedInputs(stderr, inputs, counts)
	warnCutInputs(stderr, inputs, counts, maxLine, o.stateDir)
	warnUntimedInputs(stderr, inputs, counts)
	warnOutlierInputs(stderr, inputs, counts)
	warnFutureEvents(stderr, eng.Stats(), inputs, counts)
	warnMistypedInputs(stderr, inputs, counts, o.stateDir)
	warnAlertInputs(stderr, inputs, counts)
	warnCopiedInputs(stderr, inputs, counts)
	warnSplitLogs(stderr, eng, counts, o.stateDir)
	if ctx.Err() == nil { // an input cut short by an interrupt is not empty
		warnEmptyInputs(stderr, inputs, counts)
	}
	switch {
	case o.stateDir == "":
	case saveErr != nil:
		fmt.Fprintf(stderr, "detect: the state was NOT saved in --state-dir %s (the ERROR above says why): a later run with it does not know what this run read, reads these lines again and may raise their alerts again\n", o.stateDir)
	case ctx.Err() != nil:
		fmt.Fprintf(stderr, "detect: the state of the lines read until the interrupt was saved in --state-dir %s: run the same command again to read on from there\n", o.stateDir)
	}
	if readErr != nil {
		return fmt.Errorf("detect: %w", readErr)
	}
	return ctx.Err()
}

// warnLogger returns the engine's logger for detect: its warnings and
// errors (an indicator line skipped, a state file of --state-dir that
// could not be restored) on w as detect's other messages are written
// (cliHandler); the informational messages meant for the agent's log are
// left out.
func warnLogger(w io.Writer) *slog.Logger { return newCLILogger("detect", w) }

// alertWriter writes alerts in the chosen format, one per line: the
// rfc5424 form with its line breaks made spaces (forwarder.OneLine).
type alertWriter struct {
	format string
	out    *bufio.Writer
	wire   detectconf.Wire

	msg forwarder.Message
	buf []byte
	err error
	// printed holds the alert_ids written in this run, up to
	// maxPrintedIDs; repeats counts the alerts not written again.
	printed map[string]struct{}
	repeats uint64
}

// maxPrintedIDs caps the alert_ids a run of detect remembers to print each
// alert once (about 80 bytes each): past it, a repeat may be printed.
const maxPrintedIDs = 1 << 20

func newAlertWriter(format string, out *bufio.Writer, wire detectconf.Wire) *alertWriter {
	return &alertWriter{format: format, out: out, wire: wire}
}

// write prints a, once per alert_id in a run: the engine drops the repeat
// of an alert within a day of event time (its recent alert ids), but an
// event read again further behind (a concatenation of logs newest first,
// a stream body sent again days later) raises its alert again, with the
// same alert_id.
func (w *alertWriter) write(a *detect.Alert) {
	if _, ok := w.printed[a.ID]; ok {
		w.repeats++
		return
	}
	if w.printed == nil {
		w.printed = map[string]struct{}{}
	}
	if len(w.printed) < maxPrintedIDs {
		w.printed[strings.Clone(a.ID)] = struct{}{}
	}
	if w.format == "rfc5424" {
		a.Message(&w.msg, w.wire.SDID, &w.wire.Opts)
		w.buf = w.wire.Encoder.Append(w.buf[:0], &w.msg)
	} else {
		w.buf = a.AppendJSON(w.buf[:0])
	}
	// One alert per line, as newline framing would send it: a line break
	// in a value or MSG becomes a space. JSON escapes them already.
	forwarder.OneLine(w.buf)
	w.buf = append(w.buf, '\n')
	if _, err := w.out.Write(w.buf); err != nil && w.err == nil {
		w.err = err
	}
}

// listRules prints the rule catalogue as a table. DEFAULT is what a run
// without parameters does: a default rule that needs something it is not
// given (ti_file, allowed_domains, known_countries, a GeoIP database) is
// "off*", and the reasons follow the table.
func listRules(w io.Writer) error {
	needs, err := defaultOff()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tKIND\tSEVERITY\tDEFAULT\tSUPPRESS\tPARAMETERS\tNAME")
	for _, s := range detect.Catalogue() {
		on := "on"
		if !s.Default {
			on = "off"
		} else if needs[s.Info.ID] != "" {
			on = "off*"
		}
		sup := "none"
		if s.Suppress > 0 {
			sup = s.Suppress.String()
		}
		ps := strings.Join(s.Params, ",")
		if ps == "" {
			ps = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Info.ID, s.Info.Kind, s.Info.Severity, on, sup, ps, s.Info.Name)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nEvery rule also takes suppress (a duration: at most one alert per rule and key in it); SUPPRESS is its default.\nA per-event rule's key is the event itself unless the README names key columns for it: suppress then drops only repeats.")
	listReasons(w, "off*: on once given what it needs:", needs)
	return nil
}

// listReasons writes, after a blank line and heading, one line "  ID:
// REASON" per rule of reasons (rule id to why it is off), in catalogue
// order; nothing when reasons is empty.
func listReasons(w io.Writer, heading string, reasons map[string]string) {
	if len(reasons) == 0 {
		return
	}
	fmt.Fprintln(w, "\n"+heading)
	for _, s := range detect.Catalogue() {
		if r := reasons[s.Info.ID]; r != "" {
			fmt.Fprintf(w, "  %s: %s\n", s.Info.ID, r)
		}
	}
}

// defaultOff returns, by rule id, why a rule that is on by default does
// not run without parameters: the engine built with the defaults says so.
func defaultOff() (map[string]string, error) {
	eng, err := detect.New(detect.Config{})
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	needs := map[string]string{}
	for _, o := range eng.Off() {
		needs[o.Rule] = o.Reason
	}
	return needs, nil
}

// warnCutInputs names, for each input with lines longer than maxLine
// (--max-line-bytes), which were skipped, the first of them, and says how
// to raise the limit; with a kept --state-dir (dir not ""), also that a
// rerun with the higher limit and dir skips a cut line that lines read
// after it were folded with.
func warnCutInputs(w io.Writer, inputs []detectInput, counts []inputCounts, maxLine int, dir string) {
	cut := false
	for i, c := range counts {
		if msg := c.cut.warning(inputs[i].label(), c.lines, maxLine, "the rules did not see it", "the rules did not see them"); msg != "" {
			fmt.Fprintf(w, "detect: WARNING: %s\n", msg)
			cut = true
		}
	}
	if cut && dir != "" {
		fmt.Fprintf(w, "detect: NOTE: --state-dir %s records a cut line as folded with the lines read after it (a file's last line cut, it does not): a run with a higher --max-line-bytes and this --state-dir skips it; to show the rules such a line, run over its file with another --state-dir, or none\n", dir)
	}
}

// warnUnparsedInputs names, for each input with lines that did not
// parse, the first of them and why, as run's log does, and how many more
// the input had; and then, when none of its lines parsed, the input:
// most likely a wrong TYPE: prefix or not a GitLab log, which would
// otherwise pass as "no alerts", or, when every one is a container
// runtime's record, most of them, that they are and how to read them.
func warnUnparsedInputs(w io.Writer, inputs []detectInput, counts []inputCounts) {
	for i, c := range counts {
		if msg := c.unparsed.warning(inputs[i].label(), ", so the rules did not see it", ", so the rules did not see them"); msg != "" {
			fmt.Fprintf(w, "detect: WARNING: %s\n", msg)
		}
		if c.lines == 0 || c.unparsed.n < c.lines-c.cut.n || c.unparsed.n == 0 || c.alerts.n == c.lines { // alerts: warnAlertInputs
			continue
		}
		if c.unparsed.records.most(c.unparsed.n) { // the lines' own cause, not a question
			fmt.Fprintf(w, "detect: WARNING: %s: %s\n",
				noneParsed(c.unparsed.n, " of "+inputs[i].label()), c.unparsed.records.cause(c.unparsed.n))
			continue
		}
		as, hint := "as any GitLab log type", "is it a GitLab log?"
		if t := inputs[i].typ; t != parser.TypeUnknown {
			as, hint = "as "+t.String(), "is the TYPE: prefix (or the file name) right, or is it another log?"
			if inputs[i].stream {
				as = "as Audit Event Streaming events"
			}
			if c.like.majority(c.lines - c.cut.n) {
				hint = fmt.Sprintf("%d of them look like %s lines: give %s:%s", c.like.n, c.like.typ, c.like.typ, inputs[i].path)
			}
		}
		fmt.Fprintf(w, "detect: WARNING: %s %s: %s\n", noneParsed(c.unparsed.n, " of "+inputs[i].label()), as, hint)
	}
}

// warnOutlierInputs names, for each input with lines dated far ahead of
// the lines on both sides of them (see aheadHold), the first such line and
// how far ahead it was, and how many more the input had: the windowed
// rules leave them out, so that the lines after them are not late.
func warnOutlierInputs(w io.Writer, inputs []detectInput, counts []inputCounts) {
	for i, c := range counts {
		if c.outliers == 0 {
			continue
		}
		where := fmt.Sprintf("dated %s after the line before it and %s after the line after it", detect.ShortDuration(c.outlierBy), detect.ShortDuration(c.outlierNext))
		if c.outlierFirst {
			where = fmt.Sprintf("the input's first line with a time, dated %s after the line after it", detect.ShortDuration(c.outlierBy))
		}
		fmt.Fprintf(w, "detect: WARNING: %s:%d: %s%s: taken for a wrong time (a line in another time zone, a clock that stepped and came back), seen by the per-event rules only, so that the lines after it are not late\n",
			inputs[i].label(), c.outlierAt, where, moreLines(c.outliers-1))
	}
}

// warnFutureEvents warns, when events were kept from the windowed rules
// for being dated more than detect.MaxFuture after this host's clock
// (Stats.Future less Stats.Outliers), naming the last such line:
// every event of logs newer than the clock is kept out so, which a hunt
// on a machine whose clock is behind the logs' would otherwise take for
// "nothing happened".
func warnFutureEvents(w io.Writer, st detect.Stats, inputs []detectInput, counts []inputCounts) {
	n := st.Future - st.Outliers
	if n == 0 || st.Ahead.Outlier || st.Ahead.Time.IsZero() {
		return
	}
	fmt.Fprintf(w, "detect: WARNING: %s: dated %s, more than %s after this host's clock (%s), as %d %s: the windowed rules left %s out (only the per-event rules saw %s), so that a line dated so cannot make every line after it late; if this host's clock is behind the logs' (logs copied to another machine), set it right and run again\n",
		inputsAt(st.Ahead.Source, st.Ahead.Offset, inputs, counts), st.Ahead.Time.UTC().Format(time.RFC3339Nano), detect.ShortDuration(detect.MaxFuture),
		st.Ahead.Now.UTC().Format(time.RFC3339), n, plural(int(n), "event is", "events are"), plural(int(n), "it", "them"), plural(int(n), "it", "them"))
}

// warnUntimedInputs names, for each input with events the rules wanted
// but could not place in time, the first such line and why it has no
// time, and how many more the input had.
func warnUntimedInputs(w io.Writer, inputs []detectInput, counts []inputCounts) {
	for i, c := range counts {
		if c.untimed == 0 {
			continue
		}
		fmt.Fprintf(w, "detect: WARNING: %s:%d: not evaluated by the rules%s: the event has no usable time (%s), and the rules decide in event time\n",
			inputs[i].label(), c.untimedAt, moreLines(c.untimed-1), c.untimedCause)
	}
}

// moreLines says that n more lines of an input are like the one a
// warning names: "" when n is 0.
func moreLines(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" (and %d more %s of this input)", n, plural(n, "line", "lines"))
}

// warnMistypedInputs names each input typed by its TYPE: prefix or name of
// which most lines look like lines of another log (parser.Detect): read
// as the wrong type they parse into the wrong columns, or not at all, and
// the rules miss them. Inputs none of whose lines parsed are left to
// warnUnparsedInputs. For audit_json.log lines read as stream bodies
// (standard input given as stream:, which is not looked at first: see
// fileLinesAsStream) with stateDir kept, the warning also says that the
// state knows their events by id, so that the same lines given as audit:
// to a later run raise their alerts again.
func warnMistypedInputs(w io.Writer, inputs []detectInput, counts []inputCounts, stateDir string) {
	for i, c := range counts {
		as := inputs[i].typ.String()
		fix := "Give TYPE:PATH with the right type, or a path without TYPE: to type each line by its content"
		if inputs[i].stream {
			as = "Audit Event Streaming events"
			if stateDir != "" {
				fix += fmt.Sprintf(". --state-dir %s now holds their events as streamed ones, known by their ids: a later run with it that reads these lines as audit: raises their alerts again", stateDir)
			}
		}
		if msg := c.like.warning(inputs[i].label(), c.lines-c.cut.n, c.unparsed.n, as, "its TYPE: prefix or file name", fix); msg != "" {
			fmt.Fprintf(w, "detect: WARNING: %s\n", msg)
		}
	}
}

// warnEmptyInputs warns of each input read to its end without a line
// (an empty file, or standard input closed at once): nothing of it was
// searched. An input that could not be read (a damaged .gz) is not empty:
// its error says why.
func warnEmptyInputs(w io.Writer, inputs []detectInput, counts []inputCounts) {
	for i, c := range counts {
		if c.lines == 0 && c.unended == 0 && (c.blank > 0 || c.warning == nil && !c.failed) { // a line left out was noted
			fmt.Fprintf(w, "detect: WARNING: %s\n", emptyInputNote(inputs[i].label(), c.blank, "search"))
		}
	}
}

// warnCopiedInputs warns, for each pair of file inputs (standard input
// among them), or of stream inputs, whose first copyCheckBytes bytes are
// the same, or of which the shorter is the start of the other, that their
// lines were read twice: a copy of a log (a backup, the .1 beside its
// .1.gz, a spool copied). The lines
// they share that carry an event id, or whose bytes tell one event (the
// audit, JSON application and auth logs'), are taken once (deduplicated:
// detect.Config.DedupeLines), but those of the access log and the text
// application.log, which two alike may be two events of, count twice
// (detect.RepeatsKept): the warning names those logs when both inputs
// gave the rules such lines; otherwise a note says that none of the
// shared lines counted twice. Their lines are not skipped, as two nodes'
// logs may begin alike; both say to give one of them.
func warnCopiedInputs(w io.Writer, inputs []detectInput, counts []inputCounts) {
	for i := range counts {
		for j := i + 1; j < len(counts); j++ {
			a, b := counts[i].head, counts[j].head
			if inputs[i].stream != inputs[j].stream || len(a) == 0 || len(b) == 0 {
				continue
			}
			if n := min(len(a), len(b)); !bytes.Equal(a[:n], b[:n]) {
				continue
			}
			var twice, why []string
			for _, t := range []struct {
				typ       parser.Type
				name, why string
			}{
				{parser.TypeAccess, "access log", "access log lines have no event id and times in seconds: two alike can be two requests"},
				{parser.TypeApplication, "text application.log", "text application.log lines have no correlation id, and often times to the minute: two alike can be two events"},
			} {
				if counts[i].repeats[t.typ] > 0 && counts[j].repeats[t.typ] > 0 {
					twice, why = append(twice, t.name), append(why, t.why)
				}
			}
			const same = "%s and %s begin with the same lines (a copy of one log, or one of them the other grown): "
			if len(twice) == 0 {
				fmt.Fprintf(w, "detect: NOTE: "+same+"none of the lines they share counted twice (those the rules read were taken once, deduplicated by event id or by the whole line); give only one of them (the longer) to read them once\n",
					inputs[i].label(), inputs[j].label())
				continue
			}
			fmt.Fprintf(w, "detect: WARNING: "+same+"the %s lines they share were counted twice (%s, so detect does not take one for a copy of the other), which can raise alerts the log does not have; give only one of them (the longer)\n",
				inputs[i].label(), inputs[j].label(), strings.Join(twice, " and "), strings.Join(why, "; "))
		}
	}
}

// giveChecks gives the engine the check of each input's file (see
// detect.Engine.Check) once the merge ended, so that the state saved
// tells each file from another with the same first line. An input counts
// as read whole (its position saved through its last line) only when it
// was read to its end and all, the merge too, ended as it should: after
// an interrupt, events an input read may not have reached the engine.
// An input read as the wrong type (inputCounts.mistyped) gets none, and
// the position this run gave its file is dropped (detect.Engine.Replaced):
// the rules did not see its lines as what they are, and a run that gives
// it the right TYPE, as the warning says, reads it whole.
func giveChecks(eng *detect.Engine, counts []inputCounts, allGiven bool) {
	for _, c := range counts {
		switch {
		case c.checkID == "":
		case c.mistyped():
			eng.Replaced(c.checkID, c.checkID)
		default:
			eng.Check(c.checkID, c.checkID, c.check, allGiven && c.readAll)
		}
	}
}

// freshLines returns the lines of the inputs that parsed past those an
// earlier run with the --state-dir folded (inputCounts.fresh), those
// read as the wrong type left out: the lines this run records as folded
// by its rules.
func freshLines(counts []inputCounts) int {
	n := 0
	for _, c := range counts {
		if !c.mistyped() {
			n += c.fresh
		}
	}
	return n
}

// foldedEvents returns the events the inputs skipped as folded by an
// earlier run with the --state-dir (inputCounts.folded).
func foldedEvents(counts []inputCounts) int {
	n := 0
	for _, c := range counts {
		n += c.folded
	}
	return n
}

// printDetectSummary writes the run's counters to w; counts[i] are those
// of inputs[i].
func printDetectSummary(w io.Writer, eng *detect.Engine, inputs []detectInput, counts []inputCounts) {
	var c inputCounts
	for _, x := range counts {
		c.lines += x.lines
		c.unparsed.n += x.unparsed.n
		c.wanted += x.wanted
		c.cut.n += x.cut.n
		c.untimed += x.untimed
		c.blank += x.blank
	}
	st := eng.Stats()
	cut := ""
	if c.cut.n > 0 {
		cut = fmt.Sprintf(", %d longer than max_line_bytes, skipped", c.cut.n)
	}
	if c.blank > 0 { // not among the lines read, as parse and run --once count them
		cut += fmt.Sprintf(", %d blank %s skipped besides", c.blank, plural(c.blank, "line", "lines"))
	}
	future := ""
	if st.Future > 0 {
		future = fmt.Sprintf(", %d dated more than 24h after the clock, or more than %s (the lateness, at least %s) ahead of the lines before and after them (ignored by the windowed rules)",
			st.Future, detect.ShortDuration(eng.AheadGap()), detect.ShortDuration(detect.MinAheadGap))
	}
	untimed := ""
	if c.untimed > 0 {
		untimed = fmt.Sprintf(", %d without a usable time (not evaluated)", c.untimed)
	}
	// The events given to the engine that an earlier run with the
	// --state-dir folded are skipped before any rule: they are not among
	// the events for the rules (which the deduplicated and late are).
	// An interrupt leaves some events read but never given to the engine.
	events, folded := min(c.wanted, int(st.Events)), ""
	if skipped := int(st.Replayed) + foldedEvents(counts); skipped > 0 {
		events -= min(int(st.Replayed), events) // the inputs' own (inputCounts.folded) are not among wanted
		folded = fmt.Sprintf(", %d already folded by an earlier run with this --state-dir (skipped)", skipped)
	}
	fmt.Fprintf(w, "detect: read %d %s (%d not parsed%s), %d %s for the rules%s%s; %d deduplicated, %d late%s%s\n",
		c.lines, plural(c.lines, "line", "lines"), c.unparsed.n, cut, events, plural(events, "event", "events"), untimed, folded, st.Deduplicated, st.Late, lateNote(st), future)
	// Every rule that was given an event is listed, with 0 alerts too:
	// "matched 40 events, raised nothing" is an answer to a hunt. The
	// rules given none are only counted: a list of 30 rules that saw
	// nothing would hide the ones that did.
	var ids []string
	total := uint64(0)
	for id, rs := range st.Rules {
		if rs.Alerts > 0 || rs.LateDrop > 0 || rs.TooOld > 0 || rs.Evaluated > 0 {
			ids = append(ids, id)
			total += rs.Alerts
		}
	}
	sort.Strings(ids)
	fmt.Fprintf(w, "detect: %d %s from %d %s running\n", total, plural(int(total), "alert", "alerts"),
		len(st.Rules), plural(len(st.Rules), "rule", "rules"))
	for _, id := range ids {
		rs := st.Rules[id]
		late := ""
		if rs.LateDrop > 0 {
			late = fmt.Sprintf(", %d dropped as too late (their window had closed)", rs.LateDrop)
		}
		if rs.TooOld > 0 {
			late += fmt.Sprintf(", %d not counted: older than lines of their log an earlier run with this --state-dir counted, and than the event ids kept to tell repeats (%s): lines read again would count twice",
				rs.TooOld, strings.TrimSuffix(detect.DefaultDedupeWindow.String(), "0m0s"))
		}
		if rs.Skipped > 0 {
			late += fmt.Sprintf(", %d passed over (address without a country: private, reserved or not in the GeoIP database)", rs.Skipped)
		}
		if rs.Evicted > 0 {
			late += fmt.Sprintf(", %d %s evicted (max_keys %d: the oldest went first, with what they had counted; raise max_keys)",
				rs.Evicted, plural(int(rs.Evicted), "key", "keys"), rs.MaxKeys)
		}
		fmt.Fprintf(w, "  %-40s %d %s (%d suppressed), %d %s matched%s\n", id, rs.Alerts, plural(int(rs.Alerts), "alert", "alerts"),
			rs.Suppressed, rs.Evaluated, plural(int(rs.Evaluated), "event", "events"), late)
	}
	switch idle := len(st.Rules) - len(ids); {
	case idle > 0 && len(ids) == 0:
		fmt.Fprintf(w, "  (no rule running was given an event)\n")
		for _, note := range unreadNotes(eng, st, inputs) {
			fmt.Fprintf(w, "detect: %s\n", note)
		}
	case idle > 0:
		fmt.Fprintf(w, "  (%d other %s no event)\n", idle, plural(idle, "rule running was given", "rules running were given"))
	}
	if note := unwatchedNote(eng, st, counts); note != "" {
		fmt.Fprintf(w, "detect: NOTE: %s\n", note)
	}
	files := eng.Files()
	for _, id := range slices.Sorted(maps.Keys(files)) {
		if f := files[id]; f.Unusable != "" {
			fmt.Fprintf(w, "detect: %s MATCHED NOTHING: its file %s gave it no indicator (the WARNING above says why), so its 0 alerts say nothing of these logs\n", id, f.File)
		}
	}
	if msg := lateCause(st, inputs, counts); msg != "" {
		fmt.Fprintf(w, "detect: %s\n", msg)
	}
	if n := st.CopiesApart; n > 0 {
		fmt.Fprintf(w, "detect: %d %s of application.log found no copy in application_json.log within 2 ms, but one with the same message up to 1 s later: most likely copies GitLab wrote further apart (a stall between its two writes), which counted twice; to count each once, give detect application_json.log alone\n",
			n, plural(int(n), "event", "events"))
	}
}

// unreadNotes says, for the rules of st that alert on lines of logs none
// of inputs is (detect.Engine.Logs), that they were given no event for
// that reason, one note per set of logs (and what else turns a rule on:
// all_logs, or streamed bodies for a rule whose audit events GitLab only
// streams, detect.Engine.StreamOnly); none when an input's type is taken
// line by line, which may be any.
func unreadNotes(eng *detect.Engine, st detect.Stats, inputs []detectInput) []string {
	var types, files []parser.Type // of every input, of those not streamed
	streamed := false
	for _, in := range inputs {
		if in.typ == parser.TypeUnknown {
			return nil
		}
		types = append(types, in.typ)
		if in.stream {
			streamed = true
		} else {
			files = append(files, in.typ)
		}
	}
	var order []string
	groups := map[string][]string{} // "WHAT\x00HINT": rule ids
	for _, id := range slices.Sorted(maps.Keys(st.Rules)) {
		logs, param, what := eng.Logs(id)
		read, only := types, eng.StreamOnly(id)
		switch {
		case only != "" && streamed:
			continue // its audit events come from the stream: inputs
		case only != "":
			// Its audit events come by Audit Event Streaming only, never
			// from an audit_json.log input.
			logs = slices.DeleteFunc(slices.Clone(logs), func(t parser.Type) bool { return t == parser.TypeAudit })
			read = files
		case logs == nil:
			continue
		}
		if slices.ContainsFunc(logs, func(t parser.Type) bool { return slices.Contains(read, t) }) {
			continue
		}
		k := unreadWhat(logs, only) + "\x00"
		if param != "" {
			k += ", or give --param " + param + "=true " + what
		}
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], id)
	}
	notes := make([]string, 0, len(order))
	for _, k := range order {
		logs, hint, _ := strings.Cut(k, "\x00")
		if ids := groups[k]; len(ids) == 1 {
			notes = append(notes, fmt.Sprintf("%s was given no event: it alerts on %s, and no input is one%s", ids[0], logs, hint))
		} else {
			notes = append(notes, fmt.Sprintf("%d rules were given no event: they alert on %s, and no input is one%s: %s", len(ids), logs, hint, strings.Join(ids, ", ")))
		}
	}
	return notes
}

// unwatchedNote says which logs lines of the inputs parsed as
// (inputCounts.logs) no rule running alerts on (detect.Engine.Logs) or
// reads (detect.Engine.Reads: a join's other side), such as the auth log
// (Rack::Attack): those lines were read and seen by no rule; "" when
// every such log has a rule.
func unwatchedNote(eng *detect.Engine, st detect.Stats, counts []inputCounts) string {
	var read uint8
	for _, c := range counts {
		read |= c.logs
	}
	for id := range st.Rules {
		logs, _, _ := eng.Logs(id)
		if logs == nil {
			return "" // a rule of any log
		}
		for _, t := range slices.Concat(logs, eng.Reads(id)) {
			read &^= 1 << t
		}
	}
	var unwatched []parser.Type
	for t := parser.Type(0); t < 8; t++ {
		if read&(1<<t) != 0 {
			unwatched = append(unwatched, t)
		}
	}
	if len(unwatched) == 0 {
		return ""
	}
	return fmt.Sprintf("no rule running alerts on lines of %s: the inputs' lines of it were read and parsed, and seen by no rule", detect.LogNames(unwatched))
}

// unreadWhat names what a rule alerts on for unreadNotes: lines of logs
// (detect.LogNames), and the audit events named only ("" for none), which
// GitLab sends only by Audit Event Streaming and detect reads from
// stream: inputs.
func unreadWhat(logs []parser.Type, only string) string {
	streamed := ""
	if only != "" {
		streamed = only + " audit events, which GitLab sends only by Audit Event Streaming, never to audit_json.log (give their bodies as stream:FILE)"
	}
	switch {
	case len(logs) == 0:
		return streamed
	case streamed == "":
		return "lines of " + detect.LogNames(logs)
	}
	return "lines of " + detect.LogNames(logs) + " and on " + streamed
}

// offReasons joins the reasons of the rules that are off, for an error.
func offReasons(off []*detect.OffError) string {
	rs := make([]string, len(off))
	for i, o := range off {
		rs[i] = o.Rule + ": " + o.Reason
	}
	return strings.Join(rs, "; ")
}

// paramErrs names where a bad parameter value came from in the engine's
// errors: the --param flag that gave it, with the rules that refused it
// ("--param window=abc: rule sentinel.bruteforce: want ..."; rules that
// give the same reason are named together, once per flag, only those
// --rule runs when one of them is among them), or the line of
// the --config file (configFile, "" for none) that gave it. A file
// (ti_file, geoip_db) that a --param gives and a rule cannot read gets
// what to do, as an input file does (paramFileHint). Other errors are
// kept as they are.
func paramErrs(err error, cfg detect.Config, flags []string, configFile string) error {
	given := map[string]bool{}
	for _, p := range flags {
		if k, _, ok := strings.Cut(p, "="); ok {
			given[strings.TrimSpace(k)] = true
		}
	}
	var out, fromFile []error
	seen := map[string]bool{}
	flagRules := map[string]*[]string{} // "--param N=V: REASON" -> rules, in order
	var flagOrder []string
	for _, e := range detectconf.Leaves(err) {
		var pe *detect.ParamError
		if errors.As(e, &pe) {
			_, inRule := cfg.Rules[pe.Rule].Params[pe.Param]
			switch {
			case given[pe.Param] && !inRule:
				reason := pe.Reason
				if h := paramFileHint(pe.Param, pe.Value); h != "" {
					reason += " (" + h + ")"
				}
				k := pe.Param + "=" + pe.Value + "\x00" + reason
				if flagRules[k] == nil {
					flagRules[k] = new([]string)
					flagOrder = append(flagOrder, k)
				}
				*flagRules[k] = append(*flagRules[k], pe.Rule)
				continue
			case configFile != "":
				fromFile = append(fromFile, e)
				continue
			}
		}
		if !seen[e.Error()] {
			seen[e.Error()] = true
			out = append(out, e)
		}
	}
	for _, k := range flagOrder {
		flag, reason, _ := strings.Cut(k, "\x00")
		rules := *flagRules[k]
		if len(cfg.Only) > 0 {
			running := slices.DeleteFunc(slices.Clone(rules), func(r string) bool { return !slices.Contains(cfg.Only, r) })
			if len(running) > 0 {
				rules = running // the rules --rule runs, when one of them refused it
			}
		}
		out = append(out, fmt.Errorf("--param %s: %s: %s", flag, detectconf.RuleList(rules), reason))
	}
	if len(fromFile) > 0 {
		out = append(out, detectconf.FileEngineErrs(configFile, errors.Join(fromFile...)))
	}
	return errors.Join(out...)
}
