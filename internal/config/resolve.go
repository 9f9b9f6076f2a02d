package config

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Resolved says how Resolve chose values that were not set explicitly, so
// that run and check can tell the operator.
type Resolved struct {
	// StateDirNote explains the state directory choice: the flag that gave
	// it ("--state-dir"), "configured" (the file), "default", or
	// "/var/lib/gitlab-syslog is not writable (permission denied); using ...".
	StateDirNote string
	// DefaultSources is true when the sources came from LogDir.
	DefaultSources bool
	// Layout is where the default sources were found under LogDir
	// (omnibus, flat or mixed); "" when the sources are not the defaults.
	Layout Layout
	// Skipped lists the optional default sources left out because their
	// file is absent, each where Layout has it, so that run and check
	// name the same paths.
	Skipped []Absent
}

// defaultSource is one of the Omnibus logs used when sources is omitted. A
// file with a note is followed only when present at start; the others are
// waited for when absent (GitLab creates auth_json.log at the first
// Rack::Attack event).
type defaultSource struct {
	typ, sub, name string
	note           string // why the file may be absent; "" when it is always followed
	lazy           string // why GitLab may not have created the file yet; "" when it always exists
}

var defaultSources = []defaultSource{
	{"audit", "gitlab-rails", "audit_json.log", "", ""},
	{"application", "gitlab-rails", "application_json.log", "", ""},
	{"application", "gitlab-rails", "application.log", "GitLab 15.11 and later no longer write application.log", ""},
	{"access", "nginx", "gitlab_access.log", "", ""},
	{"auth", "gitlab-rails", "auth_json.log", "", "GitLab creates auth_json.log at the first Rack::Attack event"},
	{"auth", "gitlab-rails", "auth.log", "older GitLab versions wrote the Rack::Attack log as auth.log; current ones write auth_json.log", ""},
}

// TypeByName returns the log type (audit, application, access or auth)
// of an Omnibus log file name, as the default sources pair them
// (audit_json.log is audit, gitlab_access.log access), or "" for another
// name. Only the base name of path counts.
func TypeByName(path string) string {
	for _, d := range defaultSources {
		if filepath.Base(path) == d.name {
			return d.typ
		}
	}
	return ""
}

// LazyNote returns why GitLab may not have created the file at path yet,
// a log it creates at its first event (auth_json.log appears at the first
// Rack::Attack event), or "" when path is not such a file. Only the base
// name counts: a source may name the file wherever the logs are, with
// log_dir or without. The agent waits for such a file and run --once does
// not count it as missing.
func LazyNote(path string) string {
	for _, d := range defaultSources {
		if d.lazy != "" && filepath.Base(path) == d.name {
			return d.lazy
		}
	}
	return ""
}

// DefaultAppName returns the APP-NAME the Sentinel functions expect for a
// source type (GitLab-Auth-Logs for auth, which has no Sentinel function), or
// "" for an unknown type.
func DefaultAppName(typ string) string {
	switch typ {
	case "audit":
		return AppNameAudit
	case "application":
		return AppNameApplication
	case "access":
		return AppNameAccess
	case "auth":
		return AppNameAuth
	}
	return ""
}

// Resolve fills in every default: state_dir (falling back to a per-user
// directory when the system one is not writable), log_dir, hostname,
// start_at, the forward settings and, when sources is omitted, the Omnibus
// log files under log_dir. Enumerated values given in another case
// ("start_at: END", "type: Audit") are set to their canonical form first.
// For each default file it uses
// <log_dir>/<gitlab-rails|nginx>/<name> when that exists, else
// <log_dir>/<name> when that exists (a flat directory such as the bundled
// testdata), else the path the layout has it at (Resolved.Layout:
// <log_dir>/<name> when every file found is there, else the Omnibus
// path), which the tailer waits for; an
// optional file (application.log, auth.log) found in neither place is
// left out and listed in Resolved.Skipped where the layout found
// (Resolved.Layout) has it.
func (c *Config) Resolve() (Resolved, error) {
	var r Resolved
	c.canonicalEnums()
	if c.LogDir == "" {
		c.LogDir = DefaultLogDir
	}
	if c.StateDir == "" {
		dir, note, err := defaultStateDir()
		if err != nil {
			return r, err
		}
		c.StateDir, r.StateDirNote = dir, note
	} else {
		r.StateDirNote = cmp.Or(c.flags["state_dir"], "configured") // the flag that gave it, else the file
	}
	c.ResolveForward()
	if c.StartAt == "" {
		c.StartAt = DefaultStartAt
	}
	if c.Tailer.CheckpointInterval == 0 {
		c.Tailer.CheckpointInterval = DefaultCheckpointInterval
	}
	if c.Sources == nil && len(c.InputsOn()) == 0 { // an aggregator follows no files unless told
		r.DefaultSources = true
		var skipped []defaultSource
		for _, d := range defaultSources {
			nested := filepath.Join(c.LogDir, d.sub, d.name)
			flat := filepath.Join(c.LogDir, d.name)
			path := nested
			switch {
			case exists(nested):
			case exists(flat):
				path = flat
			case d.note != "":
				skipped = append(skipped, d)
				continue
			}
			c.Sources = append(c.Sources, Source{Type: d.typ, Path: path})
		}
		r.Layout, r.Skipped = defaultLayout(c.LogDir, c.Sources, skipped)
	}
	for i := range c.Sources {
		s := &c.Sources[i]
		if s.AppName == "" {
			s.AppName = DefaultAppName(s.Type)
		}
		if s.StartAt == "" {
			s.StartAt = c.StartAt
		}
		if s.Format == "" {
			s.Format = "plain"
		}
		if s.OtherSubcomponents == "" {
			s.OtherSubcomponents = "drop"
		}
	}
	c.Detections.resolve(c.given)
	c.resolveInputs()
	if c.Streaming.Listen != "" {
		if c.Streaming.Path == "" {
			c.Streaming.Path = DefaultStreamingPath
		}
		if c.Streaming.SpoolDir == "" {
			c.Streaming.SpoolDir = filepath.Join(c.StateDir, "streaming")
		}
	}
	return r, nil
}

// ResolveForward fills in the defaults of what forwarding a line needs:
// hostname, max_line_bytes and the forward settings (url, facility, sd_id,
// format). Resolve calls it; the send command, which follows no files,
// calls it alone.
func (c *Config) ResolveForward() {
	if c.Hostname == "" {
		h, err := os.Hostname()
		if err != nil || h == "" {
			h = "-"
		}
		c.Hostname, c.hostnameOS = h, true
	}
	if c.Tailer.MaxLineBytes == 0 {
		c.Tailer.MaxLineBytes = DefaultMaxLine
	}
	f := &c.Forward
	if f.URL == "" {
		f.URL, c.urlDefault = DefaultURL, true
	}
	if IsStdout(f.URL) {
		f.URL = StdoutURL
	}
	if f.Facility == "" {
		f.Facility = DefaultFacility
	}
	if f.SDID == "" {
		f.SDID = DefaultSDID
	}
	if f.Format = canonical(f.Format, forwardFormatValues); f.Format == "" {
		f.Format = DefaultFormat
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// defaultStateDir picks the state directory when none is configured:
// $STATE_DIRECTORY (set by systemd's StateDirectory=), then
// /var/lib/gitlab-syslog when it is writable or can be created, then
// $XDG_STATE_HOME/gitlab-syslog or ~/.local/state/gitlab-syslog.
func defaultStateDir() (dir, note string, err error) {
	if d := os.Getenv("STATE_DIRECTORY"); d != "" {
		// systemd may pass several, colon-separated; the first is ours.
		d, _, _ = strings.Cut(d, ":")
		return d, "from $STATE_DIRECTORY (systemd StateDirectory=)", nil
	}
	werr := writable(DefaultStateDir)
	if werr == nil {
		return DefaultStateDir, "default", nil
	}
	base := os.Getenv("XDG_STATE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", "", fmt.Errorf("config: %s is not writable (%v) and there is no home directory for a per-user state_dir (%v); set state_dir", DefaultStateDir, werr, err)
		}
		base = filepath.Join(home, ".local", "state")
	}
	dir = filepath.Join(base, "gitlab-syslog")
	return dir, fmt.Sprintf("%s is not writable (%v); using the per-user %s", DefaultStateDir, werr, dir), nil
}

// writable reports whether dir is writable, or could be created, by this
// process. It changes nothing on disk.
func writable(dir string) error {
	for p := dir; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%s is not a directory", p)
			}
			if err := canWrite(p, fi); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			return nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if parent := filepath.Dir(p); parent == p {
			return err
		}
	}
}
