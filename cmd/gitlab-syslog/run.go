package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	systemd "github.com/coreos/go-systemd/v22/daemon"
	"github.com/spf13/cobra"

	"github.com/gitlab-syslog/gitlab-syslog/internal/agent"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detectconf"
)

// newRunCmd builds `gitlab-syslog run`, the agent daemon.
func newRunCmd() *cobra.Command {
	var (
		f        agentFlags
		once     bool
		poll     bool
		shutdown time.Duration
	)
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Follow the GitLab logs and forward them as syslog (the agent)",
		Long: `run follows GitLab's audit, application, access and auth (Rack::Attack) logs and forwards every
line as RFC 5424 syslog, with the parsed columns as STRUCTURED-DATA.

Delivery is at least once: a file's checkpoint (in state_dir) advances only
after the forwarder wrote the lines to the collector, so after a crash the
unacknowledged lines are sent again. While the collector is down the
forwarder's queue fills and reading pauses.

Detections: the agent runs the detection rules (see check for which are on)
over the lines and sends their alerts with APP-NAME GitLab-Detections; its
state is kept in state_dir/detect. detections.enabled: false turns them off.

Signals: SIGTERM and SIGINT stop reading, flush the forwarder, save the
checkpoints and the detection state and exit 0 (1 with --once, which did not
finish). SIGHUP (also one sent while run starts: it is acted on once run is
up) rereads the configuration file (the old sources stop before the new ones
start), reopens the GeoIP databases and rereads the detection rules' files
(the TI indicator file); a new configuration that run would refuse at start
(but for its state_dir, which a reload keeps) is refused, each problem logged
as check words it, and the running one kept. Started by systemd with
NOTIFY_SOCKET set, run says READY=1 (sd_notify) once it is up. A TI
file that is missing or holds nothing usable is no configuration error (check
reports it): at start the rule runs with no indicators, at a reload the rest
is reloaded and the rule keeps the indicators it has; one error names the
file, and the file is read within about 2 s once it is back. A TI file that
becomes empty (or only comments) while the rule holds indicators is taken as
the same fault (a feed job between truncating and writing it); enabled: false
turns the rule off.

Try it on the bundled samples (testdata/ in a clone of the repository; the
packages do not ship them) without GitLab or a syslog server:

  gitlab-syslog run --log-dir testdata --to stdout --once --state-dir "$(mktemp -d)"

(--state-dir keeps the samples' checkpoints and detection state out of the
default state_dir, so that a second run reads them again.)`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if shutdown <= 0 {
				return fmt.Errorf("run: --shutdown-timeout %s: want a positive duration, e.g. 30s", shutdown)
			}
			// SIGHUP is caught before anything else: one that arrives
			// while run starts (systemctl reload right after start; a
			// large TI file makes the start long) would otherwise end the
			// process, which systemd takes for a clean exit, not
			// restarted by Restart=on-failure. It waits in hup and
			// reloads once run is up.
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			log, err := f.logger(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			// A ti_file that is missing or unusable is the data's fault,
			// at start as at a reload: run starts (shipping logs matters
			// most), the rule logs one error and reads the file once it can.
			f.running = true
			// Every problem check lists that stops run, in check's words
			// and one per line: the configuration's mistakes with those
			// of the files and directories it names.
			c, r, err := f.loadAll(cmd)
			problems := startProblems
			if once {
				problems = onceProblems
			}
			if err := problems(c, err); err != nil {
				return err
			}
			logConfigWarnings(log, c)
			log.Info("state directory", "path", c.StateDir, "why", r.StateDirNote)
			if warn := otherOwnerRun(c.StateDir); warn != "" {
				log.Warn("state directory of another user", "warning", warn)
			}
			if r.DefaultSources {
				logDefaultSources(log, c, r)
			}
			a, err := agent.New(c, agent.Options{
				Logger:          log,
				Stdout:          cmd.OutOrStdout(),
				ExitAtEOF:       once,
				ShutdownTimeout: shutdown,
				TailerPoll:      poll,
				Ready:           func() { notifyReady(log) },
			})
			if err != nil {
				return err
			}
			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			go func() {
				for {
					select {
					case <-ctx.Done():
						return
					case <-hup:
					}
					log.Info("reloading configuration", "file", c.File())
					// Refused, as at start, for every problem that would
					// stop run with this file (the state directory's when
					// it names another: the next start would use it), each
					// in check's words.
					nc, _, err := f.loadAll(cmd)
					if err := reloadProblems(nc, err, c.StateDir); err != nil {
						log.Error("SIGHUP: configuration invalid; keeping the running one", "err", err,
							"hint", "fix it (gitlab-syslog check, given run's --config and flags, lists every mistake) and send SIGHUP again")
						a.Metrics().ReloadResult(false, time.Now())
						continue
					}
					// A reload that fails was logged by the agent, with
					// its cause: one ERROR line for one event. It keeps
					// the running inputs in nc until a restart; the
					// warnings are of the file's, which that restart
					// starts, with their lines.
					shown := *nc // not the agent's, which it reads meanwhile
					shown.Inputs = slices.Clone(nc.Inputs)
					err = a.Reload(ctx, nc)
					a.Metrics().ReloadResult(err == nil, time.Now())
					if err == nil {
						logConfigWarnings(log, &shown) // the file's, as at start
						for _, p := range restartListenProblems(c, &shown) {
							log.Warn("config: the next restart would not start with this address (the running listeners are kept until then)", "problem", p)
						}
					}
				}
			}()
			return a.Run(ctx)
		},
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&once, "once", false, "read every source to its end (a last line without a newline included), deliver it, log totals per file and exit; non-zero when a source cannot be read or none exists, or when SIGINT or SIGTERM stopped it first (for trying out, backfills and tests); network inputs and the streaming receiver do not listen: what their spools hold from earlier runs is forwarded")
	fl.BoolVar(&once, "exit-at-eof", false, "same as --once")
	fl.BoolVar(&poll, "poll", false, "poll files every 250ms instead of using inotify")
	fl.DurationVar(&shutdown, "shutdown-timeout", agent.DefaultShutdownTimeout, "how long to flush and save checkpoints on SIGTERM")
	return cmd
}

// logConfigWarnings logs, as WARN lines, the warnings check prints about
// the configuration c (each as check says it): a file that sets nothing,
// relative paths, a small max_line_bytes, sources probably misconfigured
// (config.Config.SourceWarnings), inputs items without a listen
// (config.Config.InputWarnings) and durations without a unit. run
// logs them at start and after each reload that applied c, so that a
// mistake brought by a reload is not applied silently.
func logConfigWarnings(log *slog.Logger, c *config.Config) {
	if note := emptyNote(c, "", 0); note != "" { // as check says it
		log.Warn("config: "+c.File()+note+" (an empty or all-commented file: is it the right one?)", "file", c.File())
	}
	cwd, _ := os.Getwd()
	for _, warn := range c.RelativePaths(cwd) {
		log.Warn("config: relative path", "warning", warn)
	}
	if warn := c.MaxLineWarning(); warn != "" { // as check prints it
		log.Warn("config: a small max_line_bytes", "warning", warn)
	}
	if warn := c.InsecureWarning(); warn != "" { // as check prints it
		log.Warn("config: the collector's certificate is not verified", "warning", warn)
	}
	for _, warn := range c.SourceWarnings() { // as check prints them
		log.Warn("config: source probably misconfigured", "warning", warn)
	}
	for _, warn := range c.InputWarnings() { // as check prints them
		log.Warn("config: an input is off", "warning", warn)
	}
	for _, warn := range c.StreamingWarnings() { // as check prints them
		log.Warn("config: the streaming receiver is off", "warning", warn)
	}
	for _, warn := range detectconf.BareSeconds(c, nil) {
		log.Warn("config: a duration without a unit", "warning", warn)
	}
	for _, s := range c.Sources {
		if m := missingSourceHint(s); m != "" { // as check says it
			log.Warn("config: a source file does not exist; run waits for it, but a file of a name close to it does: is the path right?",
				"path", s.Path, "type", s.Type, "did_you_mean", m)
		}
	}
}

// missingSourceHint returns, for a source that is one file (not a glob)
// which does not exist while one of a close name does in its directory
// (similarFile), that name; "" otherwise, and for a file GitLab creates
// only once it has something to log (config.LazyNote).
func missingSourceHint(s config.Source) string {
	if s.IsGlob() || s.Path == "" || config.LazyNote(s.Path) != "" {
		return ""
	}
	if _, err := os.Lstat(s.Path); !errors.Is(err, os.ErrNotExist) {
		return ""
	}
	return similarFile(s.Path, s.Type)
}

// logDefaultSources logs, for sources that are the defaults under log_dir
// (config.Resolved.DefaultSources), the layout they were found in and the
// files followed, then each optional default file left out because it is
// absent, where that layout has it (r.Skipped): the absent auth.log of the
// bundled, flat testdata is testdata/auth.log, not
// testdata/gitlab-rails/auth.log. With a mixed layout both places are named.
// check prints the same (summarize).
func logDefaultSources(log *slog.Logger, c *config.Config, r config.Resolved) {
	paths := make([]string, len(c.Sources))
	for i, s := range c.Sources {
		paths[i] = s.Path
	}
	log.Info("default sources", "log_dir", c.LogDir, "layout", r.Layout.String(), "paths", strings.Join(paths, ","))
	if r.Layout == config.LayoutOmnibus && omnibusDirsAbsent(c.LogDir) {
		log.Warn("log_dir holds neither gitlab-rails/ nor nginx/, nor any GitLab log file: waiting for the files at their Omnibus paths; "+
			"if GitLab writes them directly under log_dir (a flat layout), they are not read: list them in sources, or restart the agent once they exist (only the files found at start decide the layout)",
			"log_dir", c.LogDir)
	}
	for _, a := range r.Skipped {
		if a.Or != "" {
			log.Info("default source absent, not followed", "path", a.Path, "nor", a.Or, "why", a.Note)
		} else {
			log.Info("default source absent, not followed", "path", a.Path, "why", a.Note)
		}
	}
}

// omnibusDirsAbsent reports whether logDir is a directory without a
// gitlab-rails/ or nginx/ directory in it.
func omnibusDirsAbsent(logDir string) bool {
	if fi, err := os.Stat(logDir); err != nil || !fi.IsDir() {
		return false // a log_dir that does not exist is warned about as such
	}
	for _, sub := range []string{"gitlab-rails", "nginx"} {
		if _, err := os.Stat(filepath.Join(logDir, sub)); err == nil {
			return false
		}
	}
	return true
}

// notifyReady tells systemd that run is up (sd_notify READY=1, for a
// unit of Type=notify: systemctl start returns then, and a systemctl
// reload waits for it), when run was started by systemd with
// NOTIFY_SOCKET set; a failure to tell it is logged.
func notifyReady(log *slog.Logger) {
	if _, err := systemd.SdNotify(false, systemd.SdNotifyReady); err != nil {
		log.Warn("could not tell systemd that run is ready (sd_notify READY=1): a unit of Type=notify waits for it until TimeoutStartSec", "err", err, "socket", os.Getenv("NOTIFY_SOCKET"))
	}
}
