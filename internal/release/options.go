package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// options say what to build.
type options struct {
	root       string    // repository root (the directory holding go.mod)
	out        string    // output directory
	version    string    // release version, "v1.2.3" or "1.2.3"
	revision   string    // VCS commit stamped into the binary
	maintainer string    // "Name <email>"
	arches     []string  // GOARCH values
	formats    []string  // "deb", "rpm"
	date       time.Time // file times in the packages
	firstYear  int       // year of the first commit, for the copyright
}

// fillFromGit sets the version, revision and date the flags left empty.
func (o *options) fillFromGit(ctx context.Context) error {
	if o.revision == "" {
		rev, err := git(ctx, o.root, "rev-parse", "HEAD")
		if err != nil {
			return fmt.Errorf("no --revision given and %w", err)
		}
		o.revision = rev
	}
	if st, err := git(ctx, o.root, "status", "--porcelain", "--untracked-files=no"); err == nil && st != "" {
		fmt.Fprintf(os.Stderr, "release: warning: the work tree has uncommitted changes; the packages are built from them, not from revision %s alone\n", o.revision)
	}
	if o.version == "" {
		o.version = "0.0.0-dev"
		if v, err := git(ctx, o.root, "describe", "--tags", "--match", "v[0-9]*"); err == nil {
			o.version = v
		}
	}
	first, err := git(ctx, o.root, "log", "--max-parents=0", "--format=%cd", "--date=format:%Y", o.revision)
	if err != nil {
		return fmt.Errorf("the copyright years: %w", err)
	}
	fields := strings.Fields(first)
	if len(fields) == 0 {
		return fmt.Errorf("the copyright years: no root commit found from %s", o.revision)
	}
	if o.firstYear, err = strconv.Atoi(fields[len(fields)-1]); err != nil {
		return fmt.Errorf("the copyright years: first commit year %q: %w", first, err)
	}
	if v := os.Getenv("SOURCE_DATE_EPOCH"); v != "" {
		sec, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds: %w", v, err)
		}
		o.date = time.Unix(sec, 0).UTC()
		return nil
	}
	ct, err := git(ctx, o.root, "log", "-1", "--format=%ct", o.revision)
	if err != nil {
		return fmt.Errorf("the package date: set SOURCE_DATE_EPOCH, or %w", err)
	}
	sec, err := strconv.ParseInt(ct, 10, 64)
	if err != nil {
		return fmt.Errorf("commit time %q of %s: %w", ct, o.revision, err)
	}
	o.date = time.Unix(sec, 0).UTC()
	return nil
}

// git runs git in dir and returns its trimmed output.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s in %s: %w: %s", strings.Join(args, " "), dir, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return strings.TrimSpace(string(out)), nil
}

// repoRoot finds the directory holding go.mod, from the working directory
// up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("no go.mod in " + dir + " or above: run from inside the gitlab-syslog repository")
		}
	}
}
