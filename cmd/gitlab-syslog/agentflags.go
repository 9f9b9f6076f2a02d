package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detectconf"
)

// agentFlags are the flags run and check share: the forwarding flags send
// has too, and the agent's own. Each overrides the config key of the same
// meaning, but only when given on the command line.
type agentFlags struct {
	fwd       forwardFlags // --to, --hostname, --sd-id, the TLS files, ...
	config    string
	logDir    string
	stateDir  string
	startAt   string
	metrics   string
	logLevel  string
	logFormat string
	// running makes load read the configuration for the agent (run, at
	// start and at SIGHUP): a rule's data file (ti_file) that is missing
	// or holds nothing usable is the data's fault, which the agent logs
	// and rides out with the data it has, not an error of the
	// configuration. check leaves it false: there it is a problem.
	running bool
}

func (f *agentFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&f.config, "config", "c", "", "configuration file (YAML); without it the built-in defaults are used")
	fl.StringVar(&f.logDir, "log-dir", "", "directory the default sources are found in (default /var/log/gitlab; a flat directory of *.log files works too)")
	fl.StringVar(&f.stateDir, "state-dir", "", "directory for checkpoints (default /var/lib/gitlab-syslog, or ~/.local/state/gitlab-syslog when that is not writable)")
	fl.StringVar(&f.startAt, "start-at", "", "where to start in files without a checkpoint: beginning or end (default beginning)")
	fl.StringVar(&f.metrics, "metrics-listen", "", "host:port for /metrics and /healthz (default off)")
	fl.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fl.StringVar(&f.logFormat, "log-format", "text", "log format on stderr: text or json")
	f.fwd.register(cmd, "default "+config.DefaultURL)
	for name, values := range map[string][]string{
		"start-at":   {"beginning", "end"},
		"log-level":  {"debug", "info", "warn", "error"},
		"log-format": {"text", "json"},
	} {
		cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
	}
}

// checkEmptyPaths refuses --config, --log-dir and --state-dir given with
// an empty value, as "$STATE" expands to when the variable is unset: taking
// the default instead would read the system's logs or write the system's
// checkpoints where the user meant a file or directory of their own.
func (f *agentFlags) checkEmptyPaths(cmd *cobra.Command) error {
	for _, fl := range []struct {
		name, val, dflt string
	}{
		{"config", f.config, "the built-in defaults"},
		{"log-dir", f.logDir, "/var/log/gitlab"},
		{"state-dir", f.stateDir, "/var/lib/gitlab-syslog"},
	} {
		if cmd.Flags().Changed(fl.name) && strings.TrimSpace(fl.val) == "" {
			return fmt.Errorf("--%s: empty value (an unset shell variable?); give a path, or leave the flag out for %s", fl.name, fl.dflt)
		}
	}
	return nil
}

// loadAll reads the config file (if any), applies the flags that were
// given, resolves defaults and validates. When the mistakes are of keys
// and values (a value of the wrong type or out of range, an unknown key
// or rule), it returns them, sorted by line, with the configuration
// decoded without the offending values, so that check, and run at start
// and on SIGHUP (startProblems, reloadProblems), can run the other checks
// (the state directory, the source and TLS files, the rules' files) and
// report everything in one run (a list item of the wrong type is decoded
// empty in its place, and the items after it keep their index: see
// config.Parse). The configuration is nil when the file could not be
// decoded at all (a YAML syntax error) or a flag is wrong; it is for
// checking only when the error is not nil.
func (f *agentFlags) loadAll(cmd *cobra.Command) (*config.Config, config.Resolved, error) {
	if err := f.checkEmptyPaths(cmd); err != nil {
		return nil, config.Resolved{}, err
	}
	c := &config.Config{}
	// A value of the wrong type is reported with every other mistake:
	// Parse then returns the rest of the file with the error.
	var parseErr error
	switch {
	case f.config == "-" && cmd.Name() == "check":
		// check --config - checks a configuration piped in (kubectl get
		// configmap ... | yq ...); run rereads its file on SIGHUP.
		data, err := io.ReadAll(cmd.InOrStdin())
		if err != nil {
			return nil, config.Resolved{}, fmt.Errorf("--config -: read standard input: %w", err)
		}
		if c, parseErr = config.Parse(data, "stdin"); c == nil {
			return nil, config.Resolved{}, parseErr
		}
	case f.config != "":
		if c, parseErr = config.Load(f.config); c == nil {
			return nil, config.Resolved{}, parseErr
		}
	}
	set := func(name, key string, dst *string, val string) {
		if cmd.Flags().Changed(name) {
			*dst = val
			c.SetByFlag(key, "--"+name)
		}
	}
	set("log-dir", "log_dir", &c.LogDir, f.logDir)
	set("state-dir", "state_dir", &c.StateDir, f.stateDir)
	set("start-at", "start_at", &c.StartAt, f.startAt)
	set("metrics-listen", "metrics.listen", &c.Metrics.Listen, f.metrics)
	if err := f.fwd.apply(cmd, c); err != nil {
		return nil, config.Resolved{}, err
	}
	if cmd.Flags().Changed("log-dir") && f.config != "" && len(c.Sources) > 0 {
		return nil, config.Resolved{}, fmt.Errorf("--log-dir only moves the default sources, but %s lists sources; edit their paths there", f.config)
	}
	r, err := c.Resolve()
	if err != nil {
		return nil, r, err
	}
	// Report the rules' mistakes (unknown ids and parameters, bad values)
	// with the others, so that one check lists them all, in the order of
	// the file's lines.
	verr := c.Validate()
	c.Detections.Running = f.running
	_, derr := detectconf.Check(c, nil)
	return c, r, config.SortErrors(errors.Join(parseErr, verr, derr), c.File())
}

// logger builds the stderr logger from --log-level and --log-format.
func (f *agentFlags) logger(w io.Writer) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(f.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", f.logLevel)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch strings.ToLower(f.logFormat) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", f.logFormat)
}
