// Command release builds gitlab-syslog's Linux packages: a .deb and an .rpm
// for each architecture (default amd64 and arm64), with nfpm used as a Go
// library, so that no packaging tool needs to be installed.
//
//	go run ./internal/release --out DIR [--version v1.2.3] [--revision COMMIT] [--arch amd64,arm64] [--format deb,rpm]
//
// It cross-compiles the static binary (CGO_ENABLED=0, -trimpath, version and
// revision stamped with -ldflags), writes the man pages and the bash, zsh and
// fish completions by running the host build of that binary (its hidden
// `man` command and cobra's `completion`), derives the packaged systemd unit
// and /etc/gitlab-syslog/config.yaml from examples/, and packs them with the
// maintainer scripts in scripts/. See package.go for the file list.
//
// The version defaults to `git describe --tags --match 'v[0-9]*'`, or
// 0.0.0-dev without a release tag; the revision to `git rev-parse HEAD`.
// File times in the packages and the man pages' date come from
// $SOURCE_DATE_EPOCH, else the revision's commit time, so two runs on the
// same commit give the same package contents.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

// run parses args, builds the packages and prints their paths on stdout,
// one per line; progress goes to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var arches, formats string
	fs.StringVar(&o.out, "out", "", "directory to write the packages into (created if missing; required)")
	fs.StringVar(&o.version, "version", "", "release version, e.g. v1.2.3 (default: git describe --tags, or 0.0.0-dev)")
	fs.StringVar(&o.revision, "revision", "", "VCS revision stamped into the binary (default: git rev-parse HEAD)")
	fs.StringVar(&arches, "arch", "amd64,arm64", "comma-separated GOARCH values to build for")
	fs.StringVar(&formats, "format", "deb,rpm", "comma-separated package formats: deb, rpm")
	fs.StringVar(&o.maintainer, "maintainer", "gitlab-syslog maintainers <gitlab-syslog@users.noreply.github.com>", "package maintainer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (flags only; see -h)", fs.Args())
	}
	if o.out == "" {
		return errors.New("--out DIR is required")
	}
	o.arches = splitList(arches)
	o.formats = splitList(formats)
	for _, f := range o.formats {
		if f != "deb" && f != "rpm" {
			return fmt.Errorf("--format %q: want deb or rpm", f)
		}
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	o.root = root
	if err := o.fillFromGit(ctx); err != nil {
		return err
	}
	paths, err := release(ctx, o, stderr)
	if err != nil {
		return err
	}
	for _, p := range paths {
		fmt.Fprintln(stdout, p)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
