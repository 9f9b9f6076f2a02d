//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/statelock"
)

// TestStateDirLocked: while the state_dir is locked (as a running agent
// holds it), run --once and detect --state-dir fail naming the lock file;
// once released, both run.
func TestStateDirLocked(t *testing.T) {
	state := t.TempDir()
	lk, err := statelock.Acquire(state)
	if err != nil {
		t.Fatal(err)
	}
	lockFile := filepath.Join(state, statelock.FileName)
	runArgs := []string{"--log-dir", "../../testdata", "--to", "stdout", "--once", "--state-dir", state}
	detectArgs := []string{"detect", "--state-dir", state, "../../testdata/audit_json.log"}
	if r := runCmd(t, runArgs...); r.err == nil || !strings.Contains(r.err.Error(), lockFile) || r.stdout != "" {
		t.Errorf("run with the state_dir locked: err %v, %d bytes sent; want an error naming %s and nothing sent", r.err, len(r.stdout), lockFile)
	}
	if _, err := execute(t, detectArgs...); err == nil || !strings.Contains(err.Error(), lockFile) {
		t.Errorf("detect with the state_dir locked: %v, want an error naming %s", err, lockFile)
	}
	lk.Release()
	if r := runCmd(t, runArgs...); r.err != nil || r.stdout == "" {
		t.Errorf("run after the lock was released: err %v, %d bytes sent", r.err, len(r.stdout))
	}
	if _, err := execute(t, detectArgs...); err != nil {
		t.Errorf("detect after the lock was released: %v", err)
	}
}

// TestDetectStateDirErrors: a --state-dir detect cannot use is named with
// the flag, the cause and what to do.
func TestDetectStateDirErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, dir, want string }{
		{"a file", file, "detect: --state-dir " + file + " is a file, not a directory: give a directory (it is created if missing), or leave --state-dir out for a temporary one"},
		{"under a file", filepath.Join(file, "state"), "detect: --state-dir: state_dir " + filepath.Join(file, "state") + ": mkdir " + file + ": not a directory; give a directory (it is created if missing), or leave --state-dir out for a temporary one"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := &detectOptions{format: "json", stateDir: tt.dir}
			var stdout, stderr bytes.Buffer
			err := runDetect(context.Background(), o, []string{"../../testdata/audit_json.log"}, strings.NewReader(""), &stdout, &stderr)
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v\nwant %s", err, tt.want)
			}
		})
	}
}
