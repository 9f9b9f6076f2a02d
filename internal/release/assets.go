package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// assets are the files the packages ship besides the binary, written into
// a staging directory.
type assets struct {
	manPages    []string // gzipped pages, "<stage>/man/gitlab-syslog-run.1.gz", ...
	bash        string   // bash completion script
	zsh         string   // zsh completion function (_gitlab-syslog)
	fish        string   // fish completions
	unit        string   // the packaged systemd unit
	config      string   // the packaged /etc/gitlab-syslog/config.yaml
	changelog   string   // Debian changelog, gzipped
	copyright   string   // Debian copyright file
	license     string   // LICENSE at the repository root
	readme      string   // README.md at the repository root
	overrides   string   // lintian overrides
	scriptsDir  string   // maintainer scripts
	packageDate time.Time
}

// writeAssets writes the assets into stage, generating the man pages and
// completions by running host, a build of gitlab-syslog for this machine.
func writeAssets(ctx context.Context, o options, host, stage string) (*assets, error) {
	a := &assets{
		license:     filepath.Join(o.root, "LICENSE"),
		readme:      filepath.Join(o.root, "README.md"),
		overrides:   filepath.Join(o.root, "internal", "release", "lintian-overrides"),
		scriptsDir:  filepath.Join(o.root, "internal", "release", "scripts"),
		packageDate: o.date,
	}
	if _, err := os.Stat(a.license); err != nil {
		return nil, fmt.Errorf("LICENSE missing: the packages must ship the license text (Apache-2.0) and %s cannot be read (%w); add the LICENSE file at the repository root", a.license, err)
	}
	for _, p := range []string{a.readme, a.overrides, a.scriptsDir} {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("packaging input: %w", err)
		}
	}
	var err error
	if a.manPages, err = manPages(ctx, host, stage, o.date); err != nil {
		return nil, err
	}
	for _, c := range []struct {
		shell string
		dst   *string
	}{{"bash", &a.bash}, {"zsh", &a.zsh}, {"fish", &a.fish}} {
		out, err := runHost(ctx, host, nil, "completion", c.shell)
		if err != nil {
			return nil, err
		}
		*c.dst = filepath.Join(stage, "completion."+c.shell)
		if err := os.WriteFile(*c.dst, out, 0o644); err != nil {
			return nil, err
		}
	}
	gen := []struct {
		dst  *string
		name string
		make func() ([]byte, error)
	}{
		{&a.unit, "gitlab-syslog.service", func() ([]byte, error) { return fromExample(o.root, "gitlab-syslog.service", packagedUnit) }},
		{&a.config, "config.yaml", func() ([]byte, error) { return fromExample(o.root, "config.yaml", packagedConfig) }},
		{&a.changelog, "changelog.gz", func() ([]byte, error) { return gzipped(debChangelog(o)) }},
		{&a.copyright, "copyright", func() ([]byte, error) { return debCopyright(o.firstYear, o.date.Year()), nil }},
	}
	for _, g := range gen {
		data, err := g.make()
		if err != nil {
			return nil, err
		}
		*g.dst = filepath.Join(stage, g.name)
		if err := os.WriteFile(*g.dst, data, 0o644); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// runHost runs the host build of gitlab-syslog and returns its stdout.
func runHost(ctx context.Context, host string, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, host, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("gitlab-syslog %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}

// manPages writes one gzipped man page per command into stage/man and
// returns their paths, sorted.
func manPages(ctx context.Context, host, stage string, date time.Time) ([]string, error) {
	raw := filepath.Join(stage, "man-raw")
	env := []string{"SOURCE_DATE_EPOCH=" + strconv.FormatInt(date.Unix(), 10)}
	if _, err := runHost(ctx, host, env, "man", "--dir", raw); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(raw)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(stage, "man")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var pages []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".1") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(raw, e.Name()))
		if err != nil {
			return nil, err
		}
		gz, err := gzipped(data)
		if err != nil {
			return nil, err
		}
		p := filepath.Join(dir, e.Name()+".gz")
		if err := os.WriteFile(p, gz, 0o644); err != nil {
			return nil, err
		}
		pages = append(pages, p)
	}
	if !slices.ContainsFunc(pages, func(p string) bool { return filepath.Base(p) == "gitlab-syslog.1.gz" }) {
		return nil, fmt.Errorf("gitlab-syslog man wrote no gitlab-syslog.1 into %s", raw)
	}
	slices.Sort(pages)
	return pages, nil
}

// gzipped compresses data at the best level, without a name or time in the
// header (reproducible, as Debian wants for man pages and changelogs).
func gzipped(data []byte) ([]byte, error) {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// fromExample reads examples/name and transforms it for the packages.
func fromExample(root, name string, transform func([]byte) ([]byte, error)) ([]byte, error) {
	path := filepath.Join(root, "examples", name)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out, err := transform(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}
