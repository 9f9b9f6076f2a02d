//go:build linux

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// need skips the test, loudly, when something it needs is missing; under
// CI=true it fails instead, since .ci/install-deps.sh installs it.
func need(t *testing.T, what string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: required under CI=true (.ci/install-deps.sh installs it)", what)
	}
	t.Skipf("SKIPPING: %s (.ci/install-deps.sh installs it; under CI=true this test fails instead)", what)
}

func haveTool(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

// sh runs a command and returns its combined output; it fails the test
// when the command fails.
func sh(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := shErr(name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func shErr(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive", "LC_ALL=C")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.String(), err
}

// built are packages the test built, by format.
type built struct {
	opts  options
	paths map[string]string // "deb" or "rpm" for the host architecture, "deb-arm64", ...
}

// buildPackages runs the release tool's build for version into a
// temporary directory: deb and rpm for arches.
func buildPackages(t *testing.T, version string, arches ...string) built {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	o := options{root: root, out: t.TempDir(), version: version, arches: arches, formats: []string{"deb", "rpm"},
		maintainer: "gitlab-syslog maintainers <gitlab-syslog@users.noreply.github.com>"}
	if err := o.fillFromGit(t.Context()); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	paths, err := release(t.Context(), o, &log)
	if err != nil {
		t.Fatalf("release: %v\n%s", err, log.String())
	}
	b := built{opts: o, paths: map[string]string{}}
	for _, p := range paths {
		format := strings.TrimPrefix(filepath.Ext(p), ".")
		key := format
		if !strings.Contains(p, debArch(runtime.GOARCH)) && !strings.Contains(p, rpmArch(runtime.GOARCH)) {
			key += "-other"
		}
		b.paths[key] = p
	}
	if len(paths) != len(arches)*2 {
		t.Fatalf("release wrote %d packages, want %d: %v", len(paths), len(arches)*2, paths)
	}
	return b
}

func debArch(goarch string) string { return "_" + goarch + ".deb" }

func rpmArch(goarch string) string {
	return map[string]string{"amd64": ".x86_64.rpm", "arm64": ".aarch64.rpm"}[goarch]
}
