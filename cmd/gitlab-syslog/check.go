package main

import (
	"bytes"
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/agent"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detectconf"
	"github.com/gitlab-syslog/gitlab-syslog/internal/geoip"
	"github.com/gitlab-syslog/gitlab-syslog/internal/inputs"
	"github.com/gitlab-syslog/gitlab-syslog/internal/permhint"
	"github.com/gitlab-syslog/gitlab-syslog/internal/shellcmd"
	"github.com/gitlab-syslog/gitlab-syslog/internal/sniff"
	"github.com/gitlab-syslog/gitlab-syslog/internal/statelock"
	"github.com/gitlab-syslog/gitlab-syslog/internal/streaming"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// newCheckCmd builds `gitlab-syslog check`: validate a configuration and
// show what run would do with it.
func newCheckCmd() *cobra.Command {
	var f agentFlags
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Validate the configuration and show what run would do",
		Long: `check reads the configuration (and the flags of run that change it) and prints
what run would do: where it sends, which files it follows and whether each
exists and is readable, where checkpoints go, and last its verdict. Every
problem found, the mistakes of keys and values with the others, is listed
with its file and line, in the order of the lines, before the verdict and
on its stream, and check exits 1; a
value of the wrong type stops none of the other checks (only a file that
is not valid YAML does). It exits 1 when something run needs is unusable:
an existing source file that cannot be read, a state directory in which a
file cannot be created (check creates and removes one), unreadable TLS
files or GeoIP databases, a streaming token_file that is missing, a
directory or holds no token. It reads the streaming tokens as run does
and prints run's warnings about them; an unset token_env is a warning
only, since check may not run in the agent's environment.

The detections block is checked against the rule catalogue: an unknown rule
id, a parameter the rule does not read, a value of the wrong type, an
unreadable ti_file, a rule enabled without what it needs (a GeoIP database,
allowed_domains; also when the file gives it only a severity) are errors
with their file and line. check then lists every rule, on or off, and why,
with its severity (- when off) and the parameters the file sets for it.

--config - reads the configuration from standard input (errors then name
"stdin" and its lines), e.g. one taken out of a Kubernetes ConfigMap:
kubectl get configmap gitlab-syslog -o jsonpath='{.data.config\.yaml}' | gitlab-syslog check --config -`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := &warnCounter{w: cmd.OutOrStdout()}
			problems, stops := checkAll(cmd, &f, w)
			// The verdict comes last, after everything listed.
			// The problems are printed on the verdict's stream, before it,
			// so that the verdict is the last line also when stdout and
			// stderr share a terminal.
			if len(problems) > 0 {
				fmt.Fprintf(w, "problems:\n  %s\n", strings.Join(problems, "\n  "))
				fmt.Fprintf(w, "result:     %s: %s\n", checkedName(f.config), problemsVerdict(len(problems), stops))
				return &checkProblems{problems: problems}
			}
			note := ""
			if w.n > 0 {
				note = fmt.Sprintf(", with %d warning(s) above", w.n)
			}
			fmt.Fprintf(w, "result:     %s: valid%s\n", checkedName(f.config), note)
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

// checkProblems is the error check returns for the problems it found and
// printed before its verdict. Error gives them all ("check: N
// problem(s):" and one per line); main prints only Short, so that they
// are not printed twice, and only when standard error is not where the
// verdict went (exitMessage): the verdict is the last line of a
// terminal, and of 2>&1.
type checkProblems struct {
	problems []string
}

func (e *checkProblems) Error() string {
	return fmt.Sprintf("check: %d problem(s):\n  %s", len(e.problems), strings.Join(e.problems, "\n  "))
}

// Short says how many problems there are and that they are listed above.
func (e *checkProblems) Short() string {
	return fmt.Sprintf("check: %d problem(s), listed above the result line", len(e.problems))
}

// checkAll loads the configuration as run does and returns every problem
// found, in the order of the lines of the file where they have one: the
// mistakes of keys and values, then, on the configuration decoded without
// them, what summarize finds (the state directory, the source, TLS and
// rule files). Only when the file cannot be decoded at all (a YAML syntax
// error) or a flag is wrong are the later checks skipped; a bad list item
// (a source given as a bare path) is reported, and the items after it are
// checked under their own index.
func checkAll(cmd *cobra.Command, f *agentFlags, w io.Writer) (problems []string, stops int) {
	c, r, err := f.loadAll(cmd)
	if c == nil {
		fmt.Fprintf(w, "config:     %s: NOT DECODED: the checks that need its values were skipped\n", checkedName(f.config))
		problems = errLines(err)
		return problems, len(problems)
	}
	errs := errList(err)
	found := summarize(w, c, r, f.config, errs)
	// In the order of the lines of the file they are about
	// (config.SortErrors), those about none first.
	problems = errLines(config.SortErrors(errors.Join(append(restated(errs, found), found...)...), c.File()))
	if len(problems) == 0 {
		return nil, 0
	}
	refused, ridden := texts(errList(startProblems(c, err))), riddenOut(c)
	for _, p := range problems {
		if slices.Contains(refused, p) && !slices.Contains(ridden, p) {
			stops++
		}
	}
	return problems, stops
}

// riddenOut returns the problems of c's rules that are their data's
// fault (a ti_file missing or holding nothing usable): check reports
// them, run logs them and starts (see agentFlags.running). They are
// those detectconf.Check gives for check and not for run.
func riddenOut(c *config.Config) []string {
	_, forCheck := detectconf.Check(c, nil)
	c.Detections.Running = true
	_, forRun := detectconf.Check(c, nil)
	c.Detections.Running = false
	run := texts(errList(forRun))
	return slices.DeleteFunc(texts(errList(forCheck)), func(p string) bool { return slices.Contains(run, p) })
}

// problemsVerdict returns check's verdict on a configuration with n
// problems, stops of which make run refuse it (startProblems); the others
// let run start and lose data or alerts (a missing ti_file, which the
// example unit's ExecStartPre=- lets through).
func problemsVerdict(n, stops int) string {
	switch stops {
	case n:
		return fmt.Sprintf("%d problem(s) that stop run: it refuses this configuration (listed above with what to do)", n)
	case 0:
		return fmt.Sprintf("%d problem(s) that lose data or alerts: run starts with them (listed above with what to do)", n)
	}
	return fmt.Sprintf("%d problem(s) (listed above with what to do): %d stop run, which refuses this configuration; the other %d lose data or alerts", n, stops, n-stops)
}

// restated returns errs without those that one of problems states again
// with more to say (what to do): the same place and key, and a text that
// begins with the error's. A GeoIP database that does not open is one
// of the rules' mistakes (detectconf) and one of summarize's problems,
// with the advice.
func restated(errs, problems []error) []error {
	return slices.DeleteFunc(slices.Clone(errs), func(err error) bool {
		var e *config.Error
		if !errors.As(err, &e) {
			return false
		}
		return slices.ContainsFunc(problems, func(p error) bool {
			var pe *config.Error
			return errors.As(p, &pe) && pe.File == e.File && pe.Line == e.Line && pe.Key == e.Key &&
				len(p.Error()) > len(err.Error()) && strings.HasPrefix(p.Error(), err.Error())
		})
	})
}

// errList returns the errors joined in err, one per problem (nested
// joins flattened, one repeated word for word kept once), in their order.
func errList(err error) []error {
	if err == nil {
		return nil
	}
	return config.SortErrors(err, "").(interface{ Unwrap() []error }).Unwrap()
}

// errLines returns the messages of the errors joined in err, one per
// problem (errList).
func errLines(err error) []string {
	return texts(errList(err))
}

// texts returns the messages of errs.
func texts(errs []error) []string {
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

// problemAt returns the problem msg about the key at path of c's file,
// begun with where that key is (config.Config.KeyError: the file, its
// line and the key), or msg alone when path is "".
func problemAt(c *config.Config, path, msg string) error {
	if path == "" {
		return errors.New(msg)
	}
	return c.KeyError(path, errors.New(msg))
}

// overlapNote records in firstOf the files m of the glob source i of c
// that no other source takes (firstOf holds the files named by a path and
// those of the globs before i) and returns a note naming the sources that
// take the others, with the line of c's file each is at, or "".
func overlapNote(c *config.Config, m []string, i int, firstOf map[string]int) string {
	taken := map[int]int{} // source index: files of m it takes
	for _, p := range m {
		if j, ok := firstOf[p]; ok && j != i {
			taken[j]++
			continue
		}
		firstOf[p] = i
	}
	var notes []string
	for j, n := range taken {
		at := ""
		if l := c.Line(fmt.Sprintf("sources[%d]", j)); l > 0 && c.File() != "" {
			at = fmt.Sprintf("%s:%d, ", c.File(), l)
		}
		notes = append(notes, fmt.Sprintf("sources[%d] (%s%d %s)", j, at, n, plural(n, "file", "files")))
	}
	if len(notes) == 0 {
		return ""
	}
	slices.Sort(notes)
	return "; NOTE: a file also taken by another source (one naming its path, or an earlier glob) is followed by that source only: " + strings.Join(notes, ", ")
}

// warnCounter passes what check prints to w and counts its warnings
// (the "WARNING:" notes), for the verdict.
type warnCounter struct {
	w io.Writer
	n int
}

func (c *warnCounter) Write(p []byte) (int, error) {
	c.n += bytes.Count(p, []byte("WARNING:"))
	return c.w.Write(p)
}

// checkedName names the configuration file --config gave, for check's
// output: "standard input" for -, the built-in defaults for none.
func checkedName(file string) string {
	switch file {
	case "-":
		return "standard input"
	case "":
		return "(none: built-in defaults)"
	}
	return file
}

// packagedConfig is the configuration file the packages install and
// their unit runs the agent with.
const packagedConfig = "/etc/gitlab-syslog/config.yaml"

// packagedNote says, when check was given no configuration file while the
// packaged one (packaged) exists, that the service uses that one; ""
// otherwise.
func packagedNote(file, packaged string) string {
	if file != "" {
		return ""
	}
	if _, err := os.Stat(packaged); err != nil {
		return ""
	}
	return "; NOTE: " + packaged + " exists, the service's configuration: check it with --config " + packaged
}

// summarize prints what run would do and returns the problems that would
// stop it from working; the caller prints the verdict after it.
//
// errs are the configuration's mistakes of keys and values (the caller
// reports them): a source and a value they name are marked, and the
// rules are listed as far as they could be checked.
func summarize(w io.Writer, c *config.Config, r config.Resolved, file string, errs []error) (problems []error) {
	fmt.Fprintf(w, "config:     %s%s%s%s\n", checkedName(file), emptyNote(c, "below ", len(errs)), packagedNote(file, packagedConfig), twiceHead(errs))
	twiceNotes(w, c, errs, "")
	cwd, _ := os.Getwd()
	for _, warn := range c.RelativePaths(cwd) {
		fmt.Fprintf(w, "            WARNING: %s\n", warn)
	}
	fmt.Fprintf(w, "state_dir:  %s (%s)", c.StateDir, r.StateDirNote)
	state := checkStateDir(c)
	held := ""
	if state.exists && statelock.Held(c.StateDir) {
		held = "; in use: an agent runs on it (a second run on it is refused; stop that one first, or reload it with SIGHUP)"
	}
	fmt.Fprintf(w, ": %s%s\n", state.status, held)
	twiceNotes(w, c, errs, "state_dir")
	problems = append(problems, state.stops...)
	if state.exists {
		if warn := otherOwnerWarning(c.StateDir, c.File()); warn != "" {
			fmt.Fprintf(w, "            WARNING: %s\n", warn)
		}
		ps, warns := checkpointIssues(c)
		for _, warn := range warns {
			fmt.Fprintf(w, "            WARNING: %s\n", warn)
		}
		for _, p := range ps {
			problems = append(problems, problemAt(c, "state_dir", p.Error()))
		}
	}
	fmt.Fprintf(w, "hostname:   %s%s\n", config.Short(c.Hostname), hostnameNote(c))
	twiceNotes(w, c, errs, "hostname")
	sd := "with STRUCTURED-DATA " + c.Forward.SDID + " (meta.* columns in " + forwarder.MetaSDIDFor(c.Forward.SDID) + ")"
	if !c.Forward.SendStructuredData() {
		sd = "without STRUCTURED-DATA"
	}
	bad := func(path string) string { return invalidMark(c, errs, path) }
	if c.Dropped("forward") { // a scalar, a list: the defaults shown would not be the file's
		invalidRow(w, "forward")
	} else {
		urlNote := bad("forward.url")
		if urlNote == "" {
			urlNote = forwardURLNote(c) + forwardPortNote(c.Forward.URL)
		}
		fmt.Fprintf(w, "forward:    %s%s, %s, facility %s, %s%s\n", config.RedactedURL(c.Forward.URL), urlNote, shownValue(c, errs, "forward.format", c.Forward.Format),
			shownValue(c, errs, "forward.facility", c.Forward.Facility), sd, datagramNote(&c.Forward, bad("forward.max_message_bytes"), bad("forward.max_stream_message_bytes"))+alertFitNote(c))
		problems = append(problems, forwardTLSProblems(c)...)
		if warn := c.InsecureWarning(); warn != "" { // run logs it at start
			fmt.Fprintf(w, "            WARNING: %s\n", warn)
		}
	}
	twiceNotes(w, c, errs, "forward")
	if m := bad("start_at"); m != "" {
		fmt.Fprintf(w, "start_at:   %s%s\n", c.StartAt, m)
	} else {
		fmt.Fprintf(w, "start_at:   %s (for files without a checkpoint)\n", c.StartAt)
	}
	twiceNotes(w, c, errs, "start_at")
	if m := bad("max_line_bytes"); m != "" && c.Dropped("max_line_bytes") {
		// Of the wrong type ("lots", a list): there is no size to show,
		// and the default's is not the one the file gives.
		fmt.Fprintf(w, "lines:      max_line_bytes%s\n", m)
	} else {
		fmt.Fprintf(w, "lines:      %s%s\n", lineLimitNote(c), m)
	}
	if warn := c.MaxLineWarning(); warn != "" { // run logs it at start
		fmt.Fprintf(w, "            WARNING: %s\n", warn)
	}
	twiceNotes(w, c, errs, "max_line_bytes")
	if c.Dropped("sources") { // run refuses the file: the default sources are not followed
		invalidRow(w, "sources")
	} else {
		problems = append(problems, printSources(w, c, r, errs)...)
	}
	twiceNotes(w, c, errs, "sources")
	if c.Dropped("metrics") && c.Metrics.Listen == "" { // metrics: 9469; --metrics-listen would give it
		invalidRow(w, "metrics")
	} else if c.Metrics.Listen != "" {
		fmt.Fprintf(w, "metrics:    %s\n", metricsSummary(c.Metrics.Listen, invalidMark(c, errs, "metrics.listen")))
	} else {
		fmt.Fprintf(w, "metrics:    off\n")
	}
	twiceNotes(w, c, errs, "metrics")
	problems = append(problems, listenProblems(c, false)...)
	if st := c.Streaming; c.Dropped("streaming") {
		invalidRow(w, "streaming")
	} else if st.Listen != "" {
		path, mark := st.Path, invalidMark(c, errs, "streaming.listen")
		if !strings.HasPrefix(path, "/") || strings.Contains(st.Listen, "://") { // not glued to the address: a mistake of its own, or the address is a URL
			pathMark := invalidMark(c, errs, "streaming.path")
			if mark != "" { // one mark after both
				pathMark = ""
			}
			path = " (path " + path + pathMark + ")"
		}
		over := " over plain HTTP"
		if st.TLS.CertFile != "" || st.TLS.KeyFile != "" {
			over = " over HTTPS (tls: " + st.TLS.CertFile + ")"
		}
		fmt.Fprintf(w, "streaming:  listening on %s%s%s%s, events spooled to %s and forwarded as audit\n", st.Listen, path, mark, over, st.SpoolPath())
		ps, warns := streamingIssues(c, errs, false)
		for _, warn := range warns { // run logs them at start
			fmt.Fprintf(w, "            WARNING: %s\n", warn)
		}
		problems = append(problems, ps...)
	} else {
		fmt.Fprintf(w, "streaming:  off\n")
		for _, warn := range c.StreamingWarnings() { // run logs them at start
			fmt.Fprintf(w, "            WARNING: %s\n", warn)
		}
	}
	twiceNotes(w, c, errs, "streaming")
	if c.Dropped("inputs") {
		invalidRow(w, "inputs")
	} else {
		problems = append(problems, checkNetInputs(w, c, errs)...)
	}
	twiceNotes(w, c, errs, "inputs")
	if g := c.GeoIP; c.Dropped("geoip") {
		invalidRow(w, "geoip")
	} else if g.CityDB != "" || g.ASNDB != "" {
		if ps := geoipOpenProblems(c, false); len(ps) > 0 {
			fmt.Fprintf(w, "geoip:      UNUSABLE\n")
			problems = append(problems, ps...)
		} else {
			fmt.Fprintf(w, "geoip:      city_db %q, asn_db %q: opened\n", g.CityDB, g.ASNDB)
		}
	} else {
		fmt.Fprintf(w, "geoip:      off\n")
	}
	twiceNotes(w, c, errs, "geoip")
	problems = append(problems, printDetections(w, c, errs)...)
	twiceNotes(w, c, errs, "detections")
	for _, warn := range detectconf.BareSeconds(c, nil) { // under the rules, as the sources' under theirs
		fmt.Fprintf(w, "            WARNING: %s\n", warn)
	}
	return problems
}

// printSources lists the sources of c that run would follow, each with
// its type, path, APP-NAME, start_at and what check found (readable, its
// size, or why run cannot read it), then the default sources skipped and
// the sources' warnings, and returns the problems found that would stop
// run or lose lines (a path that is not a log file, not readable). errs
// are the configuration's mistakes (the caller reports them): a source
// they name is marked SEE PROBLEMS, a start_at they refuse INVALID. The
// default sources of a log_dir that is a file, or lies under one, are
// one row and log_dir's one problem (logDirUnderFile), as run refuses
// them.
func printSources(w io.Writer, c *config.Config, r config.Resolved, errs []error) (problems []error) {
	bad := func(path string) string { return invalidMark(c, errs, path) }
	switch {
	case len(c.Sources) == 0:
		fmt.Fprintf(w, "sources:    none (no files are followed)\n")
	case r.DefaultSources && throughFile(filepath.Join(c.LogDir, "x")) != "":
		// log_dir is a file, or under one: run refuses it with this
		// one problem before it names a layout or a file; no row of
		// a default source, no absent one, no layout guessed.
		f := throughFile(filepath.Join(c.LogDir, "x"))
		fmt.Fprintf(w, "sources:    the defaults under %s, which CANNOT EXIST: %s is a file, not a directory (see problems)\n", c.LogDir, f)
		return []error{logDirUnderFile(c, f)}
	case r.DefaultSources: // as run logs them (logDefaultSources)
		fmt.Fprintf(w, "sources:    the defaults under %s, layout %s\n", c.LogDir, r.Layout)
	default:
		fmt.Fprintf(w, "sources:\n")
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	// A file's path: the source that follows it. Files named by a path are
	// taken first, then each glob's matches not taken, in order.
	firstOf := map[string]int{}
	for i, s := range c.Sources {
		if !s.IsGlob() && !c.BadSource(i) {
			firstOf[s.Path] = i
		}
	}
	for i, s := range c.Sources {
		if c.BadSource(i) {
			continue
		}
		status := "ok, readable"
		at := sourceKey(c, i)
		if s.Path == "" {
			status = "no path given" // a problem of the configuration, listed with the others
			if namesKey(errs, fmt.Sprintf("sources[%d].path", i)) {
				status = "path not usable" // given, but not as text (path: true)
			}
		} else if st, p := sourceFileProblem(c, i); p != nil { // run refuses it alike (sourceFileProblems)
			status = st
			// One mistake, one problem: a path the configuration check
			// refused already (a .gz name) is not reported again.
			if !namesKey(errs, fmt.Sprintf("sources[%d].path", i)) {
				problems = addProblem(problems, p)
			}
		} else if s.IsGlob() {
			all, _ := filepath.Glob(s.Path)
			m := globFiles(all)
			skipped, followed := skippedMatches(m, s.Extension, s.OldDir)
			status = fmt.Sprintf("glob: %d %s now%s; new ones are followed as they appear", len(m), plural(len(m), "file matches", "files match"), skipped)
			status += danglingNote(all)
			status += overlapNote(c, m, i, firstOf)
			for _, f := range followed { // as for a path of its own: run could not read it (not a FIFO: open would wait)
				if err := readable(f); err != nil {
					status += "; NOT READABLE: " + f
					problems = append(problems, problemAt(c, at, fmt.Sprintf("source %s: a file it matches, %s: %v%s%s", s.Path, f, err, permhint.For(f, err), unreadableNote)))
				}
			}
			if strings.Contains(s.Path, "**") {
				status += "; WARNING: ** is not recursive here: like *, it matches within one directory level (Go's filepath.Match); write one * per directory level, or a source per depth"
			}
			if strings.HasSuffix(s.Path, "*") {
				status += "; WARNING: the pattern ends in * and also matches rotated copies (names such as 0.log.1 or 0.log.20261129-120000.gz): those of followed files and compressed files are skipped, others are followed as new files; end it with the live name's extension (*.log)"
			}
			if dir := filepath.Dir(s.Path); !strings.ContainsAny(dir, "*?[") {
				if err := dirReadable(dir); err != nil {
					status += "; but " + err.Error()
					if errors.Is(err, os.ErrPermission) { // run would find no file in it, and say nothing
						problems = append(problems, problemAt(c, at, fmt.Sprintf("source %s: %v: run cannot list it, so it follows none of its files%s", s.Path, err, permhint.For(dir, err))))
					}
				}
			}
		} else if fi, err := os.Stat(s.Path); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				status = "does not exist yet: run waits for it"
				if s.StartAt == "end" {
					status += " and reads it from its beginning (start_at applies to a file there at start)"
				}
				if err := dirReadable(filepath.Dir(s.Path)); err != nil {
					status = "does not exist, and " + err.Error()
				} else if note := config.LazyNote(s.Path); note != "" {
					status += " (" + note + ")"
				} else if m := similarFile(s.Path, s.Type); m != "" && !rotatedCopyOf(s, m) { // as send, parse and detect (inputHint)
					status += "; WARNING: did you mean " + m + "?"
				}
				if waitedNote(c.StateDir, s.Path) == "" { // no wait record: the copies there now predate the file
					status += olderCopiesNote(c, s)
				}
			} else {
				status = "CANNOT STAT: " + err.Error()
				problems = append(problems, problemAt(c, at, fmt.Sprintf("source %s: %v%s%s", s.Path, err, permhint.For(s.Path, err), unreadableNote)))
			}
		} else if err := readable(s.Path); err != nil {
			status = "NOT READABLE: " + err.Error()
			problems = append(problems, problemAt(c, at, fmt.Sprintf("source %s: %v%s%s", s.Path, err, permhint.For(s.Path, err), unreadableNote)))
		} else {
			waited := waitedNote(c.StateDir, s.Path)
			status += fmt.Sprintf(", %d bytes", fi.Size()) + waited + unlistedNote(s)
			if waited == "" {
				status += olderCopiesNote(c, s)
			}
		}
		// As run sends them (agent's unwrapper): in a container log, a
		// line wrapped by gitlab-logger goes by its subcomponent whatever
		// the type; the type and app_name are those of the others.
		typ, app := s.Type, s.AppName
		if typ == "" {
			typ, app = "(per line)", "by subcomponent"
		} else if f, err := container.ParseFormat(s.Format); err == nil && f != container.Plain {
			app = "by subcomponent, else " + app
		}
		if s.Format != "" && s.Format != "plain" {
			status = "format " + s.Format + ", " + status
		}
		if s.Extension != "" {
			status = "extension " + s.Extension + ", " + status
		}
		if s.OldDir != "" {
			status = "olddir " + tailer.OldDir(s.Path, s.OldDir) + ", " + status
		}
		if namesSource(errs, i) {
			status = "SEE PROBLEMS: " + strings.Replace(status, "ok, ", "", 1)
		}
		startAt := s.StartAt // inherited from start_at, its mistake is reported there
		if bad(fmt.Sprintf("sources[%d].start_at", i)) != "" || s.StartAt == c.StartAt && bad("start_at") != "" {
			startAt += " (INVALID)"
		}
		fmt.Fprintf(tw, "  %s\t%s\tAPP-NAME %s\tstart_at %s\t%s\n", typ, s.Path, app, startAt, status)
	}
	tw.Flush()
	for _, a := range r.Skipped {
		nor := ""
		if a.Or != "" {
			nor = ", and so is " + a.Or
		}
		fmt.Fprintf(w, "  (skipped %s: absent%s; %s)\n", a.Path, nor, a.Note)
	}
	for _, warn := range c.SourceWarnings() { // run logs them at start
		fmt.Fprintf(w, "            WARNING: %s\n", warn)
	}
	formatWarns, wrapped := formatWarnings(c)
	formatWarns = append(formatWarns, droppedWarnings(c, wrapped)...)
	for _, warn := range append(formatWarns, contentWarnings(c, wrapped)...) { // run logs them once it read the first lines
		fmt.Fprintf(w, "            WARNING: %s\n", warn)
	}
	return problems
}

// geoipOpenProblems opens each GeoIP database of c as run does, and
// closes it, and returns the problem of each that does not open (see
// geoipProblem; reload: for a reload refused): both are named in one check.
func geoipOpenProblems(c *config.Config, reload bool) []error {
	var problems []error
	for _, g := range []struct{ key, path, city, asn string }{
		{"geoip.city_db", c.GeoIP.CityDB, c.GeoIP.CityDB, ""},
		{"geoip.asn_db", c.GeoIP.ASNDB, "", c.GeoIP.ASNDB},
	} {
		if g.path == "" {
			continue
		}
		db, err := geoip.Open(g.city, g.asn)
		if err != nil {
			problems = append(problems, geoipProblem(c, g.key, err, reload))
			continue
		}
		db.Close()
	}
	return problems
}

// geoipProblem returns the problem of the GeoIP database at key that
// geoip.Open could not open (err): the key and line that name it, the
// cause and what to do. For a reload (reload), which the problem refuses,
// it says that the databases in use stay in use, and that the file is to
// be fixed or replaced.
func geoipProblem(c *config.Config, key string, err error, reload bool) error {
	db, without := "a GeoLite2-City or GeoLite2-Country (or GeoIP2) .mmdb file", "the rules that need it then stay off"
	if key == "geoip.asn_db" {
		db, without = "a GeoLite2-ASN (or GeoIP2 ISP) .mmdb file", "lines then go out without the ASN columns"
	}
	cause := strings.TrimPrefix(err.Error(), "geoip: ")
	if reload {
		return c.KeyError(key, fmt.Errorf("%s; the reload is refused and the GeoIP databases in use stay in use: fix or replace the file (by rename, as geoipupdate does), or give the path of %s, or remove %s (%s)",
			cause, db, key, without))
	}
	return c.KeyError(key, fmt.Errorf("%s; give the path of %s (MaxMind's geoipupdate downloads them), or remove %s: %s",
		cause, db, key, without))
}

// stateDirProblem returns the problem of c's state directory, in which
// no file could be created (err, from dirWritable): its file and line,
// its key (or flag) and the directory, and the cause (a file in its path
// named, with what to give). The key is in the
// text, followed by the directory: "config.yaml:1: state_dir /x: ...".
func stateDirProblem(c *config.Config, err error) error {
	e := c.KeyError("state_dir", nil)
	if f := throughFile(filepath.Join(c.StateDir, "x")); f != "" {
		err = fmt.Errorf("%s is a file, not a directory: give a directory the agent can create files in", f)
	}
	return &config.Error{File: e.File, Line: e.Line, Err: fmt.Errorf("%s %s: %v", e.Key, c.StateDir, err)}
}

// emptyNote says, for a configuration file that sets no key, that every
// setting (check's: those "below ") is a default (or a flag's), so that
// an empty file (a ConfigMap key left blank, the wrong file) is not taken
// for a configured one; "" otherwise. A file whose keys all have
// mistakes (mistakes > 0: a misspelled key) sets nothing either, and the
// note says where its mistakes are listed. check prints it after the
// file's name, run logs it at start.
func emptyNote(c *config.Config, which string, mistakes int) string {
	if c.File() == "" || !c.Empty() {
		return ""
	}
	sets := ": it sets nothing"
	if mistakes > 0 {
		sets += " it could use (its mistakes are listed with the problems)"
	}
	if c.FromFlags() {
		return sets + ": every setting " + which + "is a built-in default or a flag's"
	}
	return sets + ": every setting " + which + "is a built-in default"
}

// printDetections shows whether the detection engine runs and, per rule,
// whether it is on and why (default, enabled or disabled at a line of the
// config, or what it lacks). The configuration was checked by load. It
// returns the lines of the rules' own files (ti_file) that run would skip,
// each with its file, line and cause (the first few, then their count),
// and each such file that gives its rule nothing to match, but for one
// that is empty (no indicator, no bad line), which it prints as a warning.
// errs are the configuration's mistakes, reported by the caller: the
// rules are then listed as far as they could be checked (a rule with a
// bad value as NOT CHECKED), with their files' problems, the row of a
// rule whose settings have mistakes says which, in one form
// (detectconf.Status.Mistakes), and a setting they name is marked
// INVALID. A detections value of the wrong type (detections: true) is
// one row, INVALID (invalidRow): its rules are not listed with the
// defaults decoded in its place.
func printDetections(w io.Writer, c *config.Config, errs []error) (problems []error) {
	if c.Dropped("detections") { // detections: true: there is a block, of the wrong type
		invalidRow(w, "detections")
		return nil
	}
	invalid := len(errs) > 0
	st, err := detectconf.Check(c, nil)
	if err != nil && !invalid { // load checked it; only a file changed in between gets here
		fmt.Fprintf(w, "detections: INVALID: %v\n", err)
		return nil
	}
	if err != nil && len(st) == 0 {
		fmt.Fprintf(w, "detections: not listed: the configuration has mistakes (listed with the problems)\n")
		return nil
	}
	if !c.Detections.On() {
		fmt.Fprintf(w, "detections: off (detections.enabled: false)\n")
		return nil
	}
	on := 0
	mistakes := make([]string, len(st)) // by rule: what of its settings is wrong (it cannot run as configured)
	for i, s := range st {
		if mistakes[i] = s.Mistakes(c, errs); s.On && mistakes[i] == "" {
			on++
		}
	}
	dir, writable := filepath.Join(c.StateDir, "detect"), ""
	if p := detectDirProblem(c); p != nil {
		writable = " (NOT WRITABLE)"
		problems = append(problems, p)
	}
	defaults := ""
	if c.Line("detections") == 0 {
		defaults = "no detections block, so every detection setting is a default: "
	}
	fmt.Fprintf(w, "detections: %s%d of %d rules on, lateness %s, state saved every %s to %s%s; alerts as APP-NAME GitLab-Detections\n",
		defaults, on, len(st), shownValue(c, errs, "detections.lateness", c.Detections.Lateness.String()),
		shownValue(c, errs, "detections.state_save_interval", c.Detections.StateSaveInterval.String()), dir, writable)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	var warns []string
	if writable == "" {
		var ps []error
		ps, warns = detectStateIssues(dir)
		problems = append(problems, ps...)
	}
	for i, s := range st {
		state, severity := "off", "-" // an off rule sends nothing
		switch {
		case mistakes[i] != "": // it does not run with these settings: run would not start
			state = "BAD"
		case s.On:
			state, severity = "on", s.Info.Severity.String()
		}
		var parts []string // the row's why, "; "-joined
		switch why := strings.TrimSuffix(s.Why, detectconf.WaitsForLog); {
		case mistakes[i] == "":
			parts = append(parts, s.Why)
		case why != detectconf.NotChecked: // NOT CHECKED adds nothing to the mistakes
			parts = append(parts, why)
		}
		if len(s.Set) > 0 {
			parts = append(parts, "set: "+strings.Join(s.Set, ", "))
		}
		if mistakes[i] != "" {
			parts = append(parts, mistakes[i])
		}
		why := strings.Join(parts, "; ")
		if s.SkippedTotal > 0 {
			why += fmt.Sprintf("; %d line(s) of its file SKIPPED", s.SkippedTotal)
		}
		key := fileKey(c, s.Info.ID)
		at := ""
		if key != "" {
			at = configKey(c, key) + ": "
		}
		switch {
		case s.Empty: // run starts with it and warns: a warning
			why += "; its file lists no indicator: MATCHES NOTHING (warning below)"
			warns = append(warns, fmt.Sprintf("%srule %s: %s; a running agent that holds indicators keeps them when the file becomes empty; enabled: false turns the rule off", at, s.Info.ID, s.Unusable))
		case s.Unusable != "": // one file, one problem: with its skipped lines
			why += "; its file lists nothing usable: MATCHES NOTHING"
			problems = append(problems, problemAt(c, key, fmt.Sprintf("rule %s: %s%s", s.Info.ID, s.Unusable, skippedLines(s, "; the lines skipped:"))))
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", state, s.Info.ID, severity, why)
		if p := skippedProblem(s); p != "" && (s.Unusable == "" || s.Empty) {
			problems = append(problems, problemAt(c, key, p))
		}
		if s.InternalTotal > 0 {
			warns = append(warns, internalWarning(s, at))
		}
	}
	tw.Flush()
	if on == 0 && c.Detections.On() {
		warns = append(warns, "detections are on and no rule runs with these sources and settings: run ships the lines and raises no alert (each rule's line above says why it is off)")
	}
	for _, warn := range warns {
		fmt.Fprintf(w, "            WARNING: %s\n", warn)
	}
	return problems
}

// detectDirProblem returns the problem of state_dir/detect, where run
// keeps the detection state, when detections are on and no file can be
// created in it (run cannot start); nil otherwise, and when state_dir
// itself is unusable (reported once, as such: stateDirProblem).
func detectDirProblem(c *config.Config) error {
	if !c.Detections.On() {
		return nil
	}
	dir := filepath.Join(c.StateDir, "detect")
	if err := dirWritable(dir); err != nil && dirWritable(c.StateDir) == nil {
		return fmt.Errorf("detections: state directory %s: %v (run needs it for the detection state; fix it or set detections.enabled: false)", dir, err)
	}
	return nil
}

// fileKey returns the key of the configuration file that gives rule id
// its own file (ti_file, under the rule or under detections.params), to
// begin a problem of that file with, or "".
func fileKey(c *config.Config, id string) string {
	for _, key := range []string{"detections.rules." + id + ".ti_file", "detections.params.ti_file"} {
		if c.Line(key) > 0 {
			return key
		}
	}
	return ""
}

// skippedProblem returns the lines of rule s's own file that run would
// skip as one problem (one file to fix): its count, then the lines
// listed, one per line, and how many more there are; "" when none is
// skipped. It ends with what to do.
func skippedProblem(s detectconf.Status) string {
	if s.SkippedTotal == 0 {
		return ""
	}
	return fmt.Sprintf("rule %s: %s: run skips %d line(s) of it:%s\n      correct or remove these lines (run skips them)",
		s.Info.ID, cmp.Or(s.File, "its file"), s.SkippedTotal, skippedLines(s, ""))
}

// internalWarning returns the warning that entries of rule s's own file
// cover internal addresses (detectconf.Status.Internal), after at (its
// key's place): their count, then the entries listed, one per line, and
// how many more there are.
func internalWarning(s detectconf.Status, at string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%srule %s: %s: %d entry(ies) cover private, loopback or link-local addresses, which no threat feed lists, and the rule alerts on them; they are kept:", at, s.Info.ID, cmp.Or(s.File, "its file"), s.InternalTotal)
	for _, l := range s.Internal {
		b.WriteString("\n              " + l)
	}
	if more := s.InternalTotal - len(s.Internal); more > 0 {
		fmt.Fprintf(&b, "\n              and %d more (only the first %d are listed)", more, len(s.Internal))
	}
	return b.String()
}

// skippedLines returns the lines of rule s's own file that run would
// skip, after lead, one per line, and how many more there are; "" when
// none is skipped.
func skippedLines(s detectconf.Status, lead string) string {
	if s.SkippedTotal == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(lead)
	for _, l := range s.Skipped {
		b.WriteString("\n      " + l)
	}
	if more := s.SkippedTotal - len(s.Skipped); more > 0 {
		fmt.Fprintf(&b, "\n      and %d more line(s) (only the first %d are listed)", more, len(s.Skipped))
	}
	return b.String()
}

// notRegular says what fi, which is not a regular file, is instead.
func notRegular(fi os.FileInfo) string {
	if fi.IsDir() {
		return "is a directory"
	}
	return fmt.Sprintf("is not a regular file (mode %s)", fi.Mode())
}

// streamingIssues reads the streaming receiver's tokens and resolves its
// listen address as run's receiver does (streaming.Check), tries its
// spool directory and TLS pair, and returns the problems that would stop
// run (a token source that gives no usable token, a spool directory in
// which no file can be created, a TLS pair that cannot be loaded) and the
// warnings run logs at start, each begun with its key's file and line (or
// flag) and saying what to do; none when the receiver is off. For check
// (running false), an unset or empty token_env is a warning: check may
// not run in the agent's environment (its systemd unit, its container),
// where run refuses to start without it. A source named by one of errs
// (the configuration's mistakes, reported by the caller: an empty tokens
// item, no source at all) is not reported again.
func streamingIssues(c *config.Config, errs []error, running bool) (problems []error, warns []string) {
	st := c.Streaming
	if st.Listen == "" {
		return nil, nil
	}
	ws, err := streaming.Check(st)
	for _, w := range ws {
		warns = append(warns, configKey(c, "streaming."+w.Key)+": "+w.Msg)
	}
	for _, err := range errList(err) {
		var te *streaming.TokenError
		if !errors.As(err, &te) {
			problems = append(problems, err)
			continue
		}
		key := strings.TrimSuffix("streaming."+te.Key, ".")
		switch {
		case namesKey(errs, key):
		case te.Key == "token_env" && !running:
			warns = append(warns, fmt.Sprintf("%s: %v. This is check's environment, which may not be the agent's (its systemd unit's, its container's): run refuses to start when the variable is unset or empty there", configKey(c, key), te.Err))
		default:
			problems = append(problems, c.KeyError(key, te.Err))
		}
	}
	if err := dirWritable(st.SpoolDir); err != nil {
		problems = append(problems, c.KeyError("streaming.spool_dir", fmt.Errorf("%s: %v", st.SpoolDir, err)))
	}
	if warn := streamLimitWarning(c); warn != "" {
		warns = append(warns, warn)
	}
	if err := keyPairUsable(st.TLS.CertFile, st.TLS.KeyFile); err != nil {
		problems = append(problems, c.KeyError("streaming.tls", err))
	}
	return problems, warns
}

// streamLimitWarning returns check's warning when a stream destination's
// max_stream_message_bytes is below twice streaming.max_body (an event's
// line and its columns as STRUCTURED-DATA): an event near max_body, which
// the receiver takes, then goes without its columns (the README's
// advice; fresh-user trial 283: 8MiB against the 4 MiB default passed
// check silently); "" otherwise.
func streamLimitWarning(c *config.Config) string {
	body := c.Streaming.MaxBody
	if body <= 0 {
		body = streaming.DefaultMaxBody
	}
	body = min(body, streaming.GitLabMaxBody) // no larger body comes
	if !c.Forward.Stream() || int64(c.Forward.StreamLimit()) >= 2*body {
		return ""
	}
	return fmt.Sprintf("%s: forward.max_stream_message_bytes is %d, below twice max_body (%d): an event near max_body, which the receiver takes, goes to the collector without its columns; raise max_stream_message_bytes to %d (and the collector's message size limit with it) or lower max_body",
		configKey(c, "streaming.max_body"), c.Forward.StreamLimit(), body, 2*body)
}

// checkNetInputs prints the network inputs and returns their problems: a
// TLS pair or client CA that cannot be loaded, a spool directory that
// cannot be written, each naming the config file and line of its key. A
// plain listener on a non-loopback address is printed with the warning
// run logs, an item without a listen (off) with the warning run logs
// (config.Config.InputWarnings), and a listen address or an other value
// one of the configuration's mistakes errs refuses is marked
// (invalidMark).
func checkNetInputs(w io.Writer, c *config.Config, errs []error) []error {
	if len(c.InputsOn()) == 0 {
		fmt.Fprintf(w, "inputs:     off\n")
	}
	for _, warn := range c.InputWarnings() { // run logs them at start
		fmt.Fprintf(w, "            WARNING: %s\n", warn)
	}
	var problems []error
	for i, in := range c.Inputs {
		if in.Listen == "" {
			continue // off
		}
		key := fmt.Sprintf("inputs[%d]", i)
		fmt.Fprintf(w, "inputs:     listening on %s%s, messages spooled to %s, other APP-NAMEs: %s%s\n", in.Listen, invalidMark(c, errs, key+".listen"), in.SpoolPath(), cmp.Or(in.Other, inputs.OtherForward), invalidMark(c, errs, key+".other"))
		if sc, err := inputs.ParseListen(in.Listen); err == nil && sc.PlainExposed() {
			fmt.Fprintf(w, "            WARNING: %s: %s\n", configKey(c, key+".listen"), inputs.PlainWarning)
		}
		problems = append(problems, inputProblems(c, i)...)
	}
	return problems
}

// inputProblems returns the problems of the network input c.Inputs[i]
// that would stop run: a TLS pair or client CA that cannot be loaded, a
// spool directory in which no file can be created, each naming the
// config file and line of its key; none when the input is off.
func inputProblems(c *config.Config, i int) []error {
	in := c.Inputs[i]
	if in.Listen == "" {
		return nil
	}
	var problems []error
	key := fmt.Sprintf("inputs[%d]", i)
	if err := keyPairUsable(in.TLS.CertFile, in.TLS.KeyFile); err != nil {
		problems = append(problems, c.KeyError(key+".tls.cert_file", err))
	}
	if f := in.TLS.ClientCAFile; f != "" {
		if err := clientCAUsable(f); err != nil {
			problems = append(problems, c.KeyError(key+".tls.client_ca_file", err))
		}
	}
	if err := dirWritable(in.SpoolDir); err != nil {
		problems = append(problems, c.KeyError(key+".spool_dir", fmt.Errorf("spool directory %s: %v", in.SpoolDir, err)))
	}
	return problems
}

// rowKeys are the top-level keys of the configuration that check's
// summary has a row for (max_line_bytes: lines).
var rowKeys = []string{"state_dir", "hostname", "forward", "start_at", "max_line_bytes", "sources", "metrics", "streaming", "inputs", "geoip", "detections"}

// twiceHead returns the note on check's config row when one of errs is a
// key given twice (config.Error.Twice), which run refuses: the summary
// shows the first value of each, and says so under its row (twiceNotes);
// "" otherwise.
func twiceHead(errs []error) string {
	if !slices.ContainsFunc(errs, func(err error) bool { return givenTwice(err) != nil }) {
		return ""
	}
	return ": NOT APPLIED: a key is given twice (see problems), and run refuses the file; the summary shows the first value of each"
}

// twiceNotes prints, under the row of the top-level key block, a note for
// each key under it that errs say is given twice, naming both its lines
// and that the row shows the first; block "" stands for the keys that
// have no row (checkpoint_interval, log_dir), under the config row.
func twiceNotes(w io.Writer, c *config.Config, errs []error, block string) {
	for _, err := range errs {
		e := givenTwice(err)
		if e == nil {
			continue
		}
		top, _, _ := strings.Cut(strings.SplitN(e.Twice, "[", 2)[0], ".")
		if top != block && (block != "" || slices.Contains(rowKeys, top)) {
			continue
		}
		first := "before"
		if l := c.Line(e.Twice); l > 0 {
			first = fmt.Sprintf("at %s:%d", e.File, l)
		}
		fmt.Fprintf(w, "            NOT APPLIED: %s is given twice, %s and at %s:%d: the summary shows the first; run refuses the file (see problems)\n",
			e.Twice, first, e.File, e.Line)
	}
}

// givenTwice returns err as a *config.Error about a key given twice, nil
// when it is not one.
func givenTwice(err error) *config.Error {
	var e *config.Error
	if errors.As(err, &e) && e.Twice != "" {
		return e
	}
	return nil
}

// invalidRow prints check's summary row for the key of the configuration
// whose whole value was of the wrong type (config.Config.Dropped: a
// scalar for a mapping or a list), which the problems list: the label
// and "INVALID, see problems", so that the defaults decoded in its place
// are not shown as the file's.
func invalidRow(w io.Writer, label string) {
	fmt.Fprintf(w, "%-12sINVALID, see problems\n", label+":")
}

// invalidMark returns " (INVALID, see problems)" when one of the
// configuration's mistakes errs is about the value at key path of c (by
// its key, or by the flag that gave it), so that the summary does not
// show a refused value as if run would use it; "" otherwise.
func invalidMark(c *config.Config, errs []error, path string) string {
	key := c.KeyError(path, nil).Key // the flag, when one gave the value
	if slices.ContainsFunc(errs, func(err error) bool {
		var e *config.Error
		return errors.As(err, &e) && e.Key == key
	}) {
		return " (INVALID, see problems)"
	}
	return ""
}

// shownValue returns the value at key path of c as check's summary shows
// it: decoded, the value run would use, followed by invalidMark's mark
// when one of errs is about it. A value Parse left out as of the wrong
// type (config.Config.Dropped: lateness: banana, format: [x]) is shown as
// written, not as the default decoded in its place.
func shownValue(c *config.Config, errs []error, path, decoded string) string {
	mark := invalidMark(c, errs, path)
	if c.Dropped(path) && mark != "" {
		return c.Written(path) + mark
	}
	return decoded + mark
}

// namesSource reports whether one of the problems errs is about source i:
// a *config.Error whose Key is sources[i] or a key of it.
func namesSource(errs []error, i int) bool {
	item := fmt.Sprintf("sources[%d]", i)
	return slices.ContainsFunc(errs, func(err error) bool {
		var e *config.Error
		return errors.As(err, &e) && (e.Key == item || strings.HasPrefix(e.Key, item+"."))
	})
}

// namesKey reports whether one of errs is about key (config.Error.Key).
func namesKey(errs []error, key string) bool {
	return slices.ContainsFunc(errs, func(err error) bool {
		var e *config.Error
		return errors.As(err, &e) && e.Key == key
	})
}

// sourceKey returns the key sources[i].path for a source of the config
// file, to begin a problem with, or "" for one the file does not list
// (the default sources).
func sourceKey(c *config.Config, i int) string {
	key := fmt.Sprintf("sources[%d].path", i)
	if c.Line(key) == 0 {
		return ""
	}
	return key
}

// configKey names where the value at key path came from: the flag that
// gave it, "file:line: path" for a key of c's config file, or path alone.
func configKey(c *config.Config, path string) string {
	return c.Where(path)
}

// forwardPortNote returns " (no port given, so port 514)" for a forward
// URL raw that gives no port where its scheme dials a default one
// (forwarder.DefaultPort: 514 for udp and tcp, 6514 for tls), so that
// check says which port run dials, as send does when it cannot reach it
// (defaultPortNote); "" otherwise.
func forwardPortNote(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" || u.Port() != "" || strings.HasSuffix(u.Host, ":") {
		return ""
	}
	if p := forwarder.DefaultPort(u.Scheme); p != "" {
		return " (no port given, so port " + p + ")"
	}
	return ""
}

// forwardTLSProblems loads the forward.tls files as run's forwarder does
// (the CA file as PEM certificates, the client pair with
// tls.LoadX509KeyPair) and returns what would stop it, each naming the key
// (its file and line, or its flag), the file, the cause and the fix.
func forwardTLSProblems(c *config.Config) []error {
	t := c.Forward.TLS
	var problems []error
	if t.CAFile != "" {
		if err := caFileUsable(t.CAFile); err != nil {
			problems = append(problems, c.KeyError("forward.tls.ca_file", err))
		}
	}
	if t.CertFile == "" || t.KeyFile == "" { // only one of them: load reported it
		return problems
	}
	unreadable := false
	for _, f := range []struct{ key, path, what string }{
		{"forward.tls.cert_file", t.CertFile, "the client certificate (PEM) the collector verifies"},
		{"forward.tls.key_file", t.KeyFile, "the private key (PEM) of cert_file"},
	} {
		if err := readable(f.path); err != nil {
			problems = append(problems, c.KeyError(f.key, fmt.Errorf("%v; give %s", err, f.what)))
			unreadable = true
		}
	}
	if unreadable {
		return problems
	}
	if err := keyPairUsable(t.CertFile, t.KeyFile); err != nil {
		problems = append(problems, c.KeyError("forward.tls.cert_file", err))
	}
	return problems
}

// caFileUsable reads path as the forwarder reads a CA file: it must hold
// at least one PEM certificate.
func caFileUsable(path string) error {
	pem, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w; give the PEM file of the CA(s) that signed the collector's certificate", err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return fmt.Errorf("%s holds no PEM certificate (want one or more -----BEGIN CERTIFICATE----- blocks: the CA(s) that signed the collector's certificate)", path)
	}
	return nil
}

// clientCAUsable reads path as a network input reads its client_ca_file:
// it must hold at least one PEM certificate. The error says what to give,
// as caFileUsable's and keyPairUsable's do.
func clientCAUsable(path string) error {
	const what = "the PEM file of the CA(s) that signed the node agents' client certificates, or remove client_ca_file to accept connections without a client certificate"
	pem, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w; give %s", err, what)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return fmt.Errorf("%s holds no PEM certificate (want one or more -----BEGIN CERTIFICATE----- blocks); give %s", path, what)
	}
	return nil
}

// keyPairUsable loads the certificate and key as the streaming receiver
// does (tls.LoadX509KeyPair); "" for both means no TLS. A half pair (one
// of them "") is not loaded and gives nil: it is the configuration's
// mistake, which its validation reports at the key that is set. The
// error names both files: a missing one, a swapped pair, a key that does
// not match; or the certificate, expired or not valid yet (certValidNow).
func keyPairUsable(certFile, keyFile string) error {
	if certFile == "" || keyFile == "" {
		return nil
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return fmt.Errorf("cert_file %s and key_file %s cannot be used: %v; give the PEM certificate (chain) as cert_file and its private key as key_file", certFile, keyFile, err)
	}
	return certValidNow(certFile, pair.Leaf, time.Now())
}

// certValidNow returns why leaf, the certificate of certFile, is not
// valid at now (expired, or not valid yet), which the other side of every
// TLS connection would refuse; nil when it is valid, or unknown (nil).
func certValidNow(certFile string, leaf *x509.Certificate, now time.Time) error {
	const day = "2006-01-02 15:04:05 MST"
	switch {
	case leaf == nil:
		return nil
	case now.After(leaf.NotAfter):
		return fmt.Errorf("cert_file %s expired at %s (valid from %s): every TLS connection with it is refused; give a renewed certificate", certFile, leaf.NotAfter.UTC().Format(day), leaf.NotBefore.UTC().Format(day))
	case now.Before(leaf.NotBefore):
		return fmt.Errorf("cert_file %s is not valid before %s: every TLS connection with it is refused until then; is this host's clock right?", certFile, leaf.NotBefore.UTC().Format(day))
	}
	return nil
}

// readable opens path for reading.
func readable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return f.Close()
}

// dirReadable reports whether the files in dir can be listed and opened,
// saying so when dir does not exist or is not a directory.
func dirReadable(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("directory %s does not exist", dir)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	if err := access(dir, accessRead|accessSearch); err != nil {
		return fmt.Errorf("directory %s is not readable: %w", dir, err)
	}
	return nil
}

// dirWritable reports whether run can write files in dir, or create dir
// when it does not exist yet, by doing it as run's probe does
// (checkpoint.Store.Probe): it creates a temporary file in dir, or in its
// nearest existing parent, where run would create dir, writes a line to
// it, syncs and removes it. Permission bits are not enough: root passes
// them on /proc, /sys and a read-only file system, where nothing can be
// created; nor is creating an empty file: a full file system allows that,
// and run's probe then fails. The error names the directory tried, the
// system's cause and what to do.
func dirWritable(dir string) error {
	p := dir
	for {
		fi, err := os.Stat(p)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%s is not a directory", p)
			}
			break
		}
		if !errors.Is(err, os.ErrNotExist) || filepath.Dir(p) == p {
			return err
		}
		p = filepath.Dir(p)
	}
	f, err := os.CreateTemp(p, ".gitlab-syslog-check-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the temporary name means nothing to the user
		}
		const todo = "give a directory on a writable file system that the agent's user may write, or create it and give it to that user (chown)"
		if p != dir {
			return fmt.Errorf("it does not exist, and creating a file in %s, where it would be created, failed: %v; %s", p, err, todo)
		}
		return fmt.Errorf("creating a file in it failed: %v; %s", err, todo)
	}
	name := f.Name()
	_, werr := f.Write([]byte("gitlab-syslog check probe\n"))
	serr := f.Sync()
	cerr := f.Close()
	rerr := os.Remove(name)
	if err := errors.Join(werr, serr, cerr); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		where := "it"
		if p != dir {
			where = p + ", where it would be created,"
		}
		return fmt.Errorf("writing a file in %s failed: %v; free space on its file system (df -h %s), or give another directory", where, err, shellcmd.Path(p))
	}
	return rerr
}

// unreadableNote ends check's problem of a source file this user may not
// read: what run does with it, which is not to stop.
const unreadableNote = "; run starts without its lines, follows the other sources and tries it again until it can be read (the packaged unit runs check first and starts all the same)"

// lineLimitNote says where lines are cut (max_line_bytes), in bytes and
// with the unit a whole KiB or MiB takes, and whether that is the
// default.
func lineLimitNote(c *config.Config) string {
	n := c.Tailer.MaxLineBytes
	size := fmt.Sprintf("%d %s", n, plural(n, "byte", "bytes"))
	switch {
	case n > 0 && n%(1<<20) == 0:
		size += fmt.Sprintf(" (%dMiB)", n>>20)
	case n > 0 && n%(1<<10) == 0:
		size += fmt.Sprintf(" (%dKiB)", n>>10)
	}
	from := configKey(c, "max_line_bytes")
	if n == config.DefaultMaxLine && c.Line("max_line_bytes") == 0 && from == "max_line_bytes" {
		from = "the default of max_line_bytes"
	}
	return "a line longer than " + size + " is cut to it and sent raw (" + from + ")"
}

// datagramNote returns, for a udp:// or unix datagram destination, the
// size its messages are cut to and where that size comes from
// (forward.max_message_bytes, or its default when 0 or absent), followed
// by mark (invalidMark's), and for a unix socket what is wrong with its
// path (socketNote); for a stream destination, the size over which a
// message goes without its columns (max_stream_message_bytes, or its
// default), followed by streamMark; for a destination other than a
// datagram one given max_message_bytes, and for a udp:// or unixgram://
// one given max_stream_message_bytes, a warning that it does not apply;
// "" for the others.
func datagramNote(f *config.Forward, mark, streamMark string) string {
	u, err := url.Parse(f.URL)
	if err != nil {
		return ""
	}
	if stream := f.Stream(); stream || u.Scheme != "udp" && u.Scheme != "unixgram" && u.Scheme != "unix" {
		note := ""
		if stream {
			from := "max_stream_message_bytes"
			if f.MaxStreamMessage <= 0 {
				from = "the default of max_stream_message_bytes: the collector's limit?"
			}
			note = fmt.Sprintf("; a message over %d bytes with its columns goes without them, MSG whole (%s)%s", f.StreamLimit(), from, streamMark)
		}
		if f.MaxDatagram != 0 && mark == "" {
			note += fmt.Sprintf("; WARNING: max_message_bytes (%d) is ignored: it sizes datagrams (udp://, unix datagram sockets); %s:// sends each message whole", f.MaxDatagram, u.Scheme)
		}
		return note
	}
	from := "max_message_bytes"
	n := f.MaxDatagram
	if n == 0 {
		n, from = forwarder.DefaultMaxDatagram, "the default of max_message_bytes"
	}
	which := "datagrams"
	if u.Scheme == "unix" {
		which = "datagrams (if the socket is one)"
	}
	note := fmt.Sprintf("; %s cut at %d bytes (%s)%s", which, n, from, mark)
	if f.MaxStreamMessage != 0 && streamMark == "" && u.Scheme != "unix" {
		note += fmt.Sprintf("; WARNING: max_stream_message_bytes (%d) is ignored: it bounds messages on stream destinations (tcp://, tls://, relp://, unix stream sockets); %s:// cuts each datagram at max_message_bytes", f.MaxStreamMessage, u.Scheme)
	}
	if u.Scheme != "udp" {
		note += socketNote(u.Path)
	}
	return note
}

// olderCopiesNote returns check's note about the rotated copies beside
// the file of the source s, there now, that run's first start with it (c's
// state directory holds no checkpoint for it) does not read, their lines
// being older than the start, as run logs them (agent.SendOlder): how
// many, their names (the first few) and the send command that sends them
// once; "" when it has a checkpoint or no copy.
func olderCopiesNote(c *config.Config, s config.Source) string {
	if c.StateDir != "" {
		if _, err := os.Stat(filepath.Join(c.StateDir, checkpoint.PositionKey(s.Path)+".json")); !errors.Is(err, fs.ErrNotExist) {
			return ""
		}
	}
	older, err := tailer.RotatedCopies(tailer.Config{Path: s.Path, OldDir: s.OldDir, Extension: s.Extension})
	if err != nil || len(older) == 0 {
		return ""
	}
	names := older
	if len(names) > maxNamedCopies {
		names = names[:maxNamedCopies]
	}
	list := strings.Join(names, ", ")
	if len(older) > len(names) {
		list += fmt.Sprintf(" and %d more", len(older)-len(names))
	}
	return fmt.Sprintf("; first start (no checkpoint yet): %d rotated %s beside it (%s) %s not read, %s lines being older than the start; to send %s once: %s",
		len(older), plural(len(older), "copy", "copies"), list, plural(len(older), "is", "are"), plural(len(older), "its", "their"),
		plural(len(older), "it", "them"), agent.SendOlder(c, s, older))
}

// rotatedCopyOf reports whether name is a rotated copy of the file of the
// source s (audit_json.log-20240101 of audit_json.log): not a mistyped
// path, which check's "did you mean" asks about, but a copy
// olderCopiesNote names (fresh-user trial 286: both on one row).
func rotatedCopyOf(s config.Source, name string) bool {
	copies, _ := tailer.RotatedCopies(tailer.Config{Path: s.Path, OldDir: s.OldDir, Extension: s.Extension})
	return slices.Contains(copies, name)
}

// maxNamedCopies is how many rotated copies olderCopiesNote names.
const maxNamedCopies = 3

// unlistedNote returns check's warning about a source whose file can be
// read while a directory of its rotated copies (the file's, or its
// olddir) cannot be listed by this user: a rotation while run is stopped
// then keeps run waiting until it can, as it cannot find the file its
// checkpoint points into among the copies; "" otherwise.
func unlistedNote(s config.Source) string {
	if d, _ := tailer.UnlistedCopies(tailer.Config{Path: s.Path, OldDir: s.OldDir}); d != "" {
		return fmt.Sprintf("; WARNING: %s cannot be listed by this user: after a rotation while run is stopped, run waits until it can to find the file its checkpoint points into; let this user read the directory (r), not only enter it", d)
	}
	return ""
}

// minAlertDatagram is about the fewest bytes an ordinary alert's members
// that are never shortened take (falco.pat_created's: measured 800 fits,
// 700 does not; see fitAlert): a datagram destination's max_message_bytes
// below it sends alerts cut.
const minAlertDatagram = 800

// alertFitNote returns check's warning that c's datagram size is below
// minAlertDatagram while detections are on: the alerts go cut, their JSON
// not valid; "" otherwise.
func alertFitNote(c *config.Config) string {
	u, err := url.Parse(c.Forward.URL)
	if err != nil || c.Forward.Stream() || u.Scheme != "udp" && u.Scheme != "unixgram" && u.Scheme != "unix" || !c.Detections.On() {
		return ""
	}
	if n := c.Forward.MaxDatagram; n > 0 && n < minAlertDatagram {
		return fmt.Sprintf("; WARNING: max_message_bytes (%d) is below what a detection alert's members that are never shortened take (about %d bytes): alerts are sent cut, their JSON (MSG) not valid; raise it, or turn detections off", n, minAlertDatagram)
	}
	return ""
}

// socketNote returns check's warning about path, a unix:// or
// unixgram:// destination's socket: that its directory does not exist,
// or that it is not a socket; that there is no socket yet when the
// directory exists (run retries until the collector makes it); "" when
// it is a socket.
func socketNote(path string) string {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.Mode()&os.ModeSocket != 0:
		return ""
	case err == nil:
		kind := "a regular file"
		if fi.IsDir() {
			kind = "a directory"
		} else if sp := sniff.Special(fi.Mode()); sp != "" {
			kind = sp
		}
		return "; WARNING: " + path + " is not a socket but " + kind + ": is the path right?"
	}
	if _, derr := os.Stat(filepath.Dir(path)); derr != nil {
		return "; WARNING: the socket's directory " + filepath.Dir(path) + " does not exist: is the path right?"
	}
	return "; no socket at " + path + " now: run retries until the collector creates it"
}

// globFiles returns, of a glob's matches all, those run's scan takes for
// files: not the directories, nor the dangling symbolic links, which it
// passes over. all is left as it is.
func globFiles(all []string) []string {
	return slices.DeleteFunc(slices.Clone(all), func(p string) bool {
		fi, err := os.Stat(p)
		return err != nil || fi.IsDir()
	})
}

// danglingNote returns check's warning about the matches of a glob, all,
// that are symbolic links whose target does not exist, which run does not
// follow, with the fix; "" when there are none.
func danglingNote(all []string) string {
	n, link, target := sniff.Dangling(all)
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("; WARNING: %d %s whose target does not exist (%s -> %s), not followed: mount the directory the links point into where the agent runs (a DaemonSet reading /var/log/containers needs /var/log/pods too)",
		n, plural(n, "symbolic link matches", "symbolic links match"), link, target)
}

// skippedMatches returns, for the files m a glob of logrotate extension
// ext and olddir oldDir (config.Source.Extension, OldDir) matches, the note
// that says which of them run does not follow and why, as run logs them
// ("glob match not followed"): those that are not regular files (a named
// pipe), the rotated copies of other matches, next to them
// (tailer.RotatedBases: "app.log.1", or "app-20261129.log" of "app.log"
// with extension .log) or in their olddir (tailer.InOldDir), which the
// tailer of the file they were rotated from reads, and those that hold no lines
// (sniff.NotLines: compressed, a binary); "" when it follows them all.
// followed are the others, those run follows.
func skippedMatches(m []string, ext, oldDir string) (note string, followed []string) {
	var why []string
	for _, p := range m {
		if w := notFollowed(p, m, ext, oldDir); w != "" {
			why = append(why, p+": "+w)
		} else {
			followed = append(followed, p)
		}
	}
	if len(why) == 0 {
		return "", followed
	}
	return fmt.Sprintf(", %d not followed by run (%s)", len(why), strings.Join(why, "; ")), followed
}

// notFollowed returns why run does not follow p, one of the files m a
// glob of extension ext and olddir oldDir matches (see skippedMatches),
// or "" when it does.
func notFollowed(p string, m []string, ext, oldDir string) string {
	if fi, err := os.Stat(p); err == nil && sniff.Special(fi.Mode()) != "" {
		return "not a regular file: " + sniff.Special(fi.Mode())
	}
	for _, b := range tailer.RotatedBases(p, ext) {
		if slices.Contains(m, b) {
			return "rotated copy of " + b + ", " + agent.CopyLeftToTailer
		}
	}
	for _, q := range m {
		if oldDir != "" && tailer.InOldDir(p, q, oldDir, ext) {
			return "rotated copy of " + q + " in its olddir, " + agent.CopyLeftToTailer
		}
	}
	return sniff.NotLines(p)
}

// metricsSummary is check's line for metrics.listen (host:port): the
// URLs of /metrics, /healthz and /readyz, with "THIS-HOST" and "(every interface)"
// for a wildcard host (":9469", "0.0.0.0:9469"), and, for a listen
// address that is INVALID (the mark bad), only the value and the mark.
func metricsSummary(listen, bad string) string {
	if bad != "" {
		return listen + bad
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if config.WildcardHost(host) {
		return fmt.Sprintf("http://THIS-HOST:%s/metrics, /healthz and /readyz (every interface: firewall it; /debug/pprof/ answers loopback clients only)", port)
	}
	return fmt.Sprintf("http://%s/metrics, /healthz and /readyz", net.JoinHostPort(host, port))
}

// forwardURLNote says, for check's forward line, when the URL it shows
// is the default (config.DefaultURL): forward.url absent, or given as "",
// which is that default too, not "no forwarding" (a misspelt url key is
// reported as a problem, and its line shows this default).
func forwardURLNote(c *config.Config) string {
	switch {
	case !c.URLDefault():
		return ""
	case c.Line("forward.url") > 0:
		return fmt.Sprintf(` (the default: url "" at %s:%d means the default)`, c.File(), c.Line("forward.url"))
	}
	return " (the default: forward.url is not set)"
}

// hostnameNote says, for check's hostname line, where a hostname the
// agent took from the OS comes from: hostname absent, or given as ""
// (which is the OS hostname too, not RFC 5424's nil value "-").
func hostnameNote(c *config.Config) string {
	switch {
	case !c.HostnameFromOS():
		return ""
	case c.Line("hostname") > 0:
		return fmt.Sprintf(` (the OS hostname: hostname "" at %s:%d means the default; "-" sends none, RFC 5424's nil value)`, c.File(), c.Line("hostname"))
	}
	return " (the OS hostname: hostname is not set)"
}

// waitedNote returns, for the configured path of a file with no
// checkpoint in state directory dir, what run does with it when the
// path's wait record says the agent last waited for it: it reads the
// file from its beginning whatever start_at, after its plain rotated
// copies written since (tailer.Tailer.NewSince). "" otherwise.
func waitedNote(dir, path string) string {
	if dir == "" {
		return ""
	}
	if _, err := os.Stat(filepath.Join(dir, checkpoint.PositionKey(path)+".json")); !errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	w, why := tailer.ReadWaitRecord(filepath.Join(dir, checkpoint.WaitKey(path)+".json"), time.Now())
	if why != "" {
		return ""
	}
	return "; the agent waited for it since " + w.Since.UTC().Format(time.RFC3339) + " (wait record): run reads it from its beginning whatever start_at, after its plain rotated copies written since"
}
